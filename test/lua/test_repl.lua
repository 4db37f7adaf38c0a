-- test/lua/test_repl.lua - the interactive shell as a newcomer uses it,
-- driven through tmux (send-keys / capture-pane) at 100x30, 60x20 and
-- 200x50: completion (names, methods, "~/ paths), history across
-- restarts, ?help, ??search, ls(), traceback(), Ctrl-C out of a loop and
-- out of a script (status 130), multi-line input and Ctrl-D on ">>",
-- statements followed by a final expression, ';' silencing, -i after an
-- error, and a 1000x50 matrix that fits the screen.
local T = dofile("test/lua/harness.lua")
local MLSH = T.mlsh()

-- Type a line; a final ';' is escaped, or tmux takes it as its own
-- command separator.
local function typed(s, text, no_enter)
  s:type((text:gsub(";$", "\\;")), no_enter)
end

-- The output between the last prompt showing `input` and the next prompt.
local function output_of(screen, input)
  local at
  local init = 1
  while true do
    local i, j = screen:find("mlsh> " .. input, init, true)
    if not i then break end
    at, init = j, j + 1
  end
  if not at then return nil end
  local rest = screen:sub(at + 1)
  return (rest:match("^[^\n]*\n(.-)mlsh>") or rest)
end

-- Every line of the screen fits `width` columns.
local function fits(text, width)
  for line in text:gmatch("[^\n]*") do
    if utf8.len(line) and utf8.len(line) > width then return false, line end
  end
  return true
end

local function session(opts)
  if not T.have_tmux then T.skip("tmux not installed (apt-get install tmux)") end
  local s = T.tmux(opts and opts.cmd or MLSH, opts)
  local _, ok = s:wait_for(opts and opts.ready or "mlsh>")
  if not ok then local text = s:screen() s:kill() T.ok(false, "not started:\n" .. text) end
  return s
end

-- Wait for the prompt after a command's output: pattern then "mlsh> $".
local function wait_output(s, pattern, seconds)
  return s:wait_for(pattern .. ".-mlsh> *\n*$", seconds)
end

T.test("tab completion, help, Ctrl-C, multi-line, history", function()
  if not T.have_tmux then T.skip("tmux not installed (apt-get install tmux)") end
  local home = T.tmpname(".home")
  local s = T.tmux(MLSH, {home = home})
  s:wait_for("mlsh>")
  s:type("mat.ra", true); s:keys("Tab", "Tab", "Tab")
  local text = s:wait_for("mat%.randn")
  T.ok(text:find("mat%.rand%s+mat%.randn"), "mat.ra<TAB> lists rand and randn:\n" .. text)
  s:keys("C-u"); s:type("m = mat.eye(2)")
  s:type("m:so", true); s:keys("Tab")
  text = s:wait_for("m:solve")
  T.ok(text:find("mlsh> m:solve"), "m:so<TAB> completes to m:solve:\n" .. text)
  s:keys("C-u"); s:type("?mat.svd")
  text = s:wait_for("dgesdd")
  T.ok(text:find("Example"), "?mat.svd shows the doc:\n" .. text)
  s:clear(); s:type("while true do end")
  os.execute("sleep 0.5"); s:keys("C-c")
  text = s:wait_for("interrupted")
  T.ok(text:find("interrupted"), "Ctrl-C stops the loop:\n" .. text)
  s:type("function twice(x)"); s:type("return 2 * x"); s:type("end")
  s:type("twice(21)")
  text = s:wait_for("\n42")
  T.ok(text:find("\n42"), "multi-line function works:\n" .. text)
  s:clear(); s:type("mat.randn(1000, 50, {seed = 1})")
  text = s:wait_for("%[Matrix 1000x50%]")
  for line in text:gmatch("[^\n]*\n") do T.ok(utf8.len(line) <= 101, "line fits 100 columns") end
  T.ok(text:find("%.%.%.") and text:find("%[Matrix 1000x50%]"), "big matrix elided:\n" .. text)
  s:keys("C-d")
  os.execute("sleep 0.3")
  s:kill()
  -- history survives a restart
  s = T.tmux(MLSH, {home = home})
  s:wait_for("mlsh>")
  s:keys("Up")
  text = s:wait_for("mat%.randn%(1000")
  T.ok(text:find("mlsh> mat%.randn%(1000, 50"), "Up recalls the last line:\n" .. text)
  s:keys("C-u", "C-d")
  s:kill()
  os.execute("rm -rf " .. home)
end)

T.test("statements then a final expression print its value, as IPython", function()
  local s = session()
  typed(s, "x = 1; x")
  local text, ok = wait_output(s, "mlsh> x = 1; x\n1\n")
  T.ok(ok, "x = 1; x prints 1 and gives the prompt back (not >>):\n" .. text)
  typed(s, "local a = 20; a + 2")
  text, ok = wait_output(s, "\n22\n")
  T.ok(ok, "a local of the statements is seen by the expression:\n" .. text)
  typed(s, 's = "a;b -- c"; s .. ";"')
  text, ok = wait_output(s, '"a;b %-%- c;"')
  T.ok(ok, "a ';' in a string is no statement boundary:\n" .. text)
  typed(s, "function sq(v) return v * v end; sq(3) - 1")
  text, ok = wait_output(s, "\n8\n")
  T.ok(ok, "the final expression is the longest one (sq(3) - 1, not - 1):\n" .. text)
  typed(s, 'y = mat.from{1, 4, 9, 16}; plot.line(y, {title = "Squares chart"})')
  text, ok = wait_output(s, "Squares chart", 8)
  T.ok(ok, "y = ...; plot.line(y) shows the chart:\n" .. text)
  s:clear()
  typed(s, "z = 5 print(z)")
  text, ok = wait_output(s, "\n5\n")
  T.ok(ok, "statements without ';' and a final call:\n" .. text)
  typed(s, "q = y -1")
  typed(s, "q")
  text = wait_output(s, "mlsh> q\n")
  T.ok(text:find("%[Matrix 4x1%]"), "x = y -1 stays one statement (q is y - 1, no -1 printed):\n" .. text)
  s:kill()
end)

T.test("a final ';' silences any input", function()
  local s = session()
  for _, input in ipairs{"1+1;", "X;", "x = 1;", "mat.eye(2);", "x = 1; x;"} do
    typed(s, input)
  end
  typed(s, "print('after', x)")
  local text, ok = wait_output(s, "after%s+1")
  T.ok(ok, "session alive:\n" .. text)
  T.ok(not text:find("syntax error") and not text:find("mlsh:"), "no error for a silenced input:\n" .. text)
  for _, input in ipairs{"1+1;", "X;", "x = 1;", "mat.eye(2);", "x = 1; x;"} do
    local out = output_of(text, input)
    T.ok(out and not out:find("%S"), input .. " prints nothing:\n" .. text)
  end
  typed(s, "_")
  text = wait_output(s, "mlsh> _\n")
  T.ok(output_of(text, "_"):find("^1\n"), "_ still holds the silenced value:\n" .. text)
  s:kill()
end)

T.test("??word, apropos, ?m:solve, help(m.solve), help(nil), ls() at 60x20 and 200x50", function()
  for _, size in ipairs{{60, 20}, {200, 50}} do
    local w = size[1]
    local s = session({width = w, height = size[2]})
    s:type("m = mat.eye(2)")
    s:type("??SVD")
    local text, ok = wait_output(s, "Names with")
    T.ok(ok and text:find("m:svd%(%)"), "??SVD lists m:svd (case-insensitive):\n" .. text)
    T.ok(text:find("stats%.pca"), "??SVD lists what mentions svd in its doc:\n" .. text)
    T.ok(fits(text, w), ("??SVD fits %d columns:\n"):format(w) .. text)
    s:clear()
    s:type('apropos("kmeans")')
    text, ok = wait_output(s, "cluster%.kmeans")
    T.ok(ok and fits(text, w), "apropos(\"kmeans\") fits the width:\n" .. text)
    s:clear()
    s:type("?m:solve")
    text, ok = wait_output(s, "dgesv")
    T.ok(ok, "?m:solve on a Matrix value shows Matrix:solve:\n" .. text)
    s:clear()
    s:type("help(m.solve)")
    text, ok = wait_output(s, "dgesv")
    T.ok(ok, "help(m.solve):\n" .. text)
    s:clear()
    s:type("help(no_such_thing)")
    text, ok = wait_output(s, "help: the value is nil %(no such variable%?%)")
    T.ok(ok and not text:find("Modules:"), "help(nil) says so:\n" .. text)
    s:type("help()")
    text, ok = wait_output(s, "Modules:")
    T.ok(ok, "help() lists the modules:\n" .. text)
    s:clear()
    s:type('df = data.read_csv("datasets/iris.csv")')
    s:type('n = 3.5; name = "' .. ("abcdefghij"):rep(5) .. '"; t = {1, 2, 3}; rec = {a = 1}')
    s:type("function twice(v, k) return 2 * v end")
    s:type("ls()")
    text, ok = wait_output(s, "twice")
    local out = output_of(text, "ls()") or ""
    T.ok(ok and out:find("df%s+: DataFrame 150 x 5: sepal_length, sepal_width"), "ls() shows the frame:\n" .. text)
    T.ok(out:find("m%s+: Matrix 2 x 2"), "ls() shows the Matrix:\n" .. out)
    T.ok(out:find("n%s+: number 3%.5"), "ls() shows the number:\n" .. out)
    T.ok(out:find('name%s+: string "' .. ("abcdefghij"):rep(4) .. '%.%.%." %(50 characters%)')
         or (w < 100 and out:find('name%s+: string "abcdefghij')), "ls() shows 40 characters of a string:\n" .. out)
    T.ok(out:find("t%s+: table, length 3") and out:find("rec%s+: table, 1 field"), "ls() shows tables:\n" .. out)
    T.ok(out:find("twice%s+: function%(v, k%)"), "ls() shows the function's parameters:\n" .. out)
    T.ok(not out:find("\nmat ") and not out:find("print") and not out:find("help"),
         "ls() leaves out mlsh's modules and Lua's globals:\n" .. out)
    T.ok(fits(text, w), ("ls() fits %d columns:\n"):format(w) .. text)
    s:kill()
  end
end)

T.test("traceback() after an error, mlsh's own frames folded", function()
  local s = session()
  s:type("function inner() return mat.zeros(2, 2):inv() end")
  s:type("function outer() local r = inner() return r end")
  s:type("outer()")
  local text = wait_output(s, "matrix is singular")
  T.ok(not text:find("stack traceback"), "the prompt shows the message only:\n" .. text)
  s:type("traceback()")
  text = wait_output(s, "main chunk")
  local out = output_of(text, "traceback()") or ""
  T.ok(out:find("Matrix:inv: matrix is singular") and out:find("in function 'inner'")
       and out:find("in function 'outer'") and out:find("stdin:1: in main chunk"), "traceback of the last error:\n" .. text)
  s:clear()
  s:type('data.read_csv("/nonexistent.csv")')
  s:type("traceback()")
  text = wait_output(s, "main chunk")
  out = output_of(text, "traceback()") or ""
  -- data.read_csv is C now: nothing of lua/mlsh/ is on the stack to fold
  T.ok(not out:find("lua/mlsh/"), "no frame of lua/mlsh/ shown:\n" .. text)
  T.ok(out:find("in function 'data%.read_csv'"), "the function called is shown:\n" .. text)
  s:kill()
end)

T.test("mlsh -i script.lua stays interactive after an error, the script's globals there", function()
  local p = T.tmpfile("answer = 42\nlocal t = {}\nprint('script ran')\nerror('script failed')\n")
  local s = session({cmd = MLSH .. " -i " .. p})
  local text = s:screen()
  T.ok(text:find("script ran") and text:find("script failed"), "the script ran and failed:\n" .. text)
  s:type("answer + 1")
  text = wait_output(s, "\n43\n")
  T.ok(text:find("\n43\n"), "the script's global is there:\n" .. text)
  s:kill()
  os.remove(p)
end)

T.test("Ctrl-D on >> cancels the block; on an empty prompt it quits", function()
  local s = session({cmd = 'sh -c "' .. MLSH .. '; echo mlsh-exited=\\$?; sleep 30"'})
  s:type("for i = 1, 3 do")
  s:wait_for(">> ")
  s:keys("C-d")
  local text, ok = s:wait_for("\nmlsh>%s*$")
  T.ok(ok and not text:find("mlsh%-exited"), "Ctrl-D on >> goes back to mlsh>:\n" .. text)
  s:type("print('still', 7 * 6)")
  text, ok = wait_output(s, "still%s+42")
  T.ok(ok, "the session goes on, the block dropped:\n" .. text)
  s:keys("C-d")
  text, ok = s:wait_for("mlsh%-exited=0")
  T.ok(ok, "Ctrl-D on an empty prompt quits with status 0:\n" .. text)
  s:kill()
end)

T.test("a script stopped by Ctrl-C exits with status 130", function()
  local p = T.tmpfile("print('looping') io.stdout:flush()\nlocal i = 0\nwhile true do i = i + 1 end\n")
  -- the shell traps SIGINT: else it would stop too once mlsh dies of it
  local s = session({cmd = 'sh -c "trap : INT; ' .. MLSH .. " " .. p .. '; echo script-status=\\$?; sleep 30"',
                     ready = "looping"})
  local ok
  s:keys("C-c")
  local text
  text, ok = s:wait_for("script%-status=%d+")
  T.ok(ok and text:find("script%-status=130"), "status 130 after Ctrl-C:\n" .. text)
  T.ok(text:find("interrupted"), "the script says it was interrupted:\n" .. text)
  s:kill()
  os.remove(p)
end)

T.test('completion of "~/ paths and ~user names', function()
  local home = T.tmpname(".home")
  os.execute("mkdir -p " .. home .. "/sub && touch " .. home .. "/alpha.csv " .. home .. "/alps.txt " .. home .. "/my-file.csv")
  local s = session({home = home})
  typed(s, 'f = "~/', true)
  s:keys("Tab", "Tab")
  local text, ok = s:wait_for("alps%.txt")
  T.ok(ok and text:find("alpha%.csv") and text:find("my%-file%.csv") and text:find("sub/"),
       '"~/<TAB><TAB> lists the home folder:\n' .. text)
  s:keys("C-u")
  local cases = {{'f = "~/alph', '"~/alpha%.csv', "completes the file"},
                 {'f = "~/my-f', '"~/my%-file%.csv', "a '-' does not split the path"}}
  if os.execute("grep -q '^root:' /etc/passwd 2>/dev/null") then
    cases[#cases + 1] = {'f = "~roo', '"~root/', "completes the user name"}
  end
  for _, c in ipairs(cases) do
    s:clear()
    typed(s, c[1], true)
    s:keys("Tab")
    text, ok = s:wait_for(c[2])
    T.ok(ok, c[1] .. "<TAB> " .. c[3] .. ":\n" .. text)
    s:keys("C-u")
  end
  s:kill()
  os.execute("rm -rf " .. home)
end)

T.done()

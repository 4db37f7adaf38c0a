-- test/lua/test_shell.lua - the mlsh program: options, scripts, errors,
-- the Lua C module, and documentation of every public function.
local T = dofile("test/lua/harness.lua")
local MLSH = T.mlsh()
local run = T.sh

T.test("-e runs code", function()
  local out, code = run(MLSH .. " -e 'print(mat.randn(3,3,{seed=1}):dot(mat.eye(3)))'")
  T.eq(code, 0); T.ok(out:find("%[Matrix 3x3%]"), out)
end)

T.test("-v and -h", function()
  local out, code = run(MLSH .. " -v")
  T.eq(code, 0); T.ok(out:find("^mlsh %d+%.%d+"), out)
  out, code = run(MLSH .. " -h")
  T.eq(code, 0); T.ok(out:find("usage: mlsh"), out)
  out, code = run(MLSH .. " --bogus")
  T.eq(code, 1); T.ok(out:find("unrecognized option"), out)
end)

T.test("scripts get arg and ... ; errors exit 1 with file:line and a traceback", function()
  local p = T.tmpname(".lua")
  local f = io.open(p, "w")
  f:write("local a, b = ...\nprint(arg[0] ~= nil, arg[1], a, b)\n")
  f:close()
  local out, code = run(MLSH .. " " .. p .. " x y")
  T.eq(code, 0); T.ok(out:find("true%s+x%s+x%s+y"), out)
  f = io.open(p, "w"); f:write("local x = 1\nerror('boom')\n"); f:close()
  out, code = run(MLSH .. " " .. p)
  T.eq(code, 1)
  T.ok(out:find("^mlsh: [^\n]*:2: boom"), out)
  T.ok(out:find("stack traceback"), out)
  os.remove(p)
end)

T.test("script from stdin and '-'", function()
  local out, code = run("echo 'print(mat.eye(2):sum())' | " .. MLSH)
  T.eq(code, 0); T.ok(out:find("2"), out)
  out, code = run("echo 'print(1+1)' | " .. MLSH .. " -")
  T.eq(code, 0); T.ok(out:find("2"), out)
end)

T.test("C errors become Lua errors naming the function", function()
  local out, code = run(MLSH .. " -e 'mat.zeros(2,2):inv()'")
  T.eq(code, 1); T.ok(out:find("Matrix:inv: matrix is singular"), out)
end)

T.test("stock lua5.4 can require the C module", function()
  local lua = io.open("/usr/bin/lua5.4") and "/usr/bin/lua5.4"
  if not lua then T.skip("lua5.4 interpreter not installed (apt-get install lua5.4)") end
  if os.getenv("MLSH_SANITIZED") then T.skip("a sanitized mlsh.so cannot be loaded into a plain lua5.4") end
  local so = MLSH:gsub("mlsh$", "")
  local out, code = run(lua .. " -e 'package.cpath=\"" .. so .. "?.so;\"..package.cpath; " ..
                        "local m = require \"mlsh\"; print(m.mat.eye(2)); print(m.data.read_csv(\"datasets/iris.csv\"):nrow()); " ..
                        -- parallel calls just before the state closes and Lua unloads its C modules:
                        -- the helper threads that outlive them must not lose their code
                        "local Y = m.stats.tsne(m.mat.randn(400, 5, {seed = 1}), {iters = 30, threads = 2}); print(Y:rows())'")
  T.eq(code, 0); T.ok(out:find("%[Matrix 2x2%]") and out:find("150") and out:find("400"), out)
  -- the loader's own account: Lua's close does not unmap the library
  out, code = run("LD_DEBUG=files " .. lua .. " -e 'package.cpath=\"" .. so .. "?.so;\"..package.cpath; " ..
                  "local m = require \"mlsh\"; os.exit(0, true)' 2>&1")
  T.eq(code, 0)
  local unmapped = false
  for line in out:gmatch("[^\n]+") do unmapped = unmapped or (line:find("mlsh.so", 1, true) and line:find("destroying link map", 1, true)) end
  T.ok(not unmapped, "lua_close unmapped mlsh.so: " .. out:sub(-300))
end)

T.test("every public function is documented with an example", function()
  local by_value, by_name = mlsh._docs()
  local missing = {}
  local function check(name, f)
    local d = by_value[f]
    if not d then missing[#missing + 1] = name .. " (no doc)"
    elseif not d.doc:find("Example") then missing[#missing + 1] = name .. " (no Example line)" end
  end
  local _, _, modules = mlsh._docs()
  T.ok(#modules >= 9, "the module list")
  for _, m in ipairs(modules) do
    T.ok(rawequal(_G[m.name], mlsh[m.name]), "module " .. m.name .. " is a global")
    for k, v in pairs(mlsh[m.name]) do
      if type(v) == "function" and not k:find("^_") then check(m.name .. "." .. k, v) end
    end
  end
  for _, name in ipairs{"help", "apropos", "ls", "traceback"} do check(name, _G[name]) end
  for name, d in pairs(by_name) do
    if name:find(":") and not name:find(":_") and not d.doc:find("Example") then
      missing[#missing + 1] = name .. " (no Example line)"
    end
  end
  table.sort(missing)
  T.ok(#missing == 0, "undocumented: " .. table.concat(missing, ", "))
end)

T.test("help() prints a function's documentation", function()
  local out, code = run(MLSH .. " -e 'help(mat.svd); help(\"Matrix:chol\"); help()'")
  T.eq(code, 0)
  T.ok(out:find("m:svd%(%)") and out:find("dgesdd") and out:find("Example"), out)
  T.ok(out:find("m:chol%(%)"), out)
  T.ok(out:find("Modules:"), out)
end)

-- The REPL reading a pipe (mlsh -i): the same input handling as at a
-- terminal, without tmux (test_repl.lua drives a real terminal).
local function repl(input, args)
  local p = T.tmpfile(input, ".in")
  local out, code = run(MLSH .. " -i " .. (args or "") .. " < " .. p)
  os.remove(p)
  return out, code
end

T.test("REPL: statements then a final expression, ';' silences", function()
  local out, code = repl("x = 1; x\n" ..
                         "local a = 2; a * 21\n" ..
                         "s = 'p;q'; s\n" ..
                         "t = {}; t.f = function() return 9 end; t.f()\n" ..
                         "q = x -1\n" ..
                         "1+1;\nX;\nx = 1;\n" ..
                         "x = 1 -- comment;\n" ..
                         "print('done', q)\n")
  T.eq(code, 0)
  T.ok(out:find("mlsh> x = 1; x\n1\n"), "x = 1; x prints 1:\n" .. out)
  T.ok(out:find("a %* 21\n42\n"), "a local reaches the expression:\n" .. out)
  T.ok(out:find('s\n"p;q"\n'), "a ';' in a string:\n" .. out)
  T.ok(out:find("t%.f%(%)\n9\n"), "a final call after statements:\n" .. out)
  T.ok(out:find("mlsh> q = x %-1\nmlsh>"), "x -1 is one statement:\n" .. out)
  T.ok(out:find("mlsh> 1%+1;\nmlsh> X;\nmlsh> x = 1;\nmlsh> x = 1 %-%- comment;\nmlsh> print"),
       "a final ';' silences; one in a comment does not make an error:\n" .. out)
  T.ok(out:find("done%s+0"), out)
  T.ok(not out:find("syntax error"), out)
end)

T.test("REPL: an unfinished block at the end of the input is reported", function()
  local out = repl("for i = 1, 2 do\n")
  T.ok(out:find("mlsh: stdin:1: 'end' expected near <eof>"), out)
end)

T.test("-i stays interactive after an error in the script, its globals there", function()
  local p = T.tmpfile("answer = 42\nerror('script failed')\n")
  local out, code = repl("answer + 1\n", p)
  os.remove(p)
  T.ok(out:find("script failed"), out)
  T.ok(out:find("\n43\n"), "the REPL ran with the script's globals:\n" .. out)
  T.eq(code, 0, "the session's status, as python -i")
end)

T.test("help(nil), help(), ?m:solve, apropos, ls, traceback without a terminal", function()
  local out = repl("help(no_such)\nhelp()\nm = mat.eye(2)\n?m:solve\n??Cholesky\n" ..
                   "traceback()\nls()\napropos()\n" ..
                   "x = 'x'\n?x\nfake = setmetatable({}, {__name = 'Matrix'})\nls()\n")
  T.ok(out:find("help: the value is nil %(no such variable%?%)\n"), out)
  T.ok(out:find("Modules:"), out)
  T.ok(out:find("dgesv"), "?m:solve:\n" .. out)
  T.ok(out:find("m:chol%(%)"), "??Cholesky finds m:chol by its doc:\n" .. out)
  T.ok(out:find("traceback: no error so far"), out)
  T.ok(out:find("\nm : Matrix 2 x 2\n"), "ls():\n" .. out)
  T.ok(out:find("apropos: word must be a non%-empty string"), out)
  T.ok(out:find("no documentation for x"), "?x with x = 'x' ends:\n" .. out)
  T.ok(out:find("\nfake : Matrix\n"), "ls() survives a value that only looks like a Matrix:\n" .. out)
end)

T.test("a script stopped by SIGINT dies of it: status 130", function()
  local p = T.tmpfile("local f = io.open(arg[1], 'w') f:write('x') f:close()\nwhile true do end\n")
  local marker = T.tmpname(".started")
  local out, code = run(MLSH .. " " .. p .. " " .. marker .. " 2>&1 & pid=$!; i=0; " ..
                        "while [ ! -s " .. marker .. " ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done; " ..
                        "kill -INT $pid; wait $pid")
  os.remove(p)
  os.remove(marker)
  T.eq(code, 130, "exit status:\n" .. out)
  T.ok(out:find("mlsh: interrupted"), out)
end)

T.done()

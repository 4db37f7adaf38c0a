-- test/lua/test_repl.lua - the interactive shell as a newcomer uses it,
-- driven through tmux (send-keys / capture-pane): completion, history
-- across restarts, ?help, Ctrl-C out of a loop, multi-line input, and a
-- 1000x50 matrix that fits the screen.
local T = dofile("test/lua/harness.lua")
local MLSH = os.getenv("MLSH_BIN") or (arg and arg[-1]) or "build/mlsh"
if not MLSH:find("/") then MLSH = "build/mlsh" end

local function sh(cmd)
  local p = io.popen(cmd .. " 2>/dev/null")
  local out = p:read("a")
  p:close()
  return out
end

local have_tmux = os.execute("command -v tmux >/dev/null 2>&1")
local sock = T.tmpname(".tmux")
local home = T.tmpname(".home")
local function tmux(args) return sh("tmux -S " .. sock .. " " .. args) end
local function keys(...) for _, k in ipairs{...} do tmux("send-keys -t r " .. k) end end
local function typed(s) tmux("send-keys -t r -l '" .. s:gsub("'", "'\\''") .. "'") end
local function screen() return tmux("capture-pane -t r -p") end
local function wait_for(pattern, timeout)
  local deadline = os.time() + (timeout or 5)
  repeat
    local s = screen()
    if s:find(pattern) then return s end
    sh("sleep 0.1")
  until os.time() > deadline
  return screen()
end

local function start()
  os.execute("mkdir -p " .. home)
  local root = os.getenv("MLSH_ROOT") and (" MLSH_ROOT=" .. os.getenv("MLSH_ROOT")) or ""
  tmux("new-session -d -s r -x 100 -y 30 'HOME=" .. home .. root .. " " .. MLSH .. "'")
  return wait_for("mlsh> ")
end
local function stop() tmux("kill-session -t r") end

T.test("tab completion, help, Ctrl-C, multi-line, history", function()
  if not have_tmux then T.skip("tmux not installed (apt-get install tmux)") end
  start()
  typed("mat.ra"); keys("Tab", "Tab", "Tab")
  local s = wait_for("mat%.randn")
  T.ok(s:find("mat%.rand%s+mat%.randn"), "mat.ra<TAB> lists rand and randn:\n" .. s)
  keys("C-u"); typed("m = mat.eye(2)"); keys("Enter")
  typed("m:so"); keys("Tab")
  s = wait_for("m:solve")
  T.ok(s:find("mlsh> m:solve"), "m:so<TAB> completes to m:solve:\n" .. s)
  keys("C-u"); typed("?mat.svd"); keys("Enter")
  s = wait_for("dgesdd")
  T.ok(s:find("Example"), "?mat.svd shows the doc:\n" .. s)
  keys("C-l"); typed("while true do end"); keys("Enter")
  sh("sleep 0.5"); keys("C-c")
  s = wait_for("interrupted")
  T.ok(s:find("interrupted"), "Ctrl-C stops the loop:\n" .. s)
  typed("function twice(x)"); keys("Enter"); typed("return 2 * x"); keys("Enter"); typed("end"); keys("Enter")
  typed("twice(21)"); keys("Enter")
  s = wait_for("\n42")
  T.ok(s:find("\n42"), "multi-line function works:\n" .. s)
  keys("C-l"); typed("mat.randn(1000, 50, {seed = 1})"); keys("Enter")
  s = wait_for("%[Matrix 1000x50%]")
  local lines = 0
  for line in s:gmatch("[^\n]*\n") do
    lines = lines + 1
    T.ok(utf8.len(line) <= 101, "line fits 100 columns")
  end
  T.ok(s:find("%.%.%.") and s:find("%[Matrix 1000x50%]"), "big matrix elided:\n" .. s)
  keys("C-d")
  sh("sleep 0.3")
  stop()
  -- history survives a restart
  start()
  keys("Up")
  s = wait_for("mat%.randn%(1000")
  T.ok(s:find("mlsh> mat%.randn%(1000, 50"), "Up recalls the last line:\n" .. s)
  keys("C-u", "C-d")
  stop()
  os.execute("rm -rf " .. home .. " " .. sock)
end)

T.done()

-- test/lua/harness.lua - the Lua test harness. A test file does
--   local T = dofile("test/lua/harness.lua")
--   T.test("name", function() T.near(x, 1.5, 1e-9) end)
--   T.done()
-- and prints "N passed, N failed, N skipped" (summed by test/run.sh).
local T = { passed = 0, failed = 0, skipped = 0 }

local function where(level)
  local info = debug.getinfo(level + 1, "Sl")
  return info and (info.short_src .. ":" .. info.currentline) or "?"
end

local current = "?"
local function fail(msg, level)
  error({ test_failure = true, msg = msg, where = where((level or 1) + 1) }, 0)
end

function T.test(name, fn)
  current = name
  local ok, err = xpcall(fn, function(e)
    if type(e) == "table" and (e.test_failure or e.skip) then return e end
    return { msg = tostring(e), where = "", trace = debug.traceback("", 2) }
  end)
  if ok then
    T.passed = T.passed + 1
  elseif type(err) == "table" and err.skip then
    T.skipped = T.skipped + 1
    print("SKIP " .. name .. ": " .. err.msg)
  else
    T.failed = T.failed + 1
    print("FAIL " .. name .. " " .. (err.where or "") .. ": " .. tostring(err.msg))
    if err.trace then print(err.trace) end
  end
end

-- Skip the current test with a visible reason.
function T.skip(reason) error({ skip = true, msg = reason }, 0) end

function T.ok(cond, msg) if not cond then fail(msg or "expected a true value", 2) end end

function T.eq(a, b, msg)
  if a ~= b then fail((msg and msg .. ": " or "") .. tostring(a) .. " ~= " .. tostring(b) .. " (expected)", 2) end
end

function T.near(a, b, tol, msg)
  tol = tol or 1e-9
  if type(a) ~= "number" or type(b) ~= "number" or not (math.abs(a - b) <= tol) then
    fail(string.format("%s%s ~= %s (tol %g)", msg and msg .. ": " or "", tostring(a), tostring(b), tol), 2)
  end
end

-- Relative tolerance: |a - b| <= tol * max(|b|, tiny)
function T.rel(a, b, tol, msg)
  if type(a) ~= "number" or not (math.abs(a - b) <= tol * math.max(math.abs(b), 1e-300)) then
    fail(string.format("%s%.12g ~= %.12g (rel tol %g)", msg and msg .. ": " or "", a, b, tol), 2)
  end
end

-- fn must raise an error whose message contains `pattern` (plain text).
function T.raises(fn, pattern, msg)
  local ok, err = pcall(fn)
  if ok then fail((msg or "expected an error") .. " (none raised)", 2) end
  err = tostring(err)
  if pattern and not err:find(pattern, 1, true) then
    fail(string.format("%serror %q does not contain %q", msg and msg .. ": " or "", err, pattern), 2)
  end
  return err
end

-- The shared data folder (../shared), or nil: tests then call T.skip.
function T.shared(sub)
  local root = os.getenv("MLSH_SHARED") or "../shared"
  local path = sub and (root .. "/" .. sub) or root
  local f = io.open(path, "r")
  if f then f:close() return path end
  return nil
end

function T.tmpname(suffix)
  local n = os.tmpname()
  os.remove(n)
  return n .. (suffix or "")
end

-- A new temporary file holding text (suffix default ".lua"); its name.
function T.tmpfile(text, suffix)
  local p = T.tmpname(suffix or ".lua")
  local f = assert(io.open(p, "w"))
  f:write(text)
  f:close()
  return p
end

-- Run a shell command: its output (stdout and stderr) and exit status.
function T.sh(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"exit=$?\"")
  local out = p:read("a")
  p:close()
  local code = tonumber(out:match("exit=(%d+)%s*$"))
  return (out:gsub("exit=%d+%s*$", "")), code
end

-- The mlsh binary under test: MLSH_BIN, else the interpreter running this file.
function T.mlsh()
  local bin = os.getenv("MLSH_BIN") or (arg and arg[-1]) or "build/mlsh"
  if not bin:find("/") then bin = "build/mlsh" end
  return bin
end

T.have_tmux = os.execute("command -v tmux >/dev/null 2>&1") == true

-- A program in a detached tmux session on a private socket, driven as a
-- user would: s:type("text") (literal, then Enter unless no_enter),
-- s:keys("C-c", "Tab"), s:screen(), s:wait_for(pattern [, seconds]), s:kill().
function T.tmux(cmd, opts)
  opts = opts or {}
  local sock = T.tmpname(".tmux")
  local s = {}
  local function tm(args)
    local p = io.popen("tmux -S " .. sock .. " " .. args .. " 2>/dev/null")
    local out = p:read("a")
    p:close()
    return out
  end
  local env = "HOME=" .. (opts.home or T.tmpname(".home"))
  if os.getenv("MLSH_ROOT") then env = env .. " MLSH_ROOT=" .. os.getenv("MLSH_ROOT") end
  os.execute("mkdir -p " .. env:match("HOME=(%S+)"))
  tm(("new-session -d -s t -x %d -y %d '%s %s'"):format(opts.width or 100, opts.height or 30, env, cmd))
  function s:keys(...) for _, k in ipairs{...} do tm("send-keys -t t " .. k) end end
  function s:type(text, no_enter)
    tm("send-keys -t t -l '" .. text:gsub("'", "'\\''") .. "'")
    if not no_enter then tm("send-keys -t t Enter") end
  end
  function s:screen() return tm("capture-pane -t t -p -S -60") end
  function s:clear() tm("send-keys -t t C-l") tm("clear-history -t t") end
  function s:wait_for(pattern, seconds)
    local deadline = os.time() + (seconds or 5)
    repeat
      local text = s:screen()
      if text:find(pattern) then return text, true end
      os.execute("sleep 0.05")
    until os.time() > deadline
    return s:screen(), false
  end
  function s:kill() tm("kill-server") os.remove(sock) end
  return s
end

function T.done()
  print(string.format("%d passed, %d failed, %d skipped", T.passed, T.failed, T.skipped))
  os.exit(T.failed == 0 and 0 or 1)
end

return T

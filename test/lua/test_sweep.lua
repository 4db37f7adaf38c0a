-- test/lua/test_sweep.lua - the bad-input sweep (R's no-segfault.R): every
-- public function of every module, enumerated at run time, called with bad
-- arguments in a child process per module. A signal or a hang fails the
-- test and names the call that caused it.
local T = dofile("test/lua/harness.lua")
local MLSH = os.getenv("MLSH_BIN") or (arg and arg[-1]) or "build/mlsh"
if not MLSH:find("^/") then MLSH = (os.getenv("PWD") or ".") .. "/" .. MLSH end
local root = mlsh.root or os.getenv("PWD")

for _, mod in ipairs{"mat", "data", "stats", "cluster", "ts", "learn", "nn", "image", "plot"} do
  T.test("sweep " .. mod, function()
    local n = 0
    for k, v in pairs(mlsh[mod]) do if type(v) == "function" then n = n + 1 end end
    if n == 0 then T.skip("module " .. mod .. " has no functions yet") end
    local dir = T.tmpname(".sweep")
    os.execute("mkdir -p " .. dir)
    local cmd = ("cd %s && MLSH_ROOT=%s timeout 300 %s %s/test/lua/sweep_worker.lua %s </dev/null 2>&1")
      :format(dir, root, MLSH, root, mod)
    local p = io.popen(cmd)
    local out = p:read("a")
    local _, _, code = p:close()
    os.execute("rm -rf " .. dir)
    local last = nil
    for line in out:gmatch("CALL ([^\n]*)") do last = line end
    local summary = out:match("SWEEP [^\n]*")
    if not summary then
      T.ok(false, ("%s: the worker died (exit %s) during: %s\n%s"):format(mod, tostring(code), tostring(last),
        out:sub(-1500)))
      return
    end
    local bad = {}
    for line in out:gmatch("BAD ([^\n]*)") do bad[#bad + 1] = line end
    T.ok(#bad == 0, summary .. "\n" .. table.concat(bad, "\n", 1, math.min(#bad, 40)))
    print("  " .. summary)
  end)
end

T.done()

-- test/lua/test_interrupt.lua - Ctrl-C during long computations, as a user
-- at the prompt presses it (tmux send-keys C-c): each must stop with
-- "interrupted", return to the prompt quickly, and leave the session
-- usable. The time to the prompt is measured and printed; the bound
-- asserted is loose (2 s) because CI machines are loaded, the goal 0.5 s.
local T = dofile("test/lua/harness.lua")
local MLSH = T.mlsh()

local function now()
  local p = io.popen("date +%s.%N")
  local t = tonumber(p:read("a"))
  p:close()
  return t or os.time()
end
local function count(s, pat) local n = 0 for _ in s:gmatch(pat) do n = n + 1 end return n end

local shell
local function ensure_shell()
  if not shell then
    shell = T.tmux(MLSH, {width = 120, height = 40})
    shell:wait_for("mlsh> ")
  end
  return shell
end

-- Run `setup` then `long` at the prompt, press Ctrl-C after `delay` seconds.
local function interrupt_case(name, available, setup, long, delay)
  T.test("Ctrl-C during " .. name, function()
    if not T.have_tmux then T.skip("tmux not installed (apt-get install tmux)") end
    if not available then T.skip(name .. ": the module function is not available") end
    local sh = ensure_shell()
    sh:clear()
    if setup then sh:type(setup) os.execute("sleep 0.5") end
    local before = count(sh:screen(), "interrupted")
    sh:type(long)
    os.execute("sleep " .. (delay or 1.5))
    if sh:screen():match("mlsh>%s*$") then
      T.skip(name .. ": finished before Ctrl-C was pressed (machine faster than the case)")
    end
    local t0 = now()
    sh:keys("C-c")
    local elapsed
    for _ = 1, 200 do
      local s = sh:screen()
      if count(s, "interrupted") > before and s:match("mlsh>%s*$") then elapsed = now() - t0 break end
      os.execute("sleep 0.02")
    end
    if not elapsed then
      local s = sh:screen()
      sh:kill()   -- a hung shell must not spoil the next cases
      shell = nil
      T.ok(false, name .. ": no 'interrupted' and prompt within 4 s:\n" .. s)
    end
    print(("  %-28s back at the prompt %.2f s after Ctrl-C"):format(name, elapsed or -1))
    T.ok(elapsed and elapsed < 2.0, name .. " took too long to stop")
    if not shell then return end
    shell:type("print('alive', 6 * 7)")
    local text, ok = shell:wait_for("alive%s+42", 3)
    T.ok(ok, name .. ": session not usable afterwards:\n" .. text)
  end)
end

interrupt_case("a Lua loop", true, nil, "while true do end")
interrupt_case("K-Means", cluster and cluster.kmeans, "X = mat.randn(200000, 50, {seed = 1})",
  "km = cluster.kmeans(X, 20, {nstart = 100, seed = 1})")
interrupt_case("Ward clustering", cluster and cluster.hclust, "W = mat.randn(20000, 20, {seed = 2})",
  "h = cluster.hclust(W, {method = 'ward'})")
interrupt_case("t-SNE", stats and stats.tsne, "S = mat.randn(6000, 50, {seed = 3})",
  "Y = stats.tsne(S, {seed = 1})")
interrupt_case("ARIMA search", ts and ts.auto_arima,
  "y = mat.randn(3000, 1, {seed = 4}); for i = 2, 3000 do y[i] = y[i] + 0.8 * y[i - 1] end",
  "fit = ts.auto_arima(y, {stepwise = false, max_p = 5, max_q = 5, period = 12})")
interrupt_case("SVM fit", learn and learn.svm,
  "Xs = mat.randn(12000, 60, {seed = 5}); ys = {}; for i = 1, 12000 do ys[i] = (Xs:get(i, 1) + 0.5 * Xs:get(i, 2) > 0) and 1 or 2 end",
  "m = learn.svm{C = 100}:fit(Xs, ys)")
interrupt_case("random forest fit", learn and learn.forest,
  "Xf = mat.randn(20000, 40, {seed = 6}); yf = {}; for i = 1, 20000 do yf[i] = 1 + (i % 5) end",
  "rf = learn.forest{trees = 3000, seed = 1}:fit(Xf, yf)")

interrupt_case("parallel workers", mlsh.parallel_map, nil,
  "r = mlsh.parallel_map(4, function(i) while true do end end, {workers = 2})")

interrupt_case("embedding photos", nn and nn.mobilenetv2 and T.shared("data/flower_photos/daisy") and pcall(nn.mobilenetv2),
  "net = nn.mobilenetv2(); paths = {}; for _, e in ipairs(image.list('" .. (T.shared("data/flower_photos") or "") .. "')) do paths[#paths + 1] = e.path or e end",
  "E = net:embed(paths, {progress = false})", 3)

if shell then shell:kill() end
T.done()

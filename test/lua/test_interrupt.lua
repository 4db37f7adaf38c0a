-- test/lua/test_interrupt.lua - Ctrl-C during long computations, as a user
-- at the prompt presses it (tmux send-keys C-c): each must stop with
-- "interrupted", return to the prompt quickly, and leave the session
-- usable. The time to the prompt is measured and printed; the bound
-- asserted is loose (2 s) because CI machines are loaded, the goal 0.5 s.
local T = dofile("test/lua/harness.lua")
local MLSH = os.getenv("MLSH_BIN") or (arg and arg[-1]) or "build/mlsh"
if not MLSH:find("/") then MLSH = "build/mlsh" end

local function sh(cmd)
  local p = io.popen(cmd .. " 2>/dev/null")
  local out = p:read("a")
  p:close()
  return out
end
local function now()
  return tonumber(sh("date +%s.%N")) or os.time()
end

local have_tmux = os.execute("command -v tmux >/dev/null 2>&1")
local sock = T.tmpname(".tmux")
local function tmux(args) return sh("tmux -S " .. sock .. " " .. args) end
local function typed(s) tmux("send-keys -t i -l '" .. s:gsub("'", "'\\''") .. "'") tmux("send-keys -t i Enter") end
local function screen() return tmux("capture-pane -t i -p -S -50") end
local function count(s, pat) local n = 0 for _ in s:gmatch(pat) do n = n + 1 end return n end

local started = false
local function ensure_shell()
  if started then return end
  local root = os.getenv("MLSH_ROOT") and (" MLSH_ROOT=" .. os.getenv("MLSH_ROOT")) or ""
  tmux("new-session -d -s i -x 120 -y 40 'HOME=" .. T.tmpname(".home") .. root .. " " .. MLSH .. "'")
  for _ = 1, 50 do if screen():find("mlsh> ") then break end sh("sleep 0.1") end
  started = true
end

-- Run `setup` then `long` at the prompt, press Ctrl-C after `delay` seconds.
local function interrupt_case(name, available, setup, long, delay)
  T.test("Ctrl-C during " .. name, function()
    if not have_tmux then T.skip("tmux not installed (apt-get install tmux)") end
    if not available then T.skip(name .. ": the module function is not available") end
    ensure_shell()
    tmux("send-keys -t i C-l"); tmux("clear-history -t i")
    if setup then typed(setup) sh("sleep 0.5") end
    local before = count(screen(), "interrupted")
    typed(long)
    sh("sleep " .. (delay or 1.5))
    local t0 = now()
    tmux("send-keys -t i C-c")
    local elapsed
    for _ = 1, 200 do
      local s = screen()
      if count(s, "interrupted") > before and s:match("mlsh>%s*$") then elapsed = now() - t0 break end
      sh("sleep 0.02")
    end
    if not elapsed then
      local s = screen()
      tmux("kill-server")   -- a hung shell must not spoil the next cases
      started = false
      T.ok(false, name .. ": no 'interrupted' and prompt within 4 s:\n" .. s)
    end
    print(("  %-28s back at the prompt %.2f s after Ctrl-C"):format(name, elapsed or -1))
    T.ok(elapsed and elapsed < 2.0, name .. " took too long to stop")
    typed("print('alive', 6 * 7)")
    sh("sleep 0.3")
    T.ok(screen():find("alive%s+42"), name .. ": session not usable afterwards:\n" .. screen())
  end)
end

interrupt_case("a Lua loop", true, nil, "while true do end")
interrupt_case("K-Means", cluster and cluster.kmeans, "X = mat.randn(200000, 50, {seed = 1})",
  "km = cluster.kmeans(X, 20, {nstart = 100, seed = 1})")
interrupt_case("Ward clustering", cluster and cluster.hclust, "W = mat.randn(12000, 20, {seed = 2})",
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

interrupt_case("embedding photos", nn and nn.mobilenetv2 and T.shared("data/flower_photos/daisy") and pcall(nn.mobilenetv2),
  "net = nn.mobilenetv2(); paths = {}; for _, e in ipairs(image.list('" .. (T.shared("data/flower_photos") or "") .. "')) do paths[#paths + 1] = e.path or e end",
  "E = net:embed(paths, {progress = false})", 3)

if started then tmux("kill-server") end
os.remove(sock)
T.done()

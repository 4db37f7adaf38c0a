-- test/lua/test_newcomer.lua - a newcomer's session in build/mlsh, driven
-- through tmux (send-keys / capture-pane): load the flowers embeddings that
-- scripts/flowers.lua cached (mat.load of the .npy), read the classes from
-- the manifest, scale, train an SVM, score it, get its metrics, open a
-- dashboard, switch tabs, quit with q and get the prompt back: the README's
-- newcomer session, line by line (public functions only). The cache is made first by scripts/flowers.lua on 10
-- photos per class of ../shared. Skips visibly without tmux, ../shared or
-- the modules.
local T = dofile("test/lua/harness.lua")
local MLSH = os.getenv("MLSH_BIN") or (arg and arg[-1]) or "build/mlsh"
if not MLSH:find("/") then MLSH = "build/mlsh" end

local PHOTOS = T.shared("data/flower_photos")
local CLASSES = { "daisy", "dandelion", "roses", "sunflowers", "tulips" }

local q = require("mlsh.util").shell_quote
local function sh(cmd) return (T.sh("(" .. cmd .. ") 2>/dev/null")) end

local sock = T.tmpname(".tmux")
local home = T.tmpname(".home")
local function tmux(args) return sh("tmux -S " .. q(sock) .. " " .. args) end
local function keys(...) for _, k in ipairs { ... } do tmux("send-keys -t n " .. k) end end
local function typed(s) tmux("send-keys -t n -l " .. q(s)); keys("Enter") end
local function screen() return tmux("capture-pane -t n -p") end
local function wait_for(pattern, timeout)
  local deadline = os.time() + (timeout or 20)
  repeat
    local s = screen()
    if s:find(pattern) then return s end
    sh("sleep 0.2")
  until os.time() > deadline
  return screen()
end

T.test("newcomer: load cached embeddings, train an SVM, open the dashboard, quit with q", function()
  if not os.execute("command -v tmux >/dev/null 2>&1") then T.skip("tmux not installed (apt-get install tmux)") end
  if not PHOTOS then T.skip("../shared/data/flower_photos not found (set MLSH_SHARED)") end
  local m = mlsh
  if not (m.nn and m.nn.mobilenetv2 and m.learn and m.learn.svm and m.learn.metrics and m.plot
      and m.plot.dashboard and m.stats and m.stats.pca) then
    T.skip("a module the session needs is missing in this build (nn, learn, plot, stats.pca)")
  end
  -- 10 photos per class, embedded and cached by the script
  local data, out = T.tmpname(".photos"), T.tmpname(".out")
  for _, c in ipairs(CLASSES) do
    sh("mkdir -p " .. q(data .. "/" .. c))
    sh("ls " .. q(PHOTOS .. "/" .. c) .. " | LC_ALL=C sort | head -n 10 | while read f; do cp " .. q(PHOTOS .. "/" .. c)
      .. "/\"$f\" " .. q(data .. "/" .. c) .. "/; done")
  end
  local ok = os.execute(MLSH .. " scripts/flowers.lua --data " .. q(data) .. " --out " .. q(out)
    .. " --seeds 1 --no-dashboard >/dev/null 2>&1 </dev/null")
  T.ok(ok, "scripts/flowers.lua made the cache")
  local npy, man = out .. "/cache/flowers_embeddings.npy", out .. "/cache/flowers_manifest.txt"

  os.execute("mkdir -p " .. q(home))
  local root = os.getenv("MLSH_ROOT") and (" MLSH_ROOT=" .. q(os.getenv("MLSH_ROOT"))) or ""
  tmux("new-session -d -s n -x 110 -y 34 " .. q("HOME=" .. home .. root .. " TERM=xterm-256color " .. MLSH))
  local s = wait_for("mlsh>")
  T.ok(s:find("mlsh>"), "the prompt appears:\n" .. s)
  typed('X = mat.load("' .. npy .. '")')
  typed("X:shape()")
  s = wait_for("50%s+1280")
  T.ok(s:find("50%s+1280"), "the embeddings load as 50 x 1280:\n" .. s)
  -- class of each kept photo: the folder in the manifest's "keep" lines
  typed('names, y, id = {}, {}, {}')
  typed('for l in io.lines("' .. man .. '") do local c = l:match("^keep\\t%d+\\t([^/]+)/") '
    .. 'if c then if not id[c] then names[#names+1] = c; id[c] = #names end y[#y+1] = id[c] end end')
  typed("#y, #names")
  s = wait_for("50%s+5")
  T.ok(s:find("50%s+5"), "50 labels, 5 classes:\n" .. s)
  -- the README's lines from here on: public functions only, numbers as R prints them
  typed('table.concat(names, " ")')
  s = wait_for('"daisy dandelion roses sunflowers tulips"')
  T.ok(s:find('"daisy dandelion roses sunflowers tulips"'), "the class names:\n" .. s)
  typed("Xtr, Xte, ytr, yte = learn.split(X, y, {test=0.2, seed=42})")
  typed("sc = learn.scaler(); Ztr = sc:fit_transform(Xtr); Zte = sc:transform(Xte)")
  typed('svm = learn.svm{kernel="rbf", C=10}:fit(Ztr, ytr)')
  keys("C-l")
  typed("svm:score(Zte, yte)")
  s = wait_for("\n[01]%.?%d*%s*\nmlsh>")
  local acc = tonumber(s:match("\n([01]%.?%d*)%s*\nmlsh>"))
  T.ok(acc and acc >= 0.5, "the SVM learns the classes (accuracy >= 0.5 on 10 test photos):\n" .. s)
  local digits = s:match("\n([01]%.?%d*)%s*\nmlsh>"):gsub("^0%.0*", ""):gsub("%.", "")
  T.ok(#digits <= 7, "the accuracy prints to at most 7 significant digits, as R: " .. s)
  typed("m = learn.metrics(yte, svm:predict(Zte))")
  typed('dash = plot.dashboard{title="Flowers", tabs={{"Confusion", plot.confusion(m.confusion, names)}, '
    .. '{"Counts", plot.bar({10,10,10,10,10}, names)}}}')
  keys("C-l")
  typed("dash:show()")
  s = wait_for("predicted", 20)
  T.ok(s:find("Confusion") and s:find("Counts") and s:find("predicted"), "the dashboard opens on the confusion tab:\n" .. s)
  keys("Right")
  local deadline = os.time() + 5
  repeat s = screen() sh("sleep 0.2") until not s:find("predicted") or os.time() > deadline
  T.ok(not s:find("predicted") and s:find("sunflowers"), "Right shows the Counts tab:\n" .. s)
  keys("q")
  s = wait_for("mlsh>%s*$", 5)
  T.ok(s:find("mlsh>%s*$") and not s:find("predicted"), "q leaves the dashboard and the prompt is back:\n" .. s)
  T.ok(not s:find("Dashboard \"Flowers\"", 1, true), "dash:show() echoes no dashboard object after q:\n" .. s)
  typed("1 + 1")
  s = wait_for("\n2%s")
  T.ok(s:find("\n2%s"), "the shell still works after the dashboard:\n" .. s)
  tmux("kill-session -t n")
  sh("rm -rf " .. q(data) .. " " .. q(out) .. " " .. q(home) .. " " .. q(sock))
end)

T.done()

-- test/lua/test_memerr.lua - Lua's own allocator failing (in the spirit of
-- Lua 5.4's testes/memerr.lua): for N over a session that touches every
-- module, allocations fail from the N-th on; the session must stop with a
-- Lua error ("not enough memory", or a function's error naming it), never
-- crash, and run again right after. Under `make asan` LeakSanitizer checks
-- at exit that no failure leaked what a binding had allocated.
local T = dofile("test/lua/harness.lua")
local root = mlsh.root or "."

local iris = data.read_csv(root .. "/datasets/iris.csv")
local air = data.read_csv(root .. "/datasets/AirPassengers.csv"):col("passengers"):matrix()
local cfg = T.tmpname(".cfg")
do
  local f = assert(io.open(cfg, "w"))
  f:write("[net]\nwidth=2\nheight=1\nchannels=2\n[convolutional]\nfilters=1\nsize=1\nactivation=leaky\n" ..
    "[connected]\noutput=2\nactivation=linear\n[softmax]\n")
  f:close()
end
local photo = T.shared("data/flower_photos/daisy/100080576_f52e8ee070_n.jpg")
local csv_out = T.tmpname(".csv")
local io_out = T.tmpname("")

local function session()
  local X = iris:matrix():slice(1, 60)
  local y = {}
  for i = 1, 60 do y[i] = (i - 1) // 20 + 1 end
  local Z = X:standardize()
  local _, s = Z:svd()
  local _ = X:cov():inv():sum() + s[1]
  local p = stats.pca(X, { ncomp = 2 })
  local _ = p:transform(X)
  local km = cluster.kmeans(X, 3, { seed = 1, nstart = 2 })
  cluster.silhouette(X, km.labels)
  cluster.hclust(X:slice(1, 30)):cut(2)
  stats.tsne(X:slice(1, 30), { perplexity = 5, iters = 20, seed = 1 })
  local fit = ts.arima(air:slice(1, 60), { order = { 1, 1, 0 } })
  fit:forecast(3)
  ts.acf(air, { lag = 5 })
  local knn = learn.knn { k = 3 }:fit(X, y)
  knn:predict(X)
  learn.forest { trees = 3, seed = 1 }:fit(X, y):predict(X)
  learn.svm { kernel = "rbf", C = 1 }:fit(Z, y):predict(Z)
  learn.split(X, y, { test = 0.25, seed = 1 })
  nn.load(cfg, nil, { threads = 1 }):forward(mat.from({ { 1, 0, 3, -2 } }))
  if photo then image.load_resized(photo, 8, 8):to_matrix() end
  plot.scatter(X:col(1), X:col(2)):render { width = 40, height = 10 }
  plot.hist(X:col(1)):svg()
  iris:head(5):write_csv(csv_out)
  local db = data.sqlite(":memory:")   -- the data formats of src/data/
  local small = data._typed_frame({ "a", "s" }, { { 1, 2, nil, n = 3 }, { "x", nil, "z", n = 3 } })
  db:write("t", small)
  db:query("SELECT * FROM t WHERE a > ? OR s = ?", 1, "x")
  db:close()
  data.sql("SELECT count(*) AS n FROM t", { t = small })
  small:labels({ a = "A" }):write_dta(io_out .. ".dta")
  data.read_dta(io_out .. ".dta"):labels()
  data.write_npz(io_out .. ".npz", { X = X:slice(1, 5) })
  local _ = data.read_npz(io_out .. ".npz").X
  os.remove(io_out .. ".h5")
  X:slice(1, 5):save_h5(io_out .. ".h5", "X")
  data.read_h5(io_out .. ".h5", "X")
  small:write_xlsx(io_out .. ".xlsx")
  local small = iris:slice(45, 60)   -- the frame verbs, on few rows
  local g = small:arrange("desc(petal_length)"):group_by("species")
  g:count(); g:n_groups(); g:group_split(); g:describe()
  small:select("^petal", "-petal_width"):rename{ pl = "petal_length" }:distinct()
  small:join(small:count("species"), { on = "species", how = "left" }):bind_rows(small):drop_na()
  local ids = {}
  for i = 1, small:nrow() do ids[i] = i end
  small:bind_cols(data.frame({ "id" }, { ids })):pivot_longer("^sepal"):pivot_wider{ names_from = "name", values_from = "value" }
  small:replace_na{ sepal_length = 0 }:fill_na("petal_width"):sample(5, { seed = 1 })
  small.petal_length:cut(3); small:crosstab("species", "petal_width"); small:glimpse()
  learn.encode(small.species)
  small:join(small:count("species"), { on = "species", how = "full" })
  data.column({ "a", nil, "b", n = 3 }, "categorical", { "a", "b" })
  local lm = stats.lm(iris, "sepal_length ~ sepal_width + species")
  local _ = tostring(lm:summary()) .. tostring(lm:tidy()) .. tostring(lm:anova()) .. lm.cooks_distance:rows()
  lm:predict(iris:head(3), { interval = "prediction" })
  local _ = tostring(stats.glm(iris, "petal_width ~ sepal_length", { family = "Gamma" }):summary())
  local _ = tostring(X) .. tostring(iris:head(3))
  return true
end

T.test("the session runs", function()
  T.ok(session())
end)

T.test("Lua's allocator failing at every N-th allocation: an error each time, then it works", function()
  local before = mlsh._fail_lua_alloc(0)
  session()
  local total = mlsh._fail_lua_alloc(0) - before
  T.ok(total > 100, "the session allocates (" .. total .. ")")
  -- every N up to 1000, then about 1000 more spread over the session
  local step = math.max(1, total // 1000)
  local tried, errors = 0, 0
  local n = 1
  while n <= total do
    collectgarbage()
    mlsh._fail_lua_alloc(n)
    local ok, err = pcall(session)
    mlsh._fail_lua_alloc(0)
    tried = tried + 1
    if not ok then
      errors = errors + 1
      err = tostring(err)
      T.ok(err:find("not enough memory", 1, true) or err:find("^[%w_.:]+: "), "N=" .. n .. ": " .. err)
    end
    n = n + (n < 1000 and 1 or step)
  end
  T.ok(errors > 0, "no allocation failure was seen")
  T.ok(session(), "the session runs again")
  print(("  %d failure points over %d allocations, %d raised"):format(tried, total, errors))
end)

os.remove(cfg)
os.remove(csv_out)
for _, ext in ipairs({ ".dta", ".npz", ".h5", ".xlsx" }) do os.remove(io_out .. ext) end
T.done()

-- test/lua/test_options.lua - the one option layer (src/lua/lopt.c): every
-- function that declares options rejects an unknown one with the same
-- message, and each declared function has a call here (a new function with
-- options fails this test until it is added to `calls`).
local T = dofile("test/lua/harness.lua")

local X = mat.randn(40, 3, { seed = 1 })
local BAD = { zz_not_an_option = 1 }
local XNPY = os.tmpname() .. ".npy"   -- X as a file for mat.mmap
X:save(XNPY)
local LABELS = {}   -- string labels for the learn functions
for i = 1, 40 do LABELS[i] = X:get(i, 1) > 0 and "up" or "down" end

-- ts, nn, image: a series, a fit, a tiny RGB net and an image
local Y = {}
for i = 1, 48 do Y[i] = math.sin(i * 0.7) + 0.05 * i + 0.3 * math.cos(i * 2.1) end
local FIT = ts.arima(Y, { order = { 1, 0, 0 } })
local NET_CFG = os.tmpname()
do
  local f = assert(io.open(NET_CFG, "w"))
  f:write("[net]\nwidth=4\nheight=3\nchannels=3\n[convolutional]\nfilters=2\nsize=1\nactivation=relu\n")
  f:close()
end
local NET = nn.load(NET_CFG, nil, { threads = 1 })
local IMG = image.load("test/fuzz/corpus/image/rgb.png")   -- 4x3 RGB

-- One valid call per function with options; o is the options table to pass.
local calls = {
  ["cluster.kmeans"] = function(o) return cluster.kmeans(X, 2, o) end,
  ["cluster.elbow"] = function(o) return cluster.elbow(X, o) end,
  ["cluster.hclust"] = function(o) return cluster.hclust(X, o) end,
  -- mat, data, mlsh.parallel_map
  ["mat.rand"] = function(o) return mat.rand(2, 2, o) end,
  ["mat.format"] = function(o) return mat.format(1.5, o) end,
  ["mat.randn"] = function(o) return mat.randn(2, 2, o) end,
  ["mat.read_raw"] = function(o)
    local path = os.tmpname()
    local f = assert(io.open(path, "wb")); f:write(string.pack("<d<d", 1, 2)); f:close()
    local ok, r = pcall(mat.read_raw, path, 2, 1, o)
    os.remove(path)
    if not ok then error(r, 0) end
    return r
  end,
  ["mat.mmap"] = function(o) return mat.mmap(XNPY, o) end,
  ["dist.load"] = function(o) return dist.load(XNPY, o) end,
  ["dist.cost"] = function(o) return dist.cost(o) end,
  ["MappedMatrix:kmeans"] = function(o) return mat.mmap(XNPY):kmeans(2, o) end,
  ["MappedMatrix:elbow"] = function(o) return mat.mmap(XNPY):elbow(o) end,
  ["MappedMatrix:pca"] = function(o) return mat.mmap(XNPY):pca(o) end,
  ["Matrix:save"] = function(o)
    local path = os.tmpname() .. ".npy"
    local ok, r = pcall(X.save, X, path, o)
    os.remove(path)
    if not ok then error(r, 0) end
    return r
  end,
  ["data.read_csv"] = function(o) return data.read_csv("datasets/iris.csv", o) end,
  ["DataFrame:write_csv"] = function(o)   -- only bad options are passed: nothing is written
    return data.read_csv("datasets/iris.csv"):write_csv("/nonexistent-dir/never-written.csv", o)
  end,
  ["data.sqlite"] = function(o) return data.sqlite(":memory:", o) end,
  ["SQLite:write"] = function(o) return data.sqlite(":memory:"):write("t", data._typed_frame({ "a" }, { { 1 } }), o) end,
  ["data.write_npz"] = function(o) return data.write_npz("/nonexistent-dir/never-written.npz", { a = { 1 } }, o) end,
  ["DataFrame:write_xlsx"] = function(o)   -- only bad options are passed: nothing is written
    return data._typed_frame({ "a" }, { { 1 } }):write_xlsx("/nonexistent-dir/never-written.xlsx", o)
  end,
  ["DataFrame:count"] = function(o) return data.read_csv("datasets/iris.csv"):count({ "species" }, o) end,
  ["DataFrame:crosstab"] = function(o) return data.read_csv("datasets/iris.csv"):crosstab("species", "petal_width", o) end,
  ["DataFrame:join"] = function(o) local df = data.read_csv("datasets/iris.csv") return df:join(df, o) end,
  ["DataFrame:fill_na"] = function(o) return data.read_csv("datasets/iris.csv"):fill_na({ "species" }, o) end,
  ["DataFrame:pivot_longer"] = function(o) return data.read_csv("datasets/iris.csv"):pivot_longer({ "^petal" }, o) end,
  ["Column:cut"] = function(o) return data.read_csv("datasets/iris.csv").petal_width:cut(3, o) end,
  ["DataFrame:cut"] = function(o) return data.read_csv("datasets/iris.csv"):cut("petal_width", 3, o) end,
  ["DataFrame:sample"] = function(o) return data.read_csv("datasets/iris.csv"):sample(3, o) end,
  ["DataFrame:slice_max"] = function(o) return data.read_csv("datasets/iris.csv"):slice_max("petal_width", 2, o) end,
  ["DataFrame:slice_min"] = function(o) return data.read_csv("datasets/iris.csv"):slice_min("petal_width", 2, o) end,
  ["mlsh.parallel_map"] = function(o) return mlsh.parallel_map(2, function(i) return i end, o) end,
  ["ts.pnorm"] = function(o) return ts.pnorm(1, o) end,
  ["Arima:summary"] = function(o) return ts.arima({ 1, 3, 2, 5, 4, 6, 5, 8, 7, 9 }, { order = { 1, 0, 0 } }):summary(o) end,
  -- plot: the charts
  ["plot.scatter"] = function(o) return plot.scatter({ 1, 2 }, { 1, 2 }, o) end,
  ["plot.line"] = function(o) return plot.line({ 1, 2 }, { 1, 2 }, o) end,
  ["plot.elbow"] = function(o) return plot.elbow(cluster.elbow(X, { kmax = 4, seed = 1 }), o) end,
  ["plot.bar"] = function(o) return plot.bar({ 1, 2 }, { "a", "b" }, o) end,
  ["plot.hist"] = function(o) return plot.hist({ 1, 2, 3 }, o) end,
  ["plot.box"] = function(o) return plot.box({ a = { 1, 2, 3 } }, o) end,
  ["plot.heatmap"] = function(o) return plot.heatmap({ { 1, 2 }, { 3, 4 } }, o) end,
  ["plot.confusion"] = function(o) return plot.confusion({ { 1, 2 }, { 3, 4 } }, { "a", "b" }, o) end,
  ["plot.dendrogram"] = function(o) return plot.dendrogram(cluster.hclust(X), o) end,
  ["plot.circle"] = function(o) return plot.circle(stats.pca(X), o) end,
  ["plot.scree"] = function(o) return plot.scree(stats.pca(X), o) end,
  ["plot.biplot"] = function(o) return plot.biplot(stats.pca(X), o) end,
  ["plot.acf"] = function(o) return plot.acf({ 1, 0.5, 0.2 }, o) end,
  ["plot.forecast"] = function(o)
    local fc = { mean = { 1, 2 }, lower = { { 0, 1 } }, upper = { { 2, 3 } }, level = { 95 } }
    return plot.forecast({ 1, 2, 3 }, fc, o)
  end,
  ["plot.image"] = function(o) return plot.image({ width = 1, height = 1, pixels = "abc" }, o) end,
  ["plot.gallery"] = function(o) return plot.gallery({ { width = 1, height = 1, pixels = "abc" } }, o) end,
  -- plot: the Chart methods
  ["plot.figure"] = function(o) return plot.figure(o) end,
  ["plot.dashboard"] = function(o)
    if type(o) ~= "table" then return plot.dashboard(o) end
    local t = { tabs = { { "a", plot.figure() } } }
    for k, v in pairs(o) do t[k] = v end
    return plot.dashboard(t)
  end,
  ["Chart:axes"] = function(o) return plot.figure():axes(o) end,
  ["Chart:points"] = function(o) return plot.figure():points({ 1 }, { 1 }, o) end,
  ["Chart:lines"] = function(o) return plot.figure():lines({ 1 }, { 1 }, o) end,
  ["Chart:rects"] = function(o) return plot.figure():rects({ 0 }, { 0 }, { 1 }, { 1 }, o) end,
  ["Chart:band"] = function(o) return plot.figure():band({ 1 }, { 0 }, { 1 }, o) end,
  ["Chart:text"] = function(o) return plot.figure():text({ 1 }, { 1 }, { "a" }, o) end,
  ["Chart:heatmap"] = function(o) return plot.figure():heatmap({ { 1 } }, o) end,
  ["Chart:image"] = function(o) return plot.figure():image({ width = 1, height = 1, pixels = "abc" }, o) end,
  ["Chart:render"] = function(o) return plot.figure():render(o) end,
  ["Chart:show"] = function(o) return plot.figure():show(o) end,   -- only bad options are passed: nothing prints
  ["Chart:svg"] = function(o) return plot.figure():svg(o) end,
  ["Chart:save"] = function(o)
    local path = os.tmpname() .. ".svg"
    local ok, r = pcall(plot.figure().save, plot.figure(), path, o)
    os.remove(path)
    if not ok then error(r, 0) end
    return r
  end,

  -- cluster (validity, profile, tree cuts), stats (PCA, t-SNE)
  ["cluster.silhouette"] = function(o) return cluster.silhouette(X, cluster.kmeans(X, 2, { seed = 1 }).labels, o) end,
  ["cluster.profile"] = function(o) return cluster.profile(X, cluster.kmeans(X, 2, { seed = 1 }).labels, o) end,
  ["HClust:cut"] = function(o) return cluster.hclust(X):cut(o) end,
  ["stats.pca"] = function(o) return stats.pca(X, o) end,
  ["PCA:summary"] = function(o) return stats.pca(X):summary(o) end,
  ["stats.tsne"] = function(o) return stats.tsne(X, o) end,
  ["stats.trustworthiness"] = function(o) return stats.trustworthiness(X, X:slice(1, 40), o) end,
  -- ts, nn, image
  ["ts.series"] = function(o) return ts.series(Y, o) end,
  ["ts.diff"] = function(o) return ts.diff(Y, o) end,
  ["ts.boxcox"] = function(o) return ts.boxcox(Y, 1, o) end,
  ["ts.decompose"] = function(o) return ts.decompose(ts.series(Y, { freq = 4 }), o) end,
  ["ts.stl"] = function(o) return ts.stl(ts.series(Y, { freq = 4 }), o) end,
  ["ts.acf"] = function(o) return ts.acf(Y, o) end,
  ["ts.pacf"] = function(o) return ts.pacf(Y, o) end,
  ["ts.adf"] = function(o) return ts.adf(Y, o) end,
  ["ts.kpss"] = function(o) return ts.kpss(Y, o) end,
  ["ts.ljung_box"] = function(o) return ts.ljung_box(Y, o) end,
  ["ts.box_pierce"] = function(o) return ts.box_pierce(Y, o) end,
  ["ts.accuracy"] = function(o) return ts.accuracy(Y, Y, o) end,
  ["ts.arima"] = function(o) return ts.arima(Y, o) end,
  ["ts.auto_arima"] = function(o) return ts.auto_arima(Y, o) end,
  ["Arima:forecast"] = function(o) return FIT:forecast(3, o) end,
  ["nn.load"] = function(o) return nn.load(NET_CFG, nil, o) end,
  ["nn.convert"] = function(o) return nn.convert(NET_CFG, "/nonexistent.h5", "/nonexistent.weights", o) end,
  ["nn.mobilenetv2"] = function(o) return nn.mobilenetv2(o) end,
  ["Net:forward"] = function(o) return NET:forward(IMG, o) end,
  ["Net:embed"] = function(o) return NET:embed({ IMG }, o) end,
  ["Net:summary"] = function(o) return NET:summary(o) end,
  ["Image:resize"] = function(o) return IMG:resize(2, 2, o) end,
  ["Image:to_matrix"] = function(o) return IMG:to_matrix(o) end,
  ["image.load_resized"] = function(o) return image.load_resized("test/fuzz/corpus/image/rgb.png", 2, 2, o) end,

  -- learn: classifiers, splits, folds, scaler, metrics, cross-validation
  ["learn.knn"] = function(o) return learn.knn(o) end,
  ["learn.svm"] = function(o) return learn.svm(o) end,
  ["learn.forest"] = function(o) return learn.forest(o) end,
  ["learn.logistic"] = function(o) return learn.logistic(o) end,
  ["learn.split"] = function(o) return learn.split(X, LABELS, o) end,
  ["learn.kfold"] = function(o) return learn.kfold(LABELS, o) end,
  ["learn.scaler"] = function(o) return learn.scaler(o) end,
  ["learn.metrics"] = function(o) return learn.metrics(LABELS, LABELS, o) end,
  ["learn.cross_validate"] = function(o)
    return learn.cross_validate(function() return learn.knn { k = 3 } end, X, LABELS, o)
  end,
  ["learn.grid_search"] = function(o)
    return learn.grid_search(function(p) return learn.knn { k = p.k } end, { k = { 3 } }, X, LABELS, o)
  end,
}

calls["stats.t_test"] = function(o) return stats.t_test({ 1, 2, 4 }, o) end
calls["stats.cor_test"] = function(o) return stats.cor_test({ 1, 2, 4, 3 }, { 2, 1, 4, 5 }, o) end
local LMDF = data._typed_frame({ "y", "x" }, { { 1, 3, 2, 5, 4, n = 5 }, { 1, 2, 3, 4, 5, n = 5 } })
calls["stats.lm"] = function(o) return stats.lm(LMDF, "y ~ x", o) end
calls["stats.glm"] = function(o) return stats.glm(LMDF, "y ~ x", o) end
calls["plot.diagnostics"] = function(o) return plot.diagnostics(stats.lm(LMDF, "y ~ x"), o) end
calls["GLM:anova"] = function(o) return stats.glm(LMDF, "y ~ x"):anova(o) end
calls["LinearModel:predict"] = function(o) return stats.lm(LMDF, "y ~ x"):predict(LMDF, o) end
calls["Model:augment"] = function(o)
  local m = learn.knn { k = 3 }
  m:fit(LMDF, { "a", "b", "a", "b", "a" })
  return m:augment(LMDF, o)
end
calls["stats.chisq_test"] = function(o) return stats.chisq_test({ { 12, 5 }, { 7, 9 } }, o) end
calls["stats.wilcox_test"] = function(o) return stats.wilcox_test({ 1, 2, 4 }, o) end
calls["stats.fisher_test"] = function(o) return stats.fisher_test({ { 3, 1 }, { 1, 3 } }, o) end
calls["stats.ks_test"] = function(o) return stats.ks_test({ 0.1, 0.5, 0.3 }, "punif", o) end
calls["stats.aov"] = function(o) return stats.aov({ 1, 2, 4, 5 }, { "a", "a", "b", "b" }, o) end
calls["stats.tukey_hsd"] = function(o) return stats.tukey_hsd(stats.aov({ 1, 2, 4, 5 }, { "a", "a", "b", "b" }), o) end
calls["stats.quantile"] = function(o) return stats.quantile({ 1, 2, 4 }, 0.5, o) end
calls["stats.p_adjust"] = function(o) return stats.p_adjust({ 0.1, 0.2 }, o) end
-- stats.d/p/q/r<family>: every parameter by position, then the options
for name, par in pairs { norm = { 0, 1 }, t = { 3 }, chisq = { 2 }, f = { 2, 3 }, binom = { 5, 0.5 }, pois = { 2 },
                         gamma = { 2, 1 }, beta = { 2, 3 }, exp = { 1 }, unif = { 0, 1 }, lnorm = { 0, 1 },
                         weibull = { 2, 1 }, nbinom = { 3, 0.5 }, hyper = { 5, 5, 3 } } do
  for kind, first in pairs { d = 0.5, p = 0.5, q = 0.5, r = 2 } do
    calls["stats." .. kind .. name] = function(o)
      local a = { first, table.unpack(par) }
      a[#a + 1] = o
      return stats[kind .. name](table.unpack(a, 1, #par + 2))
    end
  end
end

local function known_list(fname)
  local names = {}
  for _, e in ipairs(mlsh._spec(fname)) do names[#names + 1] = e.name end
  return table.concat(names, ", ")
end

T.test("every declared function rejects an unknown option in one format", function()
  local missing = {}
  for _, fname in ipairs(mlsh._specs()) do
    local call = calls[fname]
    if fname:find("[.:]_") or fname:find("^test%.") then
      -- an internal base spec ("plot._chart") or one this file declares
    elseif not call then
      missing[#missing + 1] = fname
    else
      local ok, err = pcall(call, BAD)
      T.ok(not ok, fname .. " accepted an unknown option")
      T.eq(err, fname .. ": unknown option 'zz_not_an_option' (known: " .. known_list(fname) .. ")", fname)
      local ok2, err2 = pcall(call, "not a table")
      T.ok(not ok2 and err2 == fname .. ": options must be a table (got string)", fname .. ": " .. tostring(err2))
    end
  end
  T.eq(table.concat(missing, ", "), "", "functions with options but no call in test_options.lua")
end)

T.test("types and ranges, one wording", function()
  T.raises(function() cluster.kmeans(X, 2, { nstart = 0 }) end,
    "cluster.kmeans: option 'nstart' must be an integer between 1 and 100000 (got 0)")
  T.raises(function() cluster.kmeans(X, 2, { nstart = 2.5 }) end, "option 'nstart' must be an integer (got 2.5)")
  T.raises(function() cluster.kmeans(X, 2, { nstart = "3" }) end, "option 'nstart' must be an integer (got string)")
  T.raises(function() cluster.kmeans(X, 2, { tol = -1 }) end, "option 'tol' must be non-negative (got -1)")
  T.raises(function() cluster.kmeans(X, 2, { tol = 0 / 0 }) end, "option 'tol' must be a number (got nan)")
  T.raises(function() cluster.kmeans(X, 2, { algorithm = "x" }) end,
    "option 'algorithm' must be one of \"auto\", \"lloyd\", \"hamerly\", \"hartigan-wong\" (got \"x\")")
  T.raises(function() cluster.kmeans(X, 2, { threads = 300 }) end,
    "option 'threads' must be an integer between 0 and 256 (got 300)")
  T.raises(function() cluster.hclust(X, { na = "drop" }) end, "option 'na' must be one of \"fail\", \"omit\"")
end)

T.test("Lua-side specs validate the same way", function()
  mlsh.declare_options("test.f", {
    { "k", "int", 3, min = 1, doc = "neighbours" },
    { "how", "enum", "a", values = { "a", "b" } },
    { "w", "number", 0.5, min = 0, max = 1, max_open = true },
    { "on", "bool", false },
    { "label", "string" },
    { "f", "function" },
  })
  local o = mlsh.check_options("test.f", nil)
  T.eq(o.k, 3); T.eq(o.how, "a"); T.eq(o.w, 0.5); T.eq(o.on, false); T.eq(o.label, nil)
  o = mlsh.check_options("test.f", { k = 5, how = "b", on = true, label = "x", f = print })
  T.eq(o.k, 5); T.eq(o.how, "b"); T.eq(o.on, true); T.eq(o.label, "x"); T.eq(o.f, print)
  T.raises(function() mlsh.check_options("test.f", { w = 1 }) end, "test.f: option 'w' must be >= 0 and < 1 (got 1)")
  T.raises(function() mlsh.check_options("test.f", { k = 0 }) end, "test.f: option 'k' must be a positive integer (got 0)")
  T.raises(function() mlsh.check_options("test.f", { f = 1 }) end, "option 'f' must be a function (got number)")
  T.raises(function() mlsh.check_options("test.f", { q = 1 }) end,
    "test.f: unknown option 'q' (known: k, how, w, on, label, f)")
  T.raises(function() mlsh.check_options("test.f", { [1] = 2 }) end, "test.f: option keys must be names")
  -- a spec that takes another's options
  mlsh.declare_options("test.g", { { "extra", "int", 1 } }, "cluster.kmeans")
  T.eq(mlsh.check_options("test.g", { nstart = 4 }).nstart, 4)
  T.raises(function() mlsh.check_options("test.g", { nstart = 0 }) end, "test.g: option 'nstart' must be")
end)

T.test("ts, nn, image: series-like values, one wording, no Lua positions", function()
  -- a Series, a Matrix column, a Lua array and a one-column frame are the same series
  local df = data.read_csv("datasets/AirPassengers.csv")
  local ref = ts.acf(df:col("passengers"), { lag = 5 }).values
  for _, y in ipairs({ df, df:col("passengers"), df:col("passengers"):totable(), ts.series(df, { freq = 12 }) }) do
    T.near(ts.acf(y, { lag = 5 }).values[3], ref[3], 1e-15)
  end
  T.eq(ts.series(df, { freq = 12 }).freq, 12)
  T.raises(function() ts.acf(data.read_csv("datasets/iris.csv")) end, "ts.acf: argument 'y' has 4 numeric columns")
  T.raises(function() ts.adf(Y, { type = "x" }) end, "ts.adf: option 'type' must be one of \"n\", \"c\", \"ct\" (got \"x\")")
  T.raises(function() ts.acf(Y, { lag = 48 }) end, "ts.acf: option 'lag' must be below the series length 48 (got 48)")
  T.raises(function() ts.arima(Y, { order = 1 }) end, "ts.arima: option 'order' must be a table (got number)")
  T.raises(function() ts.arima(Y, { period = 0 }) end, "ts.arima: option 'period' must be an integer between 1 and 100000 (got 0)")
  T.raises(function() ts.arima(Y, { kappa = 0 }) end, "ts.arima: option 'kappa' must be positive (got 0)")
  T.raises(function() ts.arima(Y, { xreg = mat.zeros(3, 1) }) end, "ts.arima: option 'xreg' must have 48 rows (got 3x1)")
  T.raises(function() ts.auto_arima(Y, { d = -1 }) end, "ts.auto_arima: option 'd' must be an integer between 0 and 50 (got -1)")
  T.raises(function() FIT:forecast(2, { lambda = "log" }) end, "Arima:forecast: option 'lambda' must be a number (got string)")
  T.raises(function() FIT:forecast(2, { level = { 80, "x" } }) end, "Arima:forecast: option 'level': element 2 must be a number")
  T.raises(function() ts.boxcox(Y) end, "ts.boxcox: argument 'lambda' must be a number (got no value)")
  T.raises(function() NET:embed({ IMG }, { batch = 0 }) end, "Net:embed: option 'batch' must be an integer between 1 and 1048576 (got 0)")
  T.raises(function() NET:embed("x") end, "Net:embed: argument 'images' must be an array of paths or of Images (got string)")
  T.raises(function() NET:profile(1) end, "Net:profile: argument 'on' must be true or false (got number)")
  T.raises(function() nn.load(NET_CFG, nil, { threads = -1 }) end, "nn.load: option 'threads' must be an integer between 0 and 256 (got -1)")
  T.raises(function() nn.load(42) end, "nn.load: argument 'cfg' must be a string (got number)")
  T.raises(function() image.load({}) end, "image.load: argument 'path' must be a string (got table)")
  T.raises(function() IMG:to_matrix({ layout = "whc" }) end, "Image:to_matrix: option 'layout' must be one of \"hwc\", \"chw\"")
  T.raises(function() mlsh.image.load_resized("test/fuzz/corpus/image/rgb.png", 2, 2, { filter = "cubic" }) end,
    "image.load_resized: option 'filter' must be one of \"nearest\", \"bilinear\" (got \"cubic\")")
  -- a data frame is data for Net:forward too (its rows are CHW inputs)
  local M = mat.randn(2, 36, { seed = 2 })
  local names, cols = {}, {}
  for j = 1, 36 do names[j] = "x" .. j; cols[j] = M:col(j) end
  local byframe, bymat = NET:forward(data.frame(names, cols)), NET:forward(M)
  T.eq(byframe:rows(), 2); T.eq(byframe:get(2, 7), bymat:get(2, 7))
  M:set(1, 3, math.huge)
  T.raises(function() NET:forward(M) end, "Net:forward: argument 'input' has a non-finite value (inf) at row 1, column 3")
  T.eq(NET:forward(M, { na = "omit" }):rows(), 1)
  -- errors raised in lua/mlsh/*.lua: the function's name first, no file position
  local lua_side = {
    { "ts.model_name", function() return ts.model_name(1) end },
    { "Arima:summary", function() return ts._Arima.__methods.summary({}) end },
    { "Arima:diagnostics", function() return ts._Arima.__methods.diagnostics("x") end },
    { "Series:window", function() return ts.series(Y):window(0, 3) end },
    { "Series:window", function() return ts.series(Y):window("a") end },
    { "Net:summary", function() return NET:summary({ profile = 1 }) end },
    { "nn.datapath", function() return nn.datapath(3) end },
    { "nn.mobilenetv2", function() return nn.mobilenetv2({ top = "yes" }) end },
    { "image.load_resized", function() return image.load_resized(1, 2, 2) end },
    { "image.load_resized", function() return image.load_resized("x.png", 2) end },
  }
  for _, c in ipairs(lua_side) do
    local ok, err = pcall(c[2])
    T.ok(not ok, c[1] .. " accepted a bad call")
    err = tostring(err)
    T.eq(err:sub(1, #c[1] + 2), c[1] .. ": ", err)
    T.ok(not err:find("lua/mlsh/", 1, true) and not err:find("%.lua:%d"), err)
  end
end)

T.test("help prints the options from the spec", function()
  local spec = mlsh._spec("cluster.kmeans")
  T.eq(spec[2].name, "nstart"); T.eq(spec[2].default, "10"); T.eq(spec[2].range, "an integer between 1 and 100000")
  T.eq(spec[#spec].name, "na"); T.eq(spec[#spec].default, "\"fail\"")
end)

T.test("a data frame is data", function()
  local df = data.read_csv("datasets/iris.csv")
  local km = cluster.kmeans(df, 3, { seed = 1 })
  -- scikit-learn 1.2.1 KMeans(3, n_init=10) on iris' four measurements: inertia_ = 78.851441
  T.near(km.inertia, 78.851441, 1e-6)
  T.eq(#km.labels, 150)
end)

os.remove(NET_CFG)
T.done()

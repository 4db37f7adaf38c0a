-- test/lua/test_options.lua - the one option layer (src/lua/lopt.c): every
-- function that declares options rejects an unknown one with the same
-- message, and each declared function has a call here (a new function with
-- options fails this test until it is added to `calls`).
local T = dofile("test/lua/harness.lua")

local X = mat.randn(40, 3, { seed = 1 })
local BAD = { zz_not_an_option = 1 }
local LABELS = {}   -- string labels for the learn functions
for i = 1, 40 do LABELS[i] = X:get(i, 1) > 0 and "up" or "down" end

-- One valid call per function with options; o is the options table to pass.
local calls = {
  ["cluster.kmeans"] = function(o) return cluster.kmeans(X, 2, o) end,
  ["cluster.elbow"] = function(o) return cluster.elbow(X, o) end,
  ["cluster.hclust"] = function(o) return cluster.hclust(X, o) end,
  -- mat, data, mlsh.parallel_map
  ["mat.rand"] = function(o) return mat.rand(2, 2, o) end,
  ["mat.randn"] = function(o) return mat.randn(2, 2, o) end,
  ["mat.read_raw"] = function(o)
    local path = os.tmpname()
    local f = assert(io.open(path, "wb")); f:write(string.pack("<d<d", 1, 2)); f:close()
    local ok, r = pcall(mat.read_raw, path, 2, 1, o)
    os.remove(path)
    if not ok then error(r, 0) end
    return r
  end,
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
  ["mlsh.parallel_map"] = function(o) return mlsh.parallel_map(2, function(i) return i end, o) end,
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
    "option 'algorithm' must be one of \"auto\", \"lloyd\", \"hamerly\" (got \"x\")")
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

T.done()

-- scripts/charts.lua - every chart of the plot module on real data: iris
-- (PCA, K-Means, Ward clustering, a classifier) and AirPassengers (ACF,
-- ARIMA forecast), then a dashboard of them all and its HTML report.
--   build/mlsh scripts/charts.lua            (charts inline, sized to the terminal)
--   build/mlsh scripts/charts.lua --dash     (also opens the full-screen dashboard)
-- Flower thumbnails come from ../shared/data/flower_photos when present.
local plot, data, stats, cluster, ts, learn = mlsh.plot, mlsh.data, mlsh.stats, mlsh.cluster, mlsh.ts, mlsh.learn
local root = mlsh.root or "."

local function section(title) print("\n== " .. title .. " ==") end
local function try(what, fn)   -- a chart whose module is missing is reported, not fatal
  local ok, r = pcall(fn)
  if not ok then print("(" .. what .. " skipped: " .. tostring(r) .. ")") return nil end
  return r
end

local iris = data.read_csv(root .. "/datasets/iris.csv")
local X = iris:matrix { "sepal_length", "sepal_width", "petal_length", "petal_width" }
local species_names = { "setosa", "versicolor", "virginica" }
local species = {}
for i, s in ipairs(iris:col("species")) do
  for k, n in ipairs(species_names) do if s == n then species[i] = k end end
end
local tabs = {}
local function show(name, chart)
  if not chart then return end
  section(name)
  print(chart)
  tabs[#tabs + 1] = { name, chart }
end

-- PCA of iris (correlation PCA, as FactoMineR)
local p = try("stats.pca", function() return stats.pca(X) end)
if p then
  p.names = { "sepal_length", "sepal_width", "petal_length", "petal_width" }
  show("PCA scatter by species", plot.scatter(p.ind.coord, { group = species, group_names = species_names,
    title = "Iris: individuals on the first two components", xlabel = "Dim 1", ylabel = "Dim 2" }))
  show("Scree plot", plot.scree(p))
  show("Correlation circle", plot.circle(p))
  show("Biplot", plot.biplot(p, { group = species, group_names = species_names }))
end

-- K-Means: elbow and silhouette, then K = 3 with its centres
show("Elbow", try("cluster.elbow", function() return plot.elbow(cluster.elbow(X, { kmin = 2, kmax = 8, seed = 42 })) end))
show("Dendrogram (Ward)", try("cluster.hclust", function()
  return plot.dendrogram(cluster.hclust(X, { method = "ward" }), { k = 3, title = "Iris: Ward dendrogram, cut at k = 3" })
end))

-- Variables: histogram, box plots by species, correlation heat map
show("Histogram", plot.hist(iris:col("petal_length"), { title = "Petal length", xlabel = "cm" }))
local by = { setosa = {}, versicolor = {}, virginica = {} }
for i, s in ipairs(iris:col("species")) do table.insert(by[s], iris:col("sepal_length")[i]) end
show("Box plots", plot.box(by, { title = "Sepal length by species", ylabel = "cm" }))
show("Correlation heat map", plot.heatmap(mlsh.mat.cor(X), { annot = true, fmt = "%.2f", cmap = "div", vmin = -1, vmax = 1,
  rownames = { "s.len", "s.wid", "p.len", "p.wid" }, colnames = { "s.len", "s.wid", "p.len", "p.wid" },
  title = "Correlations" }))

-- A classifier: confusion matrix and accuracy bars
show("Confusion matrix", try("learn", function()
  local model = learn.logistic():fit(X, species)
  local m = (learn.metrics or learn._metrics)(species, model:predict(X))
  return plot.confusion(m.confusion, species_names, { title = "Logistic regression (training data)" })
end))
show("Bars", plot.bar({ 0.973, 0.96, 0.953 }, { "logistic", "svm", "knn" }, { labels = "%.3f", title = "Accuracy (5-fold CV)" }))

-- AirPassengers: series, ACF, ARIMA forecast
local air = data.read_csv(root .. "/datasets/AirPassengers.csv")
local y = air:col("passengers")
show("Line", plot.line(nil, y, { title = "AirPassengers (thousands)", xlabel = "month", names = { "passengers" } }))
show("ACF", try("ts.acf", function() return plot.acf(ts.acf(ts.log(y), { lag = 36 })) end))
show("Forecast", try("ts.arima", function()
  local fit = ts.arima(ts.log(y), { order = { 0, 1, 1 }, seasonal = { 0, 1, 1 }, period = 12 })
  local fc = fit:forecast(24)
  -- back to passengers: exp of the log-scale mean and bounds ({[80]=v, [95]=v})
  local function ex(v)
    if mlsh.mat.is(v) then
      local o = {}
      for i, x in ipairs((plot._totable(v))) do o[i] = math.exp(x) end
      return o
    end
    local o = {}
    for k, x in pairs(v) do o[k] = ex(x) end
    return o
  end
  return plot.forecast(y, { mean = ex(fc.mean), lower = ex(fc.lower), upper = ex(fc.upper), level = fc.level },
    { start = 1949, frequency = 12, title = "ARIMA(0,1,1)(0,1,1)[12] forecast, 80/95 % intervals" })
end))

-- Flower thumbnails
local flowers = (os.getenv("MLSH_SHARED") or (root .. "/../shared")) .. "/data/flower_photos"
local f = io.open(flowers .. "/LICENSE.txt")
if f then
  f:close()
  local files = {}
  for _, kind in ipairs({ "daisy", "dandelion", "roses", "sunflowers", "tulips" }) do
    local pipe = io.popen("ls " .. flowers .. "/" .. kind .. "/*.jpg 2>/dev/null | head -1")
    local file = pipe:read("l")
    pipe:close()
    if file then files[#files + 1] = file end
  end
  show("Photo", try("image.load", function() return plot.image(files[1]) end))
  show("Gallery", try("image.load", function()
    return plot.gallery(files, { per_row = 5, captions = { "daisy", "dandelion", "roses", "sunflowers", "tulips" } })
  end))
else
  print("\n(flower photos not found at " .. flowers .. ": image and gallery skipped)")
end

local dash = plot.dashboard { title = "mlsh charts", tabs = tabs }
local out = os.tmpname() .. "-mlsh-charts.html"
dash:save(out)
print("\nDashboard report written to " .. out .. " (" .. #tabs .. " tabs)")
for _, a in ipairs(arg or {}) do if a == "--dash" then dash:show() end end

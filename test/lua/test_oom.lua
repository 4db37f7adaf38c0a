-- test/lua/test_oom.lua - out of memory: for each N over a typical session,
-- the N-th allocation of the C core fails; the session must raise a clean
-- "not enough memory" error (never crash), and work again right after.
local T = dofile("test/lua/harness.lua")
local root = mlsh.root or "."

-- Two reference photos and MobileNetV2, when ../shared and the converted
-- weights are present (loaded once: the session embeds them each time).
local embed_net, photos = nil, {}
do
  local dir = T.shared("data/flower_photos/daisy")
  local ok, net = pcall(function() return nn and nn.mobilenetv2 and nn.mobilenetv2() end)
  if dir and ok and net then
    for _, e in ipairs(image.list(T.shared("data/flower_photos"))) do
      photos[#photos + 1] = type(e) == "table" and e.path or e
      if #photos == 2 then break end
    end
    if #photos == 2 then embed_net = net end
  end
  if not embed_net then print("note: embedding step skipped (needs ../shared photos and converted weights)") end
end

-- A typical session; each step runs only when its module is present.
local function session()
  local df = data.read_csv(root .. "/datasets/iris.csv")
  local X = df:matrix()
  local Z = X:standardize()
  local _, s = Z:svd()
  local C = X:cov():inv()
  local _ = X:dot(C):sum() + s[1]
  if stats and stats.pca then stats.pca(X, {ncomp = 2}) end
  if cluster and cluster.kmeans then cluster.kmeans(X, 3, {seed = 1, nstart = 2}) end
  if cluster and cluster.hclust then cluster.hclust(X:slice(1, 40)) end
  if cluster and cluster.silhouette and cluster.kmeans then
    cluster.silhouette(X, cluster.kmeans(X, 2, {seed = 1, nstart = 1}).labels)
  end
  if ts and ts.arima then
    local y = data.read_csv(root .. "/datasets/AirPassengers.csv"):col("passengers"):matrix()
    ts.arima(y:apply(math.log), {order = {0, 1, 1}, seasonal = {0, 1, 1}, period = 12})
  end
  if embed_net then
    local E = embed_net:embed(photos, {progress = false})
    assert(E:rows() == #photos)
  end
  if learn and learn.knn then
    local y = {}
    for i = 1, 150 do y[i] = (i - 1) // 50 + 1 end
    learn.knn{k = 3}:fit(X, y):predict(X)
  end
  return true
end

T.test("the session runs and counts its allocations", function()
  local before = mlsh._alloc_count()
  T.ok(session())
  T.ok(mlsh._alloc_count() > before)
end)

T.test("every failing allocation gives 'not enough memory' and the shell keeps working", function()
  local before = mlsh._alloc_count()
  session()
  local total = mlsh._alloc_count() - before
  -- Every N for the first 300 allocations, then a spread over the rest.
  local points = {}
  for n = 1, math.min(total, 300) do points[#points + 1] = n end
  local step = math.max(1, (total - 300) // 200)
  for n = 301, total, step do points[#points + 1] = n end
  local failures, other = 0, {}
  for _, n in ipairs(points) do
    mlsh._fail_alloc(n)
    local ok, err = pcall(session)
    mlsh._fail_alloc(0)
    if not ok then
      failures = failures + 1
      if not tostring(err):find("not enough memory", 1, true) then
        other[#other + 1] = ("N=%d: %s"):format(n, tostring(err):sub(1, 200))
      end
    end
    collectgarbage()
  end
  T.ok(failures > 0, "some injected failures surfaced")
  T.ok(#other == 0, "errors other than 'not enough memory':\n" .. table.concat(other, "\n"))
  T.ok(session(), "the session still works afterwards")
end)

T.test("huge requests fail fast with a clear error", function()
  T.raises(function() mat.zeros(1e9, 1e9) end, "not enough memory")
  T.raises(function() mat.new(1e12, 1e12) end, "mat.new")
end)

T.done()

-- test/lua/test_cluster.lua - cluster.*. References: scikit-learn 1.2.1 / SciPy 1.10.1 on
-- datasets/iris.csv (KMeans(3, n_init=10).inertia_ = 78.851441, silhouette_score = 0.552819,
-- calinski_harabasz_score = 561.627757, davies_bouldin_score = 0.661972, adjusted_rand_score vs
-- species = 0.730238, normalized_mutual_info_score = 0.758176; linkage(X, "ward") top height
-- 32.447607, cophenet = 0.872828); peer harness values from ../shared/bench/peers/RESULTS.md.
local T = dofile("test/lua/harness.lua")
local df = data.read_csv("datasets/iris.csv")
local X = df:matrix()
local species = df:col("species")

T.test("kmeans iris k=3 (scikit-learn)", function()
  local km = cluster.kmeans(X, 3, { seed = 1 })
  T.near(km.inertia, 78.851441, 1e-6)
  T.eq(#km.labels, 150)
  T.eq(km.centers:rows(), 3)
  T.ok(km.converged)
  local s = 0
  for _, v in ipairs(km.sizes) do s = s + v end
  T.eq(s, 150)
  local pred = km:predict(X)
  for i = 1, 150 do T.eq(pred[i], km.labels[i]) end
  T.near(cluster.silhouette(X, km.labels).mean, 0.552819, 1e-6)
  T.near(cluster.calinski_harabasz(X, km.labels), 561.627757, 1e-6)
  T.near(cluster.davies_bouldin(X, km.labels), 0.661972, 1e-6)
  T.near(cluster.ari(species, km.labels), 0.730238, 1e-6)
  T.near(cluster.nmi(species, km.labels), 0.758176, 1e-6)
  T.near(cluster.purity(species, km.labels), 134 / 150, 1e-12)
  for _, algo in ipairs { "lloyd", "hamerly" } do
    T.near(cluster.kmeans(X, 3, { seed = 1, algorithm = algo }).inertia, 78.851441, 1e-6)
  end
  local given = cluster.kmeans(X, 3, { init = km.centers })
  T.near(given.inertia, 78.851441, 1e-6)
  T.near(cluster.kmeans(X, 3, { init = "random", seed = 5, nstart = 20 }).inertia, 78.851441, 1e-6)
end)

T.test("same seed, same result; threads do not matter", function()
  local a = cluster.kmeans(X, 4, { seed = 9, threads = 1 })
  local b = cluster.kmeans(X, 4, { seed = 9, threads = 2 })
  T.eq(a.inertia, b.inertia)
  for i = 1, 150 do T.eq(a.labels[i], b.labels[i]) end
end)

T.test("silhouette details and crosstab", function()
  local s = cluster.silhouette(X, species)
  T.near(s.mean, 0.503477, 1e-6)           -- silhouette_score(X, species)
  T.eq(s.values:rows(), 150)
  T.eq(#s.by_cluster, 3)
  T.eq(s.by_cluster[1].label, "setosa")
  local D = mat.zeros(150, 150)
  for i = 1, 150 do for j = 1, 150 do
    local d = 0
    for c = 1, 4 do d = d + (X:get(i, c) - X:get(j, c)) ^ 2 end
    D:set(i, j, math.sqrt(d))
  end end
  T.near(cluster.silhouette(D, species, { distance = true }).mean, 0.503477, 1e-6)
  local ct = cluster.crosstab(species, species)
  T.eq(ct.table:get(2, 2), 50)
  T.eq(ct.rows[3], "virginica")
  T.ok(tostring(ct):find("total"))
  T.near(cluster.ari({ 1, 1, 2, 2 }, { 5, 5, 7, 7 }), 1, 1e-15)
end)

T.test("elbow", function()
  local e = cluster.elbow(X, { kmax = 6, seed = 2 })
  T.eq(#e.k, 5)
  T.near(e.inertia[2], 78.851441, 1e-6)
  T.near(e.silhouette[2], 0.552819, 1e-6)
  T.eq(e.best.silhouette, 2)
  T.eq(e.best.knee, 3)
  T.ok(tostring(e):find("Kneedle"))
  local e2 = cluster.elbow(X, { kmax = 4, seed = 2, silhouette = false })
  T.ok(e2.silhouette[1] ~= e2.silhouette[1])
end)

-- R 4.2.2: kmeans(iris[, 1:4], centers = iris[c(1, 51, 101), 1:4], algorithm = "Hartigan-Wong"):
-- tot.withinss 78.851441426145996, iter 2, centers[1, ] = 5.006 3.428 1.462 0.246, cluster as below;
-- with centers = iris[1:3, 1:4], iter.max = 1: the same partition, "did not converge in 1 iteration".
local R_HW_LABELS = "111111111111111111111111111111111111111111111111112232222222222222222222222223222222222222222222222232333323333332233332323233223333323333233323332332"

local function rows_of(M, idx)
  local t = {}
  for r, i in ipairs(idx) do
    t[r] = {}
    for j = 1, M:cols() do t[r][j] = M:get(i, j) end
  end
  return mat.from(t)
end

T.test("hartigan-wong: R's kmeans from given centres, random starts, auto", function()
  local km = cluster.kmeans(X, 3, { init = rows_of(X, { 1, 51, 101 }), algorithm = "hartigan-wong" })
  T.eq(km.algorithm, "hartigan-wong")
  for i = 1, 150 do T.eq(km.labels[i], tonumber(R_HW_LABELS:sub(i, i))) end
  T.near(km.inertia, 78.851441426145996, 1e-10)
  T.eq(km.iters, 2)
  T.ok(km.converged)
  T.near(km.centers:get(1, 1), 5.006, 1e-12); T.near(km.centers:get(1, 4), 0.246, 1e-12)
  T.eq(km.sizes[1], 50)
  local one = cluster.kmeans(X, 3, { init = rows_of(X, { 1, 2, 3 }), algorithm = "hartigan-wong", max_iter = 1 })
  T.ok(not one.converged); T.eq(one.iters, 1); T.near(one.inertia, 78.851441426145996, 1e-10)
  -- R: min over set.seed(1..300) of kmeans(iris[, 1:4], 3, nstart = 20)$tot.withinss
  T.near(cluster.kmeans(X, 3, { algorithm = "hartigan-wong", init = "random", nstart = 20, seed = 3 }).inertia,
    78.851441426145996, 1e-10)
  T.eq(cluster.kmeans(X, 3, { seed = 1 }).algorithm, "hartigan-wong")   -- auto: a small fit
  T.eq(cluster.kmeans(X, 3, { seed = 1, algorithm = "lloyd" }).algorithm, "lloyd")
  local a = cluster.kmeans(X, 4, { algorithm = "hartigan-wong", seed = 2, threads = 1 })
  local b = cluster.kmeans(X, 4, { algorithm = "hartigan-wong", seed = 2, threads = 3 })
  T.eq(a.inertia, b.inertia)
  for i = 1, 150 do T.eq(a.labels[i], b.labels[i]) end
  local e = cluster.elbow(X, { kmax = 4, algorithm = "hartigan-wong", seed = 1 })
  T.near(e.inertia[2], 78.851441426145996, 1e-9)
end)

T.test("hartigan-wong: R's errors", function()
  local far = rows_of(X, { 1, 51, 101 })
  for j = 1, 4 do far:set(3, j, 100) end
  T.raises(function() cluster.kmeans(X, 3, { init = far, algorithm = "hartigan-wong" }) end,
    "cluster.kmeans: empty cluster: try a better set of initial centres")
  T.eq(cluster.kmeans(X, 3, { init = far }).algorithm, "lloyd")   -- auto keeps such a start off Hartigan-Wong
  T.raises(function() cluster.kmeans(X, 3, { init = rows_of(X, { 1, 1, 2 }), algorithm = "hartigan-wong" }) end,
    "cluster.kmeans: initial centres are not distinct")
  T.raises(function() cluster.kmeans(X, 150, { algorithm = "hartigan-wong" }) end,
    "cluster.kmeans: Hartigan-Wong needs k below the number of rows 150 (got 150)")
  local Y = X:copy()
  for j = 1, 4 do Y:set(2, j, X:get(1, j)) end   -- iris has 149 distinct rows (R: nrow(unique(iris[, 1:4]))), now 148
  T.raises(function() cluster.kmeans(Y, 149, { algorithm = "hartigan-wong", init = "random" }) end,
    "more cluster centres (k = 149) than distinct rows (148)")
  T.raises(function() cluster.kmeans(X, 3, { algorithm = "hartigan" }) end,
    "option 'algorithm' must be one of \"auto\", \"lloyd\", \"hamerly\", \"hartigan-wong\"")
end)

T.test("hclust ward and others (SciPy / R)", function()
  local h = cluster.hclust(X)
  T.eq(h.merge:rows(), 149)
  T.near(h.height[149], 32.447607, 1e-6)
  T.near(h:cophenetic(), 0.872828, 1e-6)
  T.eq(#h.order, 150)
  local lab = h:cut(3)
  local n = {}
  for _, v in ipairs(lab) do n[v] = (n[v] or 0) + 1 end
  T.eq(n[1], 50)
  T.eq(#h:cut { height = 10 }, 150)
  T.near(cluster.hclust(X, { method = "average" }).height[149], 4.062683, 1e-6)
  T.near(cluster.hclust(X, { method = "average", metric = "manhattan" }).height[149], 6.76948, 1e-6)
  -- from a distance matrix: R hclust(dist(c(0,1,5,6)), "single")
  local D = mat.from { { 0, 1, 5, 6 }, { 1, 0, 4, 5 }, { 5, 4, 0, 1 }, { 6, 5, 1, 0 } }
  local hs = cluster.hclust(D, { method = "single" })
  T.eq(hs.metric, "precomputed")
  T.eq(hs.merge:get(1, 1), -1); T.eq(hs.merge:get(1, 2), -2)
  T.eq(hs.merge:get(3, 1), 1); T.eq(hs.merge:get(3, 2), 2)
  T.near(hs.height[3], 4, 1e-15)
  T.near(hs:cophenetic(), cluster.hclust(D, { method = "single" }):cophenetic(), 0)
end)

T.test("profile", function()
  local pr = cluster.profile(df, species)
  T.eq(#pr.clusters, 3)
  T.near(pr.mean:get(1, 3), 1.462, 1e-12)
  T.ok(pr.vtest:get(1, 3) < -10)
  T.ok(tostring(pr):find("setosa 100%%"))
end)

T.test("bad input", function()
  T.raises(function() cluster.kmeans(X, 0) end, "cluster.kmeans: argument 'k' must be an integer between 1 and")
  T.raises(function() cluster.kmeans(X, 151) end, "argument 'k'")
  local Y = X:copy(); Y:set(7, 3, 0 / 0)
  T.raises(function() cluster.kmeans(Y, 3) end, "row 7, column 3")
  T.eq(#cluster.kmeans(Y, 3, { na = "omit", seed = 1 }).labels, 149)
  T.raises(function() cluster.kmeans(X, 3, { nstart = 0 }) end, "option 'nstart'")
  T.raises(function() cluster.kmeans(X, 3, { algorithm = "magic" }) end, "cluster.kmeans")
  T.raises(function() cluster.kmeans(X, 3, { init = mat.zeros(2, 4) }) end, "option 'init' must be a 3x4 Matrix")
  T.raises(function() cluster.kmeans(X, 3):predict(mat.zeros(2, 3)) end, "KMeans:predict: argument 'X' has 3 columns")
  T.raises(function() cluster.silhouette(X, { 1, 2, 3 }) end, "cluster.silhouette: argument 'labels' has 3 labels, expected 150")
  T.raises(function() cluster.silhouette(X, mat.ones(150, 1):totable()) end, "number of clusters")
  T.raises(function() cluster.ari({ 1, 2 }, { 1, 2, 3 }) end, "cluster.ari: argument 'b' has 3 labels, expected 2")
  T.raises(function() cluster.ari({ 1, 2.5 }, { 1, 2 }) end, "cluster.ari: argument 'a': label 2 must be an integer (got 2.5)")
  -- any integer labels are cluster names (0-based from Python, -1 for noise), as sklearn and R accept
  T.near(cluster.ari({ 0, 0, 1, -1 }, { 1, 1, 2, 3 }), 1, 1e-15)
  T.near(cluster.silhouette(mat.from{{0}, {0.1}, {5}, {5.2}}, { 0, 0, 1, 1 }).mean,
         cluster.silhouette(mat.from{{0}, {0.1}, {5}, {5.2}}, { 1, 1, 2, 2 }).mean, 1e-15)
  T.raises(function() cluster.ari({ "a", 1 }, { 1, 2 }) end, "label 2 must be a string like the first")
  T.raises(function() cluster.silhouette(X, species, { distance = 1 }) end,
    "cluster.silhouette: option 'distance' must be true or false (got number)")
  T.raises(function() cluster.silhouette(X, species, { threads = -1 }) end, "option 'threads' must be an integer between 0 and 256")
  T.raises(function() cluster.kmeans(X, 3):predict("x") end, "KMeans:predict: argument 'X' must be a Matrix")
  T.raises(function() cluster.kmeans(X, 3).predict(1, X) end, "KMeans:predict: argument 'self' must be a KMeans (got number)")
  local h = cluster.hclust(X)
  T.raises(function() h:cut() end, "HClust:cut: give a number of clusters k, {k=} or {height=} (got nil)")
  T.raises(function() h:cut {} end, "HClust:cut: give a number of clusters k")
  T.raises(function() h:cut { k = 2, height = 3 } end, "HClust:cut: give option 'k' or option 'height', not both")
  T.raises(function() h:cut { k = 151 } end, "HClust:cut: option 'k' must be at most the number of rows 150 (got 151)")
  T.raises(function() h:cut { k = 0 } end, "HClust:cut: option 'k' must be a positive integer (got 0)")
  T.raises(function() h:cut { height = "x" } end, "HClust:cut: option 'height' must be a number (got string)")
  T.raises(function() h.cut(1, 3) end, "HClust:cut: argument 'self' must be an HClust (got number)")
  T.raises(function() cluster.profile(X, species, { alpha = 1 }) end, "cluster.profile: option 'alpha' must be > 0 and < 1 (got 1)")
  T.raises(function() cluster.profile(X, species, { bogus = 1 }) end, "cluster.profile: unknown option 'bogus'")
  T.raises(function() cluster.profile(X, species, { names = { "a" } }) end,
    "cluster.profile: option 'names' has 1 names for 4 columns")
  T.raises(function() cluster.profile(df:select { "species" }, species) end,
    "cluster.profile: argument 'X': the frame has no numeric columns")
  T.raises(function() cluster.hclust(X:slice(1, 1)) end, "cluster.hclust: argument 'X' needs at least 2 rows")
  local A = mat.from { { 0, 1, 2 }, { 1, 0, 3 }, { 2, 3.5, 0 } }
  T.raises(function() cluster.hclust(A) end, "not symmetric")
  T.raises(function() cluster.hclust(mat.zeros(2, 3), { distance = true }) end, "must be square")
  T.raises(function() cluster.hclust(X, { method = "nope" }) end, "cluster.hclust")
  T.raises(function() cluster.hclust(X):cut(0) end, "HClust:cut")
  T.raises(function() cluster.hclust(X, { method = "centroid" }):cut { height = 1 } end, "not increasing")
  T.raises(function() cluster.elbow(X, { kmin = 1 }) end, "cluster.elbow")
  T.raises(function() cluster.profile(X, { 1 }) end, "cluster.profile: argument 'labels' has 1 labels")
end)

T.test("data frames, string and integer labels, cut options", function()
  local km = cluster.kmeans(X, 3, { seed = 1 })
  local pred = km:predict(df)
  for i = 1, 150 do T.eq(pred[i], km.labels[i]) end
  T.near(cluster.silhouette(df, km.labels).mean, 0.552819, 1e-6)
  T.near(cluster.calinski_harabasz(df, km.labels), 561.627757, 1e-6)
  T.near(cluster.davies_bouldin(df, species), cluster.davies_bouldin(X, species), 0)
  -- labels with gaps stand for the clusters present: 5 and 7 here
  local gap = {}
  for i, v in ipairs(km.labels) do gap[i] = v * 2 + 1 end
  local s = cluster.silhouette(X, gap)
  T.near(s.mean, 0.552819, 1e-6)
  T.eq(#s.by_cluster, 3); T.eq(s.by_cluster[1].label, 3); T.eq(s.by_cluster[3].label, 7)
  T.eq(cluster.crosstab(gap, species).rows[2], 5)
  T.near(cluster.ari(gap, km.labels), 1, 1e-15)
  local h = cluster.hclust(X)
  local a, b = h:cut(3), h:cut { k = 3 }
  for i = 1, 150 do T.eq(a[i], b[i]) end
  local pr = cluster.profile(X, species, { names = { "sl", "sw", "pl", "pw" }, alpha = 0.01, top = 1 })
  T.eq(pr.names[3], "pl"); T.eq(pr.alpha, 0.01)
  T.ok(tostring(pr):find("p < 0.01", 1, true))
end)

T.test("Lua-side errors name the function, never a file", function()
  local cases = {
    function() cluster.profile(X, species, { names = { "a" } }) end,
    function() cluster.profile(X, species, 3) end,
    function() cluster.profile(X, { 1, 2 }) end,
    function() cluster.profile(df:select { "species" }, species) end,
  }
  for _, f in ipairs(cases) do
    local err = T.raises(f, "cluster.profile: ")
    T.ok(err:sub(1, 17) == "cluster.profile: ", err)
    T.ok(not err:find("lua/mlsh/", 1, true) and not err:find("%.lua:%d"), err)
  end
end)

T.test("peer data: ward heights (SciPy 1e-8) and K-Means inertia (scikit-learn 0.01 %)", function()
  if not T.shared("bench/peers/RESULTS.md") then T.skip("../shared not found (set MLSH_SHARED)") end
  local f = io.open("/tmp/peerdata/ward_5000x20.f64", "rb")
  if not f then T.skip("peer data not generated (/tmp/peerdata; run make bench or gen_data.py)") end
  f:close()
  local W = mat.read_raw("/tmp/peerdata/ward_5000x20.f64", 5000, 20)
  local h = cluster.hclust(W)
  -- SciPy 1.10.1 linkage(X, "ward") on the same file, full precision (RESULTS.md prints 4 decimals)
  local top = { 276.85743089867157, 228.92026145622776, 206.4897006790222, 178.73022051871624, 178.3203147233021 }
  for i = 1, 5 do T.rel(h.height[5000 - i], top[i], 1e-8) end
  local low = { 1.9829129684821538, 2.1194853603017365, 2.142778010689392 }
  for i = 1, 3 do T.rel(h.height[i], low[i], 1e-8) end
  local s = 0
  for i = 1, 4999 do s = s + h.height[i] end
  T.rel(s, 29839.496984457433, 1e-8)
  local E = mat.read_raw("/tmp/peerdata/elbow_20000x20.f64", 20000, 20)
  local km = cluster.kmeans(E, 6, { nstart = 10, seed = 42 })
  T.ok(km.inertia <= 326565.5 * 1.0001, "inertia " .. km.inertia .. " within 0.01% of scikit-learn's 326565.5")
end)

T.done()

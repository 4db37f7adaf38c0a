-- test/lua/test_mmap.lua - mat.mmap and its streamed kernels. References: R 4.2.2 on iris[, 1:4]
-- (colMeans, sapply(sd), prcomp(scale. = TRUE)$sdev^2), numpy 1.24 np.cov of the same, and the in-memory
-- functions (cluster.kmeans Lloyd with nstart = 1, stats.pca, mat.cov) on random data.
local T = dofile("test/lua/harness.lua")
local iris = data.read_csv("datasets/iris.csv"):matrix()

local function maxdiff(A, B)
  local m = 0
  for i = 1, A:rows() do for j = 1, A:cols() do m = math.max(m, math.abs(A:get(i, j) - B:get(i, j))) end end
  return m
end

local function saved(X, opts)
  local p = T.tmpname(".npy")
  X:save(p, opts)
  return p
end

local ipath = saved(iris)

T.test("iris column statistics (R colMeans, sd)", function()
  local s = mat.mmap(ipath):colstats()
  T.eq(s.n, 150)
  local mean = { 5.843333, 3.057333, 3.758000, 1.199333 }
  local sd = { 0.8280661, 0.4358663, 1.7652982, 0.7622377 }
  for j = 1, 4 do
    T.near(s.mean[j], mean[j], 1e-6)
    T.near(s.sd[j], sd[j], 1e-7)
  end
  T.eq(s.min[1], 4.3)
  T.eq(s.max[3], 6.9)
end)

T.test("iris covariance (numpy np.cov) and correlation PCA (R prcomp)", function()
  local X = mat.mmap(ipath)
  local S = X:cov()
  T.near(S:get(1, 1), 0.6856935123042505, 1e-13)
  T.near(S:get(1, 3), 1.2743154362416103, 1e-13)
  T.near(mat.cov(X):get(2, 4), S:get(2, 4), 0)
  T.near(X:cor():get(3, 4), 0.9628654314027958, 1e-13)
  local p = stats.pca(X)
  local ref = { 2.918498, 0.914030, 0.146757, 0.020715 }
  for k = 1, 4 do T.near(p.eigenvalues[k], ref[k], 1e-6) end
  T.eq(p.method, "covariance")
  T.eq(p.names[1], "V1")
  local text = p:summary { print = false }
  T.ok(text:find("Dim.1", 1, true) and not text:find("Individuals", 1, true), text)
end)

T.test("same results as in memory: PCA loadings, cov, K-Means, KNN", function()
  local X = mat.randn(4000, 6, { seed = 2 })
  local M = mat.mmap(saved(X))
  T.ok(maxdiff(M:cov(), X:cov()) < 1e-13)
  local a, b = stats.pca(X, { ncomp = 3 }), stats.pca(M, { ncomp = 3 })
  for k = 1, 3 do T.near(b.eigenvalues[k], a.eigenvalues[k], 1e-12) end
  T.ok(maxdiff(a.loadings, b.loadings) < 1e-10)
  T.ok(maxdiff(a.var.coord, b.var.coord) < 1e-10)
  local Z1, Z2 = a:transform(X:slice(1, 5)), b:transform(X:slice(1, 5))
  T.ok(maxdiff(Z1, Z2) < 1e-10)
  for _, seed in ipairs { 1, 7 } do
    local k1 = cluster.kmeans(X, 5, { algorithm = "lloyd", nstart = 1, seed = seed })
    local k2 = cluster.kmeans(M, 5, { seed = seed })
    T.eq(k2.algorithm, "lloyd")
    T.eq(k2.iters, k1.iters)
    T.rel(k2.inertia, k1.inertia, 1e-12)
    for i = 1, 4000 do if k1.labels[i] ~= k2.labels[i] then T.ok(false, "label " .. i) break end end
    T.eq(k2:predict(X:slice(1, 3))[2], k1.labels[2])
  end
  local k1 = cluster.kmeans(X, 5, { algorithm = "lloyd", nstart = 1, seed = 2 })
  local labels = M:map_blocks(function(B) return k1:predict(B) end, 999)
  T.eq(#labels, 4000)
  T.eq(labels[3999], k1.labels[3999])
  local Z = M:map_blocks(function(B) return a:transform(B) end, 1500)
  T.ok(maxdiff(Z, a:transform(X)) < 1e-12)
  local firsts = M:map_blocks(function(_, first) return first end, 1500)
  T.eq(firsts[3], 3001)
  local t1, t3 = M:kmeans(5, { seed = 3, threads = 1 }), M:kmeans(5, { seed = 3, threads = 3 })
  T.eq(t3.inertia, t1.inertia, "the same bits for any number of threads")
  local I, D = M:knn(X:slice(10, 12), 3)
  T.eq(I:get(1, 1), 10)
  T.eq(D:get(2, 1), 0)
  T.ok(D:get(3, 2) <= D:get(3, 3))
end)

T.test("k-means|| seeding: every separated blob found; mapped = in memory, any threads", function()
  -- six blobs 40 sd apart of sizes 50..300: the generating partition is the reference (Bahmani et al.
  -- 2012: the weighted reduction of the candidates seeds each well-separated cluster)
  local sizes, rows = { 300, 250, 200, 150, 100, 50 }, 0
  for _, n in ipairs(sizes) do rows = rows + n end
  local X, truth, i = mat.randn(rows, 3, { seed = 9 }), {}, 0
  for c, n in ipairs(sizes) do
    for _ = 1, n do
      i = i + 1
      truth[i] = c
      for j = 1, 3 do X:set(i, j, X:get(i, j) + 40 * ((c * j) % 5) + 10 * c) end
    end
  end
  local M = mat.mmap(saved(X))
  for _, seed in ipairs { 1, 2, 3, 4 } do
    local km = M:kmeans(6, { init = "k-means||", seed = seed })
    local map = {}
    for r = 1, rows do
      local l = km.labels[r]
      map[truth[r]] = map[truth[r]] or l
      if map[truth[r]] ~= l then T.ok(false, "seed " .. seed .. ": row " .. r .. " left its blob") break end
    end
    T.ok(km.iters <= 2, "seed " .. seed .. ": the seeds are the blobs' means already")
    local mem = cluster.kmeans(X, 6, { init = "k-means||", seed = seed, algorithm = "lloyd" })
    T.ok(maxdiff(mem.centers, km.centers) < 1e-9)
    T.eq(table.concat(mem.labels, ","), table.concat(km.labels, ","))
  end
  local t1 = M:kmeans(6, { init = "k-means||", seed = 5, threads = 1 })
  local t3 = M:kmeans(6, { init = "k-means||", seed = 5, threads = 3 })
  T.eq(t3.centers:get(2, 2), t1.centers:get(2, 2), "the same bits for any number of threads")
  local same = mat.mmap(saved(mat.ones(10, 2)))
  T.raises(function() same:kmeans(2, { init = "k-means||" }) end, "k-means|| found 1 candidate centres, fewer than k = 2")
  T.raises(function() cluster.kmeans(mat.ones(10, 2), 2, { init = "k-means||" }) end, "cluster.kmeans: k-means|| found 1")
  T.raises(function() M:kmeans(2, { init = "kmeans||" }) end, "option 'init' must be \"k-means++\", \"k-means||\"")
end)

T.test("cluster.elbow on a mapped matrix: the in-memory sweep, k-means|| and k-means++", function()
  -- Reference: cluster.elbow in memory with the streamed fit's algorithm (Lloyd, one start) on the same
  -- rows; its indices are clv_* (tested against scikit-learn in test_cluster). 6000 rows: the silhouette
  -- runs on the seeded 5000-row sample, read here from the mapping; blocks of 700 rows, a partial last one.
  local n = 6000
  local X = mat.randn(n, 4, { seed = 3 })
  for i = 1, n do local c = i % 5 for j = 1, 4 do X:set(i, j, X:get(i, j) + 3 * ((c * j) % 4)) end end
  local path = saved(X)
  local M = mat.mmap(path, { block = 700 })
  local keys = { "inertia", "silhouette", "calinski_harabasz", "davies_bouldin" }
  local function same(a, b, what)
    T.eq(#a.k, #b.k)
    for _, key in ipairs(keys) do
      for t = 1, #a.k do T.rel(a[key][t], b[key][t], 1e-9, what .. " " .. key .. " k=" .. a.k[t]) end
    end
    T.eq(a.best.knee, b.best.knee)
    T.eq(a.best.silhouette, b.best.silhouette)
    T.eq(a.silhouette_rows, b.silhouette_rows)
  end
  for _, init in ipairs { "k-means||", "k-means++" } do
    local mem = cluster.elbow(X, { kmin = 2, kmax = 6, init = init, seed = 4, algorithm = "lloyd", nstart = 1 })
    local str = cluster.elbow(M, { kmin = 2, kmax = 6, init = init, seed = 4 })
    T.eq(getmetatable(str), getmetatable(mem))
    T.eq(str.silhouette_rows, 5000)
    same(str, mem, init)
    -- the in-memory k-means|| sweep seeds each k as cluster.kmeans does
    local km = cluster.kmeans(X, 4, { init = "k-means||", seed = 4, algorithm = "lloyd" })
    if init == "k-means||" then T.eq(mem.inertia[3], km.inertia) end
  end
  -- bitwise blocks; a map of rows 1001..6000 (sample rows numbered from its first row; k-means++ on a
  -- sample holding every row: k-means|| draws are keyed by the file's row numbers); every row
  local B = mat.mmap(path, { bitwise = true, block = 512 })
  same(B:elbow { kmax = 4, init = "k-means||", seed = 8 }, cluster.elbow(X, { kmax = 4, init = "k-means||", seed = 8, algorithm = "lloyd" }), "bitwise")
  local S, Xs = mat.mmap(path, { rows = { 1001, 6000 } }), X:slice(1001, 6000)
  same(cluster.elbow(S, { kmax = 3, seed = 2, silhouette = 300 }),
    cluster.elbow(Xs, { kmax = 3, seed = 2, silhouette = 300, algorithm = "lloyd", nstart = 1 }), "rows 1001..6000")
  local small = mat.mmap(saved(X:slice(1, 400)))
  local all = cluster.elbow(small, { kmax = 3, seed = 5, silhouette = true })
  T.eq(all.silhouette_rows, 400)
  same(all, cluster.elbow(X:slice(1, 400), { kmax = 3, seed = 5, silhouette = true, algorithm = "lloyd", nstart = 1 }), "400 rows")
  local none = cluster.elbow(small, { kmax = 3, seed = 5, silhouette = false })
  T.ok(none.silhouette[1] ~= none.silhouette[1] and none.best.silhouette == nil)
  T.raises(function() cluster.elbow(small, { kmax = 400 }) end, "MappedMatrix:elbow: options 'kmin'/'kmax' need 2 <= kmin <= kmax < number of rows 400")
  T.raises(function() cluster.elbow(small, { nstart = 2 }) end, "unknown option 'nstart'")
  T.raises(function() cluster.elbow(small, { init = "random" }) end, "option 'init' must be one of \"k-means++\", \"k-means||\"")
  T.raises(function() cluster.elbow(X, { init = X:slice(1, 2) }) end, "cluster.elbow: option 'init' must be \"k-means++\", \"random\" or \"k-means||\" for a sweep")
end)

T.test("TSQR PCA: the in-memory SVD's eigenvalues, also for a near-collinear column", function()
  -- column 2 = column 1 + 1e-6 noise: the smallest eigenvalue is ~5e-13, which the covariance's
  -- eigen-decomposition gets only to ~1e-3 relative; the SVD of R (as stats.pca's own TSQR + dgesdd)
  -- to ~1e-8. Reference: stats.pca in memory (tested against R's prcomp).
  local X = mat.randn(3000, 4, { seed = 2 })
  for i = 1, 3000 do
    X:set(i, 2, X:get(i, 1) + 1e-6 * X:get(i, 2))
    X:set(i, 3, 100 * X:get(i, 3) + 1e5)
  end
  local M = mat.mmap(saved(X), { block = 256 })
  for _, scale in ipairs { false, true } do
    local a = stats.pca(X, { scale = scale })
    local b = M:pca { method = "tsqr", scale = scale }
    T.eq(b.method, "tsqr")
    for k = 1, 4 do T.near(b.eigenvalues[k], a.eigenvalues[k], 1e-10) end
    T.rel(b.eigenvalues[4], a.eigenvalues[4], 1e-6)
    T.ok(maxdiff(a.loadings, b.loadings) < 1e-8)
    T.ok(maxdiff(a.var.coord, b.var.coord) < 1e-8)
    T.ok(maxdiff(a:transform(X:slice(1, 4)), b:transform(X:slice(1, 4))) < 1e-6)
    local c = stats.pca(M, { scale = scale, ncomp = 2, method = "tsqr" })
    T.eq(c.loadings:cols(), 2)
    T.near(c.eigenvalues[1], a.eigenvalues[1], 1e-10)
  end
  T.raises(function() M:pca { method = "qr" } end, "MappedMatrix:pca: option 'method'")
  T.raises(function() mat.mmap(saved(mat.ones(1, 2))):pca { method = "tsqr" } end, "PCA needs at least 2 rows")
end)

T.test("a mapped matrix is read like a Matrix", function()
  local X = mat.from { { 1, 2 }, { 3, 4 }, { 5, 6 }, { 7, 8 } }
  local M = mat.mmap(saved(X), { rows = { 2, 3 } })
  T.ok(mat.is_mapped(M))
  T.ok(not mat.is_mapped(X))
  T.eq(M:rows(), 2)
  T.eq(#M, 2)
  T.eq(M:get(1, 2), 4)
  T.eq(M:sum(), 18)
  T.eq((M * 2):get(2, 1), 10)
  T.eq(M:info().first_row, 2)
  T.eq(M:copy() == X:slice(2, 3), true)
  T.raises(function() M:set(1, 1, 0) end, "read-only")
  local F = mat.mmap(saved(X, { dtype = "float32" }))
  T.eq(F:info().dtype, "float32")
  T.eq(F:mean(), 4.5)
  T.ok(tostring(F):find("4 x 2 float32", 1, true))
end)

T.test("bad files and arguments: clear errors", function()
  local p = saved(mat.from { { 1, 2 }, { 3, 4 } })
  local f = io.open(p, "rb")
  local bytes = f:read("a")
  f:close()
  local function variant(b)
    local q = T.tmpname(".npy")
    local g = io.open(q, "wb")
    g:write(b)
    g:close()
    return q
  end
  T.raises(function() mat.mmap(variant(bytes:sub(1, -5))) end, "truncated .npy data")
  T.raises(function() mat.mmap(variant(bytes:sub(1, 30))) end, "truncated .npy header")
  T.raises(function() mat.mmap(variant(bytes .. "zz")) end, "2 bytes after the data")
  T.raises(function() mat.mmap(variant((bytes:gsub("False", "True ", 1)))) end, "Fortran-ordered")
  T.raises(function() mat.mmap(variant((bytes:gsub("<f8", "<i8", 1)))) end, "float64 or float32")
  T.raises(function() mat.mmap("/nonexistent/x.npy") end, "mat.mmap: '/nonexistent/x.npy'")
  T.raises(function() mat.mmap(p, { rows = { 2, 5 } }) end, "rows 2..5 are outside the file's 1..2")
  T.raises(function() mat.mmap(p, { rows = { 0, 1 } }) end, "option 'rows'")
  T.raises(function() mat.mmap(p, { row = 1 }) end, "unknown option 'row'")
  local M = mat.mmap(p)
  T.raises(function() M:kmeans(3) end, "k = 3 must be between 1 and the 2 rows")
  T.raises(function() M:kmeans(1, { init = mat.zeros(2, 2) }) end, "option 'init' must be 1 x 2")
  T.raises(function() M:knn(mat.zeros(1, 3)) end, "has 3 columns")
  T.raises(function() cluster.kmeans(M, 1, { nstart = 3 }) end, "unknown option 'nstart'")
  M:close()
  T.raises(function() M:colstats() end, "closed")
end)

T.test("a streamed pass keeps the mapped pages out of the resident set", function()
  if os.getenv("MLSH_SANITIZED") then T.skip("the sanitizers' shadow memory and quarantine hide the resident set") end
  local f = io.open("/proc/self/status")
  if not f then T.skip("no /proc/self/status") end
  f:close()
  local function rss_mb()
    for l in io.lines("/proc/self/status") do
      local kb = l:match("^VmRSS:%s+(%d+)")
      if kb then return tonumber(kb) / 1024 end
    end
  end
  local path = saved(mat.randn(1000000, 6, { seed = 1 }))   -- 48 MB
  collectgarbage()
  local M = mat.mmap(path, { release = true })
  local before = rss_mb()
  local s1 = M:colstats()
  M:kmeans(3, { seed = 1, max_iter = 3, sample = 1000 })
  local grown = rss_mb() - before
  T.ok(grown < 24, string.format("the resident set grew by %.1f MB over a 48 MB file", grown))
  M:close()
  -- release = false (and auto, for a map this small) keeps the pages: the same answers, a larger resident set
  local K = mat.mmap(path, { release = false })
  before = rss_mb()
  local s2 = K:colstats()
  T.ok(rss_mb() - before > 24, "the pages stay resident")
  T.eq(s2.mean:get(1, 3), s1.mean:get(1, 3), "the same statistics")
  K:close()
  T.raises(function() mat.mmap(path, { release = "yes" }) end, "mat.mmap: option 'release'")
  os.remove(path)
end)

T.test("the generator script makes a file and its 1/N subset", function()
  local py = "/usr/bin/python3"
  local _, has = T.sh(py .. " -c 'import numpy'")
  if has ~= 0 then T.skip("numpy (python3-numpy) is not installed") end
  local out = T.tmpname(".npy")
  local text, code = T.sh(py .. " scripts/make_big_npy.py " .. out .. " 2000 5 --seed 3 --every 100")
  T.eq(code, 0, text)
  local M, S = mat.mmap(out), mat.mmap((out:gsub("%.npy$", ".sub.npy")))
  T.eq(M:rows(), 2000)
  T.eq(S:rows(), 20)
  T.eq(S:get(2, 3), M:get(101, 3))
  local km = M:kmeans(10, { seed = 1, max_iter = 20 })
  T.eq(#km.sizes, 10)
  os.remove(out)
  os.remove((out:gsub("%.npy$", ".sub.npy")))
end)

T.done()

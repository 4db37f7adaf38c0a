-- test/mpi/fit.lua PATH [bitwise] - run by test/lua/test_dist.lua under
-- mpirun -np 1..4: the distributed colstats, covariance, PCA (covariance and TSQR), K-Means
-- (k-means++ on a sample, k-means|| and given centres, two of them far from every row so
-- that their clusters are empty at the first pass) and KNN of PATH; rank 0 prints
-- one "key value" line per result, compared with the single-process run of
-- the same file. bitwise: blocks of 64 rows reduced in block order.
local path = arg[1]
local X = dist.load(path, arg[2] == "bitwise" and { bitwise = true, block = 64 } or nil)
local function out(k, v) dist.print(k .. " " .. v) end
local function labels_of(km)
  local all, n = dist.allgather(km.labels), 0
  local parts = {}
  for _, t in ipairs(all) do for _, l in ipairs(t) do n = n + 1; parts[n] = l end end
  return table.concat(parts, ",")
end
local s = X:colstats()
out("n", string.format("%d", s.n))
out("mean1", string.format("%.15g", s.mean[1]))
local S = X:cov()
out("cov12", string.format("%.17g", S:get(1, 2)))
local p = stats.pca(X, { ncomp = 3 })
for k = 1, 3 do out("eig" .. k, string.format("%.17g", p.eigenvalues[k])) end
out("load11", string.format("%.17g", p.loadings:get(1, 1)))
local q = stats.pca(X, { ncomp = 3, method = "tsqr" })
for k = 1, 3 do out("tsqr_eig" .. k, string.format("%.17g", q.eigenvalues[k])) end
out("tsqr_load11", string.format("%.17g", q.loadings:get(1, 1)))
dist.log_reset()
local km = cluster.kmeans(X, 4, { seed = 11, sample = 300 })
local log = dist.log()
out("iters", km.iters)
out("inertia", string.format("%.17g", km.inertia))
out("labels", labels_of(km))
out("allreduce_calls", log.allreduce.calls)
out("allreduce_bytes", string.format("%.0f", log.allreduce.bytes))
local par = cluster.kmeans(X, 4, { init = "k-means||", seed = 5 })
out("par_iters", par.iters)
out("par_labels", labels_of(par))
out("par_center11", string.format("%.17g", par.centers:get(1, 1)))
local given = cluster.kmeans(X, 3, { init = mat.load(path):slice(1, 3) })
out("given_iters", given.iters)
out("given_labels", labels_of(given))
-- centres 4 and 5 far from every row: their clusters take the farthest rows
local E0 = mat.load(path):slice(1, 3):vcat(mat.from { { 1e3, 1e3, 1e3, 1e3, 1e3 }, { -1e3, -1e3, -1e3, -1e3, -1e3 } })
local empty = cluster.kmeans(X, 5, { init = E0 })
out("empty_iters", empty.iters)
out("empty_labels", labels_of(empty))
out("empty_inertia", string.format("%.17g", empty.inertia))
local I = X:knn(mat.load(path):slice(5, 6), 3)
out("knn", string.format("%d,%d,%d", I:get(1, 1), I:get(1, 2), I:get(2, 3)))

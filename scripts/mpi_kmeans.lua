-- scripts/mpi_kmeans.lua [PATH [K]] - K-Means (k-means++ and k-means|| seeds), PCA (covariance and
-- TSQR), the ring KNN and a forest split over the ranks, on a .npy spread over MPI ranks.
--   mpirun -np 4 build/mlsh scripts/mpi_kmeans.lua big.npy 10
-- Each rank maps its block of rows (dist.load); cluster.kmeans and stats.pca combine the blocks (one
-- packed allreduce per K-Means iteration), so the answer is the one process's, for any -np. t-SNE,
-- hclust, libsvm and ARIMA stay single-process: run them on the centres or a sample. Without a
-- path it writes a small clustered file first (rank 0) and uses that. Also runs without mpirun.
local path, k = arg[1], tonumber(arg[2] or "5")
if not path then
  path = os.tmpname() .. ".npy"
  path = dist.bcast(path)   -- one name for every rank
  if dist.rank() == 0 then
    local X = mat.randn(20000, 8, { seed = 7 })
    for i = 1, X:rows() do local c = i % k for j = 1, 8 do X:set(i, j, X:get(i, j) + 6 * ((c * j) % 4)) end end
    X:save(path)
  end
  dist.barrier()
end

local X = dist.load(path)
local info = X:info()
local blocks = dist.allgather(string.format("rank %d: rows %d..%d", dist.rank(), info.first_row, info.first_row + info.rows - 1))
dist.print(string.format("%d ranks, %d x %d %s", dist.size(), info.file_rows, info.cols, info.dtype))
for _, line in ipairs(blocks) do dist.print("  " .. line) end

dist.log_reset()
local t0 = mlsh.clock()
local km = cluster.kmeans(X, k, { seed = 1, max_iter = 50 })
local log = dist.log()   -- the K-Means's own collectives
local t_km = dist.allreduce(mlsh.clock() - t0, "max")
dist.print(string.format("K-Means k=%d: %d iterations, inertia %.6g, sizes %s (%.3f s)", k, km.iters, km.inertia,
  table.concat(km.sizes, " "), t_km))

local par = cluster.kmeans(X, k, { seed = 1, max_iter = 50, init = "k-means||" })
dist.print(string.format("K-Means from k-means|| seeds: %d iterations, inertia %.6g", par.iters, par.inertia))

local p = stats.pca(X, { ncomp = 3 })
dist.print(string.format("PCA: eigenvalues %.5f %.5f %.5f (%.1f%% of the variance)", p.eigenvalues[1],
  p.eigenvalues[2], p.eigenvalues[3], 100 * (p.explained[1] + p.explained[2] + p.explained[3])))
local q = stats.pca(X, { ncomp = 3, method = "tsqr" })
dist.print(string.format("PCA by TSQR: eigenvalues %.5f %.5f %.5f (largest difference %.2g)", q.eigenvalues[1],
  q.eigenvalues[2], q.eigenvalues[3], math.max(math.abs(q.eigenvalues[1] - p.eigenvalues[1]),
  math.abs(q.eigenvalues[2] - p.eigenvalues[2]), math.abs(q.eigenvalues[3] - p.eigenvalues[3]))))

-- the ring KNN: this rank's first rows as queries, every rank's rows as the training set
local Q = dist.load(path)
local I = X:knn(Q, 3)
dist.print(string.format("ring KNN: row %d's neighbours %d, %d, %d", info.first_row, I:get(1, 1), I:get(1, 2), I:get(1, 3)))

-- a forest on the centres' labels of a sample, its trees split over the ranks
local S = mat.load(path):slice(1, math.min(2000, info.file_rows))
local rf = learn.forest { trees = 20, seed = 1, distributed = true }:fit(S, par:predict(S))
dist.print(string.format("forest of %d trees over %d ranks: training accuracy %.3f", 20, dist.size(), rf:score(S, par:predict(S))))

local model = dist.cost { n = info.rows, p = info.cols, k = k, nodes = math.max(dist.size(), 2) }
dist.print(string.format("K-Means collectives: %d allreduce (%d bytes), %d allgather; model: %d bytes per iteration",
  log.allreduce.calls, math.floor(log.allreduce.bytes), log.allgather.calls, model.bytes))
if not arg[1] and dist.rank() == 0 then os.remove(path) end

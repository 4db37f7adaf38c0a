-- scripts/mpi_kmeans.lua [PATH [K]] - K-Means and PCA of a .npy spread over MPI ranks.
--   mpirun -np 4 build/mlsh scripts/mpi_kmeans.lua big.npy 10
-- Each rank maps its block of rows (dist.load); cluster.kmeans and stats.pca combine the blocks (one
-- packed allreduce per K-Means iteration), so the answer is the one process's, for any -np. Without a
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

local t0 = mlsh.clock()
local km = cluster.kmeans(X, k, { seed = 1, max_iter = 50 })
local t_km = dist.allreduce(mlsh.clock() - t0, "max")
dist.print(string.format("K-Means k=%d: %d iterations, inertia %.6g, sizes %s (%.3f s)", k, km.iters, km.inertia,
  table.concat(km.sizes, " "), t_km))

local p = stats.pca(X, { ncomp = 3 })
dist.print(string.format("PCA: eigenvalues %.5f %.5f %.5f (%.1f%% of the variance)", p.eigenvalues[1],
  p.eigenvalues[2], p.eigenvalues[3], 100 * (p.explained[1] + p.explained[2] + p.explained[3])))

local log = dist.log()
local model = dist.cost { n = info.rows, p = info.cols, k = k, nodes = math.max(dist.size(), 2) }
dist.print(string.format("collectives: %d allreduce (%d bytes), %d allgather; model: %d bytes per iteration",
  log.allreduce.calls, math.floor(log.allreduce.bytes), log.allgather.calls, model.bytes))
if not arg[1] and dist.rank() == 0 then os.remove(path) end

-- scripts/ring_knn_time.lua TRAIN.npy QUERIES.npy [K [REPS]] - times the ring KNN (X:knn with both the
-- training rows and the queries spread over the ranks by dist.load) under mpirun; prints the median,
-- fastest and slowest of REPS runs (the slowest rank of each) and a checksum of the neighbours.
--   mpirun -np 2 build/mlsh scripts/ring_knn_time.lua train.npy queries.npy 5 3
local X, Q = dist.load(arg[1]), dist.load(arg[2])
local k, reps = tonumber(arg[3] or "5"), tonumber(arg[4] or "3")
local ts, I = {}, nil
for r = 1, reps do
  dist.barrier()
  local t0 = mlsh.clock()
  I = X:knn(Q, k)
  ts[r] = dist.allreduce(mlsh.clock() - t0, "max")
end
table.sort(ts)
local sum = 0
for i = 1, I:rows() do for j = 1, k do sum = sum + I:get(i, j) * ((i + j) % 7 + 1) end end
sum = dist.allreduce(sum)
dist.print(string.format("ring KNN -np %d, k = %d: median %.3f s (fastest %.3f, slowest %.3f over %d runs), checksum %.0f",
  dist.size(), k, ts[(#ts + 1) // 2], ts[1], ts[#ts], reps, sum))

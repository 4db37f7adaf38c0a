-- test/mpi/knn.lua PATH K - run by test/lua/test_dist.lua under mpirun -np 1..4: the ring KNN of the
-- rows of PATH against themselves, queries and training rows both spread over the ranks (dist.load).
-- Rank 0 prints every query's neighbours in global order, their distances, and the ring's shifts.
local path, k = arg[1], tonumber(arg[2])
local X, Q = dist.load(path), dist.load(path)
dist.log_reset()
local I, D = X:knn(Q, k)
local shifts = dist.log().shift.calls
local rows, dists = {}, {}
for i = 1, I:rows() do
  local r, d = {}, {}
  for j = 1, k do r[j] = string.format("%d", I:get(i, j)); d[j] = string.format("%.17g", D:get(i, j)) end
  rows[i], dists[i] = table.concat(r, ","), table.concat(d, ",")
end
local all, alld = dist.allgather(rows), dist.allgather(dists)
local flat, flatd = {}, {}
for r = 1, #all do for _, v in ipairs(all[r]) do flat[#flat + 1] = v end for _, v in ipairs(alld[r]) do flatd[#flatd + 1] = v end end
dist.print("ring " .. table.concat(flat, ";"))
dist.print("ringd " .. table.concat(flatd, ";"))
dist.print("shifts " .. shifts)

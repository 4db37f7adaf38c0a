-- test/mpi/elbow.lua PATH INIT [bitwise] - run by test/lua/test_dist.lua under mpirun -np 1..3:
-- cluster.elbow of dist.load(PATH) (k = 2..5, a 400-row silhouette sample drawn from seed 6); rank 0
-- prints each array at full precision, compared with the in-memory elbow of the whole file.
local X = dist.load(arg[1], arg[3] == "bitwise" and { bitwise = true, block = 64 } or nil)
local e = cluster.elbow(X, { kmin = 2, kmax = 5, init = arg[2], seed = 6, silhouette = 400 })
for _, key in ipairs { "inertia", "silhouette", "calinski_harabasz", "davies_bouldin" } do
  local t = {}
  for i, v in ipairs(e[key]) do t[i] = string.format("%.17g", v) end
  dist.print(key .. " " .. table.concat(t, ","))
end
dist.print("knee " .. e.best.knee)
dist.print("best_silhouette " .. e.best.silhouette)
dist.print("silhouette_rows " .. e.silhouette_rows)
-- every rank holds the same result
local all = dist.allgather(string.format("%.17g", e.davies_bouldin[3]))
local same = true
for _, v in ipairs(all) do same = same and v == all[1] end
dist.print("ranks_agree " .. tostring(same))

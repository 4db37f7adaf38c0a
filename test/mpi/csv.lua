-- test/mpi/csv.lua PATH - dist.load of a CSV file under mpirun (test/lua/test_dist.lua):
-- rank 0 prints the column means, the first correlation-PCA eigenvalue and K-Means iterations.
local X = dist.load(arg[1])
local s = X:colstats()
local p = stats.pca(X)
local km = cluster.kmeans(X, 3, { init = mat.from { { 5.0, 3.4, 1.5, 0.2 }, { 5.9, 2.8, 4.4, 1.4 }, { 6.9, 3.1, 5.8, 2.1 } } })
dist.print(string.format("n %d", s.n))
for j = 1, 4 do dist.print(string.format("mean%d %.7f", j, s.mean[j])) end
dist.print(string.format("eig1 %.7f", p.eigenvalues[1]))
dist.print(string.format("sizes %s", table.concat(km.sizes, ",")))

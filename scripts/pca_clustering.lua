-- scripts/pca_clustering.lua - exercise 4.1: PCA, K-Means, hierarchical
-- clustering and cluster profiles on iris (then the same pipeline on wine).
-- Run: build/mlsh scripts/pca_clustering.lua
-- Charts come from the plot module when it is present; tables always print.
local root = mlsh.root or "."
local has_plot = plot and plot.scatter

local function section(title) print("\n" .. string.rep("=", 72) .. "\n" .. title .. "\n" .. string.rep("=", 72)) end
local function show(chart_fn, ...)
  if not has_plot then return end
  local ok, c = pcall(chart_fn, ...)
  if ok and c then print(c) elseif not ok then print("(chart skipped: " .. tostring(c) .. ")") end
end

local function analyse(path, class_col, k_final)
  local df = data.read_csv(root .. "/" .. path)
  section("Data: " .. path)
  print(df:describe())
  local X = df:matrix()
  local truth = df:col(class_col)

  section("Correlation PCA")
  local p = stats.pca(df)
  p:summary { top = 5 }
  show(plot.scree, p)
  show(plot.circle, p)

  section("K-Means on the first two principal components, K = 2..7")
  local Z = p.ind.coord:cols_select { 1, 2 }
  local e = cluster.elbow(Z, { kmin = 2, kmax = 7, nstart = 10, seed = 42 })
  print(e)
  show(plot.elbow, e)

  section(string.format("K-Means K = %d on the PCA plane: validation and %s x cluster", k_final, class_col))
  local km = cluster.kmeans(Z, k_final, { nstart = 10, seed = 42 })
  print(km)
  -- auto takes Hartigan-Wong (R's default) on a fit this small; Lloyd from the same seeds, for comparison
  local lloyd = cluster.kmeans(Z, k_final, { nstart = 10, seed = 42, algorithm = "lloyd" })
  print(string.format("algorithm %s: inertia %.4f; lloyd: inertia %.4f", km.algorithm, km.inertia, lloyd.inertia))
  print(string.format("silhouette %.4f   Davies-Bouldin %.4f   Calinski-Harabasz %.2f   purity %.4f   ARI %.4f   NMI %.4f",
    cluster.silhouette(Z, km.labels).mean, cluster.davies_bouldin(Z, km.labels),
    cluster.calinski_harabasz(Z, km.labels), cluster.purity(truth, km.labels),
    cluster.ari(truth, km.labels), cluster.nmi(truth, km.labels)))
  print(cluster.crosstab(truth, km.labels))
  show(plot.scatter, Z, { group = km.labels, centers = km.centers, title = "K-Means on Dim.1 x Dim.2" })

  section(string.format("Ward clustering (standardised variables), cut at %d", k_final))
  local Xs = p.ind.coord   -- all components of a correlation PCA = the standardised data, rotated
  local h = cluster.hclust(Xs, { method = "ward" })
  local hl = h:cut(k_final)
  print(string.format("cophenetic correlation %.4f; top merge heights %.3f, %.3f, %.3f", h:cophenetic(),
    h.height[h.n - 1], h.height[h.n - 2], h.height[h.n - 3]))
  print(cluster.crosstab(truth, hl))
  print(string.format("agreement with K-Means: ARI %.4f", cluster.ari(km.labels, hl)))
  show(plot.dendrogram, h, { k = k_final })

  section("Cluster profiles (K-Means clusters)")
  print(cluster.profile(df, km.labels))

  section("The data with its coordinates and clusters as columns (augment)")
  local scored = km:augment(p:augment(df))   -- .PC1.. then a .cluster factor, one row per input row
  print(scored:select(class_col, ".PC1", ".PC2", ".cluster"):head(5))
end

analyse("datasets/iris.csv", "species", 3)
analyse("datasets/wine.csv", "cultivar", 3)

-- scripts/tour.lua - a non-interactive tour of the mat and data modules on iris.
-- Run: build/mlsh scripts/tour.lua
local root = mlsh.root or "."
local function section(title) print(("\n== %s %s"):format(title, ("="):rep(math.max(0, 70 - #title)))) end

section("This machine")
print(("%d threads by default (mlsh.cores), OpenBLAS kernels %s (mlsh.blas_core)"):format(mlsh.cores(), mlsh.blas_core()))

section("Reading datasets/iris.csv")
local df = data.read_csv(root .. "/datasets/iris.csv")
print(df:head(5))
section("describe()")
print(df:describe())

section("Numeric columns as a Matrix")
local X = df:matrix()
print(X:slice(1, 5))
print("column means:"); print(X:mean(1))
print("column sds (n - 1, as R):"); print(X:std(1))

section("Correlation matrix")
print(X:cor())

section("Standardize, then SVD (dgesdd): PCA by hand")
local Z = X:standardize()
local U, s, V = Z:svd()
local n = X:rows()
local eig = (s * s) / (n - 1)
print("eigenvalues of the correlation matrix (R prcomp: 2.918498 0.914030 0.146757 0.020715):")
print(eig)
print("loadings (columns = components):"); print(V)

section("Setosa only (the species' groups) and the species counts")
print(df:count("species"))
local by_species = df:group_by("species"):group_split()   -- in key order: setosa, versicolor, virginica
local setosa = by_species[1]
print(("setosa: %d flowers, mean petal length %.3f"):format(setosa:nrow(), setosa:matrix{"petal_length"}:mean()))

section("Do setosa and versicolor sepals differ in width? (Welch's t test, as R's t.test)")
local versicolor = by_species[2]
print(stats.t_test(setosa:col("sepal_width"), versicolor:col("sepal_width")))
print(("95 %% quantile of t(10): %.6f (R: qt(0.975, 10) = 2.228139)"):format(stats.qt(0.975, 10)))
local pv = {}
for _, col in ipairs { "sepal_length", "sepal_width", "petal_length", "petal_width" } do
  pv[#pv + 1] = stats.t_test(setosa:col(col), versicolor:col(col)).p_value
end
print("four t tests, Holm-adjusted p-values (R's p.adjust): " .. table.concat(mat.format(stats.p_adjust(pv), { digits = 3 }), " "))
print(stats.cor_test(df:col("petal_length"), df:col("petal_width")))
local wide = {}
local sepal_width = df:col("sepal_width")
for i = 1, df:nrow() do wide[i] = sepal_width[i] > 3 and "wide" or "narrow" end
print(stats.chisq_test(df:col("species"), wide))
print("sepal width quartiles (R's quantile, type 7): " .. table.concat(mat.format(stats.quantile(df:col("sepal_width"))), " "))

section("Rank and distribution tests, one-way ANOVA (as R's wilcox.test, shapiro.test, ks.test, aov, TukeyHSD)")
print(stats.wilcox_test(setosa:col("sepal_width"), versicolor:col("sepal_width"), { conf_int = true }))
print(stats.cor_test(df:col("petal_length"), df:col("petal_width"), { method = "spearman" }))
print(stats.shapiro_test(setosa:col("sepal_width")))
print(stats.ks_test(setosa:col("sepal_length"), versicolor:col("sepal_length")))
print(stats.fisher_test(df:col("species"), wide))
local fit = stats.aov(df:col("sepal_width"), df:col("species"), { names = { "species" } })
print(fit)
print(stats.tukey_hsd(fit))
print("the four p-values, Hommel-adjusted: " .. table.concat(mat.format(stats.p_adjust(pv, { method = "hommel" }), { digits = 3 }), " "))

section("Linear algebra")
local A = mat.from{{4, 7}, {2, 6}}
print("A ="); print(A)
print("A:inv() ="); print(A:inv())
print("A:det() =", A:det())
print("A:solve{1, 2} ="); print(A:solve(mat.from{1, 2}))

section("Files")
local tmp = os.tmpname()
X:save(tmp .. ".npy")
print(("saved %s.npy, read back %dx%d"):format(tmp, mat.load(tmp .. ".npy"):shape()))
os.remove(tmp .. ".npy"); os.remove(tmp)
print("\nType `help()` at the mlsh> prompt for every module and function.")

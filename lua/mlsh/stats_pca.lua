-- lua/mlsh/stats_pca.lua - stats.pca on top of the C core (stats._pca):
-- accepts DataFrames, names the variables, prints FactoMineR-style tables.
local M, mlsh = ...
local data, doc = mlsh.data, mlsh.doc
local PCA = M.PCA
local methods = PCA.__index
local cpca = M._pca

-- Fields also answer FactoMineR-style dotted names: p["var.coord"] == p.var.coord.
PCA.__index = function(p, k)
  local m = methods[k]
  if m ~= nil or type(k) ~= "string" then return m end
  local a, b = k:match("^(%a+)%.(%a+)$")
  local t = a and rawget(p, a)
  return type(t) == "table" and t[b] or nil
end

local function fmt(v, d) return string.format("%." .. (d or 3) .. "f", v) end

-- The C fit checks every option (its spec is stats.pca's, names included).
M.pca = doc(function(X, opts)
  local p = cpca(X, opts)
  local names = type(opts) == "table" and opts.names or nil
  if not names and data and getmetatable(X) == data.DataFrame then names = X:numeric_names() end
  if names and #names ~= p.p then
    error(string.format("stats.pca: option 'names' has %d names for %d columns", #names, p.p), 0)
  end
  if not names then
    names = {}
    for j = 1, p.p do names[j] = "V" .. j end
  end
  p.names = names
  return p
end, "stats.pca", "stats.pca(X [, opts])",
  "Principal component analysis as FactoMineR's PCA. X: Matrix or DataFrame (its numeric columns).\n" ..
  "A correlation PCA (scale = true) scales the columns by their population sd; a zero-variance column is an\n" ..
  "error naming it. Eigenvalues are the variances of the components with weights summing to 1 (the 1/n\n" ..
  "convention of FactoMineR; prcomp and scikit-learn use 1/(n-1): same ratios). A MappedMatrix (mat.mmap,\n" ..
  "dist.load) goes to X:pca: the same fit from the streamed covariance, without per-row fields. Sign convention: each\n" ..
  "component's largest-|loading| entry is positive.\n" ..
  "Returns a PCA table: eig (components x 3: eigenvalue, % of variance, cumulative %), eigenvalues,\n" ..
  "explained (ratios), ind = {coord, cos2, contrib} (n x ncomp), var = {coord, cos2, contrib} (p x ncomp;\n" ..
  "for a correlation PCA var.coord are the variable-component correlations), loadings (unit vectors),\n" ..
  "center, scale, names, sup = {ind = {coord, cos2}, var = {coord, cos2}}; methods p:transform(Xnew),\n" ..
  "p:summary(), p:frame() and p:augment(df) (the coordinates as frame columns).\n" ..
  "Example: p = stats.pca(data.read_csv(\"datasets/iris.csv\")); p:summary()")

-- The eigenvalue table with the Kaiser rule (eigenvalue above the mean eigenvalue, 1 when scaled).
local function eig_rows(p)
  local mean = p.total_inertia / p.p
  local rows = {}
  for k = 1, p.eig:rows() do
    rows[k] = { "Dim." .. k, fmt(p.eig:get(k, 1)), fmt(p.eig:get(k, 2), 2), fmt(p.eig:get(k, 3), 2),
      p.eig:get(k, 1) > mean and "*" or "" }
  end
  return rows
end

local function dims(p) return math.min(p.ncomp, 3) end

-- Rows for coord / contrib / cos2 of a set (var or ind) over the first dims.
local function coord_rows(p, set, names, pick)
  local rows = {}
  for _, i in ipairs(pick) do
    local r = { names[i] }
    for k = 1, dims(p) do
      r[#r + 1] = fmt(set.coord:get(i, k))
      if set.contrib then r[#r + 1] = fmt(set.contrib:get(i, k), 2) end
      r[#r + 1] = fmt(set.cos2:get(i, k))
    end
    rows[#rows + 1] = r
  end
  return rows
end

local function coord_header(p, first, with_contrib)
  local h = { first }
  for k = 1, dims(p) do
    h[#h + 1] = "Dim." .. k
    if with_contrib then h[#h + 1] = "ctr" end
    h[#h + 1] = "cos2"
  end
  return h
end

local function right_all(n) local r = {} for j = 2, n do r[j] = true end return r end

mlsh.declare_options("PCA:summary", {
  { "top", "int", 10, min = 1, doc = "individuals listed (the largest contributions to Dim.1)" },
  { "print", "bool", true, doc = "print the text (it is returned either way)" },
  { "sup_names", "table", doc = "names of the supplementary variables (default sup1, sup2...)" },
})

methods.summary = doc(function(p, opts)
  if getmetatable(p) ~= PCA then
    local mt = getmetatable(p)
    local got = type(mt) == "table" and type(mt.__name) == "string" and mt.__name or type(p)
    error("PCA:summary: argument 'self' must be a PCA (got " .. got .. ")", 0)
  end
  opts = mlsh.check_options("PCA:summary", opts)
  local top = opts.top
  local tt = data.text_table
  local out = {}
  out[#out + 1] = string.format("PCA (%s, %d individuals, %d variables, %d components; solver %s)\n",
    p.scaled and "correlation" or "covariance", p.n, p.p, p.ncomp, p.method)
  out[#out + 1] = "Eigenvalues (* = Kaiser: above the mean eigenvalue)"
  out[#out + 1] = tt({ "", "eigenvalue", "% of var.", "cumulative %", "" }, eig_rows(p), right_all(4))
  local all = {}
  for j = 1, p.p do all[j] = j end
  out[#out + 1] = "\nVariables (coord, contribution %, cos2)"
  local h = coord_header(p, "", true)
  out[#out + 1] = tt(h, coord_rows(p, p.var, p.names, all), right_all(#h))
  -- Individuals with the largest contributions to Dim.1 (a fit streamed from a mapped matrix has none).
  if p.ind then
    local idx = {}
    for i = 1, p.n do idx[i] = i end
    table.sort(idx, function(a, b) return p.ind.contrib:get(a, 1) > p.ind.contrib:get(b, 1) end)
    local pick = {}
    for i = 1, math.min(top, p.n) do pick[i] = idx[i] end
    local inames = {}
    for _, i in ipairs(pick) do inames[i] = tostring(i) end
    out[#out + 1] = string.format("\nIndividuals: the %d largest contributions to Dim.1", #pick)
    out[#out + 1] = tt(coord_header(p, "row", true), coord_rows(p, p.ind, inames, pick), right_all(#h))
  end
  if p.sup and p.sup.var then
    local sn = {}
    for j = 1, p.sup.var.coord:rows() do sn[j] = (opts.sup_names or {})[j] or ("sup" .. j) end
    local sj = {}
    for j = 1, #sn do sj[j] = j end
    out[#out + 1] = "\nSupplementary variables (coord, cos2)"
    local hs = coord_header(p, "", false)
    out[#out + 1] = tt(hs, coord_rows(p, p.sup.var, sn, sj), right_all(#hs))
  end
  local text = table.concat(out, "\n")
  if opts.print == false then return text end
  print(text)   -- and nothing back, so the shell shows the report once
end, "PCA:summary", "p:summary([opts])",
  "Prints FactoMineR-style tables: eigenvalues with % of variance, cumulative % and the Kaiser rule;\n" ..
  "variables' coordinates, contributions (%) and cos2 on the first 3 dimensions; the individuals with the\n" ..
  "largest contributions to Dim.1; supplementary variables when present. Returns nothing; with\n" ..
  "print = false, prints nothing and returns the text.\n" ..
  "Example: stats.pca(X):summary{top=5}")

function PCA.__tostring(p)
  local parts = {}
  for k = 1, math.min(p.eig:rows(), 6) do
    parts[#parts + 1] = string.format("%s (%.1f%%)", fmt(p.eig:get(k, 1)), p.eig:get(k, 2))
  end
  return string.format("PCA(%s, n=%d, p=%d, ncomp=%d, %s; eigenvalues %s%s)", p.scaled and "correlation" or "covariance",
    p.n, p.p, p.ncomp, p.method, table.concat(parts, ", "), p.eig:rows() > 6 and ", ..." or "")
end

-- ---- the individuals' coordinates as frame columns ----------------------------------

local function check_pca(fname, p)
  if getmetatable(p) ~= PCA then error(fname .. ": argument 'self' must be a PCA", 0) end
  if not p.ind then error(fname .. ": this PCA has no individuals (it was fitted from a streamed matrix)", 0) end
end

-- One spec per component: prefix .. k, the coordinates of column k.
local function score_specs(p, prefix)
  local coord, specs = p.ind.coord, {}
  for k = 1, coord:cols() do
    local v = {}
    for i = 1, coord:rows() do v[i] = coord:get(i, k) end
    specs[k] = { name = prefix .. k, values = v }
  end
  return specs
end

methods.frame = doc(function(p, df)
  local fname = "PCA:frame"
  check_pca(fname, p)
  return data._result_frame(fname, df, p.ind.coord:rows(), score_specs(p, "PC"))
end, "PCA:frame", "p:frame([df])",
  "The individuals' coordinates (p.ind.coord, prcomp's x up to the scale of the eigenvalues) as a DataFrame\n" ..
  "with columns PC1..PCk. Given df, the frame the PCA was fitted on, its rows line up with df's: rows that\n" ..
  "na = \"omit\" dropped get NA (R's na.exclude).\n" ..
  "Example: stats.pca(df, {ncomp = 2}):frame()")

methods.augment = doc(function(p, df)
  local fname = "PCA:augment"
  check_pca(fname, p)
  return data._augment(fname, df, p.ind.coord:rows(), score_specs(p, ".PC"))
end, "PCA:augment", "p:augment(df)",
  "df (the DataFrame the PCA was fitted on) with the coordinates as columns .PC1...PCk (broom's augment\n" ..
  "of a prcomp fit: .fittedPC1...). Rows that na = \"omit\" dropped get NA, so the rows line up with df's.\n" ..
  "Example: p = stats.pca(iris); p:augment(iris):select(\"Species\", \".PC1\", \".PC2\")")

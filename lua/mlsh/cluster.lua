-- lua/mlsh/cluster.lua - printing for the clustering results and the
-- cluster profile report (numbers from the C core: cluster._profile).
local M, mlsh = ...
local data, doc = mlsh.data, mlsh.doc

local function tt(...) return data.text_table(...) end
local function num(v, d)
  if v ~= v then return "NA" end
  return string.format("%." .. (d or 4) .. "f", v)
end
local function right_from(j0, n) local r = {} for j = j0, n do r[j] = true end return r end

M.Elbow.__tostring = function(e)
  local rows = {}
  for i, k in ipairs(e.k) do
    rows[i] = { tostring(k), num(e.inertia[i], 2), num(e.silhouette[i]), num(e.calinski_harabasz[i], 1),
      num(e.davies_bouldin[i]) }
  end
  local s = tt({ "k", "inertia", "silhouette", "calinski_h", "davies_b" }, rows, right_from(1, 5))
  local note = e.silhouette_rows == 0 and " (silhouette not computed)" or ""
  return s .. string.format("\nbest k: %s by silhouette, %d by the inertia knee (Kneedle)%s",
    e.best.silhouette and tostring(e.best.silhouette) or "-", e.best.knee, note)
end

M.Silhouette.__tostring = function(s)
  local rows = {}
  for i, c in ipairs(s.by_cluster) do rows[i] = { tostring(c.label), tostring(c.size), num(c.mean) } end
  return string.format("mean silhouette %.6f\n", s.mean) ..
    tt({ "cluster", "size", "mean silhouette" }, rows, right_from(2, 3))
end

M.Crosstab.__tostring = function(c)
  local t = c.table
  local header = { "" }
  for j, v in ipairs(c.cols) do header[j + 1] = tostring(v) end
  header[#header + 1] = "total"
  local rows, colsum = {}, {}
  for i, v in ipairs(c.rows) do
    local r, s = { tostring(v) }, 0
    for j = 1, #c.cols do
      local x = t:get(i, j)
      r[j + 1] = string.format("%d", x)
      s = s + x
      colsum[j] = (colsum[j] or 0) + x
    end
    r[#r + 1] = string.format("%d", s)
    rows[i] = r
  end
  local last, tot = { "total" }, 0
  for j = 1, #c.cols do last[j + 1] = string.format("%d", colsum[j]); tot = tot + colsum[j] end
  last[#last + 1] = string.format("%d", tot)
  rows[#rows + 1] = last
  return tt(header, rows, right_from(2, #header))
end

-- Most frequent values of a string column within the rows of each cluster.
local function top_values(col, codes, k, top)
  local out = {}
  for c = 1, k do
    local counts, n = {}, 0
    for i, v in ipairs(codes) do
      if v == c then
        local key = (col[i] == false or col[i] == nil) and "NA" or tostring(col[i])
        counts[key] = (counts[key] or 0) + 1
        n = n + 1
      end
    end
    local list = {}
    for key, cnt in pairs(counts) do list[#list + 1] = { key, cnt } end
    table.sort(list, function(a, b) return a[2] > b[2] or (a[2] == b[2] and a[1] < b[1]) end)
    local parts = {}
    for i = 1, math.min(top, #list) do
      parts[i] = string.format("%s %.0f%%", list[i][1], 100 * list[i][2] / n)
    end
    out[c] = table.concat(parts, ", ")
  end
  return out
end

local Profile = { __name = "Profile" }
Profile.__index = Profile
M.Profile = Profile

mlsh.declare_options("cluster.profile", {
  { "alpha", "number", 0.05, min = 0, max = 1, min_open = true, max_open = true,
    doc = "variables with a v-test p-value below alpha are characteristic" },
  { "top", "int", 3, min = 1, doc = "most frequent values shown per string column" },
  { "names", "table", doc = "names of the variables (default: a data frame's, else V1, V2...)" },
})

M.profile = doc(function(X, labels, opts)
  local fname = "cluster.profile"
  opts = mlsh.check_options(fname, opts)
  local names, strings = nil, {}
  if data and getmetatable(X) == data.DataFrame then
    names = X:numeric_names()
    for _, n in ipairs(X:names()) do
      if not X:is_numeric(n) then strings[#strings + 1] = { n, X:col(n) } end
    end
  end
  local r = M._profile(X, labels)   -- checks X (a frame: its numeric columns) and labels
  names = opts.names or names
  if names and #names ~= r.mean:cols() then
    error(string.format("%s: option 'names' has %d names for %d columns", fname, #names, r.mean:cols()), 0)
  end
  if not names then
    names = {}
    for j = 1, r.mean:cols() do names[j] = "V" .. j end
  end
  -- cluster codes 1..k in the order of r.clusters, for the string columns
  local pos, codes = {}, {}
  for c, v in ipairs(r.clusters) do pos[v] = c end
  for i, v in ipairs(labels) do codes[i] = pos[v] end
  r.names, r.alpha, r.n = names, opts.alpha, #labels
  r.categorical = {}
  for _, s in ipairs(strings) do
    r.categorical[#r.categorical + 1] = { name = s[1], top = top_values(s[2], codes, #r.clusters, opts.top) }
  end
  return setmetatable(r, Profile)
end, "cluster.profile", "cluster.profile(df_or_X, labels [, opts])",
  "Describes each cluster: size and share, mean and sd of each numeric variable, the difference to the\n" ..
  "overall mean in sd units, and the variables that characterise it by FactoMineR catdes' v-test\n" ..
  "(mean_k - mean) / sqrt(s^2 / n_k * (N - n_k) / (N - 1)) with its two-sided p-value, sorted by v-test\n" ..
  "(those with p < alpha are listed as characteristic). String columns of a DataFrame are summarised by\n" ..
  "their `top` most frequent values per cluster. labels: integers from 1 or strings, one per row.\n" ..
  "Returns a Profile (fields mean, sd, vtest, pvalue: clusters x variables Matrices; sizes; clusters; names)\n" ..
  "that prints as a report.\nExample: print(cluster.profile(df, km.labels))")

function Profile.__tostring(r)
  local out = {}
  local p = #r.names
  for c, lab in ipairs(r.clusters) do
    local n = r.sizes[c]
    out[#out + 1] = string.format("Cluster %s: %d rows (%.1f%%)", tostring(lab), n, 100 * n / r.n)
    local idx = {}
    for j = 1, p do idx[j] = j end
    table.sort(idx, function(a, b) return r.vtest:get(c, a) > r.vtest:get(c, b) end)
    local rows = {}
    for _, j in ipairs(idx) do
      local gsd = r.overall_sd:get(1, j)
      local diff = gsd > 0 and (r.mean:get(c, j) - r.overall_mean:get(1, j)) / gsd or 0
      local pv = r.pvalue:get(c, j)
      rows[#rows + 1] = { r.names[j], num(r.mean:get(c, j), 3), num(r.sd:get(c, j), 3), num(r.overall_mean:get(1, j), 3),
        string.format("%+.2f", diff), string.format("%+.2f", r.vtest:get(c, j)),
        pv < 1e-4 and string.format("%.1e", pv) or num(pv, 4), pv < r.alpha and "*" or "" }
    end
    out[#out + 1] = tt({ "variable", "mean", "sd", "overall", "diff/sd", "v-test", "p-value", "" }, rows, right_from(2, 7))
    for _, cat in ipairs(r.categorical) do
      out[#out + 1] = string.format("  %s: %s", cat.name, cat.top[c])
    end
    out[#out + 1] = ""
  end
  out[#out + 1] = string.format("(* = characteristic: p < %g; diff/sd = (mean - overall) / overall sd)", r.alpha)
  return table.concat(out, "\n")
end

-- ---- cluster labels as frame columns ----------------------------------------------

-- The .cluster column of labels 1..k: a factor with levels "1".."k" (broom's augment).
local function cluster_column(labels, k)
  local levels, values = {}, {}
  for c = 1, k do levels[c] = tostring(c) end
  for i, v in ipairs(labels) do values[i] = tostring(v) end
  return { name = ".cluster", values = values, type = "categorical", levels = levels }
end

local function max_label(labels)
  local k = 0
  for _, v in ipairs(labels) do if v > k then k = v end end
  return k
end

M.KMeans.__methods.augment = doc(function(km, df)
  local fname = "KMeans:augment"
  if getmetatable(km) ~= M.KMeans then error(fname .. ": argument 'self' must be a KMeans result", 0) end
  return data._augment(fname, df, #km.labels, { cluster_column(km.labels, km.k) })
end, "KMeans:augment", "km:augment(df)",
  "df (the DataFrame the clusters were fitted on) with a column .cluster: each row's cluster as a factor\n" ..
  "with levels \"1\"..\"k\", as broom's augment(kmeans, data). Rows that na = \"omit\" dropped get NA\n" ..
  "(R's na.exclude), so the rows line up with df's. km.labels stays the plain array.\n" ..
  "Example: km = cluster.kmeans(df, 3, {seed = 1}); km:augment(df):count(\".cluster\")")

M.HClust.__methods.augment = doc(function(h, df, k)
  local fname = "HClust:augment"
  if getmetatable(h) ~= M.HClust then error(fname .. ": argument 'self' must be an HClust result", 0) end
  local ok, labels = pcall(h.cut, h, k)
  if not ok then error((tostring(labels):gsub("^HClust:cut:", fname .. ":")), 0) end
  return data._augment(fname, df, #labels, { cluster_column(labels, max_label(labels)) })
end, "HClust:augment", "h:augment(df, k | {k=} | {height=})",
  "df (the DataFrame the tree was built on) with a column .cluster: h:cut(...)'s labels as a factor with\n" ..
  "levels \"1\"..\"k\" (numbered by first appearance, as cutree). Rows that na = \"omit\" dropped get NA,\n" ..
  "so the rows line up with df's.\n" ..
  "Example: cluster.hclust(df, {method = \"ward\"}):augment(df, 3)")

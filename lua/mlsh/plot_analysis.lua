-- lua/mlsh/plot_analysis.lua - the charts of analysis results: dendrogram
-- (cluster.hclust), PCA correlation circle, scree and biplot (stats.pca),
-- ACF and forecast (ts), photos and galleries (image). Loaded by plot.lua
-- as a chunk called with (M, mlsh, H), H holding plot.lua's input helpers.
local M, mlsh, H = ...
local fmt = string.format
local NAN = 0 / 0
local fail, check_opts, declare, vec, rows_of, column = H.fail, H.check_opts, H.declare, H.vec, H.rows_of, H.column
local same_length, seq, field, strings, new_chart = H.same_length, H.seq, H.field, H.strings, H.new_chart
local basename, range_of = H.basename, H.range_of
local vector = require("mlsh.vec")

-- ---- dendrogram ----

-- merge / height / order as R's hclust: merge row s joins two nodes
-- (negative = leaf, positive = earlier merge).
declare("plot.dendrogram", {
  { "k", "int", min = 1, doc = "colour the tree cut into k clusters" },
  { "horizontal", "bool", false, doc = "leaves on the left" },
  { "labels", "table", doc = "leaf names (default: the tree's labels)" },
})
function M.dendrogram(h, opts)
  local fname = "plot.dendrogram"
  opts = check_opts(fname, opts)
  if type(h) ~= "table" and type(h) ~= "userdata" then fail(fname, "argument 'h' must be a cluster.hclust result (got %s)", type(h)) end
  local merge = field(h, "merge")
  if merge == nil then fail(fname, "argument 'h' has no 'merge' field") end
  local mr, nm, mc = rows_of(fname, "h.merge", merge)
  if mc ~= 2 then fail(fname, "argument 'h.merge' must have 2 columns (got %d)", mc) end
  local height = vec(fname, "h.height", field(h, "height"))
  if #height ~= nm then fail(fname, "argument 'h.height' has %d values for %d merges", #height, nm) end
  local n = nm + 1
  local order = field(h, "order")
  order = order and vec(fname, "h.order", order) or seq(1, n)
  if #order ~= n then fail(fname, "argument 'h.order' has %d leaves, expected %d", #order, n) end
  local labels = opts.labels or field(h, "labels")
  labels = labels and strings(fname, "labels", labels, n)
  local k = opts.k
  if k ~= nil and (type(k) ~= "number" or k < 1 or k > n or k ~= math.floor(k)) then
    fail(fname, "option 'k' must be an integer between 1 and %d (got %s)", n, tostring(k))
  end
  local pos = {}
  for i, leaf in ipairs(order) do pos[math.tointeger(leaf) or leaf] = i end
  local nx, ny = {}, {}   -- node position: merges by index, leaves by -index
  local function node(v)
    if v < 0 then
      local p = pos[-v]
      if p == nil then fail(fname, "argument 'h.merge' refers to leaf %d, not in 'h.order'", -v) end
      return p, 0
    end
    if nx[v] == nil then fail(fname, "argument 'h.merge' row refers to later merge %d", v) end
    return nx[v], ny[v]
  end
  -- cluster colour per merge for k: the merges below the cut start clusters
  local colour = {}
  local cut = k and k > 1 and nm - k + 1 or nil  -- merges > cut are above the cut line
  for s = 1, nm do
    local a, b = math.tointeger(mr[s][1]), math.tointeger(mr[s][2])
    if a == nil or b == nil then fail(fname, "argument 'h.merge' has a non-integer entry in row %d", s) end
    local xa, ya = node(a)
    local xb, yb = node(b)
    nx[s], ny[s] = (xa + xb) / 2, height[s]
  end
  local groups = {}  -- colour index -> list of merges
  if cut then
    local next_colour = 0
    local roots = {}
    for s = nm, cut + 1, -1 do
      for _, v in ipairs({ mr[s][1], mr[s][2] }) do
        if v > 0 and v <= cut then roots[#roots + 1] = math.tointeger(v) end
      end
    end
    table.sort(roots, function(a, b) return nx[a] < nx[b] end)
    for _, r in ipairs(roots) do
      next_colour = next_colour + 1
      local stack = { r }
      while #stack > 0 do
        local s = table.remove(stack)
        colour[s] = next_colour
        for _, v in ipairs({ mr[s][1], mr[s][2] }) do if v > 0 then stack[#stack + 1] = math.tointeger(v) end end
      end
    end
  end
  local horiz = opts.horizontal == true
  for s = 1, nm do
    local xa, ya = node(mr[s][1])
    local xb, yb = node(mr[s][2])
    local g = colour[s] or 0
    groups[g] = groups[g] or { {}, {} }
    local px, py = groups[g][1], groups[g][2]
    for _, pt in ipairs({ { xa, ya }, { xa, height[s] }, { xb, height[s] }, { xb, yb }, { NAN, NAN } }) do
      if horiz then px[#px + 1], py[#py + 1] = pt[2], pt[1] else px[#px + 1], py[#py + 1] = pt[1], pt[2] end
    end
  end
  opts.ylabel = opts.ylabel or (not horiz and "height" or nil)
  opts.xlabel = opts.xlabel or (horiz and "height" or nil)
  opts.title = opts.title or "Dendrogram"
  local c = new_chart(fname, opts)
  -- leaf labels only when they fit (one row each, or a few characters each)
  local cols = opts.width or M._term()
  local names = {}
  local widest = 0
  for i, leaf in ipairs(order) do
    names[i] = labels and labels[leaf] or tostring(math.tointeger(leaf) or leaf)
    widest = math.max(widest, #names[i])
  end
  local fits
  if horiz then fits = n <= (opts.height or select(2, M._term()) - 6)
  else fits = n * (widest + 1) <= cols - 8 end
  if fits then
    if horiz then c:axes { ynames = names, yreverse = true } else c:axes { xnames = names } end
  else
    if horiz then c:axes { ylim = { 0.5, n + 0.5 }, yhidden = true } else c:axes { xlim = { 0.5, n + 0.5 }, xhidden = true } end
  end
  for g = 0, 99 do
    if groups[g] then
      c:lines(groups[g][1], groups[g][2], { color = g == 0 and (cut and "gray" or opts.color or 1) or g })
    end
  end
  if cut then
    local y = cut >= 1 and (height[cut] + height[math.min(cut + 1, nm)]) / 2 or height[1] / 2
    if horiz then c:lines({ y, y }, { 0.5, n + 0.5 }, { color = "red", dash = true, label = "cut: k = " .. k })
    else c:lines({ 0.5, n + 0.5 }, { y, y }, { color = "red", dash = true, label = "cut: k = " .. k }) end
  end
  return c
end

-- ---- PCA: circle, scree, biplot ----

-- Percent of variance per dimension from p.eig (n x 3 as FactoMineR, or eigenvalues).
local function eig_percent(fname, p)
  local eig = field(p, "eig", "eigenvalues")
  if eig == nil then return nil end
  local r, nr, nc = rows_of(fname, "p.eig", eig)
  local vals, pct = {}, {}
  if nc >= 2 and nr > 1 then
    for i = 1, nr do vals[i], pct[i] = r[i][1], r[i][2] end
  else
    vals = vec(fname, "p.eig", eig)
    local tot = 0
    for _, v in ipairs(vals) do tot = tot + v end
    for i, v in ipairs(vals) do pct[i] = tot > 0 and 100 * v / tot or 0 end
  end
  return vals, pct
end

local function dim_label(pct, d)
  return pct and pct[d] and fmt("Dim %d (%.2f%%)", d, pct[d]) or ("Dim " .. d)
end

local function var_names(p, n)
  local names = field(p, "var_names", "var.names", "names", "colnames", "variables")
  local out = {}
  for i = 1, n do out[i] = names and names[i] and tostring(names[i]) or ("V" .. i) end
  return out
end

local function pca_dims(fname, opts, ncomp)
  local d = opts.axes or { 1, 2 }
  if type(d) ~= "table" or #d ~= 2 then fail(fname, "option 'axes' must be {d1, d2}") end
  for _, v in ipairs(d) do
    if type(v) ~= "number" or v < 1 or v > ncomp or v ~= math.floor(v) then
      fail(fname, "option 'axes' must name two of the %d components (got %s)", ncomp, tostring(v))
    end
  end
  return d[1], d[2]
end

declare("plot.circle", {
  { "axes", "table", "{1, 2}", doc = "the two dimensions {d1, d2}" },
  { "names", "table", doc = "variable names" },
})
function M.circle(p, opts)
  local fname = "plot.circle"
  opts = check_opts(fname, opts)
  local coord = field(p, "var.coord", "var_coord")
  if coord == nil then fail(fname, "argument 'p' must be a stats.pca result with 'var.coord'") end
  local vc, nv, ncomp = rows_of(fname, "p[\"var.coord\"]", coord)
  if ncomp < 2 then fail(fname, "argument 'p' needs at least 2 components (got %d)", ncomp) end
  local d1, d2 = pca_dims(fname, opts, ncomp)
  local cos2 = field(p, "var.cos2", "var_cos2")
  local c2 = cos2 and rows_of(fname, "p[\"var.cos2\"]", cos2)
  local _, pct = eig_percent(fname, p)
  local names = opts.names and strings(fname, "names", opts.names, nv) or var_names(p, nv)
  opts.title = opts.title or "Variables - PCA (correlation circle)"
  opts.xlabel, opts.ylabel = opts.xlabel or dim_label(pct, d1), opts.ylabel or dim_label(pct, d2)
  opts.xlim, opts.ylim = opts.xlim or { -1.15, 1.15 }, opts.ylim or { -1.15, 1.15 }
  local c = new_chart(fname, opts)
  c:axes { equal = true }
  local cx, cy = {}, {}
  for i = 0, 120 do cx[#cx + 1], cy[#cy + 1] = math.cos(i * math.pi / 60), math.sin(i * math.pi / 60) end
  c:lines(cx, cy, { color = "gray" })
  c:lines({ -1, 1, NAN, 0, 0 }, { 0, 0, NAN, -1, 1 }, { color = "gray", dash = true })
  -- three cos2 classes, so that the legend reads without colour
  local bins = { { 0, 0.5, "cos2 < 0.5", "#4E79A7" }, { 0.5, 0.8, "cos2 0.5-0.8", "#F28E2B" }, { 0.8, 1.01, "cos2 >= 0.8", "#E15759" } }
  for _, b in ipairs(bins) do
    local ax, ay, tx, ty, tl, right = {}, {}, {}, {}, {}, {}
    for j = 1, nv do
      local q = c2 and (c2[j][d1] + c2[j][d2]) or (vc[j][d1] ^ 2 + vc[j][d2] ^ 2)
      if q >= b[1] and q < b[2] then
        local x, y = vc[j][d1], vc[j][d2]
        for _, v in ipairs({ 0, x, NAN }) do ax[#ax + 1] = v end
        for _, v in ipairs({ 0, y, NAN }) do ay[#ay + 1] = v end
        tx[#tx + 1], ty[#ty + 1], tl[#tl + 1] = x, y, names[j]
      end
    end
    if #ax > 0 then
      c:lines(ax, ay, { arrow = true, color = b[4], label = b[3] })
      c:text(tx, ty, tl, { color = b[4] })
    end
  end
  return c
end

declare("plot.scree", { { "n", "int", 10, min = 1, doc = "number of dimensions shown" } })
function M.scree(p, opts)
  local fname = "plot.scree"
  opts = check_opts(fname, opts)
  local vals, pct
  if type(p) == "table" and getmetatable(p) == nil and type(p[1]) == "number" or (mlsh.mat and mlsh.mat.is and mlsh.mat.is(p)) then
    vals, pct = eig_percent(fname, { eig = p })
  else
    vals, pct = eig_percent(fname, p)
  end
  if not vals then fail(fname, "argument 'p' must be a stats.pca result or a vector of eigenvalues") end
  local n = math.min(#pct, opts.n or 10)
  local names, v = {}, {}
  for i = 1, n do names[i], v[i] = "Dim " .. i, pct[i] end
  opts.n = nil
  opts.title = opts.title or "Scree plot"
  opts.ylabel = opts.ylabel or "% of variance"
  local c = M.bar(v, names, { labels = "%.1f%%", title = opts.title, ylabel = opts.ylabel, xlabel = opts.xlabel,
    width = opts.width, height = opts.height, color = opts.color, ylim = opts.ylim })
  c:lines(seq(1, n), v, { color = "gray", marker = M._ascii() and "o" or "•" })
  return c
end

declare("plot.biplot", {
  { "axes", "table", "{1, 2}", doc = "the two dimensions {d1, d2}" },
  { "group", "any", doc = "a label per row: one colour per group" },
  { "group_names", "table", doc = "legend names of the groups" },
  { "names", "table", doc = "variable names" },
})
function M.biplot(p, opts)
  local fname = "plot.biplot"
  opts = check_opts(fname, opts)
  local ind = field(p, "ind.coord", "ind_coord")
  local var = field(p, "var.coord", "var_coord")
  if ind == nil or var == nil then fail(fname, "argument 'p' must be a stats.pca result with 'ind.coord' and 'var.coord'") end
  local ic, ni, ncomp = rows_of(fname, "p[\"ind.coord\"]", ind)
  local vc, nv = rows_of(fname, "p[\"var.coord\"]", var)
  if ncomp < 2 then fail(fname, "argument 'p' needs at least 2 components (got %d)", ncomp) end
  local d1, d2 = pca_dims(fname, opts, ncomp)
  local _, pct = eig_percent(fname, p)
  local names = opts.names and strings(fname, "names", opts.names, nv) or var_names(p, nv)
  local x, y = column(ic, d1), column(ic, d2)
  local c = M.scatter(x, y, { group = opts.group, group_names = opts.group_names, title = opts.title or "PCA biplot",
    xlabel = opts.xlabel or dim_label(pct, d1), ylabel = opts.ylabel or dim_label(pct, d2), width = opts.width,
    height = opts.height, xlim = opts.xlim, ylim = opts.ylim, color = opts.color, legend = opts.legend, equal = true })
  -- arrows scaled so that the longest reaches 80 % of the individuals' spread
  local mi, mv = 0, 0
  for i = 1, ni do mi = math.max(mi, math.abs(x[i]), math.abs(y[i])) end
  for j = 1, nv do mv = math.max(mv, math.abs(vc[j][d1]), math.abs(vc[j][d2])) end
  local s = mv > 0 and 0.8 * mi / mv or 1
  local ax, ay, tx, ty = {}, {}, {}, {}
  for j = 1, nv do
    for _, v in ipairs({ 0, vc[j][d1] * s, NAN }) do ax[#ax + 1] = v end
    for _, v in ipairs({ 0, vc[j][d2] * s, NAN }) do ay[#ay + 1] = v end
    tx[j], ty[j] = vc[j][d1] * s, vc[j][d2] * s
  end
  c:lines(ax, ay, { arrow = true, color = "red" })
  c:text(tx, ty, names, { color = "red" })
  return c
end

-- ---- time series: acf, forecast ----

declare("plot.acf", {
  { "band", "number", doc = "half-width of the significance band (default: from the result, or 1.96/sqrt(n))" },
  { "n", "int", min = 1, doc = "series length, for the band" },
  { "lag0", "bool", doc = "the values start at lag 0 (default: detected)" },
})
function M.acf(values, opts)
  local fname = "plot.acf"
  opts = check_opts(fname, opts)
  local lags
  if type(values) == "table" and (values.acf ~= nil or values.values ~= nil) then
    -- a ts.acf / ts.pacf result
    opts.band = opts.band or values.band or values.ci
    opts.n = opts.n or values.n or values.nobs
    lags = values.lags and vec(fname, "values.lags", values.lags)
    if values.kind and not opts.title then opts.title = tostring(values.kind):upper() end
    values = values.acf or values.values
  end
  local v = vec(fname, "values", values)
  if not lags then
    local first = opts.lag0
    if first == nil then first = math.abs(v[1] - 1) < 1e-12 end
    lags = seq(first and 0 or 1, #v - (first and 1 or 0))
  end
  same_length(fname, lags, "lags", v, "values")
  local band = opts.band
  if band == nil and opts.n then band = 1.96 / math.sqrt(opts.n) end
  if band ~= nil and (type(band) ~= "number" or band ~= band or band < 0) then
    fail(fname, "option 'band' must be a non-negative number (got %s)", tostring(band))
  end
  opts.title = opts.title or "Autocorrelation"
  opts.xlabel, opts.ylabel = opts.xlabel or "lag", opts.ylabel or "ACF"
  local lo, hi = range_of(v)
  if not opts.ylim then
    local m = math.max(math.abs(lo), math.abs(hi), band or 0, 0.1)
    opts.ylim = { math.min(lo, -(band or 0), 0) - 0.05 * m, math.max(hi, band or 0) + 0.05 * m }
  end
  local c = new_chart(fname, opts)
  local sx, sy = {}, {}
  for i = 1, #v do
    for _, p in ipairs({ { lags[i], 0 }, { lags[i], v[i] }, { NAN, NAN } }) do sx[#sx + 1], sy[#sy + 1] = p[1], p[2] end
  end
  local l0, l1 = lags[1], lags[#lags]
  c:lines({ l0, l1 }, { 0, 0 }, { color = "gray" })
  c:lines(sx, sy, { color = opts.color or 1 })
  c:points(lags, v, { color = opts.color or 1, marker = M._ascii() and "o" or "•" })
  if band then
    c:lines({ l0, l1, NAN, l0, l1 }, { band, band, NAN, -band, -band }, { color = "red", dash = true,
      label = opts.legend ~= false and fmt("95%% band (+/-%.3f)", band) or nil })
  end
  return c
end

-- fc.lower / fc.upper: h x L (one column per level), {[80]=v, [95]=v}, or one vector.
local function interval_cols(fname, arg, v, levels)
  if v == nil then return {} end
  if type(v) == "table" and v[1] == nil then
    local out = {}
    for _, lv in ipairs(levels) do if v[lv] then out[#out + 1] = vec(fname, arg .. "[" .. lv .. "]", v[lv]) end end
    return out
  end
  local r, nr, nc = rows_of(fname, arg, v)
  if nr == 1 or nc == 1 then return { vec(fname, arg, v) } end
  local out = {}
  for j = 1, nc do out[j] = column(r, j) end
  return out
end

declare("plot.forecast", {
  { "start", "number", "the series' own, else 1", doc = "time of the first observation" },
  { "frequency", "number", "the series' own, else 1", min = 0, min_open = true, doc = "observations per unit of time" },
})
function M.forecast(history, fc, opts)
  local fname = "plot.forecast"
  opts = check_opts(fname, opts)
  if type(history) == "table" and getmetatable(history) == nil and history[1] == nil and history.values then
    history = history.values   -- {values = ...}
  end
  local hist, axis = vector.numbers(history, fname, "history")   -- NaN allowed: gaps
  if type(fc) ~= "table" then fail(fname, "argument 'fc' must be a forecast {mean=, lower=, upper=} (got %s)", type(fc)) end
  local mean = vec(fname, "fc.mean", fc.mean)
  local levels = fc.level and (type(fc.level) == "number" and { fc.level } or fc.level) or { 80, 95 }
  local lower = interval_cols(fname, "fc.lower", fc.lower, levels)
  local upper = interval_cols(fname, "fc.upper", fc.upper, levels)
  if #lower ~= #upper then fail(fname, "fc.lower and fc.upper have different numbers of levels") end
  -- a Series' own time axis unless the options give one
  local start, freq = opts.start or (axis and axis.start) or 1, opts.frequency or (axis and axis.freq) or 1
  if type(start) ~= "number" or type(freq) ~= "number" or freq <= 0 then
    fail(fname, "options 'start' and 'frequency' must be numbers (frequency > 0)")
  end
  local function t(i) return start + (i - 1) / freq end
  local n, h = #hist, #mean
  local hx, fx = {}, {}
  for i = 1, n do hx[i] = t(i) end
  for i = 1, h do fx[i] = t(n + i) end
  opts.title = opts.title or "Forecast"
  local c = new_chart(fname, opts)
  -- widest interval first (lighter), so that the narrower one shades over it
  local idx = seq(1, #lower)
  table.sort(idx, function(a, b) return (levels[a] or a) > (levels[b] or b) end)
  for rank, j in ipairs(idx) do
    same_length(fname, mean, "fc.mean", lower[j], "fc.lower")
    same_length(fname, mean, "fc.mean", upper[j], "fc.upper")
    c:band(fx, lower[j], upper[j], { color = "blue", shade = rank == 1 and 1 or 2,
      label = levels[j] and (math.tointeger(levels[j]) or levels[j]) .. "% interval" or nil })
  end
  c:lines(hx, hist, { color = "black", label = "observed" })
  -- join the forecast to the last observation
  local mx, my = { hx[n] }, { hist[n] }
  for i = 1, h do mx[i + 1], my[i + 1] = fx[i], mean[i] end
  c:lines(mx, my, { color = "blue", label = "forecast" })
  return c
end

-- ---- images ----

local function load_image(fname, img)
  if type(img) == "string" then
    local load = mlsh.image and mlsh.image.load
    if not load then fail(fname, "cannot read \"%s\": the image module is not available", img) end
    local ok, r = pcall(load, img)
    if not ok then fail(fname, "%s", tostring(r)) end
    return r
  end
  return img
end

mlsh.declare_options("plot.image", {
  { "title", "string", doc = "title (default: the file name)" },
  { "width", "int", "terminal", min = 10, max = 2000, doc = "width in cells" },
  { "height", "int", "fits the terminal", min = 3, max = 1000, doc = "height in cells" },
})
function M.image(img, opts)
  local fname = "plot.image"
  opts = check_opts(fname, opts)
  if img == nil then fail(fname, "argument 'img' is missing (an Image or a file path)") end
  local title = opts.title or (type(img) == "string" and basename(img) or nil)
  local c = M.figure { width = opts.width, height = opts.height }
  c:axes { title = title }
  c:image(load_image(fname, img))
  return c
end

mlsh.declare_options("plot.gallery", {
  { "per_row", "int", "min(n, 4)", min = 1, doc = "images per row" },
  { "captions", "table", doc = "a caption per image (default: file names)" },
}, "plot.image")
function M.gallery(paths, opts)
  local fname = "plot.gallery"
  opts = check_opts(fname, opts)
  if type(paths) ~= "table" or #paths == 0 then fail(fname, "argument 'paths' must be a non-empty array of images or paths") end
  local n = #paths
  local per = opts.per_row or math.min(n, 4)
  if type(per) ~= "number" or per < 1 or per ~= math.floor(per) then fail(fname, "option 'per_row' must be a positive integer") end
  per = math.min(per, n)
  local captions = strings(fname, "captions", opts.captions, n)
  local rows = math.ceil(n / per)
  local cols_term = M._term()
  local w = opts.width or cols_term
  -- each thumbnail roughly square: a cell is about twice as tall as wide
  local h = opts.height or rows * math.max(6, math.floor((w / per - 2) / 2) + 2) + (opts.title and 1 or 0)
  local c = M.figure { title = opts.title, rows = rows, cols = per, width = w, height = h }
  for i = 1, n do
    local p = paths[i]
    c:axes { panel = i, title = captions and captions[i] or (type(p) == "string" and basename(p) or ("image " .. i)) }
    c:image(load_image(fname, p), { panel = i })
  end
  return c
end

-- ---- documentation ----

local D = {
  { "dendrogram", "plot.dendrogram(h, {k=, horizontal=false, labels=, ...})",
    "Dendrogram of a cluster.hclust result (merge, height, order, labels as R); leaf labels when they\n" ..
    "fit; k draws the cut line and colours the k branches. Returns a Chart.\n" ..
    "Example: plot.dendrogram(cluster.hclust(X), {k=3})" },
  { "circle", "plot.circle(p, {axes={1, 2}, names=, ...})",
    "PCA correlation circle: the unit circle and one arrow per variable, coloured by cos2 on the two\n" ..
    "axes. Returns a Chart.\nExample: plot.circle(stats.pca(X))" },
  { "scree", "plot.scree(p, {n=10, ...})",
    "Scree plot: percentage of variance per dimension (bars with values and a line). p is a stats.pca\n" ..
    "result or a vector of eigenvalues. Returns a Chart.\nExample: plot.scree(stats.pca(X))" },
  { "biplot", "plot.biplot(p, {axes={1, 2}, group=, group_names=, names=, ...})",
    "PCA biplot: individuals (coloured by group) and the variables as arrows scaled to the cloud.\n" ..
    "Returns a Chart.\nExample: plot.biplot(p, {group=species})" },
  { "acf", "plot.acf(values, {band=, n=, lag0=, ...})",
    "Autocorrelation stems with a confidence band at +/-band (or 1.96/sqrt(n)); values may be an ACF\n" ..
    "vector (from lag 0 when it starts with 1) or a table {acf=, lags=, band=}. Returns a Chart.\n" ..
    "Example: plot.acf(ts.acf(y, 24), {n=#y})" },
  { "forecast", "plot.forecast(history, fc, {start=1, frequency=1, ...})",
    "The observed series and a forecast {mean=, lower=, upper=, level=} with shaded 80/95 % intervals\n" ..
    "(lower/upper: one column per level, or {[80] =, [95] =}). history and the forecast's vectors may be\n" ..
    "Lua arrays, Matrix columns or ts.series; a series sets the time axis (its start and frequency) unless\n" ..
    "start/frequency are given (1949, 12). Returns a Chart.\n" ..
    "Example: fit = ts.arima(ts.log(y), {order={0,1,1}, seasonal={0,1,1}}); plot.forecast(ts.log(y), fit:forecast(24))" },
  { "image", "plot.image(img or path, {title=, width=, height=})",
    "A photo in truecolor half blocks (256-colour fallback, shades without colour). Returns a Chart.\n" ..
    "Example: plot.image(\"../shared/data/flower_photos/roses/12240303_80d87f77a3_n.jpg\")" },
  { "gallery", "plot.gallery(paths, {per_row=4, captions=, title=, width=, height=})",
    "A grid of thumbnails (images or paths) with captions (file names by default). Returns a Chart.\n" ..
    "Example: plot.gallery(files, {per_row=5})" },
}
for _, d in ipairs(D) do M[d[1]] = mlsh.doc(M[d[1]], "plot." .. d[1], d[2], d[3]) end

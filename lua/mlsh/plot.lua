-- lua/mlsh/plot.lua - the chart functions (plot.scatter, plot.line, ...).
-- Each checks its input, turns analysis results (PCA, elbow, hclust,
-- forecasts, confusion matrices) into layers of a plot.figure Chart, and
-- returns the Chart; the C side draws it in the terminal, as SVG, or in a
-- dashboard. Vectors may be Lua arrays, Matrix columns or rows, ts.series
-- or DataFrame columns alike (lua/mlsh/vec.lua).
local M, mlsh = ...
local doc = mlsh.doc
local fmt = string.format
local NAN = 0 / 0

-- ---- checks and conversions ----

local function fail(fname, msg, ...) error(fname .. ": " .. fmt(msg, ...), 0) end

-- Options, declared once per chart (mlsh.declare_options): the common
-- ones in "plot._chart", which every chart takes.
mlsh.declare_options("plot._chart", {
  { "title", "string", doc = "chart title" },
  { "xlabel", "string", doc = "x axis label" },
  { "ylabel", "string", doc = "y axis label" },
  { "width", "int", "terminal", min = 10, max = 2000, doc = "width in cells" },
  { "height", "int", "fits the terminal", min = 3, max = 1000, doc = "height in cells" },
  { "xlim", "table", doc = "{min, max} of the x axis" },
  { "ylim", "table", doc = "{min, max} of the y axis" },
  { "log", "any", doc = "logarithmic axes: \"x\", \"y\" or \"xy\"" },
  { "color", "any", doc = "\"#rrggbb\", a colour name, or a palette index" },
  { "legend", "bool", true, doc = "false: no legend" },
})
local function declare(fname, entries, base)
  mlsh.declare_options(fname, entries, base or "plot._chart")
end
local check_opts = mlsh.check_options

local function is_array_like(v)
  return type(v) == "table" and getmetatable(v) == nil or (mlsh.mat and mlsh.mat.is and mlsh.mat.is(v))
end

local vector = require("mlsh.vec")

local function kind(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__name or nil
end

-- A numeric vector (a Lua array, a Matrix column or row, a ts.series, a
-- DataFrame column: see lua/mlsh/vec.lua) as a Lua array; rejects
-- non-finite values unless allow_nan.
local function vec(fname, arg, v, allow_nan)
  local t = vector.numbers(v, fname, arg)
  if not allow_nan then
    for i = 1, #t do
      local x = t[i]
      if x ~= x or x == math.huge or x == -math.huge then
        fail(fname, "argument '%s' has a non-finite value (%s) at %d", arg, tostring(x), i)
      end
    end
  end
  return t
end

-- A matrix as an array of rows (a Series or a frame's column is a vector,
-- a frame of numeric columns a matrix).
local function rows_of(fname, arg, v)
  local k = kind(v)
  if k == "Series" or k == "Column" then v = vector.numbers(v, fname, arg)
  elseif k == "DataFrame" then v = v:ncol() == 1 and vector.numbers(v, fname, arg) or v:matrix() end
  local t, r, c = M._totable(v, fname, arg)
  if r == 1 or c == 1 then
    if c == 1 and r > 1 then local o = {} for i = 1, #t do o[i] = { t[i] } end return o, r, 1 end
    return { t }, 1, #t
  end
  return t, r, c
end

local function column(rows, j)
  local o = {}
  for i = 1, #rows do o[i] = rows[i][j] end
  return o
end

local function same_length(fname, a, an, b, bn)
  if #a ~= #b then fail(fname, "arguments '%s' and '%s' have different lengths (%d and %d)", an, bn, #a, #b) end
end

local function seq(a, b) local t = {} for i = a, b do t[#t + 1] = i end return t end

-- The first present field among names; "var.coord" is also looked up as
-- t.var.coord (results nest their tables or flatten the names).
local function field(t, ...)
  local function get(o, k)
    if type(o) ~= "table" and type(o) ~= "userdata" then return nil end
    local ok, v = pcall(function() return o[k] end)
    return ok and v or nil
  end
  for _, k in ipairs({ ... }) do
    local v = get(t, k)
    if v == nil and type(k) == "string" and k:find(".", 1, true) then
      v = t
      for part in k:gmatch("[^.]+") do v = get(v, part) end
    end
    if v ~= nil then return v end
  end
  return nil
end

local function strings(fname, arg, v, n)
  if v == nil then return nil end
  if type(v) ~= "table" then fail(fname, "option '%s' must be an array of names (got %s)", arg, type(v)) end
  if n and #v ~= n then fail(fname, "option '%s' has %d names, expected %d", arg, #v, n) end
  local o = {}
  for i = 1, #v do o[i] = tostring(v[i]) end
  return o
end

-- plot.figure with the common options applied to panel 1.
local function new_chart(fname, opts, fig)
  fig = fig or {}
  fig.width, fig.height = opts.width, opts.height
  if fig.rows == nil or fig.rows * (fig.cols or 1) == 1 then fig.title = fig.title or nil end
  for _, k in ipairs({ "xlim", "ylim" }) do
    local l = opts[k]
    if l ~= nil and (type(l) ~= "table" or type(l[1]) ~= "number" or type(l[2]) ~= "number" or not (l[1] < l[2])
        or l[1] == -math.huge or l[2] == math.huge) then
      fail(fname, "option '%s' must be {min, max} with finite min < max", k)
    end
  end
  local c = M.figure(fig)
  local log = opts.log
  if log ~= nil and log ~= "x" and log ~= "y" and log ~= "xy" and log ~= true then
    fail(fname, "option 'log' must be \"x\", \"y\" or \"xy\" (got %s)", tostring(log))
  end
  c:axes { title = opts.title, xlabel = opts.xlabel, ylabel = opts.ylabel, xlim = opts.xlim, ylim = opts.ylim,
    xlog = log == "x" or log == "xy" or nil, ylog = log == "y" or log == "xy" or log == true or nil }
  return c
end

local function basename(p) return (tostring(p):match("([^/]+)$") or tostring(p)) end

-- Group labels -> ordered unique keys and, per key, the indices.
local function groups_of(fname, g, n)
  if type(g) ~= "table" and not (mlsh.mat and mlsh.mat.is and mlsh.mat.is(g)) then
    fail(fname, "option 'group' must be an array of labels (got %s)", type(g))
  end
  local vals = {}
  if type(g) == "table" and getmetatable(g) == nil then
    for i = 1, #g do vals[i] = g[i] end
  else
    vals = vec(fname, "group", g)
  end
  if #vals ~= n then fail(fname, "option 'group' has %d labels for %d points", #vals, n) end
  local keys, idx = {}, {}
  for i, v in ipairs(vals) do
    if idx[v] == nil then idx[v] = {}; keys[#keys + 1] = v end
    table.insert(idx[v], i)
  end
  local numeric = true
  for _, k in ipairs(keys) do if type(k) ~= "number" then numeric = false end end
  if numeric then table.sort(keys) end
  return keys, idx
end

local function pick(t, idx) local o = {} for i, k in ipairs(idx) do o[i] = t[k] end return o end

local function range_of(t)
  local lo, hi = math.huge, -math.huge
  for _, v in ipairs(t) do if v == v then lo = math.min(lo, v); hi = math.max(hi, v) end end
  return lo, hi
end

-- Quartiles (R's default type 7, computed by the core) of an array.
local function quartiles(t)
  local q = mlsh.data.quantiles(mlsh.mat.from(t), { 0.25, 0.5, 0.75 })
  return q[1], q[2], q[3]
end

local function sorted(t) local s = {} for i = 1, #t do s[i] = t[i] end table.sort(s) return s end

-- ---- scatter ----

declare("plot.scatter", {
  { "group", "any", doc = "a label per point: one colour (and glyph) per group, with a legend" },
  { "group_names", "table", doc = "legend names of the groups" },
  { "labels", "table", doc = "point names (all up to 30 points, else the 8 most extreme)" },
  { "centers", "matrix", doc = "k x 2 centres, marked" },
  { "marker", "string", doc = "a glyph per point instead of braille dots" },
  { "equal", "bool", false, doc = "equal scaling of x and y" },
})
-- plot.scatter(df, "x", "y", {color = "g"}): the columns of a frame, NA
-- rows left out (counted under the x axis), a column named by color as groups.
local function frame_scatter(fname, df, xn, yn, opts)
  if type(yn) ~= "string" then fail(fname, "argument 'y' must be a column name like 'x' (got %s)", type(yn)) end
  opts = opts or {}
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  local g
  for _, n in ipairs(df:names()) do if n == o.color then g = n end end
  local x, y = df:col(xn):matrix(), df:col(yn):matrix()
  local labels = g and df:col(g)
  local xs, ys, gs, skipped = {}, {}, {}, 0
  for i = 1, df:nrow() do
    local a, b = x[i], y[i]
    if a == a and b == b and (not labels or labels[i] ~= nil) then
      xs[#xs + 1], ys[#ys + 1] = a, b
      if labels then gs[#gs + 1] = tostring(labels[i]) end
    else
      skipped = skipped + 1
    end
  end
  if #xs == 0 then fail(fname, "no row has values in both '%s' and '%s'", xn, yn) end
  if g then o.color, o.group = nil, gs end
  o.xlabel = o.xlabel or xn
  o.ylabel = o.ylabel or yn
  if skipped > 0 then o.xlabel = string.format("%s (%d rows with NA left out)", o.xlabel, skipped) end
  return M.scatter(xs, ys, o)
end

function M.scatter(x, y, opts, frame_opts)
  local fname = "plot.scatter"
  if kind(x) == "DataFrame" and type(y) == "string" then return frame_scatter(fname, x, y, opts, frame_opts) end
  if y ~= nil and type(y) == "table" and getmetatable(y) == nil and #y == 0 and next(y) ~= nil then
    opts, y = y, nil   -- plot.scatter(X2, {opts}): the first two columns
  end
  opts = check_opts(fname, opts)
  if y == nil then
    local r, nr, nc = rows_of(fname, "x", x)
    if nc < 2 then fail(fname, "argument 'y' is missing (or give a matrix with two columns)") end
    x, y = column(r, 1), column(r, 2)
    for i = 1, nr do
      if x[i] ~= x[i] or y[i] ~= y[i] then fail(fname, "argument 'x' has a non-finite value at row %d", i) end
    end
  else
    x, y = vec(fname, "x", x), vec(fname, "y", y)
  end
  same_length(fname, x, "x", y, "y")
  local c = new_chart(fname, opts)
  c:axes { equal = opts.equal }
  if opts.group ~= nil then
    local keys, idx = groups_of(fname, opts.group, #x)
    local names = strings(fname, "group_names", opts.group_names, #keys)
    for i, k in ipairs(keys) do
      c:points(pick(x, idx[k]), pick(y, idx[k]), { color = i, marker = opts.marker,
        label = opts.legend ~= false and (names and names[i] or tostring(k)) or nil })
    end
  else
    c:points(x, y, { color = opts.color, marker = opts.marker })
  end
  if opts.labels ~= nil then
    local labels = strings(fname, "labels", opts.labels, #x)
    local keep = {}
    if #x <= 30 then keep = seq(1, #x)
    else
      -- a few points: the ones farthest from the centre
      local mx, my = 0, 0
      for i = 1, #x do mx = mx + x[i] / #x; my = my + y[i] / #x end
      local sx, sy = 0, 0
      for i = 1, #x do sx = sx + (x[i] - mx) ^ 2; sy = sy + (y[i] - my) ^ 2 end
      sx, sy = math.sqrt(sx / #x) + 1e-300, math.sqrt(sy / #x) + 1e-300
      local order = seq(1, #x)
      local d = {}
      for i = 1, #x do d[i] = ((x[i] - mx) / sx) ^ 2 + ((y[i] - my) / sy) ^ 2 end
      table.sort(order, function(a, b) return d[a] > d[b] end)
      for i = 1, 8 do keep[i] = order[i] end
    end
    c:text(pick(x, keep), pick(y, keep), pick(labels, keep))
  end
  if opts.centers ~= nil then
    local r, _, nc = rows_of(fname, "centers", opts.centers)
    if nc < 2 then fail(fname, "option 'centers' must be a k x 2 matrix") end
    c:points(column(r, 1), column(r, 2), { color = "black", marker = M._ascii() and "x" or "✖",
      label = opts.legend ~= false and "centers" or nil })
  end
  return c
end

function M._ascii() local _, _, _, _, uni = M._term() return not uni end

-- ---- line ----

-- ys: one vector, a list of vectors, or a matrix whose columns are series.
local function series_of(fname, ys)
  if type(ys) == "table" and getmetatable(ys) == nil and type(ys[1]) ~= "number" and ys[1] ~= nil then
    local out = {}
    for i, s in ipairs(ys) do out[i] = vec(fname, "ys[" .. i .. "]", s, true) end
    return out
  end
  local r, nr, nc = rows_of(fname, "ys", ys)
  if nr == 1 or nc == 1 then return { vec(fname, "ys", ys, true) } end
  local out = {}
  for j = 1, nc do out[j] = column(r, j) end
  return out
end

declare("plot.line", {
  { "names", "table", doc = "legend names of the series" },
  { "markers", "bool", false, doc = "a marker at each point" },
  { "dash", "bool", false, doc = "dashed lines" },
})
function M.line(x, ys, opts)
  local fname = "plot.line"
  if ys == nil or (type(ys) == "table" and getmetatable(ys) == nil and next(ys) ~= nil and #ys == 0) then
    opts, ys, x = ys, x, nil
  end
  opts = check_opts(fname, opts)
  local series = series_of(fname, ys)
  local axis = kind(ys) == "Series" and select(2, vector.numbers(ys, fname, "ys"))
  if x == nil and axis then   -- a Series against its time: 1949, 1949.083, ...
    x = {}
    for i = 1, #series[1] do x[i] = axis.start + (i - 1) / axis.freq end
  elseif x == nil then
    x = seq(1, #series[1])
  else
    x = vec(fname, "x", x, true)
  end
  local names = strings(fname, "names", opts.names, #series)
  local c = new_chart(fname, opts)
  for i, s in ipairs(series) do
    same_length(fname, x, "x", s, #series > 1 and ("ys[" .. i .. "]") or "ys")
    local any = false
    for _, v in ipairs(s) do if v == v then any = true break end end
    if not any then fail(fname, "argument 'ys' has no finite value") end
    c:lines(x, s, { color = #series == 1 and opts.color or i, dash = opts.dash,
      marker = opts.markers and (M._ascii() and "o" or "•") or nil,
      label = opts.legend ~= false and (names and names[i] or (#series > 1 and ("series " .. i))) or nil })
  end
  return c
end

-- ---- elbow ----

declare("plot.elbow", { { "k", "int", "the knee / best silhouette", min = 1, doc = "the k to mark" } })
function M.elbow(e, opts)
  local fname = "plot.elbow"
  opts = check_opts(fname, opts)
  if type(e) ~= "table" and type(e) ~= "userdata" then fail(fname, "argument 'e' must be a cluster.elbow result (got %s)", type(e)) end
  local ks = vec(fname, "e.k", field(e, "k", "ks"))
  local inertia = vec(fname, "e.inertia", field(e, "inertia", "wss"))
  same_length(fname, ks, "e.k", inertia, "e.inertia")
  local sil = field(e, "silhouette")
  sil = sil and vec(fname, "e.silhouette", sil, true)
  -- the knee of the inertia curve is marked on the left, the best silhouette on the right
  local knee, best_sil = opts.k, opts.k
  if opts.k == nil then
    local b = field(e, "best")
    if type(b) == "number" then knee, best_sil = b, b
    elseif b ~= nil then
      knee = field(b, "knee", "kneedle", "inertia", 2)
      best_sil = field(b, "silhouette", 1)
      knee = knee or best_sil
    end
  end
  local two = sil ~= nil and #sil == #ks
  local c = M.figure { title = opts.title or "Elbow: choosing K", cols = two and 2 or 1,
    width = opts.width, height = opts.height }
  local ascii = M._ascii()
  local function panel(p, vals, ylabel, color, best, what)
    c:axes { panel = p, xlabel = opts.xlabel or "k (clusters)", ylabel = ylabel, xlim = opts.xlim }
    c:lines(ks, vals, { panel = p, color = color, marker = ascii and "o" or "•" })
    if best then
      for i, k in ipairs(ks) do
        if k == best and vals[i] == vals[i] then
          local lo, hi = range_of(vals)
          c:lines({ k, k }, { lo, hi }, { panel = p, color = "gray", dash = true })
          c:points({ k }, { vals[i] }, { panel = p, color = "red", marker = ascii and "*" or "◆",
            label = what .. "K = " .. (math.tointeger(k) or k) })
        end
      end
    end
  end
  panel(1, inertia, opts.ylabel or "inertia (within SS)", 1, knee, opts.k and "" or "knee: ")
  if two then panel(2, sil, "mean silhouette", 2, best_sil, opts.k and "" or "best: ") end
  return c
end

-- ---- bar ----

declare("plot.bar", {
  { "horizontal", "bool", false, doc = "horizontal bars" },
  { "group_names", "table", doc = "legend names of the groups (columns of a matrix of values)" },
  { "labels", "any", doc = "value labels: true, a format such as \"%.1f%%\", or an array of strings" },
})
function M.bar(values, names, opts)
  local fname = "plot.bar"
  if type(names) == "table" and getmetatable(names) == nil and #names == 0 and next(names) ~= nil then
    opts, names = names, nil
  end
  opts = check_opts(fname, opts)
  local series
  if type(values) == "table" and getmetatable(values) == nil and type(values[1]) == "table" then
    -- rows = categories, columns = groups (as a nested array)
    local r, nr, nc = rows_of(fname, "values", values)
    series = {}
    for j = 1, nc do series[j] = column(r, j) end
    if nr == 1 then series = { r[1] } end
  else
    local r, nr, nc = rows_of(fname, "values", values)
    if nr == 1 or nc == 1 then series = { vec(fname, "values", values) }
    else series = {} for j = 1, nc do series[j] = column(r, j) end end
  end
  local n, ng = #series[1], #series
  for j = 1, ng do
    for i = 1, n do
      local v = series[j][i]
      if v ~= v or v == math.huge or v == -math.huge then fail(fname, "argument 'values' has a non-finite value at %d", i) end
    end
  end
  names = strings(fname, "names", names, n) or (function() local t = {} for i = 1, n do t[i] = tostring(i) end return t end)()
  local gnames = strings(fname, "group_names", opts.group_names, ng)
  local horiz = opts.horizontal == true
  local c = new_chart(fname, opts)
  if horiz then c:axes { ynames = names, yreverse = true } else c:axes { xnames = names } end
  local w = 0.8 / ng
  local lo, hi = 0, 0
  for j = 1, ng do
    local a0, b0, a1, b1 = {}, {}, {}, {}
    for i = 1, n do
      local p0 = i - 0.4 + (j - 1) * w
      local v = series[j][i]
      lo, hi = math.min(lo, v), math.max(hi, v)
      if horiz then a0[i], a1[i], b0[i], b1[i] = 0, v, p0, p0 + w
      else a0[i], a1[i], b0[i], b1[i] = p0, p0 + w, 0, v end
    end
    c:rects(a0, b0, a1, b1, { horizontal = horiz, color = ng == 1 and opts.color or j,
      label = gnames and opts.legend ~= false and gnames[j] or nil })
  end
  if opts.labels then
    local f = type(opts.labels) == "string" and opts.labels or nil
    local tx, ty, tl = {}, {}, {}
    for j = 1, ng do
      for i = 1, n do
        local v = series[j][i]
        local p = i - 0.4 + (j - 0.5) * w
        tl[#tl + 1] = f and fmt(f, v) or (v == math.floor(v) and fmt("%d", v) or fmt("%.3g", v))
        if horiz then tx[#tx + 1], ty[#ty + 1] = v, p else tx[#tx + 1], ty[#ty + 1] = p, v end
      end
    end
    c:text(tx, ty, tl, { anchor = horiz and "left" or "center" })
    -- room for the labels past the longest bar
    local span = (hi - lo) > 0 and (hi - lo) or 1
    local lim = { lo < 0 and lo - 0.12 * span or 0, hi > 0 and hi + (horiz and 0.25 or 0.12) * span or 0 }
    if lim[2] <= lim[1] then lim[2] = lim[1] + 1 end
    if horiz then c:axes { xlim = opts.xlim or lim } else c:axes { ylim = opts.ylim or lim } end
  end
  return c
end

-- ---- hist ----

local function fd_bins(s)
  local n = #s
  local q1, _, q3 = quartiles(s)
  local iqr = q3 - q1
  local span = s[n] - s[1]
  if span <= 0 then return 1 end
  if iqr <= 0 then return math.ceil(math.log(n, 2) + 1) end  -- Sturges when the IQR is 0
  local h = 2 * iqr / n ^ (1 / 3)
  return math.max(1, math.min(200, math.ceil(span / h)))
end

declare("plot.hist", {
  { "bins", "any", "\"fd\"", doc = "number of bins, or \"fd\" (Freedman-Diaconis)" },
  { "density", "bool", false, doc = "densities instead of counts" },
})
function M.hist(x, opts)
  local fname = "plot.hist"
  opts = check_opts(fname, opts)
  if kind(x) == "Column" then   -- NA left out, and counted under the axis
    local all, kept = vec(fname, "x", x, true), {}
    for _, v in ipairs(all) do if v == v then kept[#kept + 1] = v end end
    if #kept == 0 then fail(fname, "argument 'x' has only NA values") end
    if #kept < #all then
      opts.xlabel = string.format("%s(%d NA left out)", opts.xlabel and opts.xlabel .. " " or "", #all - #kept)
    end
    x = kept
  end
  x = vec(fname, "x", x)
  local s = sorted(x)
  local n = #s
  local bins = opts.bins
  if bins == nil or bins == "fd" then bins = fd_bins(s)
  elseif bins == "sturges" then bins = math.ceil(math.log(n, 2) + 1)
  elseif type(bins) ~= "number" or bins < 1 or bins ~= math.floor(bins) or bins > 10000 then
    fail(fname, "option 'bins' must be a positive integer, \"fd\" or \"sturges\" (got %s)", tostring(bins))
  end
  local lo, hi = s[1], s[n]
  if hi == lo then lo, hi = lo - 0.5, hi + 0.5 end
  local w = (hi - lo) / bins
  local counts = {}
  for b = 1, bins do counts[b] = 0 end
  for _, v in ipairs(s) do
    local b = math.min(bins, math.floor((v - lo) / w) + 1)
    counts[b] = counts[b] + 1
  end
  local x0, x1, y0, y1 = {}, {}, {}, {}
  for b = 1, bins do
    x0[b], x1[b], y0[b] = lo + (b - 1) * w, lo + b * w, 0
    y1[b] = opts.density and counts[b] / (n * w) or counts[b]
  end
  opts.ylabel = opts.ylabel or (opts.density and "density" or "count")
  local c = new_chart(fname, opts)
  c:rects(x0, y0, x1, y1, { color = opts.color })
  return c
end

-- ---- box ----

declare("plot.box", { { "names", "table", doc = "names of the groups" } })
function M.box(groups, opts)
  local fname = "plot.box"
  opts = check_opts(fname, opts)
  local list, names = {}, {}
  if type(groups) == "table" and getmetatable(groups) == nil and #groups == 0 and next(groups) ~= nil then
    for k in pairs(groups) do names[#names + 1] = k end
    table.sort(names, function(a, b) return tostring(a) < tostring(b) end)
    for i, k in ipairs(names) do list[i] = vec(fname, "groups." .. tostring(k), groups[k]); names[i] = tostring(k) end
  elseif type(groups) == "table" and getmetatable(groups) == nil and type(groups[1]) ~= "number" and groups[1] ~= nil then
    for i, g in ipairs(groups) do list[i] = vec(fname, "groups[" .. i .. "]", g); names[i] = tostring(i) end
  else
    local r, nr, nc = rows_of(fname, "groups", groups)
    if nr == 1 or nc == 1 then list[1] = vec(fname, "groups", groups); names[1] = "1"
    else for j = 1, nc do list[j] = column(r, j); names[j] = tostring(j) end end
  end
  if #list == 0 then fail(fname, "argument 'groups' is empty") end
  names = strings(fname, "names", opts.names, #list) or names
  local c = new_chart(fname, opts)
  c:axes { xnames = names }
  local ox, oy = {}, {}
  for i, g in ipairs(list) do
    local s = sorted(g)
    local q1, med, q3 = quartiles(s)
    local iqr = q3 - q1
    local wlo, whi = med, med
    for _, v in ipairs(s) do
      if v >= q1 - 1.5 * iqr and v < wlo then wlo = v end
      if v <= q3 + 1.5 * iqr and v > whi then whi = v end
      if v < q1 - 1.5 * iqr or v > q3 + 1.5 * iqr then ox[#ox + 1], oy[#oy + 1] = i, v end
    end
    local col = opts.color or i
    c:rects({ i - 0.3 }, { q1 }, { i + 0.3 }, { q3 }, { fill = false, color = col })
    c:lines({ i - 0.3, i + 0.3, NAN, i, i, NAN, i, i, NAN, i - 0.15, i + 0.15, NAN, i - 0.15, i + 0.15 },
      { med, med, NAN, q3, whi, NAN, q1, wlo, NAN, whi, whi, NAN, wlo, wlo }, { color = col })
  end
  if #ox > 0 then c:points(ox, oy, { color = "gray", marker = "o" }) end
  return c
end

-- ---- heatmap, confusion ----

local function numfmt(v, f)
  if v ~= v then return "NaN" end
  if f then return fmt(f, v) end
  if v == math.floor(v) and math.abs(v) < 1e9 then return fmt("%d", v) end
  return fmt("%.2f", v)
end

declare("plot.heatmap", {
  { "rownames", "table", doc = "row names" },
  { "colnames", "table", doc = "column names" },
  { "annot", "any", doc = "true: the values in the cells; or rows*cols strings" },
  { "fmt", "string", doc = "format of the annotations (e.g. \"%.2f\")" },
  { "cmap", "enum", "seq", values = { "seq", "div", "confusion" }, doc = "colour map" },
  { "vmin", "number", doc = "value at the low end of the colours" },
  { "vmax", "number", doc = "value at the high end" },
  { "colorbar", "bool", true, doc = "draw the colour bar" },
})
function M.heatmap(m, opts)
  local fname = "plot.heatmap"
  opts = check_opts(fname, opts)
  local r, nr, nc = rows_of(fname, "M", m)
  local flat, annot = {}, nil
  for i = 1, nr do for j = 1, nc do flat[#flat + 1] = r[i][j] end end
  if opts.annot == true then
    annot = {}
    for k, v in ipairs(flat) do annot[k] = numfmt(v, opts.fmt) end
  elseif type(opts.annot) == "table" then
    annot = strings(fname, "annot", opts.annot, nr * nc)
  end
  local c = new_chart(fname, opts)
  local rn = strings(fname, "rownames", opts.rownames, nr) or (function() local t = {} for i = 1, nr do t[i] = tostring(i) end return t end)()
  local cn = strings(fname, "colnames", opts.colnames, nc) or (function() local t = {} for i = 1, nc do t[i] = tostring(i) end return t end)()
  c:axes { xnames = cn, ynames = rn, yreverse = true }
  c:heatmap(r, { annot = annot, cmap = opts.cmap, vmin = opts.vmin, vmax = opts.vmax, colorbar = opts.colorbar })
  return c
end

declare("plot.confusion", {
  { "normalize", "enum", "row", values = { "row", "all", "none" }, doc = "percentages per true class, of the total, or none" },
})
function M.confusion(cm, class_names, opts)
  local fname = "plot.confusion"
  if type(class_names) == "table" and getmetatable(class_names) == nil and #class_names == 0 and next(class_names) ~= nil then
    opts, class_names = class_names, nil
  end
  opts = check_opts(fname, opts)
  if type(cm) == "table" and cm.confusion ~= nil then   -- a learn.metrics result
    class_names = class_names or cm.classes or cm.labels or cm.class_names
    cm = cm.confusion
  end
  local r, nr, nc = rows_of(fname, "cm", cm)
  if nr ~= nc then fail(fname, "argument 'cm' must be square (got %dx%d)", nr, nc) end
  local norm = opts.normalize
  local total = 0
  for i = 1, nr do for j = 1, nc do
    local v = r[i][j]
    if v ~= v or v < 0 then fail(fname, "argument 'cm' has an invalid count (%s) at (%d,%d)", tostring(v), i, j) end
    total = total + v
  end end
  local frac, annot = {}, {}
  for i = 1, nr do
    local rs = 0
    for j = 1, nc do rs = rs + r[i][j] end
    frac[i] = {}
    for j = 1, nc do
      local v = r[i][j]
      local f = norm == "all" and (total > 0 and v / total or 0) or (rs > 0 and v / rs or 0)
      frac[i][j] = f
      annot[#annot + 1] = norm == "none" and numfmt(v) or (numfmt(v) .. "\n" .. fmt("%.1f%%", 100 * f))
    end
  end
  local names = strings(fname, "class_names", class_names, nr)
  if not names then names = {} for i = 1, nr do names[i] = tostring(i) end end
  opts.xlabel, opts.ylabel = opts.xlabel or "predicted", opts.ylabel or "true"
  opts.title = opts.title or "Confusion matrix"
  local c = new_chart(fname, opts)
  c:axes { xnames = names, ynames = names, yreverse = true }
  c:heatmap(frac, { annot = annot, cmap = "confusion", vmin = 0, vmax = 1, colorbar = false })
  return c
end

-- Helpers shared with lua/mlsh/plot_analysis.lua (the analysis charts).
local H = { fail = fail, check_opts = check_opts, declare = declare, vec = vec, rows_of = rows_of, column = column,
  same_length = same_length, seq = seq, field = field, strings = strings, new_chart = new_chart,
  basename = basename, range_of = range_of }

-- ---- documentation ----

local D = {
  { "scatter", "plot.scatter(x, y, {group=, group_names=, labels=, centers=, marker=, equal=, ...}) | plot.scatter(df, \"x\", \"y\" [, opts])",
    "Scatter plot with braille dots. x and y are vectors (or one n x 2 matrix, y omitted), or a DataFrame\n" ..
    "and two column names (axes named after them, rows with NA left out and counted under the x axis,\n" ..
    "color = a column name: one colour per value of that column); group = one\n" ..
    "label per point -> one colour (and, without colour, one glyph) per group with a legend; labels =\n" ..
    "point names (all when <= 30 points, else the 8 most extreme); centers = k x 2 matrix marked with a\n" ..
    "cross. Common options: title, xlabel, ylabel, width, height, xlim, ylim, log (\"x\", \"y\", \"xy\"),\n" ..
    "color, legend. Returns a Chart (printing it draws it).\n" ..
    "Example: plot.scatter(p[\"ind.coord\"], {group=species, group_names={\"setosa\", \"versicolor\", \"virginica\"}})" },
  { "line", "plot.line([x,] ys, {names=, markers=false, dash=false, ...})",
    "Line chart of one series (a vector) or several (a list of vectors, or the columns of a matrix); x\n" ..
    "defaults to 1..n; NaN leaves a gap. Returns a Chart.\nExample: plot.line({1, 2, 3}, {{1, 4, 9}, {1, 2, 3}}, {names={\"sq\", \"id\"}})" },
  { "elbow", "plot.elbow(e, {k=, ...})",
    "Inertia and mean silhouette by k from cluster.elbow, side by side; the knee (e.best.knee) is marked\n" ..
    "on the inertia curve and the best silhouette (e.best.silhouette) on the other, or option k on both.\n" ..
    "Returns a Chart.\nExample: plot.elbow(cluster.elbow(X, {kmax=8}))" },
  { "bar", "plot.bar(values, names, {horizontal=false, group_names=, labels=, ...})",
    "Bar chart; values is a vector, or a matrix (rows = categories, columns = groups) for grouped bars.\n" ..
    "labels = true or a format (\"%.1f%%\") prints the values. Returns a Chart.\n" ..
    "Example: plot.bar({0.95, 0.91}, {\"logistic\", \"svm\"}, {labels=\"%.2f\", horizontal=true})" },
  { "hist", "plot.hist(x, {bins=\"fd\", density=false, ...})",
    "Histogram; bins: a count, \"fd\" (Freedman-Diaconis, the default) or \"sturges\". A Column's NA are\n" ..
    "left out and counted under the axis. Returns a Chart.\n" ..
    "Example: plot.hist(iris.sepal_length)" },
  { "box", "plot.box(groups, {names=, ...})",
    "Box plots (median, quartiles, 1.5 IQR whiskers, outliers) of a list of vectors, a table name ->\n" ..
    "vector, or the columns of a matrix. Returns a Chart.\nExample: plot.box({a=x, b=y})" },
  { "heatmap", "plot.heatmap(M, {rownames=, colnames=, annot=, fmt=, cmap=\"seq\", vmin=, vmax=, colorbar=true, ...})",
    "Heat map with a colour bar; annot = true prints the values (fmt, e.g. \"%.2f\") or give rows*cols\n" ..
    "strings; cmap \"seq\" or \"div\" (for correlations). Returns a Chart.\n" ..
    "Example: plot.heatmap(mat.cor(X), {annot=true, cmap=\"div\", vmin=-1, vmax=1})" },
  { "confusion", "plot.confusion(cm, class_names, {normalize=\"row\", ...})",
    "Confusion matrix (rows = truth): counts and row percentages, the diagonal distinct (green; [n]\n" ..
    "without colour). cm may be a learn.metrics result. normalize \"row\", \"all\" or \"none\". Returns a Chart.\n" ..
    "Example: plot.confusion(m.confusion, {\"setosa\", \"versicolor\", \"virginica\"})" },
}
for _, d in ipairs(D) do M[d[1]] = doc(M[d[1]], "plot." .. d[1], d[2], d[3]) end

-- the analysis charts: dendrogram, circle, scree, biplot, acf, forecast, image, gallery
local path = package.searchpath("mlsh.plot_analysis", package.path)
if not path then error("plot: lua/mlsh/plot_analysis.lua not found", 0) end
assert(loadfile(path))(M, mlsh, H)

return M

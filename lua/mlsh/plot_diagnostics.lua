-- lua/mlsh/plot_diagnostics.lua - plot.diagnostics(fit): R's plot.lm
-- panels for a stats.lm or stats.glm fit (residuals vs fitted, normal
-- Q-Q, scale-location, residuals vs leverage with Cook's distance
-- contours), as one 2 x 2 Chart for the terminal or SVG.
local M, mlsh = ...
local doc = mlsh.doc

mlsh.declare_options("plot.diagnostics", {
  { "title", "string", doc = "figure title" },
  { "width", "int", "terminal", min = 10, max = 2000, doc = "width in cells" },
  { "height", "int", "fits the terminal", min = 3, max = 1000, doc = "height in cells" },
  { "max_points", "int", 20000, min = 100, doc = "points drawn at most (an even sample of the rows beyond)" },
  { "id_n", "int", 3, min = 0, max = 20, doc = "the most extreme points labelled by row, as R's id.n" },
})

local function values(v)
  local t = v:totable()
  if type(t[1]) == "table" then for i = 1, #t do t[i] = t[i][1] end end
  return t
end

-- Rows drawn: all, or an even sample of max of them.
local function sample(n, max)
  local idx = {}
  if n <= max then for i = 1, n do idx[i] = i end return idx end
  for k = 1, max do idx[k] = math.floor((k - 1) * n / max) + 1 end
  return idx
end

local function pick(x, idx)
  local o = {}
  for k, i in ipairs(idx) do o[k] = x[i] end
  return o
end

local function range(x)
  local lo, hi = math.huge, -math.huge
  for _, v in ipairs(x) do if v == v and v > -math.huge and v < math.huge then lo = math.min(lo, v); hi = math.max(hi, v) end end
  return lo, hi
end

-- Label the id_n rows of largest |score| with their row numbers, as R does.
local function label_extremes(c, p, x, y, score, idx, k)
  if k == 0 then return end
  local order = {}
  for j = 1, #idx do order[j] = j end
  table.sort(order, function(a, b) return math.abs(score[a]) > math.abs(score[b]) end)
  local xs, ys, ls = {}, {}, {}
  for j = 1, math.min(k, #order) do
    local o = order[j]
    xs[j], ys[j], ls[j] = x[o], y[o], tostring(idx[o])
  end
  c:text(xs, ys, ls, { panel = p, color = "red" })
end

local function qnorm_points(n)
  -- R's ppoints(n): (i - a) / (n + 1 - 2a), a = 3/8 for n <= 10, else 1/2
  local a = n <= 10 and 3 / 8 or 0.5
  local q = {}
  for i = 1, n do q[i] = stats.qnorm((i - a) / (n + 1 - 2 * a)) end
  return q
end

M.diagnostics = doc(function(fit, opts)
  local fname = "plot.diagnostics"
  local mt = getmetatable(fit)
  if mt ~= stats.LinearModel and mt ~= stats.GLM then
    error(fname .. ": argument 'fit' must be a fit of stats.lm or stats.glm (got " .. (mt and mt.__name or type(fit)) .. ")", 0)
  end
  opts = mlsh.check_options(fname, opts) or {}
  local glm = mt == stats.GLM
  local fitted = values(glm and fit.linear_predictors or fit.fitted)
  local resid, std, hat, cook = values(fit.residuals), values(fit.std_residuals), values(fit.hatvalues), values(fit.cooks_distance)
  local idx = sample(#fitted, opts.max_points or 20000)
  local f, r, s, h = pick(fitted, idx), pick(resid, idx), pick(std, idx), pick(hat, idx)
  local id_n = opts.id_n or 3
  local c = M.figure { title = opts.title or ("Diagnostics: " .. fit.formula), rows = 2, cols = 2,
    width = opts.width, height = opts.height }
  local xlab = glm and "Predicted values" or "Fitted values"
  -- 1. residuals vs fitted
  c:axes { panel = 1, title = "Residuals vs Fitted", xlabel = xlab, ylabel = "Residuals" }
  c:points(f, r, { panel = 1, color = 1 })
  local lo, hi = range(f)
  c:lines({ lo, hi }, { 0, 0 }, { panel = 1, color = "gray", dash = true })
  label_extremes(c, 1, f, r, r, idx, id_n)
  -- 2. normal Q-Q of the standardised residuals
  local order = {}
  for j = 1, #s do order[j] = j end
  table.sort(order, function(a, b) return s[a] < s[b] end)
  local q, sorted = qnorm_points(#s), {}
  for j, o in ipairs(order) do sorted[j] = s[o] end
  c:axes { panel = 2, title = "Normal Q-Q", xlabel = "Theoretical Quantiles", ylabel = "Std. residuals" }
  c:points(q, sorted, { panel = 2, color = 1 })
  -- qqline: through the quartiles
  local n = #sorted
  local function quart(t, pr) local k = math.max(1, math.min(n, math.floor(pr * (n - 1) + 1.5))) return t[k] end
  local y1, y3 = quart(sorted, 0.25), quart(sorted, 0.75)
  local x1, x3 = stats.qnorm(0.25), stats.qnorm(0.75)
  local slope = (y3 - y1) / (x3 - x1)
  local qlo, qhi = range(q)
  c:lines({ qlo, qhi }, { y1 + slope * (qlo - x1), y1 + slope * (qhi - x1) }, { panel = 2, color = "gray", dash = true })
  -- 3. scale-location
  local root = {}
  for j = 1, #s do root[j] = math.sqrt(math.abs(s[j])) end
  c:axes { panel = 3, title = "Scale-Location", xlabel = xlab, ylabel = "sqrt(|Std. residuals|)" }
  c:points(f, root, { panel = 3, color = 1 })
  label_extremes(c, 3, f, root, root, idx, id_n)
  -- 4. residuals vs leverage, Cook's distance 0.5 and 1 contours: r = +-sqrt(D p (1 - h) / h)
  -- the contours stay inside the range of the residuals, as R's plot.lm keeps them
  local slo, shi = range(s)
  local lim = 1.08 * math.max(math.abs(slo), math.abs(shi))
  c:axes { panel = 4, title = "Residuals vs Leverage", xlabel = "Leverage", ylabel = "Std. residuals",
    ylim = { -lim, lim } }
  c:points(h, s, { panel = 4, color = 1 })
  local _, hmax = range(h)
  local p = fit.rank
  for _, D in ipairs { 0.5, 1 } do
    local xs, up, down = {}, {}, {}
    for k = 1, 60 do
      local hh = hmax * k / 60
      local v = math.sqrt(D * p * (1 - hh) / hh)
      if v <= lim then xs[#xs + 1] = hh; up[#up + 1] = v; down[#down + 1] = -v end
    end
    if #xs < 2 then xs, up, down = { hmax, hmax }, { lim, lim }, { -lim, -lim } end
    c:lines(xs, up, { panel = 4, color = "red", dash = true, label = D == 0.5 and "Cook's distance 0.5, 1" or nil })
    c:lines(xs, down, { panel = 4, color = "red", dash = true })
  end
  label_extremes(c, 4, h, s, pick(cook, idx), idx, id_n)
  return c
end, "plot.diagnostics", "plot.diagnostics(fit [, opts])",
  "The four diagnostic panels of R's plot.lm for a stats.lm or stats.glm fit: residuals against fitted values\n" ..
  "(the linear predictor for a GLM), a normal Q-Q plot of the standardised residuals with the line through their\n" ..
  "quartiles, scale-location (sqrt |standardised residual| against fitted), and standardised residuals against\n" ..
  "leverage with Cook's distance 0.5 and 1 contours; the id_n most extreme rows are labelled by row number.\n" ..
  "Returns a Chart: it shows in the terminal, and chart:svg() / chart:save(\"diag.svg\") write SVG.\n" ..
  "Example: plot.diagnostics(stats.lm(df, \"mpg ~ wt + hp\")):save(\"diag.svg\")")

-- lua/mlsh/stats_tests.lua - the classical tests on top of the C core
-- (stats._t_test): vector-like arguments in, a result that prints as R's
-- htest out (print.htest's layout and number formats).
local M, mlsh = ...
local mat, doc = mlsh.mat, mlsh.doc
local vector = require("mlsh.vec")

local HTest = { __name = "HTest" }
HTest.__index = HTest

-- R's format.pval(p, digits = 4): "< 2.2e-16" below the machine epsilon.
local function format_pval(p)
  if p < 2.220446e-16 then return "< 2.2e-16" end
  return "= " .. mat.format(p, { digits = 4 })
end

-- print.htest: statistic and parameter to digits - 2 = 5 significant digits.
local function short(v) return mat.format(v, { digits = 5 }) end

local HYPOTHESIS = { ["two.sided"] = "not equal to", less = "less than", greater = "greater than" }

function HTest.__tostring(r)
  local out = { "", "\t" .. r.method, "", "data:  " .. r.data_name }
  out[#out + 1] = string.format("%s = %s, %s = %s, p-value %s", r.statistic_name, short(r.statistic),
    r.parameter_name, short(r.parameter), format_pval(r.p_value))
  if r.null_name then
    out[#out + 1] = string.format("alternative hypothesis: true %s is %s %s", r.null_name, HYPOTHESIS[r.alternative],
      mat.format(r.null_value))
  end
  if r.conf_int[1] == r.conf_int[1] then
    out[#out + 1] = string.format("%s percent confidence interval:", mat.format(100 * r.conf_level))
    out[#out + 1] = " " .. table.concat(mat.format(r.conf_int), " ")
  end
  if #r.estimate == 0 then return table.concat(out, "\n") .. "\n" end
  out[#out + 1] = "sample estimates:"
  local cells, w = mat.format(r.estimate), 0   -- one common format, as R prints a named vector
  for k = 1, #r.estimate do w = math.max(w, #r.estimate_names[k], #cells[k]) end
  local names, values = {}, {}
  for k = 1, #r.estimate do
    names[k] = string.rep(" ", w - #r.estimate_names[k]) .. r.estimate_names[k]
    values[k] = string.rep(" ", w - #cells[k]) .. cells[k]
  end
  out[#out + 1] = table.concat(names, " ") .. " "
  out[#out + 1] = table.concat(values, " ") .. " "
  return table.concat(out, "\n") .. "\n"
end

M.HTest = HTest

M.t_test = doc(function(x, y, opts)
  if opts == nil and y ~= nil and not vector.is_vector(y) then y, opts = nil, y end
  mlsh.check_options("stats.t_test", opts)
  local xs = vector.numbers(x, "stats.t_test", "x")
  local ys = y ~= nil and vector.numbers(y, "stats.t_test", "y") or nil
  local r = M._t_test(xs, ys, opts)
  r.statistic_name, r.parameter_name = "t", "df"
  if r.method == "Paired t-test" then
    r.null_name, r.estimate_names = "mean difference", { "mean difference" }
  elseif ys then
    r.null_name, r.estimate_names = "difference in means", { "mean of x", "mean of y" }
  else
    r.null_name, r.estimate_names = "mean", { "mean of x" }
  end
  r.data_name = ys and "x and y" or "x"
  return setmetatable(r, HTest)
end, "stats.t_test", "stats.t_test(x [, y] [, opts])",
  "Student's t test as R's t.test: one sample (x), two samples (Welch's by default; var_equal = true\n" ..
  "pools the variances), or paired (paired = true: a one-sample test on x - y over complete pairs).\n" ..
  "x and y: arrays, Matrix columns, series or DataFrame columns; NaN (NA) values are dropped, as R drops NA.\n" ..
  "p-values and intervals from R's own t distribution (nmath). Returns an HTest that prints as R's htest,\n" ..
  "with fields statistic (t), parameter (df), p_value, conf_int {lo, hi}, conf_level, estimate (array),\n" ..
  "estimate_names, null_value, stderr, method, alternative, nx, ny.\n" ..
  "Example: stats.t_test({0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}).p_value  --> 0.2176")

M.cor_test = doc(function(x, y, opts)
  mlsh.check_options("stats.cor_test", opts)
  local r = M._cor_test(vector.numbers(x, "stats.cor_test", "x"), vector.numbers(y, "stats.cor_test", "y"), opts)
  r.statistic_name, r.parameter_name, r.null_name, r.estimate_names = "t", "df", "correlation", { "cor" }
  r.data_name = "x and y"
  return setmetatable(r, HTest)
end, "stats.cor_test", "stats.cor_test(x, y [, opts])",
  "Pearson's product-moment correlation test as R's cor.test: t = r sqrt(n - 2) / sqrt(1 - r^2) on n - 2 df,\n" ..
  "the interval by Fisher's z (when n > 3). Pairs with a NaN (NA) are dropped. x, y: arrays, Matrix columns,\n" ..
  "series or DataFrame columns. Returns an HTest (fields as stats.t_test's; estimate[1] is r).\n" ..
  "Example: stats.cor_test({1, 2, 3, 4, 5}, {2, 1, 4, 3, 5}).estimate[1]  --> 0.8")

-- Two label vectors -> the counts table (levels sorted, as R's factor()).
local function crosstab(x, y)
  if #x ~= #y then error("stats.chisq_test: 'x' and 'y' must have the same length", 0) end
  local function levels(v)
    local seen, out = {}, {}
    for i = 1, #v do local a = v[i]; if a ~= nil and a == a and not seen[a] then seen[a] = true; out[#out + 1] = a end end
    table.sort(out, function(a, b) if type(a) == type(b) then return a < b end return type(a) == "number" end)
    local idx = {}
    for k, a in ipairs(out) do idx[a] = k end
    return out, idx
  end
  local lx, ix = levels(x)
  local ly, iy = levels(y)
  if #lx < 2 or #ly < 2 then error("stats.chisq_test: 'x' and 'y' must have at least 2 levels", 0) end
  local t = mat.zeros(#lx, #ly)
  for i = 1, #x do
    local a, b = ix[x[i]], iy[y[i]]
    if a and b then t:set(a, b, t:get(a, b) + 1) end
  end
  return t, lx, ly
end

local function as_list(v)
  if mat.is(v) then return v:totable() end
  return v
end

M.chisq_test = doc(function(x, y, opts)
  if opts == nil and y ~= nil and (type(y) ~= "table" or (y[1] == nil and not mat.is(y))) then y, opts = nil, y end
  mlsh.check_options("stats.chisq_test", opts)
  local t, name
  if y ~= nil then
    t = crosstab(as_list(x), as_list(y)); name = "x and y"
  elseif mat.is(x) then
    t = x; name = "x"
  elseif type(x) == "table" and type(x[1]) == "table" then
    t = mat.from(x); name = "x"
  else
    t = mat.from { vector.numbers(x, "stats.chisq_test", "x") }; name = "x"
  end
  local r = M._chisq_test(t, opts)
  r.statistic_name, r.parameter_name, r.estimate, r.data_name, r.observed = "X-squared", "df", {}, name, t
  return setmetatable(r, HTest)
end, "stats.chisq_test", "stats.chisq_test(x [, y] [, opts])",
  "Pearson's chi-squared test as R's chisq.test. x a Matrix (or nested array) of counts: the test of\n" ..
  "independence on (r - 1)(c - 1) df, with Yates' continuity correction on a 2 x 2 table (correct = false\n" ..
  "turns it off); x a vector of counts: goodness of fit to p (equal probabilities by default); x and y two\n" ..
  "vectors of labels (numbers or strings): the test on their cross-table (levels sorted, NA pairs dropped).\n" ..
  "Returns an HTest with statistic (X-squared), parameter (df), p_value, method, observed and expected\n" ..
  "(Matrices), and small_expected = true when an expected count is below 5 (where R warns that the\n" ..
  "approximation may be incorrect).\n" ..
  "Example: stats.chisq_test({{12, 5}, {7, 9}}).p_value  --> 0.2276")

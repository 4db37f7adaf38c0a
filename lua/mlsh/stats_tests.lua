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
  if p ~= p then return "= NA" end
  if p < 2.220446e-16 then return "< 2.2e-16" end
  return "= " .. mat.format(p, { digits = 4 })
end

-- print.htest: statistic and parameter to digits - 2 = 5 significant digits.
local function short(v) return mat.format(v, { digits = 5 }) end

local HYPOTHESIS = { ["two.sided"] = "not equal to", less = "less than", greater = "greater than" }

function HTest.__tostring(r)
  local out = { "", "\t" .. r.method, "", "data:  " .. r.data_name }
  local line = {}
  if r.statistic_name then line[1] = r.statistic_name .. " = " .. short(r.statistic) end
  if r.parameter_name then line[#line + 1] = r.parameter_name .. " = " .. short(r.parameter) end
  line[#line + 1] = "p-value " .. format_pval(r.p_value)
  out[#out + 1] = table.concat(line, ", ")
  if r.null_name then
    out[#out + 1] = string.format("alternative hypothesis: true %s is %s %s", r.null_name, HYPOTHESIS[r.alternative],
      mat.format(r.null_value))
  elseif r.alternative_text then
    out[#out + 1] = "alternative hypothesis: " .. r.alternative_text
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

local function is_column(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__name == "Column"
end
M._is_column = is_column

-- A numeric argument: a typed frame's Column goes to C as it is (NA as NaN there).
local function nums(v, fname, arg)
  if is_column(v) then return v end
  return vector.numbers(v, fname, arg)
end
M._nums = nums
local function is_vec(v) return is_column(v) or vector.is_vector(v) end

M.t_test = doc(function(x, y, opts)
  if opts == nil and y ~= nil and not is_vec(y) then y, opts = nil, y end
  mlsh.check_options("stats.t_test", opts)
  local xs = nums(x, "stats.t_test", "x")
  local ys = y ~= nil and nums(y, "stats.t_test", "y") or nil
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
  "x and y: arrays, Matrix columns, series or frame Columns; NaN (NA) values are dropped, as R drops NA.\n" ..
  "p-values and intervals from R's own t distribution (nmath). Returns an HTest that prints as R's htest,\n" ..
  "with fields statistic (t), parameter (df), p_value, conf_int {lo, hi}, conf_level, estimate (array),\n" ..
  "estimate_names, null_value, stderr, method, alternative, nx, ny.\n" ..
  "Example: stats.t_test({0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}).p_value  --> 0.2176")

M.cor_test = doc(function(x, y, opts)
  mlsh.check_options("stats.cor_test", opts)
  local r = M._cor_test(nums(x, "stats.cor_test", "x"), nums(y, "stats.cor_test", "y"), opts)
  local method = opts and opts.method or "pearson"
  if method == "pearson" then
    r.statistic_name, r.parameter_name, r.null_name, r.estimate_names = "t", "df", "correlation", { "cor" }
  elseif method == "kendall" then
    r.statistic_name = r.exact and "T" or "z"
    r.null_name, r.estimate_names = "tau", { "tau" }
  else
    r.statistic_name, r.null_name, r.estimate_names = "S", "rho", { "rho" }
  end
  r.data_name = "x and y"
  return setmetatable(r, HTest)
end, "stats.cor_test", "stats.cor_test(x, y [, opts])",
  "Correlation tests as R's cor.test. method = \"pearson\" (default): t = r sqrt(n - 2) / sqrt(1 - r^2) on n - 2\n" ..
  "df, the interval by Fisher's z (when n > 3). \"kendall\": tau-b; exact p (T, the concordant pairs) for\n" ..
  "n < 50 without ties, else z with R's tie-corrected variance. \"spearman\": rho; S = (n^3 - n)(1 - rho) / 6,\n" ..
  "exact p by AS 89 for n <= 1290 without ties, else the t approximation. Ties where exact is asked: the\n" ..
  "approximation and a `warning` field, as R warns. Pairs with a NaN (NA) are dropped. x, y: arrays, Matrix\n" ..
  "columns, series or frame Columns. Returns an HTest (fields as stats.t_test's; estimate[1] is r, tau or rho).\n" ..
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

M.wilcox_test = doc(function(x, y, opts)
  local fname = "stats.wilcox_test"
  if opts == nil and y ~= nil and not is_vec(y) then y, opts = nil, y end
  mlsh.check_options(fname, opts)
  local ys = y ~= nil and nums(y, fname, "y") or nil
  local r = M._wilcox_test(nums(x, fname, "x"), ys, opts)
  local two = ys and not (opts and opts.paired)
  r.statistic_name = two and "W" or "V"
  r.null_name = ys and "location shift" or "location"
  r.estimate_names = { two and "difference in location" or "(pseudo)median" }
  r.data_name = ys and "x and y" or "x"
  return setmetatable(r, HTest)
end, "stats.wilcox_test", "stats.wilcox_test(x [, y] [, opts])",
  "Wilcoxon's tests as R's wilcox.test: the signed rank test of x (or of x - y with paired = true) about mu,\n" ..
  "or the rank sum (Mann-Whitney) test of x against y. Exact p-values (R's psignrank, pwilcox) when each\n" ..
  "sample has fewer than 50 values and there are no ties (nor zeroes), else the normal approximation with\n" ..
  "R's tie correction and continuity correction (correct = false drops it); asking exact with ties gives the\n" ..
  "approximation and a `warning` field, as R warns. conf_int = true adds the interval and the (pseudo)median\n" ..
  "or difference in location (Hodges-Lehmann): order statistics of the Walsh averages or differences when\n" ..
  "exact, else R's root search on the normal statistic. NaN (NA) values are dropped. Returns an HTest with\n" ..
  "statistic (V or W), p_value, conf_int, estimate, method, alternative.\n" ..
  "Example: stats.wilcox_test({1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30}, {0.878, 0.647, 0.598,\n" ..
  "  2.05, 1.06, 1.29, 1.06, 3.14, 1.29}, {paired = true, alternative = \"greater\"}).p_value  --> 0.01953")

M.shapiro_test = doc(function(x)
  local r = M._shapiro_test(nums(x, "stats.shapiro_test", "x"))
  r.statistic_name, r.estimate, r.data_name = "W", {}, "x"
  return setmetatable(r, HTest)
end, "stats.shapiro_test", "stats.shapiro_test(x)",
  "The Shapiro-Wilk test of normality as R's shapiro.test: Royston's (1995) algorithm (R's swilk.c), for\n" ..
  "3 to 5000 values; NaN (NA) values are dropped. Returns an HTest with statistic (W), p_value, method.\n" ..
  "Example: stats.shapiro_test({2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 4.1}).statistic")

local KS_ALTERNATIVE = {
  one = { ["two.sided"] = "two-sided", less = "the CDF of x lies below the null hypothesis",
          greater = "the CDF of x lies above the null hypothesis" },
  two = { ["two.sided"] = "two-sided", less = "the CDF of x lies below that of y",
          greater = "the CDF of x lies above that of y" } }

M.ks_test = doc(function(x, y, ...)
  local fname = "stats.ks_test"
  local rest, params, opts = table.pack(...), {}, nil
  for i = 1, rest.n do
    local v = rest[i]
    if type(v) == "number" and type(y) == "string" then params[#params + 1] = v
    elseif type(v) == "table" and i == rest.n then opts = v
    else error(fname .. ": argument " .. (i + 2) .. " must be a parameter (a number) of the distribution 'y', or the options table", 0) end
  end
  mlsh.check_options(fname, opts)
  if y == nil then error(fname .. ": argument 'y' is missing: a sample, or a distribution's name (\"pnorm\")", 0) end
  local r = M._ks_test(nums(x, fname, "x"), type(y) == "string" and y or nums(y, fname, "y"), params, opts)
  local alt = KS_ALTERNATIVE[type(y) == "string" and "one" or "two"]
  r.statistic_name = ({ ["two.sided"] = "D", greater = "D^+", less = "D^-" })[r.alternative]
  r.alternative_text, r.estimate = alt[r.alternative], {}
  r.data_name = type(y) == "string" and "x" or "x and y"
  return setmetatable(r, HTest)
end, "stats.ks_test", "stats.ks_test(x, y [, par...] [, opts])",
  "The Kolmogorov-Smirnov test as R 4.2's ks.test. y a distribution's name (\"pnorm\", \"pexp\", \"punif\",\n" ..
  "\"pgamma\"... with or without the p) followed by its parameters in R's order (missing ones take R's\n" ..
  "defaults): the one-sample test, exact (Marsaglia-Tsang-Wang; one-sided: Birnbaum-Tingey) for n < 100 without\n" ..
  "ties, else the limiting distribution. y a sample: the two-sample test, exact when nx ny < 10000 without\n" ..
  "ties (two-sided only). alternative less / greater compare the CDF of x with the null's. NaN (NA) values\n" ..
  "are dropped; ties give a `warning` field as R warns. Returns an HTest with statistic (D, D^+ or D^-),\n" ..
  "p_value, exact, method, alternative.\n" ..
  "Example: stats.ks_test({0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64}, \"pnorm\").p_value")

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

local function round_str(v, digits)
  local s = string.format("%." .. digits .. "f", v)
  s = s:gsub("(%..-)0+$", "%1"):gsub("%.$", "")
  return s
end

local HYPOTHESIS = { ["two.sided"] = "not equal to", less = "less than", greater = "greater than" }

function HTest.__tostring(r)
  local out = { "", "\t" .. r.method, "", "data:  " .. r.data_name }
  out[#out + 1] = string.format("%s = %s, %s = %s, p-value %s", r.statistic_name, round_str(r.statistic, 4),
    r.parameter_name, round_str(r.parameter, 3), format_pval(r.p_value))
  out[#out + 1] = string.format("alternative hypothesis: true %s is %s %s", r.null_name, HYPOTHESIS[r.alternative],
    mat.format(r.null_value))
  out[#out + 1] = string.format("%s percent confidence interval:", mat.format(100 * r.conf_level))
  out[#out + 1] = " " .. table.concat(mat.format(r.conf_int), " ")
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

-- test/lua/test_htests.lua - stats.wilcox_test, cor_test (kendall, spearman), shapiro_test, ks_test,
-- fisher_test, aov, tukey_hsd and p_adjust (hommel) against R 4.2.2 (Debian 12 r-base-core).
-- Each reference is printed by R with formatC(v, digits = 17) from the R call above it; the data are
-- R's datasets (ToothGrowth, sleep, mtcars, airquality, longley, PlantGrowth, warpbreaks, InsectSprays)
-- written out by R, and the examples of R's help pages (?wilcox.test, ?cor.test, ?fisher.test).
local T = dofile("test/lua/harness.lua")

local D = {
  tg_len = { 4.2, 11.5, 7.3, 5.8, 6.4, 10, 11.2, 11.2, 5.2, 7, 16.5, 16.5, 15.2, 17.3, 22.5, 17.3, 13.6, 14.5, 18.8, 15.5, 23.6, 18.5, 33.9, 25.5, 26.4, 32.5, 26.7, 21.5, 23.3, 29.5, 15.2, 21.5, 17.6, 9.7, 14.5, 10, 8.2, 9.4, 16.5, 9.7, 19.7, 23.3, 23.6, 26.4, 20, 25.2, 25.8, 21.2, 14.5, 27.3, 25.5, 26.4, 22.4, 24.5, 24.8, 30.9, 26.4, 27.3, 29.4, 23 },
  tg_supp = { "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "VC", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ", "OJ" },
  tg_dose = { 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2 },
  sleep_extra = { 0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0, 2, 1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4 },
  mpg = { 21, 21, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4, 10.4, 14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26, 30.4, 15.8, 19.7, 15, 21.4 },
  wt = { 2.62, 2.875, 2.32, 3.215, 3.44, 3.46, 3.57, 3.19, 3.15, 3.44, 3.44, 4.07, 3.73, 3.78, 5.25, 5.424, 5.345, 2.2, 1.615, 1.835, 2.465, 3.52, 3.435, 3.84, 3.845, 1.935, 2.14, 1.513, 3.17, 2.77, 3.57, 2.78 },
  am = { 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1 },
  vs = { 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1 },
  cyl = { 6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4, 4, 4, 8, 6, 8, 4 },
  gear = { 4, 4, 4, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 4, 4, 4, 3, 3, 3, 3, 3, 4, 5, 5, 5, 5, 5, 4 },
  ozone = { 41, 36, 12, 18, 0 / 0, 28, 23, 19, 8, 0 / 0, 7, 16, 11, 14, 18, 14, 34, 6, 30, 11, 1, 11, 4, 32, 0 / 0, 0 / 0, 0 / 0, 23, 45, 115, 37, 0 / 0, 0 / 0, 0 / 0, 0 / 0, 0 / 0, 0 / 0, 29, 0 / 0, 71, 39, 0 / 0, 0 / 0, 23, 0 / 0, 0 / 0, 21, 37, 20, 12, 13, 0 / 0, 0 / 0, 0 / 0, 0 / 0, 0 / 0, 0 / 0, 0 / 0, 0 / 0, 0 / 0, 0 / 0, 135, 49, 32, 0 / 0, 64, 40, 77, 97, 97, 85, 0 / 0, 10, 27, 0 / 0, 7, 48, 35, 61, 79, 63, 16, 0 / 0, 0 / 0, 80, 108, 20, 52, 82, 50, 64, 59, 39, 9, 16, 78, 35, 66, 122, 89, 110, 0 / 0, 0 / 0, 44, 28, 65, 0 / 0, 22, 59, 23, 31, 44, 21, 9, 0 / 0, 45, 168, 73, 0 / 0, 76, 118, 84, 85, 96, 78, 73, 91, 47, 32, 20, 23, 21, 24, 44, 21, 28, 9, 13, 46, 18, 13, 24, 16, 13, 23, 36, 7, 14, 30, 0 / 0, 14, 18, 20 },
  temp = { 67, 72, 74, 62, 56, 66, 65, 59, 61, 69, 74, 69, 66, 68, 58, 64, 66, 57, 68, 62, 59, 73, 61, 61, 57, 58, 57, 67, 81, 79, 76, 78, 74, 67, 84, 85, 79, 82, 87, 90, 87, 93, 92, 82, 80, 79, 77, 72, 65, 73, 76, 77, 76, 76, 76, 75, 78, 73, 80, 77, 83, 84, 85, 81, 84, 83, 83, 88, 92, 92, 89, 82, 73, 81, 91, 80, 81, 82, 84, 87, 85, 74, 81, 82, 86, 85, 82, 86, 88, 86, 83, 81, 81, 81, 82, 86, 85, 87, 89, 90, 90, 92, 86, 86, 82, 80, 79, 77, 79, 76, 78, 78, 77, 72, 75, 79, 81, 86, 88, 97, 94, 96, 94, 91, 92, 93, 93, 87, 84, 80, 78, 75, 73, 81, 76, 77, 71, 71, 78, 67, 76, 68, 82, 64, 71, 81, 69, 63, 70, 77, 75, 76, 68 },
  month = { 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 },
  gnp = { 234.289, 259.426, 258.054, 284.599, 328.975, 346.999, 365.385, 363.112, 397.469, 419.18, 442.769, 444.546, 482.704, 502.601, 518.173, 554.894 },
  unemployed = { 235.6, 232.5, 368.2, 335.1, 209.9, 193.2, 187, 357.8, 290.4, 282.2, 293.6, 468.1, 381.3, 393.1, 480.6, 400.7 },
  armed = { 159, 145.6, 161.6, 165, 309.9, 359.4, 354.7, 335, 304.8, 285.7, 279.8, 263.7, 255.2, 251.4, 257.2, 282.7 },
  pg_weight = { 4.17, 5.58, 5.18, 6.11, 4.5, 4.61, 5.17, 4.53, 5.33, 5.14, 4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69, 6.31, 5.12, 5.54, 5.5, 5.37, 5.29, 4.92, 6.15, 5.8, 5.26 },
  pg_group = { "ctrl", "ctrl", "ctrl", "ctrl", "ctrl", "ctrl", "ctrl", "ctrl", "ctrl", "ctrl", "trt1", "trt1", "trt1", "trt1", "trt1", "trt1", "trt1", "trt1", "trt1", "trt1", "trt2", "trt2", "trt2", "trt2", "trt2", "trt2", "trt2", "trt2", "trt2", "trt2" },
  wb_breaks = { 26, 30, 54, 25, 70, 52, 51, 26, 67, 18, 21, 29, 17, 12, 18, 35, 30, 36, 36, 21, 24, 18, 10, 43, 28, 15, 26, 27, 14, 29, 19, 29, 31, 41, 20, 44, 42, 26, 19, 16, 39, 28, 21, 39, 29, 20, 21, 24, 17, 13, 15, 15, 16, 28 },
  wb_wool = { "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B" },
  wb_tension = { "L", "L", "L", "L", "L", "L", "L", "L", "L", "M", "M", "M", "M", "M", "M", "M", "M", "M", "H", "H", "H", "H", "H", "H", "H", "H", "H", "L", "L", "L", "L", "L", "L", "L", "L", "L", "M", "M", "M", "M", "M", "M", "M", "M", "M", "H", "H", "H", "H", "H", "H", "H", "H", "H" },
  is_count = { 10, 7, 20, 14, 14, 12, 10, 23, 17, 20, 14, 13, 11, 17, 21, 11, 16, 14, 17, 17, 19, 21, 7, 13, 0, 1, 7, 2, 3, 1, 2, 1, 3, 0, 1, 4, 3, 5, 12, 6, 4, 3, 5, 5, 5, 5, 2, 4, 3, 5, 3, 5, 3, 6, 1, 1, 3, 2, 6, 4, 11, 9, 15, 22, 15, 16, 13, 10, 26, 26, 24, 13 },
  is_spray = { "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "B", "C", "C", "C", "C", "C", "C", "C", "C", "C", "C", "C", "C", "D", "D", "D", "D", "D", "D", "D", "D", "D", "D", "D", "D", "E", "E", "E", "E", "E", "E", "E", "E", "E", "E", "E", "E", "F", "F", "F", "F", "F", "F", "F", "F", "F", "F", "F", "F" },
}

local function where(v, key, value)
  local out = {}
  for i = 1, #v do if key[i] == value then out[#out + 1] = v[i] end end
  return out
end
local function diff(a, b) local d = {} for i = 1, #a do d[i] = a[i] - b[i] end return d end
local function mean(v) local s = 0 for _, x in ipairs(v) do s = s + x end return s / #v end
local function sd(v)
  local m, s = mean(v), 0
  for _, x in ipairs(v) do s = s + (x - m) ^ 2 end
  return math.sqrt(s / (#v - 1))
end

-- ?wilcox.test: depression scores (Hollander & Wolfe p. 29) and permeability (p. 69)
local depx = { 1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30 }
local depy = { 0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29 }
local hx = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 }
local hy = { 1.15, 0.88, 0.90, 0.74, 1.21 }
-- ?cor.test: Hollander & Wolfe p. 187
local cx = { 44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1 }
local cy = { 2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8 }
local kx = { 0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64 }
-- ?fisher.test: tea tasting, convictions of twins, job satisfaction (Agresti 2002)
local tea = { { 3, 1 }, { 1, 3 } }
local convictions = { { 2, 15 }, { 10, 3 } }
local job = { { 1, 3, 10, 6 }, { 2, 3, 10, 7 }, { 1, 6, 14, 12 }, { 0, 1, 9, 11 } }

local oj, vc = where(D.tg_len, D.tg_supp, "OJ"), where(D.tg_len, D.tg_supp, "VC")
local sleep1, sleep2 = { table.unpack(D.sleep_extra, 1, 10) }, { table.unpack(D.sleep_extra, 11, 20) }
local mpg0, mpg1 = where(D.mpg, D.am, 0), where(D.mpg, D.am, 1)
local oz5, oz8 = where(D.ozone, D.month, 5), where(D.ozone, D.month, 8)

local function close(got, want, tol, label)
  if want ~= want then return T.ok(got ~= got, label .. ": NA expected, got " .. tostring(got)) end
  if math.abs(want) == math.huge or want == 0 then return T.eq(got, want, label) end
  T.rel(got, want, tol, label)
end

local function run(cases, tol)
  for k, c in ipairs(cases) do
    local r, w = c[1](), c[2]
    local label = w.method .. " #" .. k
    close(r.statistic, w.stat, 1e-12, label .. " statistic")
    close(r.p_value, w.p, tol, label .. " p-value")
    for i = 1, #w.ci do close(r.conf_int[i], w.ci[i], tol, label .. " interval") end
    if #w.ci == 0 then T.ok(r.conf_int[1] ~= r.conf_int[1], label .. ": no interval") end
    for i = 1, #w.est do close(r.estimate[i], w.est[i], tol, label .. " estimate") end
    if w.level then close(r.conf_level, w.level, 1e-15, label .. " level") end
    T.eq(r.method, w.method, label)
  end
end

local wilcox = {
  -- R: wilcox.test(depx, depy, paired = TRUE, alternative = "greater")
  { function() return stats.wilcox_test(depx, depy, { paired = true, alternative = "greater" }) end,
    { stat =                 40, p =         0.01953125, ci = {  }, est = {  }, method = "Wilcoxon signed rank exact test" } },
  -- R: wilcox.test(depy - depx, alternative = "less")
  { function() return stats.wilcox_test(diff(depy, depx), { alternative = "less" }) end,
    { stat =                  5, p =         0.01953125, ci = {  }, est = {  }, method = "Wilcoxon signed rank exact test" } },
  -- R: wilcox.test(depx, depy, paired = TRUE, conf.int = TRUE)
  { function() return stats.wilcox_test(depx, depy, { paired = true, conf_int = true }) end,
    { stat =                 40, p =          0.0390625, ci = { 0.010000000000000009, 0.78600000000000003 }, est = { 0.46000000000000008 }, method = "Wilcoxon signed rank exact test", level = 0.94999999999999996 } },
  -- R: wilcox.test(depx, mu = 1, conf.int = TRUE, conf.level = 0.9)
  { function() return stats.wilcox_test(depx, { mu = 1, conf_int = true, conf_level = 0.9 }) end,
    { stat =                 43, p =         0.01171875, ci = {              1.425, 2.1800000000000002 }, est = { 1.7250000000000001 }, method = "Wilcoxon signed rank exact test", level = 0.90000000000000002 } },
  -- R: wilcox.test(hx, hy, alternative = "greater", conf.int = TRUE)
  { function() return stats.wilcox_test(hx, hy, { alternative = "greater", conf_int = true }) end,
    { stat =                 35, p = 0.1272061272061272, ci = { -0.07999999999999996, math.huge }, est = { 0.30500000000000005 }, method = "Wilcoxon rank sum exact test", level = 0.94999999999999996 } },
  -- R: wilcox.test(hx, hy, conf.int = TRUE, exact = FALSE)
  { function() return stats.wilcox_test(hx, hy, { conf_int = true, exact = false }) end,
    { stat =                 35, p = 0.24462360512698336, ci = { -0.15001483719908448, 0.75994276532229388 }, est = { 0.30250833904157232 }, method = "Wilcoxon rank sum test with continuity correction", level = 0.94999999999999996 } },
  -- R: wilcox.test(hx, hy, conf.int = TRUE, exact = FALSE, correct = FALSE, alternative = "less")
  { function() return stats.wilcox_test(hx, hy, { conf_int = true, exact = false, correct = false, alternative = "less" }) end,
    { stat =                 35, p = 0.88966431904007659, ci = { -math.huge, 0.71994777478818506 }, est = { 0.30250833904157232 }, method = "Wilcoxon rank sum test", level = 0.94999999999999996 } },
  -- R: suppressWarnings(wilcox.test(len ~ supp, data = ToothGrowth, conf.int = TRUE))
  { function() return stats.wilcox_test(oj, vc, { conf_int = true }) end,
    { stat =              575.5, p = 0.064490672133835691, ci = { -0.10000965532316872, 8.5000168101229718 }, est = { 4.0000140206679617 }, method = "Wilcoxon rank sum test with continuity correction", level = 0.94999999999999996 } },
  -- R: suppressWarnings(wilcox.test(extra ~ group, data = sleep, paired = TRUE, conf.int = TRUE))
  { function() return stats.wilcox_test(sleep1, sleep2, { paired = true, conf_int = true }) end,
    { stat =                  0, p = 0.0090906980159250559, ci = { -2.9499207995407808, -1.0500179906645428 }, est = { -1.4000306721873526 }, method = "Wilcoxon signed rank test with continuity correction", level = 0.94999999999999996 } },
  -- R: suppressWarnings(wilcox.test(mpg ~ am, data = mtcars, conf.int = TRUE, correct = FALSE))
  { function() return stats.wilcox_test(mpg0, mpg1, { conf_int = true, correct = false }) end,
    { stat =                 42, p = 0.0017533351106512672, ci = { -11.300023038196709, -2.900034022527695 }, est = { -6.7999629799061498 }, method = "Wilcoxon rank sum test", level = 0.94999999999999996 } },
  -- R: suppressWarnings(wilcox.test(Ozone ~ Month, data = airquality, subset = Month %in% c(5, 8), conf.int = TRUE))
  { function() return stats.wilcox_test(oz5, oz8, { conf_int = true }) end,
    { stat =              127.5, p = 0.00012080783076877442, ci = { -52.999985416270448, -14.999978983025168 }, est = { -31.99995872193243 }, method = "Wilcoxon rank sum test with continuity correction", level = 0.94999999999999996 } },
  -- R: suppressWarnings(wilcox.test(airquality$Ozone, mu = 30, conf.int = TRUE, alternative = "greater"))
  { function() return stats.wilcox_test(D.ozone, { mu = 30, conf_int = true, alternative = "greater" }) end,
    { stat =               4108, p = 0.0094595392038984948, ci = { 32.499963618431458, math.huge }, est = { 38.500019800432945 }, method = "Wilcoxon signed rank test with continuity correction", level = 0.94999999999999996 } },
}
local cor = {
  -- R: cor.test(cx, cy, method = "kendall", alternative = "greater")
  { function() return stats.cor_test(cx, cy, { method = "kendall", alternative = "greater" }) end,
    { stat =                 26, p = 0.0597194664902998, ci = {  }, est = { 0.44444444444444453 }, method = "Kendall's rank correlation tau" } },
  -- R: cor.test(cx, cy, method = "kendall")
  { function() return stats.cor_test(cx, cy, { method = "kendall" }) end,
    { stat =                 26, p = 0.1194389329805996, ci = {  }, est = { 0.44444444444444453 }, method = "Kendall's rank correlation tau" } },
  -- R: cor.test(cx, cy, method = "spearman", alternative = "greater")
  { function() return stats.cor_test(cx, cy, { method = "spearman", alternative = "greater" }) end,
    { stat =                 48, p = 0.048398919753086418, ci = {  }, est = { 0.59999999999999998 }, method = "Spearman's rank correlation rho" } },
  -- R: cor.test(cx, cy, method = "spearman", alternative = "less")
  { function() return stats.cor_test(cx, cy, { method = "spearman", alternative = "less" }) end,
    { stat =                 48, p = 0.95713734567901232, ci = {  }, est = { 0.59999999999999998 }, method = "Spearman's rank correlation rho" } },
  -- R: cor.test(longley$GNP, longley$Unemployed, method = "spearman")
  { function() return stats.cor_test(D.gnp, D.unemployed, { method = "spearman" }) end,
    { stat = 246.00000000000003, p = 0.0093749261757483538, ci = {  }, est = { 0.63823529411764701 }, method = "Spearman's rank correlation rho" } },
  -- R: cor.test(longley$Armed.Forces, longley$Unemployed, method = "spearman", alternative = "greater")
  { function() return stats.cor_test(D.armed, D.unemployed, { method = "spearman", alternative = "greater" }) end,
    { stat = 912.00000000000011, p = 0.90402913476190316, ci = {  }, est = { -0.3411764705882353 }, method = "Spearman's rank correlation rho" } },
  -- R: cor.test(longley$Armed.Forces, longley$Unemployed, method = "kendall")
  { function() return stats.cor_test(D.armed, D.unemployed, { method = "kendall" }) end,
    { stat =                 47, p = 0.26504598877832025, ci = {  }, est = { -0.21666666666666665 }, method = "Kendall's rank correlation tau" } },
  -- R: cor.test(longley$Armed.Forces, longley$Unemployed, method = "kendall", exact = FALSE)
  { function() return stats.cor_test(D.armed, D.unemployed, { method = "kendall", exact = false }) end,
    { stat = -1.1705854391159451, p = 0.24176545296747035, ci = {  }, est = { -0.21666666666666665 }, method = "Kendall's rank correlation tau" } },
  -- R: cor.test(longley$Armed.Forces, longley$Unemployed, method = "spearman", exact = FALSE)
  { function() return stats.cor_test(D.armed, D.unemployed, { method = "spearman", exact = false }) end,
    { stat = 912.00000000000011, p = 0.19593262486788876, ci = {  }, est = { -0.3411764705882353 }, method = "Spearman's rank correlation rho" } },
  -- R: suppressWarnings(cor.test(mtcars$mpg, mtcars$wt, method = "spearman"))
  { function() return stats.cor_test(D.mpg, D.wt, { method = "spearman" }) end,
    { stat = 10292.318613522746, p = 1.4875948581274329e-11, ci = {  }, est = { -0.88642203327029789 }, method = "Spearman's rank correlation rho" } },
  -- R: suppressWarnings(cor.test(mtcars$mpg, mtcars$wt, method = "kendall"))
  { function() return stats.cor_test(D.mpg, D.wt, { method = "kendall" }) end,
    { stat = -5.7981318949817302, p = 6.705770405595863e-09, ci = {  }, est = { -0.727832149528431 }, method = "Kendall's rank correlation tau" } },
  -- R: suppressWarnings(cor.test(airquality$Ozone, airquality$Temp, method = "kendall", alternative = "greater"))
  { function() return stats.cor_test(D.ozone, D.temp, { method = "kendall", alternative = "greater" }) end,
    { stat = 9.1598523201921722, p = 2.5984193606063268e-20, ci = {  }, est = { 0.58629882152644086 }, method = "Kendall's rank correlation tau" } },
  -- R: suppressWarnings(cor.test(airquality$Ozone, airquality$Temp, method = "spearman"))
  { function() return stats.cor_test(D.ozone, D.temp, { method = "spearman" }) end,
    { stat = 58778.205995851691, p = 2.2476605698635818e-24, ci = {  }, est = { 0.77404295546130131 }, method = "Spearman's rank correlation rho" } },
}
local shapiro = {
  -- R: shapiro.test(ToothGrowth$len)
  { function() return stats.shapiro_test(D.tg_len) end,
    { stat = 0.96742864385388971, p = 0.10910049468891786, ci = {  }, est = {  }, method = "Shapiro-Wilk normality test" } },
  -- R: shapiro.test(mtcars$mpg)
  { function() return stats.shapiro_test(D.mpg) end,
    { stat = 0.94756472647927426, p = 0.12288135853944325, ci = {  }, est = {  }, method = "Shapiro-Wilk normality test" } },
  -- R: shapiro.test(PlantGrowth$weight)
  { function() return stats.shapiro_test(D.pg_weight) end,
    { stat = 0.98268301609858733, p = 0.89150736822739873, ci = {  }, est = {  }, method = "Shapiro-Wilk normality test" } },
  -- R: shapiro.test(c(1, 2, 4))
  { function() return stats.shapiro_test({ 1, 2, 4 }) end,
    { stat = 0.96428571428571419, p = 0.6368868450289632, ci = {  }, est = {  }, method = "Shapiro-Wilk normality test" } },
  -- R: shapiro.test(sleep$extra[1:10])
  { function() return stats.shapiro_test(sleep1) end,
    { stat = 0.92580602893664055, p = 0.40792879642998914, ci = {  }, est = {  }, method = "Shapiro-Wilk normality test" } },
  -- R: shapiro.test(airquality$Ozone)
  { function() return stats.shapiro_test(D.ozone) end,
    { stat = 0.87866599917235166, p = 2.7896015702371689e-08, ci = {  }, est = {  }, method = "Shapiro-Wilk normality test" } },
  -- R: shapiro.test(c(2.1, 3.4, 1.9, 5.6, 4.4))
  { function() return stats.shapiro_test({ 2.1, 3.4, 1.9, 5.6, 4.4 }) end,
    { stat = 0.93208493960152361, p = 0.61065590505509537, ci = {  }, est = {  }, method = "Shapiro-Wilk normality test" } },
  -- R: shapiro.test(longley$GNP)
  { function() return stats.shapiro_test(D.gnp) end,
    { stat = 0.96259253595716121, p = 0.70899557828724857, ci = {  }, est = {  }, method = "Shapiro-Wilk normality test" } },
}
local ks = {
  -- R: ks.test(kx, "pnorm")
  { function() return stats.ks_test(kx, "pnorm") end,
    { stat = 0.22392218265410685, p = 0.62134779268998352, ci = {  }, est = {  }, method = "Exact one-sample Kolmogorov-Smirnov test" } },
  -- R: ks.test(kx, "pnorm", 0.5, 2, alternative = "less")
  { function() return stats.ks_test(kx, "pnorm", 0.5, 2, { alternative = "less" }) end,
    { stat = 0.16762889346898305, p = 0.51512991782508477, ci = {  }, est = {  }, method = "Exact one-sample Kolmogorov-Smirnov test" } },
  -- R: ks.test(kx, "pnorm", 0.5, 2, alternative = "greater")
  { function() return stats.ks_test(kx, "pnorm", 0.5, 2, { alternative = "greater" }) end,
    { stat = 0.37806923189717656, p = 0.042889683760944042, ci = {  }, est = {  }, method = "Exact one-sample Kolmogorov-Smirnov test" } },
  -- R: ks.test(kx, "pnorm", exact = FALSE)
  { function() return stats.ks_test(kx, "pnorm", { exact = false }) end,
    { stat = 0.22392218265410685, p = 0.69770528566226808, ci = {  }, est = {  }, method = "Asymptotic one-sample Kolmogorov-Smirnov test" } },
  -- R: ks.test(kx, "punif", -2, 2, alternative = "greater", exact = FALSE)
  { function() return stats.ks_test(kx, "punif", -2, 2, { alternative = "greater", exact = false }) end,
    { stat = 0.24750000000000008, p = 0.29372098290587856, ci = {  }, est = {  }, method = "Asymptotic one-sample Kolmogorov-Smirnov test" } },
  -- R: ks.test(longley$GNP, "pnorm", mean(longley$GNP), sd(longley$GNP))
  { function() return stats.ks_test(D.gnp, "pnorm", mean(D.gnp), sd(D.gnp)) end,
    { stat = 0.10019509657570327, p = 0.99191576124323322, ci = {  }, est = {  }, method = "Exact one-sample Kolmogorov-Smirnov test" } },
  -- R: suppressWarnings(ks.test(mtcars$mpg, "pnorm", 20, 6))
  { function() return stats.ks_test(D.mpg, "pnorm", 20, 6) end,
    { stat = 0.1200436743170763, p = 0.7457363481692818, ci = {  }, est = {  }, method = "Asymptotic one-sample Kolmogorov-Smirnov test" } },
  -- R: ks.test(kx, c(1, 2, 3, 4, 5.5))
  { function() return stats.ks_test(kx, { 1, 2, 3, 4, 5.5 }) end,
    { stat = 0.90000000000000002, p = 0.0039960039960014182, ci = {  }, est = {  }, method = "Exact two-sample Kolmogorov-Smirnov test" } },
  -- R: ks.test(ToothGrowth$len[ToothGrowth$supp == "OJ"], ToothGrowth$len[ToothGrowth$supp == "VC"])
  { function() return stats.ks_test(oj, vc) end,
    { stat = 0.33333333333333331, p = 0.061707706966164455, ci = {  }, est = {  }, method = "Exact two-sample Kolmogorov-Smirnov test" } },
  -- R: ks.test(ToothGrowth$len[ToothGrowth$supp == "OJ"], ToothGrowth$len[ToothGrowth$supp == "VC"], alternative = "less")
  { function() return stats.ks_test(oj, vc, { alternative = "less" }) end,
    { stat = 0.33333333333333331, p = 0.030854269258093203, ci = {  }, est = {  }, method = "Exact two-sample Kolmogorov-Smirnov test" } },
  -- R: suppressWarnings(ks.test(ToothGrowth$len[ToothGrowth$supp == "OJ"], ToothGrowth$len[ToothGrowth$supp == "VC"], exact = FALSE))
  { function() return stats.ks_test(oj, vc, { exact = false }) end,
    { stat = 0.33333333333333331, p = 0.071344747501107419, ci = {  }, est = {  }, method = "Asymptotic two-sample Kolmogorov-Smirnov test" } },
  -- R: ks.test(mtcars$mpg[mtcars$am == 0], mtcars$mpg[mtcars$am == 1], alternative = "greater")
  { function() return stats.ks_test(mpg0, mpg1, { alternative = "greater" }) end,
    { stat = 0.63562753036437236, p = 0.00097006220391393505, ci = {  }, est = {  }, method = "Exact two-sample Kolmogorov-Smirnov test" } },
  -- R: ks.test(airquality$Ozone[airquality$Month == 5], airquality$Ozone[airquality$Month == 8])
  { function() return stats.ks_test(oz5, oz8) end,
    { stat = 0.53846153846153855, p = 0.00069188504870532075, ci = {  }, est = {  }, method = "Exact two-sample Kolmogorov-Smirnov test" } },
}
local fisher = {
  -- R: fisher.test(TeaTasting, alternative = "greater")
  { function() return stats.fisher_test(tea, { alternative = "greater" }) end,
    { stat = 0 / 0, p = 0.24285714285714288, ci = { 0.31356926411021802, math.huge }, est = { 6.4083088670057879 }, method = "Fisher's Exact Test for Count Data", level = 0.94999999999999996 } },
  -- R: fisher.test(TeaTasting)
  { function() return stats.fisher_test(tea) end,
    { stat = 0 / 0, p = 0.48571428571428582, ci = { 0.21173291530550292,  621.9337505454173 }, est = { 6.4083088670057879 }, method = "Fisher's Exact Test for Count Data", level = 0.94999999999999996 } },
  -- R: fisher.test(Convictions, alternative = "less")
  { function() return stats.fisher_test(convictions, { alternative = "less" }) end,
    { stat = 0 / 0, p = 0.0004651809433629053, ci = {                  0, 0.28496013793556951 }, est = { 0.046936608827698907 }, method = "Fisher's Exact Test for Count Data", level = 0.94999999999999996 } },
  -- R: fisher.test(Convictions, conf.level = 0.9)
  { function() return stats.fisher_test(convictions, { conf_level = 0.9 }) end,
    { stat = 0 / 0, p = 0.00053672411914343636, ci = { 0.0050103197024677004, 0.28496013793556962 }, est = { 0.046936608827698907 }, method = "Fisher's Exact Test for Count Data", level = 0.90000000000000002 } },
  -- R: fisher.test(table(mtcars$am, mtcars$vs))
  { function() return stats.fisher_test(D.am, D.vs) end,
    { stat = 0 / 0, p = 0.47269744160177962, ci = { 0.38253417984464022, 10.591608672988254 }, est = { 1.9560553993728882 }, method = "Fisher's Exact Test for Count Data", level = 0.94999999999999996 } },
  -- R: fisher.test(table(mtcars$am, mtcars$vs), or = 2, alternative = "greater")
  { function() return stats.fisher_test(D.am, D.vs, { ["or"] = 2, alternative = "greater" }) end,
    { stat = 0 / 0, p = 0.65690207326097816, ci = { 0.47808541972919927, math.huge }, est = { 1.9560553993728882 }, method = "Fisher's Exact Test for Count Data", level = 0.94999999999999996 } },
  -- R: fisher.test(matrix(c(0, 5, 4, 3), 2))
  { function() return stats.fisher_test({ { 0, 4 }, { 5, 3 } }) end,
    { stat = 0 / 0, p = 0.080808080808080815, ci = {                  0, 1.7461172723099594 }, est = {                  0 }, method = "Fisher's Exact Test for Count Data", level = 0.94999999999999996 } },
  -- R: fisher.test(Job)
  { function() return stats.fisher_test(job) end,
    { stat = 0 / 0, p = 0.78268493896563884, ci = {  }, est = {  }, method = "Fisher's Exact Test for Count Data" } },
  -- R: fisher.test(table(mtcars$cyl, mtcars$gear))
  { function() return stats.fisher_test(D.cyl, D.gear) end,
    { stat = 0 / 0, p = 8.2597156846191033e-05, ci = {  }, est = {  }, method = "Fisher's Exact Test for Count Data" } },
  -- R: fisher.test(table(warpbreaks$wool, warpbreaks$tension))
  { function() return stats.fisher_test(D.wb_wool, D.wb_tension) end,
    { stat = 0 / 0, p = 0.99999999999997391, ci = {  }, est = {  }, method = "Fisher's Exact Test for Count Data" } },
}

T.test("wilcox_test equals R's wilcox.test", function()
  run(wilcox, 1e-10)
  local function same(r, w, label)
    close(r.statistic, w[1], 1e-12, label); close(r.p_value, w[2], 1e-10, label)
    close(r.conf_int[1], w[3], 1e-10, label); close(r.conf_int[2], w[4], 1e-10, label)
    close(r.estimate[1], w[5], 1e-10, label); close(r.conf_level, w[6], 1e-14, label)
  end
  -- small samples: R lowers conf.level where it is not achievable (and warns)
  -- R: wilcox.test(c(1.1, 2.2, 3.3), conf.int = TRUE)
  local r = stats.wilcox_test({ 1.1, 2.2, 3.3 }, { conf_int = true })
  same(r, { 6, 0.25000000000000006, 1.1000000000000001, 3.2999999999999998, 2.2000000000000002, 0.75 }, "n = 3")
  T.eq(r.warning, "requested conf.level not achievable")
  -- R: wilcox.test(c(1.1, 2.2, 3.3), c(4.5, 5.1), conf.int = TRUE)
  r = stats.wilcox_test({ 1.1, 2.2, 3.3 }, { 4.5, 5.1 }, { conf_int = true })
  same(r, { 0, 0.20000000000000001, -3.9999999999999996, -1.2000000000000002, -2.5999999999999996, 0.80000000000000004 }, "3 and 2")
  T.eq(r.warning, "Requested conf.level not achievable")
  -- R: wilcox.test(c(1, 2, 2, 3, 3, 3), conf.int = TRUE) (and with alternative = "less"; "greater", mu = 1)
  same(stats.wilcox_test({ 1, 2, 2, 3, 3, 3 }, { conf_int = true }),
    { 21, 0.033505256790828199, 1.9999951287915101, 3, 2.4999618128376646, 0.79999999999999982 }, "ties, widened")
  same(stats.wilcox_test({ 1, 2, 2, 3, 3, 3 }, { conf_int = true, alternative = "less" }),
    { 21, 0.99032124417258627, -math.huge, 2.5000028970880663, 2.4999618128376646, 0.79999999999999982 }, "less, widened")
  same(stats.wilcox_test({ 1, 2, 2, 3, 3, 3 }, { conf_int = true, alternative = "greater", mu = 1 }),
    { 15, 0.026668426414569922, 2, math.huge, 2.5000424233391665, 0.89999999999999991 }, "greater, zeroes")
end)
T.test("cor_test kendall and spearman equal R's cor.test", function()
  run(cor, 1e-10)
  local x, y = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, { 2, 1, 4, 3, 6, 5, 8, 9, 7, 12, 10, 11 }
  -- R: cor.test(1:12, c(2, 1, 4, 3, 6, 5, 8, 9, 7, 12, 10, 11), method = "kendall", exact = FALSE, continuity = TRUE)
  local k = stats.cor_test(x, y, { method = "kendall", exact = false, continuity = true })
  T.rel(k.statistic, 3.4971999547510824, 1e-12, "z"); T.rel(k.p_value, 0.00047016927931397038, 1e-10, "p")
  -- R: the same with method = "spearman"
  local s = stats.cor_test(x, y, { method = "spearman", exact = false, continuity = true })
  T.rel(s.statistic, 17.999999999999961, 1e-12, "S"); T.rel(s.p_value, 6.8747524285674922e-06, 1e-10, "p")
end)
T.test("shapiro_test equals R's shapiro.test", function() run(shapiro, 1e-10) end)
T.test("ks_test equals R's ks.test", function() run(ks, 1e-10) end)
T.test("fisher_test equals R's fisher.test", function() run(fisher, 1e-9) end)

local prints = {
  -- tostring(x) is R's printed text, table.concat(capture.output(print(x)), "\n"), as print() adds the last newline
  -- R: print(summary(aov(weight ~ group, data = PlantGrowth)))
  { function() return stats.aov(D.pg_weight, D.pg_group) end, {
    "            Df Sum Sq Mean Sq F value Pr(>F)  ",
    "group        2  3.766  1.8832   4.846 0.0159 *",
    "Residuals   27 10.492  0.3886                 ",
    "---",
    "Signif. codes:  0 ‘***’ 0.001 ‘**’ 0.01 ‘*’ 0.05 ‘.’ 0.1 ‘ ’ 1",
  } },
  -- R: print(summary(aov(breaks ~ wool * tension, data = warpbreaks)))
  { function() return stats.aov(D.wb_breaks, D.wb_wool, D.wb_tension, { interaction = true, names = { "wool", "tension" } }) end, {
    "             Df Sum Sq Mean Sq F value   Pr(>F)    ",
    "wool          1    451   450.7   3.765 0.058213 .  ",
    "tension       2   2034  1017.1   8.498 0.000693 ***",
    "wool:tension  2   1003   501.4   4.189 0.021044 *  ",
    "Residuals    48   5745   119.7                     ",
    "---",
    "Signif. codes:  0 ‘***’ 0.001 ‘**’ 0.01 ‘*’ 0.05 ‘.’ 0.1 ‘ ’ 1",
  } },
  -- R: print(summary(aov(breaks ~ wool + tension, data = warpbreaks)))
  { function() return stats.aov(D.wb_breaks, D.wb_wool, D.wb_tension, { names = { "wool", "tension" } }) end, {
    "            Df Sum Sq Mean Sq F value  Pr(>F)   ",
    "wool         1    451   450.7   3.339 0.07361 . ",
    "tension      2   2034  1017.1   7.537 0.00138 **",
    "Residuals   50   6748   135.0                   ",
    "---",
    "Signif. codes:  0 ‘***’ 0.001 ‘**’ 0.01 ‘*’ 0.05 ‘.’ 0.1 ‘ ’ 1",
  } },
  -- R: print(summary(aov(count ~ spray, data = InsectSprays)))
  { function() return stats.aov(D.is_count, D.is_spray, { names = { "spray" } }) end, {
    "            Df Sum Sq Mean Sq F value Pr(>F)    ",
    "spray        5   2669   533.8    34.7 <2e-16 ***",
    "Residuals   66   1015    15.4                   ",
    "---",
    "Signif. codes:  0 ‘***’ 0.001 ‘**’ 0.01 ‘*’ 0.05 ‘.’ 0.1 ‘ ’ 1",
  } },
  -- R: print(summary(aov(len ~ supp * dose, data = tg)))
  { function() return stats.aov(D.tg_len, D.tg_supp, D.tg_dose, { interaction = true, names = { "supp", "dose" } }) end, {
    "            Df Sum Sq Mean Sq F value   Pr(>F)    ",
    "supp         1  205.3   205.3  15.572 0.000231 ***",
    "dose         2 2426.4  1213.2  92.000  < 2e-16 ***",
    "supp:dose    2  108.3    54.2   4.107 0.021860 *  ",
    "Residuals   54  712.1    13.2                     ",
    "---",
    "Signif. codes:  0 ‘***’ 0.001 ‘**’ 0.01 ‘*’ 0.05 ‘.’ 0.1 ‘ ’ 1",
  } },
  -- R: print(TukeyHSD(aov(weight ~ group, data = PlantGrowth))) without its "Fit: aov(...)" line and the blank after it
  { function() return stats.tukey_hsd(stats.aov(D.pg_weight, D.pg_group)) end, {
    "  Tukey multiple comparisons of means",
    "    95% family-wise confidence level",
    "",
    "$group",
    "            diff        lwr       upr     p adj",
    "trt1-ctrl -0.371 -1.0622161 0.3202161 0.3908711",
    "trt2-ctrl  0.494 -0.1972161 1.1852161 0.1979960",
    "trt2-trt1  0.865  0.1737839 1.5562161 0.0120064",
    "",
  } },
  -- R: print(TukeyHSD(aov(breaks ~ wool + tension, data = warpbreaks))) without its "Fit: aov(...)" line and the blank after it
  { function() return stats.tukey_hsd(stats.aov(D.wb_breaks, D.wb_wool, D.wb_tension, { names = { "wool", "tension" },
    levels = { { "A", "B" }, { "L", "M", "H" } } })) end, {
    "  Tukey multiple comparisons of means",
    "    95% family-wise confidence level",
    "",
    "$wool",
    "         diff       lwr       upr     p adj",
    "B-A -5.777778 -12.12841 0.5728505 0.0736137",
    "",
    "$tension",
    "          diff       lwr        upr     p adj",
    "M-L -10.000000 -19.35342 -0.6465793 0.0336262",
    "H-L -14.722222 -24.07564 -5.3688015 0.0011218",
    "H-M  -4.722222 -14.07564  4.6311985 0.4474210",
    "",
  } },
  -- R: x <- depx; y <- depy; print(wilcox.test(x, y, paired = TRUE, conf.int = TRUE))
  { function() return stats.wilcox_test(depx, depy, { paired = true, conf_int = true }) end, {
    "",
    "\tWilcoxon signed rank exact test",
    "",
    "data:  x and y",
    "V = 40, p-value = 0.03906",
    "alternative hypothesis: true location shift is not equal to 0",
    "95 percent confidence interval:",
    " 0.010 0.786",
    "sample estimates:",
    "(pseudo)median ",
    "          0.46 ",
    "",
  } },
  -- R: x <- matrix(c(3, 1, 1, 3), 2); print(fisher.test(x))
  { function() return stats.fisher_test(tea) end, {
    "",
    "\tFisher's Exact Test for Count Data",
    "",
    "data:  x",
    "p-value = 0.4857",
    "alternative hypothesis: true odds ratio is not equal to 1",
    "95 percent confidence interval:",
    "   0.2117329 621.9337505",
    "sample estimates:",
    "odds ratio ",
    "  6.408309 ",
    "",
  } },
  -- R: x <- depx; y <- depy; print(cor.test(x, y, method = "spearman"))
  { function() return stats.cor_test(depx, depy, { method = "spearman" }) end, {
    "",
    "\tSpearman's rank correlation rho",
    "",
    "data:  x and y",
    "S = 42.35, p-value = 0.05959",
    "alternative hypothesis: true rho is not equal to 0",
    "sample estimates:",
    "      rho ",
    "0.6470817 ",
    "",
  } },
  -- R: x <- depx; print(ks.test(x, "pnorm", 1, 1))
  { function() return stats.ks_test(depx, "pnorm", 1, 1) end, {
    "",
    "\tExact one-sample Kolmogorov-Smirnov test",
    "",
    "data:  x",
    "D = 0.5068, p-value = 0.01148",
    "alternative hypothesis: two-sided",
    "",
  } },
}

T.test("prints as R's summary(aov), TukeyHSD and htest", function()
  for k, c in ipairs(prints) do T.eq(tostring(c[1]()), table.concat(c[2], "\n"), "print #" .. k) end
end)

T.test("aov equals R's aov: unbalanced, with NA, interaction", function()
  -- R: summary(aov(mpg ~ factor(cyl) * factor(am), data = mtcars))
  local fit = stats.aov(D.mpg, D.cyl, D.am, { interaction = true })
  local df, ss = { 2, 1, 2 }, { 824.78459009740277, 36.766919492544382, 25.436511243386292 }
  local F, p = { 44.851656687220014, 3.9987586342550676, 1.3832334930921091 }, { 3.7252736145268237e-09, 0.056083731277107599, 0.26861402262959727 }
  for t = 1, 3 do
    T.eq(fit.df[t], df[t]); T.rel(fit.ss[t], ss[t], 1e-12, "ss"); T.rel(fit.F[t], F[t], 1e-12, "F"); T.rel(fit.p[t], p[t], 1e-10, "p")
  end
  T.eq(fit.df_resid, 26); T.rel(fit.ss_resid, 239.0591666666665, 1e-12, "residual ss")
  T.eq(fit.terms[3], "g1:g2")
  -- R: summary(aov(Ozone ~ factor(Month), data = airquality)): 37 observations deleted due to missingness
  local oz = stats.aov(D.ozone, D.month, { names = { "factor(Month)" } })
  T.eq(oz.df[1], 4); T.eq(oz.df_resid, 111); T.eq(oz.na_dropped, 37)
  T.rel(oz.ss[1], 29437.896478043025, 1e-12, "ss"); T.rel(oz.ss_resid, 95705.163866784555, 1e-12, "residual ss")
  T.rel(oz.F[1], 8.5356065886138452, 1e-12, "F"); T.rel(oz.p[1], 4.8270645341147376e-06, 1e-10, "p")
  T.eq(tostring(oz), table.concat({ -- R: print(summary(aov(Ozone ~ factor(Month), data = airquality)))
    "               Df Sum Sq Mean Sq F value   Pr(>F)    ",
    "factor(Month)   4  29438    7359   8.536 4.83e-06 ***",
    "Residuals     111  95705     862                     ",
    "---",
    "Signif. codes:  0 \u{2018}***\u{2019} 0.001 \u{2018}**\u{2019} 0.01 \u{2018}*\u{2019} 0.05 \u{2018}.\u{2019} 0.1 \u{2018} \u{2019} 1",
    "37 observations deleted due to missingness" }, "\n"))
  -- R: a <- factor(c(1, 1, 2, 2, 3, 3, 3)); b <- factor(c(1, 2, 1, 2, 1, 1, 1)); summary(aov(1:7 ~ a * b)):
  -- the empty cell 3:2 aliases one interaction column, so a:b has 1 df and the residuals 2
  local e = stats.aov({ 1, 2, 3, 4, 5, 6, 7 }, { 1, 1, 2, 2, 3, 3, 3 }, { 1, 2, 1, 2, 1, 1, 1 }, { interaction = true })
  T.eq(e.df[3], 1); T.eq(e.df_resid, 2)
  -- R: a <- factor(c(1, 1, 2, 2, 3, 3)); b <- a; print(summary(aov(1:6 ~ a * b))): b and a:b are aliased, left out
  T.eq(tostring(stats.aov({ 1, 2, 3, 4, 5, 6 }, { 1, 1, 2, 2, 3, 3 }, { 1, 1, 2, 2, 3, 3 }, { interaction = true, names = { "a", "b" } })),
    table.concat({ "            Df Sum Sq Mean Sq F value Pr(>F)  ", "a            2   16.0     8.0      16 0.0251 *",
      "Residuals    3    1.5     0.5                 ", "---",
      "Signif. codes:  0 \u{2018}***\u{2019} 0.001 \u{2018}**\u{2019} 0.01 \u{2018}*\u{2019} 0.05 \u{2018}.\u{2019} 0.1 \u{2018} \u{2019} 1" }, "\n"))
end)

T.test("tukey_hsd equals R's TukeyHSD", function()
  -- R: TukeyHSD(aov(count ~ spray, data = InsectSprays), conf.level = 0.99)$spray, rows B-A and F-E
  local t = stats.tukey_hsd(stats.aov(D.is_count, D.is_spray, { names = { "spray" } }), { conf_level = 0.99 })
  local r = t.spray
  T.eq(r.names[1], "B-A"); T.eq(r.names[15], "F-E")
  local want = { { 0.83333333333333393, -4.7927662904255008, 6.4594329570921687, 0.99518103136660963 },
                 { 13.166666666666668, 7.5405670429078331, 18.792766290425504, 1.4882128862581112e-10 } }
  for k, row in ipairs { r.rows[1], r.rows[15] } do
    for c = 1, 4 do T.rel(row[c], want[k][c], c == 4 and 1e-8 or 1e-12, "Tukey " .. k .. "," .. c) end
  end
  -- R: tg <- ToothGrowth; tg$dose <- factor(tg$dose); TukeyHSD(aov(len ~ supp * dose, data = tg), which = "dose")$dose
  local fit = stats.aov(D.tg_len, D.tg_supp, D.tg_dose, { interaction = true, names = { "supp", "dose" } })
  local d = stats.tukey_hsd(fit).dose
  local w = { 9.1300000000000097, 15.495000000000012, 6.365000000000002, 6.3624875245696266, 12.727487524569629,
    3.5974875245696194, 11.897512475430393, 18.262512475430395, 9.132512475430385, 3.5530656194993071e-10,
    4.3842707242447432e-13, 2.7075723050273837e-06 }
  T.eq(table.concat(d.names, " "), "1-0.5 2-0.5 2-1")
  for i = 1, 3 do for c = 1, 4 do T.rel(d.rows[i][c], w[(c - 1) * 3 + i], c == 4 and 1e-7 or 1e-12, "dose " .. i .. "," .. c) end end
  T.raises(function() stats.tukey_hsd(stats.aov(D.mpg, D.cyl, D.am)) end, "stats.tukey_hsd: a two-way fit needs a balanced design")
  T.raises(function() stats.tukey_hsd({}) end, "stats.tukey_hsd: argument 'fit' must be a stats.aov result")
end)

T.test("p_adjust hommel equals R's p.adjust", function()
  local function same(got, want)
    for i = 1, #want do
      if want[i] ~= want[i] then T.ok(got[i] ~= got[i], "NA stays NA") else T.rel(got[i], want[i], 1e-14, "hommel " .. i) end
    end
  end
  -- R: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05, 0.2, NA), "hommel")
  same(stats.p_adjust({ 0.01, 0.02, 0.03, 0.04, 0.05, 0.2, 0 / 0 }, { method = "hommel" }),
    { 0.059999999999999998, 0.066666666666666666, 0.075000000000000011, 0.080000000000000002, 0.10000000000000001, 0.20000000000000001, 0 / 0 })
  -- R: p.adjust(c(0.03, 0.01), "hommel") (R uses hochberg for two)
  same(stats.p_adjust({ 0.03, 0.01 }, { method = "hommel" }), { 0.029999999999999999, 0.02 })
  -- R: set.seed(1); x <- round(runif(12)^3, 4); p.adjust(x, "hommel")
  same(stats.p_adjust({ 0.0187, 0.0515, 0.188, 0.7491, 0.0082, 0.7251, 0.843, 0.2885, 0.249, 2e-04, 0.0087, 0.0055 }, { method = "hommel" }),
    { 0.14960000000000001, 0.36049999999999999, 0.752, 0.84299999999999997, 0.073800000000000004, 0.84299999999999997,
      0.84299999999999997, 0.84299999999999997, 0.84299999999999997, 0.0024000000000000002, 0.078299999999999995, 0.049499999999999995 })
  -- R: p.adjust(c(0.01, 0.02, 0.03), "hommel", n = 5)
  same(stats.p_adjust({ 0.01, 0.02, 0.03 }, { method = "hommel", n = 5 }), { 0.049999999999999996, 0.059999999999999998, 0.089999999999999997 })
end)

T.test("frame Columns, Matrix columns and warnings", function()
  local df = data._typed_frame({ "len", "supp" }, { D.tg_len, D.tg_supp })
  local len = df:col("len")
  T.rel(stats.shapiro_test(len).statistic, 0.96742864385388971, 1e-12, "Column")   -- R: shapiro.test(ToothGrowth$len)
  T.rel(stats.wilcox_test(mat.from { oj }:t(), mat.from { vc }:t()).p_value, wilcox[8][2].p, 1e-10, "Matrix columns")
  local na = data._typed_frame({ "n" }, { { 1, 2, 3, 4, nil, 6, n = 6 } })
  T.eq(stats.wilcox_test(na:col("n")).nx, 5)   -- the NA of an integer Column is dropped
  local fit = stats.aov(len, df:col("supp"))
  T.eq(fit.terms[1], "group"); T.eq(fit.df[1], 1)
  T.rel(fit.ss[1], 205.35, 1e-12, "aov on Columns")   -- R: summary(aov(len ~ supp, data = ToothGrowth)): 205.35
  T.raises(function() stats.shapiro_test(df:col("supp")) end, "stats.shapiro_test: argument 'x' must be a numeric Column (got a string Column)")
  T.eq(stats.wilcox_test(oj, vc).warning, "cannot compute exact p-value with ties")
  T.eq(stats.cor_test(D.mpg, D.wt, { method = "kendall" }).warning, "Cannot compute exact p-value with ties")
  T.eq(stats.ks_test(oj, vc, { exact = false }).warning, "p-value will be approximate in the presence of ties")
  local s = stats.fisher_test(job, { simulate_p_value = true, B = 2000, seed = 7 })
  T.eq(s.method, "Fisher's Exact Test for Count Data with simulated p-value\n\t (based on 2000 replicates)")
  T.ok(math.abs(s.p_value - 0.7827) < 0.05, "simulated p near R's exact 0.7827: " .. s.p_value)
  T.eq(stats.fisher_test(job, { simulate_p_value = true, B = 500, seed = 3 }).p_value,
       stats.fisher_test(job, { simulate_p_value = true, B = 500, seed = 3 }).p_value)
end)

T.test("bad input", function()
  T.raises(function() stats.wilcox_test({ 0 / 0 }) end, "stats.wilcox_test: not enough (non-missing) 'x' observations")
  T.raises(function() stats.wilcox_test({ 1, 2 }, { 0 / 0 }) end, "stats.wilcox_test: not enough 'y' observations")
  T.raises(function() stats.wilcox_test({ 1, 2, 3 }, { paired = true }) end, "stats.wilcox_test: 'y' is missing for paired test")
  T.raises(function() stats.wilcox_test({ 1, 2, 3 }, { 1, 2 }, { paired = true }) end, "'x' and 'y' must have the same length (3 and 2)")
  T.raises(function() stats.wilcox_test({ 2, 2, 2 }, { mu = 2, conf_int = true }) end,
    "stats.wilcox_test: cannot compute confidence interval when all observations are zero or tied")
  T.raises(function() stats.wilcox_test({ 1, 2 }, { conf_level = 1 }) end, "stats.wilcox_test: 'conf_level' must be in (0, 1)")
  local big = {}
  for i = 1, 1200 do big[i] = i * 1.5 end
  T.raises(function() stats.wilcox_test(big, { exact = true }) end, "stats.wilcox_test: exact = true needs at most 1000 observations")
  T.raises(function() stats.cor_test({ 1 }, { 2 }, { method = "kendall" }) end, "stats.cor_test: not enough finite observations (1 pairs)")
  local x171, y171 = {}, {}
  for i = 1, 171 do x171[i] = i; y171[i] = (i * 37) % 173 end
  T.raises(function() stats.cor_test(x171, y171, { method = "kendall", exact = true }) end,
    "stats.cor_test: exact = true needs n <= 170 (got 171)")   -- R's counts overflow there (it returns NaN)
  local c = stats.cor_test({ 1, 1, 1 }, { 1, 2, 3 }, { method = "spearman" })
  T.ok(c.p_value ~= c.p_value and c.warning == "the standard deviation is zero", "constant data: NA as R")
  T.raises(function() stats.shapiro_test({ 1, 2 }) end, "stats.shapiro_test: sample size must be between 3 and 5000 (got 2)")
  T.raises(function() stats.shapiro_test({ 3, 3, 3, 3 }) end, "stats.shapiro_test: all 'x' values are identical")
  T.raises(function() stats.ks_test({ 1, 2 }, "pbinom", 3, 0.5) end, "stats.ks_test: argument 'y': 'pbinom' is not a continuous distribution")
  T.raises(function() stats.ks_test({ 1, 2 }, "pgamma") end, "stats.ks_test: pgamma needs its parameter 'shape'")
  T.raises(function() stats.ks_test({ 1, 2 }, "pnorm", 0, 1, 2) end, "stats.ks_test: pnorm takes 2 parameters (got 3)")
  T.raises(function() stats.ks_test({ 1, 2 }) end, "stats.ks_test: argument 'y' is missing")
  T.raises(function() stats.ks_test({ 0 / 0 }, { 1 }) end, "stats.ks_test: not enough 'x' data")
  T.raises(function() stats.fisher_test({ { 1, 2, 3 } }) end, "stats.fisher_test: 'x' must have at least 2 rows and columns (got 1 x 3)")
  T.raises(function() stats.fisher_test({ { 1, -2 }, { 3, 4 } }) end, "stats.fisher_test: all entries of 'x' must be nonnegative and finite")
  T.raises(function() stats.fisher_test(job, { max_tables = 10 }) end,
    "stats.fisher_test: the enumeration of the tables with these margins passes 10 steps: use simulate_p_value = true")
  T.eq(stats.fisher_test({ { 1.2, 2 }, { 3, 4 } }).warning, "'x' has been rounded to integer")
  T.raises(function() stats.fisher_test({ { 0, 0, 0 }, { 1, 2, 3 } }, { simulate_p_value = true }) end,
    "stats.fisher_test: need 2 or more non-zero row marginals")
  T.raises(function() stats.aov({ 1, 2, 3 }, { "a", "a", "a" }) end, "stats.aov: each factor needs at least 2 levels")
  T.raises(function() stats.aov({ 1, 2, 3 }, { "a", "b" }) end, "stats.aov: argument 'g1' has 2 values, 'y' has 3")
  T.raises(function() stats.aov({ 1, 2 }, 5) end, "stats.aov: argument 'g1' must be an array of labels or a Column")
  T.raises(function() stats.aov({ 1, 2, 3 }, { "a", "b", "b" }, { levels = { "a", "b" } }) end,
    "stats.aov: option 'levels' must be an array of level arrays")
  local one = stats.aov({ 1, 2 }, { "a", "b" })   -- R: no residual df, F and p are NA
  T.eq(one.df_resid, 0); T.ok(one.p[1] ~= one.p[1], "no residual df: NA")
end)

T.done()

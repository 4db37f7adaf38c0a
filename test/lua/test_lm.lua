-- test/lua/test_lm.lua - stats.lm and stats.glm against R 4.2 on R's datasets
-- (test/fixtures/r_datasets/, written by make_fixtures.R and read back with
-- read.csv in R, so string columns are factors with sorted levels on both
-- sides). Reference values: R's coef(), summary()$coefficients, sigma,
-- r.squared, fstatistic, logLik, AIC, BIC, deviance, aic, iter, as printed
-- by sprintf("%.15g") next to each call.
local T = dofile("test/lua/harness.lua")
local NA = 0 / 0

local function load(name, keep)
  local f = assert(io.open("test/fixtures/r_datasets/" .. name))
  local names = {}
  for n in f:read("l"):gmatch("[^,]+") do names[#names + 1] = n end
  local cols, nrow = {}, 0
  for j = 1, #names do cols[j] = {} end
  for line in f:lines() do
    nrow = nrow + 1
    local j = 0
    for v in (line .. ","):gmatch("([^,]*),") do j = j + 1; cols[j][nrow] = v end
  end
  f:close()
  for j = 1, #names do
    local numeric = true
    for i = 1, nrow do if cols[j][i] ~= "NA" and tonumber(cols[j][i]) == nil then numeric = false end end
    for i = 1, nrow do
      local v = cols[j][i]
      if v == "NA" then cols[j][i] = nil elseif numeric then cols[j][i] = tonumber(v) end
    end
    cols[j].n = nrow
  end
  if keep then
    for j = #names, keep + 1, -1 do names[j] = nil; cols[j] = nil end
  end
  return data._typed_frame(names, cols)
end

local frames = {
  mt = load("mtcars.csv"), mt7 = load("mtcars.csv", 7), tg = load("ToothGrowth.csv"), wb = load("warpbreaks.csv"),
  pg = load("PlantGrowth.csv"), is = load("InsectSprays.csv"), es = load("esoph.csv"), aq = load("airquality.csv"),
}

local cases = {
  -- R 4.2: lm(mpg ~ wt + hp + factor(cyl) + wt:hp, mtcars)
  { data = "mt", kind = "lm", formula = "mpg ~ wt + hp + factor(cyl) + wt:hp", opts = nil,
  names = {"(Intercept)", "wt", "hp", "factor(cyl)6", "factor(cyl)8", "wt:hp"},
  coef = {47.3373289348181, -7.30633652962493, -0.103331168366647, -1.25907265096332, -1.45433928785353, 0.0239512097433944},
  se = {4.67978972352472, 1.67525817795094, 0.031907144058011, 1.48959447196472, 2.06369588298647, 0.00896630720517622},
  p = {1.66905280992675e-10, 0.000181301681984156, 0.00327429484803835, 0.405685406244997, 0.487246365678731, 0.0128645153657053},
  sigma = 2.2027524888092, r2 = 0.88796643417678, adj = 0.866421517672314, f = 41.2146611936387, fp = 1.50278090680491e-11, loglik = -67.3544499342142, aic = 148.708899868428, bic = 158.969051188026 },
  -- R 4.2: lm(len ~ supp * dose, tg)
  { data = "tg", kind = "lm", formula = "len ~ supp * dose", opts = nil,
  names = {"(Intercept)", "suppVC", "dose", "suppVC:dose"},
  coef = {11.55, -8.25500000000001, 7.81142857142857, 3.90428571428572},
  se = {1.58139427227613, 2.23642922731204, 1.19542170548132, 1.69058158864685},
  p = {1.08955767306659e-09, 0.000507339303179277, 2.02775256564356e-08, 0.0246313581344879},
  sigma = 4.08314245354217, r2 = 0.729554369847571, adj = 0.715066211089405, f = 50.3552164236452, fp = 6.52079136103684e-16, loglik = -167.478539917193, aic = 344.957079834386, bic = 355.428802645497 },
  -- R 4.2: lm(breaks ~ wool + tension, wb)
  { data = "wb", kind = "lm", formula = "breaks ~ wool + tension", opts = nil,
  names = {"(Intercept)", "woolB", "tensionL", "tensionM"},
  coef = {24.5555555555556, -5.77777777777778, 14.7222222222222, 4.72222222222222},
  se = {3.16178310894083, 3.16178310894083, 3.87237764712784, 3.87237764712783},
  p = {3.82787344529005e-10, 0.0736136689806042, 0.000391384184576672, 0.228389867360251},
  sigma = 11.6171329413835, r2 = 0.269140665741357, adj = 0.225289105685839, f = 6.13753912975069, fp = 0.00122981589685473, loglik = -206.978705934964, aic = 423.957411869928, bic = 433.90233210275 },
  -- R 4.2: lm(weight ~ group, pg)
  { data = "pg", kind = "lm", formula = "weight ~ group", opts = nil,
  names = {"(Intercept)", "grouptrt1", "grouptrt2"},
  coef = {5.032, -0.371, 0.494},
  se = {0.197128365773657, 0.27878160840555, 0.27878160840555},
  p = {1.93657464606787e-20, 0.194387880054302, 0.0876816750626832},
  sigma = 0.623374627271536, r2 = 0.264148296832119, adj = 0.209640763264128, f = 4.84608786238013, fp = 0.015909958325623, loglik = -26.8095198701878, aic = 61.6190397403757, bic = 67.2238292670243 },
  -- R 4.2: lm(Ozone ~ Solar.R + Wind + Temp + log(Wind) + I(Temp^2), aq)
  { data = "aq", kind = "lm", formula = "Ozone ~ Solar.R + Wind + Temp + log(Wind) + I(Temp^2)", opts = nil,
  names = {"(Intercept)", "Solar.R", "Wind", "Temp", "log(Wind)", "I(Temp^2)"},
  coef = {326.178725318311, 0.0645944803855667, 4.37997280844037, -6.27464962409041, -73.0350031568457, 0.0506647605769747},
  se = {101.423089401988, 0.0202930629058531, 1.83426443222994, 2.76286506356176, 16.9828782025064, 0.0180490473960923},
  p = {0.00172806816700351, 0.00191747693354692, 0.0187337508741902, 0.0251832292867289, 3.82790056986642e-05, 0.00596098230572596},
  sigma = 18.4623532129243, r2 = 0.706161085050773, adj = 0.692168755767476, f = 50.4677291931487, fp = 2.11870619350722e-26, loglik = -478.064490843972, aic = 970.128981687944, bic = 989.09569309713 },
  -- R 4.2: lm(mpg ~ poly(hp, 3) + wt, mtcars)
  { data = "mt", kind = "lm", formula = "mpg ~ poly(hp, 3) + wt", opts = nil,
  names = {"(Intercept)", "poly(hp, 3)1", "poly(hp, 3)2", "poly(hp, 3)3", "wt"},
  coef = {30.4858647164675, -14.4500323444834, 6.48460560564483, -4.18735585618618, -3.23109479103816},
  se = {2.156681851868, 3.29540002919602, 2.66916545554241, 2.33121396200835, 0.658357988848128},
  p = {5.36584074951778e-14, 0.000158828015141593, 0.0220516776930625, 0.0836595051251351, 3.90192136410238e-05},
  sigma = 2.29726454853812, r2 = 0.873459602276933, adj = 0.85471287668833, f = 46.5926488414578, fp = 9.70560376326221e-12, loglik = -69.3026593026953, aic = 150.605318605391, bic = 159.399734022189 },
  -- R 4.2: lm(mpg ~ wt + hp, mtcars, weights = cyl)
  { data = "mt", kind = "lm", formula = "mpg ~ wt + hp", opts = { weights = "cyl" },
  names = {"(Intercept)", "wt", "hp"},
  coef = {35.93529161242, -3.60400958903468, -0.0302139239979704},
  se = {1.66154395573711, 0.583533551467466, 0.00814061747327458},
  p = {1.94939720884473e-19, 9.83411522894618e-07, 0.000870334046980502},
  sigma = 6.17120419438953, r2 = 0.811481039579445, adj = 0.798479731964234, f = 62.4153403331571, fp = 3.10919545975814e-11, loglik = -73.6157315979041, aic = 155.231463195808, bic = 161.094406807007 },
  -- R 4.2: lm(mpg ~ wt + wt2 + hp, mtcars) (aliased)
  { data = "mt", kind = "lm", formula = "mpg ~ wt + I(2 * wt) + hp", opts = nil,
  names = {"(Intercept)", "wt", "I(2 * wt)", "hp"},
  coef = {37.2272701164472, -3.87783074240468, NA, -0.031772946982161},
  se = {1.59878753799939, 0.632733494377395, 0.00902970967585572},
  p = {2.56545851198376e-20, 1.11964713620005e-06, 0.00145122853156942},
  sigma = 2.59341177722657, r2 = 0.826785451882791, adj = 0.814839620978156, f = 69.2112133917776, fp = 9.10905438522209e-12, loglik = -74.3261694128207, aic = 156.652338825641, bic = 162.51528243684 },
  -- R 4.2: lm(mpg ~ factor(cyl) - 1 + wt, mtcars)
  { data = "mt", kind = "lm", formula = "mpg ~ factor(cyl) - 1 + wt", opts = nil,
  names = {"factor(cyl)4", "factor(cyl)6", "factor(cyl)8", "wt"},
  coef = {33.9907940091325, 29.7352116071612, 27.9199343286416, -3.20561325619286},
  se = {1.88779342456727, 2.54095943194974, 3.09146449014415, 0.753895654956412},
  p = {6.25724556607425e-17, 2.68797659535893e-12, 8.68097495133929e-10, 0.00021304346026846},
  sigma = 2.5569139299748, r2 = 0.986963779629678, adj = 0.985101462433917, f = 529.965454798234, fp = 6.06594454185188e-26, loglik = -73.3111639067323, aic = 156.622327813465, bic = 163.951007327463 },
  -- R 4.2: lm(mpg ~ wt:factor(am), mtcars)
  { data = "mt", kind = "lm", formula = "mpg ~ wt:factor(am)", opts = nil,
  names = {"(Intercept)", "wt:factor(am)0", "wt:factor(am)1"},
  coef = {38.879841755528, -5.68954254849361, -6.18423519834788},
  se = {2.50939108152619, 0.66539847453289, 1.03893236163664},
  p = {1.4525844685061e-15, 2.02895990351153e-09, 1.81467974263365e-06},
  sigma = 3.04991672204657, r2 = 0.760438309046299, adj = 0.743916813118458, f = 46.0272067594579, fp = 1.0035796898571e-09, loglik = -79.5146490495223, aic = 167.029298099045, bic = 172.892241710243 },
  -- R 4.2: lm(mpg ~ ., mtcars[, 1:7])
  { data = "mt7", kind = "lm", formula = "mpg ~ .", opts = nil,
  names = {"(Intercept)", "cyl", "disp", "hp", "drat", "wt", "qsec"},
  coef = {26.3073589938126, -0.818560234763672, 0.0132048951025675, -0.0179299324638521, 1.32040573340713, -4.19083237723127, 0.401461166183987},
  se = {14.6299378701975, 0.811562944432323, 0.0120367248820412, 0.0155053234843549, 1.47947592708963, 1.25790728375834, 0.516584190223705},
  p = {0.0842351145138373, 0.322819078818298, 0.283074305273835, 0.258459935533697, 0.380645135436272, 0.00268674195346196, 0.444364794113409},
  sigma = 2.55716104399345, r2 = 0.854822411584823, adj = 0.819979790365181, f = 24.5338146689986, fp = 2.44954264797489e-09, loglik = -71.5009974457992, aic = 159.001994891598, bic = 170.727882113996 },
  -- R 4.2: glm(am ~ wt + hp, binomial, mtcars)
  { data = "mt", kind = "glm", formula = "am ~ wt + hp", opts = { family = "binomial" },
  names = {"(Intercept)", "wt", "hp"},
  coef = {18.8662987172041, -8.08347518244463, 0.0362555960822166},
  se = {7.44355806020529, 3.0686751130547, 0.0177341536507694},
  p = {0.0112581987166138, 0.00843381259970712, 0.0409146464590303},
  deviance = 10.059110472267, null_deviance = 43.2297332768578, aic = 16.059110472267, dispersion = 1, iter = 8 },
  -- R 4.2: glm(count ~ spray, poisson, is)
  { data = "is", kind = "glm", formula = "count ~ spray", opts = { family = "poisson" },
  names = {"(Intercept)", "sprayB", "sprayC", "sprayD", "sprayE", "sprayF"},
  coef = {2.67414864942653, 0.0558804583944565, -1.94017947434554, -1.08151785530881, -1.42138568093116, 0.139262067333508},
  se = {0.0758098043578824, 0.105744546173672, 0.21388566132434, 0.150652842582801, 0.171920476504782, 0.103668348288052},
  p = {1.44804768645164e-272, 0.597188662875786, 1.17815125134357e-19, 7.02876096867277e-13, 1.3657629638233e-16, 0.179161192607662},
  deviance = 98.3286630208019, null_deviance = 409.041192723197, aic = 376.58920803117, dispersion = 1, iter = 5 },
  -- R 4.2: glm(breaks ~ wool * tension, poisson, wb)
  { data = "wb", kind = "glm", formula = "breaks ~ wool * tension", opts = { family = "poisson" },
  names = {"(Intercept)", "woolB", "tensionL", "tensionM", "woolB:tensionL", "woolB:tensionM"},
  coef = {3.2009381241905, -0.268263986603645, 0.595798725786427, -0.0228842938416254, -0.188363173690408, 0.449813640618291},
  se = {0.0672671369533313, 0.102186236738392, 0.0837772299276644, 0.0956791044312988, 0.129895293334907, 0.137595972612063},
  p = {0, 0.00865864408641504, 1.14620224258478e-12, 0.810967909566828, 0.147026323225204, 0.00107893914595255},
  deviance = 182.305131285847, null_deviance = 297.372211804605, aic = 468.969208941351, dispersion = 1, iter = 4 },
  -- R 4.2: glm(cbind(ncases, ncontrols) ~ agegp + alcgp, binomial, es)
  { data = "es", kind = "glm", formula = "cbind(ncases, ncontrols) ~ agegp + alcgp", opts = { family = "binomial" },
  names = {"(Intercept)", "agegp35-44", "agegp45-54", "agegp55-64", "agegp65-74", "agegp75+", "alcgp120+", "alcgp40-79", "alcgp80-119"},
  coef = {-6.1471913613157, 1.63112148408728, 3.42584427664077, 3.94345645117955, 4.35677656605951, 4.4242289291243, 3.68001238574805, 1.43430974176413, 2.00711036682557},
  se = {1.04187856517284, 1.08001432380111, 1.03893838737221, 1.03462353852723, 1.04133711547897, 1.09140122650684, 0.376337199744786, 0.244785771943285, 0.277615313554347},
  p = {3.63273632057513e-09, 0.13097259477303, 0.000975680839957787, 0.000138132087482389, 2.86639582323218e-05, 5.04107434018742e-05, 1.3926240807954e-22, 4.64405535031347e-09, 4.83613836378541e-13},
  deviance = 105.881185224517, null_deviance = 367.953457855934, aic = 238.936105623291, dispersion = 1, iter = 6 },
  -- R 4.2: glm(mpg ~ wt + hp, Gamma, mtcars)
  { data = "mt", kind = "glm", formula = "mpg ~ wt + hp", opts = { family = "Gamma" },
  names = {"(Intercept)", "wt", "hp"},
  coef = {0.00892260000107457, 0.00982643615466226, 8.88733587109191e-05},
  se = {0.00295983684702968, 0.0014599753305029, 2.22596714202839e-05},
  p = {0.00530283610490423, 2.1942061576951e-07, 0.000408213075085492},
  deviance = 0.334489445712144, null_deviance = 2.73528965028487, aic = 142.200387602477, dispersion = 0.0116121217252835, iter = 4 },
  -- R 4.2: glm(mpg ~ wt, gaussian(link = 'log'), mtcars)
  { data = "mt", kind = "glm", formula = "mpg ~ wt", opts = { family = "gaussian", link = "log" },
  names = {"(Intercept)", "wt"},
  coef = {3.90519427180369, -0.293578285737868},
  se = {0.0762943961644873, 0.0266355712834107},
  p = {9.33743878553652e-31, 4.525341493631e-12},
  deviance = 213.527264747167, null_deviance = 1126.0471875, aic = 157.548982139478, dispersion = 7.11757784777441, iter = 5 },
  -- R 4.2: glm(vs ~ mpg, binomial(link = 'probit'), mtcars)
  { data = "mt", kind = "glm", formula = "vs ~ mpg", opts = { family = "binomial", link = "probit" },
  names = {"(Intercept)", "mpg"},
  coef = {-5.09361977655863, 0.246136165997874},
  se = {1.64255438444555, 0.082534304444226},
  p = {0.00192845042504367, 0.00286158208026628},
  deviance = 25.4344760055596, null_deviance = 43.8601092656933, aic = 29.4344760055596, dispersion = 1, iter = 6 },
  -- R 4.2: glm(supp ~ len, binomial, tg) (string response)
  { data = "tg", kind = "glm", formula = "supp ~ len", opts = { family = "binomial" },
  names = {"(Intercept)", "len"},
  coef = {1.26299069814799, -0.0670488633425216},
  se = {0.734240523634682, 0.0362370080595884},
  p = {0.0854084309005801, 0.0642722016503024},
  deviance = 79.5340869098404, null_deviance = 83.1776616671934, aic = 83.5340869098404, dispersion = 1, iter = 4 },
  -- R 4.2: glm(count ~ spray, poisson(link = 'sqrt'), is)
  { data = "is", kind = "glm", formula = "count ~ spray", opts = { family = "poisson", link = "sqrt" },
  names = {"(Intercept)", "sprayB", "sprayC", "sprayD", "sprayE", "sprayF"},
  coef = {3.80788655293195, 0.107893488558289, -2.36451087922082, -1.59053077032361, -1.93705785954496, 0.274596351706676},
  se = {0.144337567297406, 0.204124145231932, 0.204124145231932, 0.204124145231931, 0.204124145231932, 0.204124145231931},
  p = {2.21581745216861e-153, 0.597105172637974, 4.9852795807841e-31, 6.59684228450238e-15, 2.31907549088761e-21, 0.178547131265684},
  deviance = 98.3286630208019, null_deviance = 409.041192723197, aic = 376.58920803117, dispersion = 1, iter = 4 },
}

local TOL = 1e-8

local function rel(a, b, msg)
  if b == 0 then T.near(a, 0, 1e-300, msg) else T.rel(a, b, TOL, msg) end
end

for _, c in ipairs(cases) do
  T.test(c.kind .. ": " .. c.formula .. " (" .. c.data .. ")", function()
    local fit = stats[c.kind](frames[c.data], c.formula, c.opts)
    T.eq(#fit.names, #c.names, "number of coefficients")
    local k = 0
    for i, name in ipairs(c.names) do
      T.eq(fit.names[i], name, "name " .. i)
      if c.coef[i] ~= c.coef[i] then
        T.ok(fit.coefficients[i] ~= fit.coefficients[i], name .. " aliased (NA)")
      else
        k = k + 1
        rel(fit.coefficients[i], c.coef[i], name .. " estimate")
        rel(fit.std_error[i], c.se[k], name .. " std. error")
        rel(fit.p_value[i], c.p[k], name .. " p-value")
      end
    end
    if c.kind == "lm" then
      rel(fit.sigma, c.sigma, "sigma"); rel(fit.r_squared, c.r2, "R^2"); rel(fit.adj_r_squared, c.adj, "adj R^2")
      rel(fit.fstatistic, c.f, "F"); rel(fit.f_p_value, c.fp, "F p-value")
      rel(fit.logLik, c.loglik, "logLik"); rel(fit.AIC, c.aic, "AIC"); rel(fit.BIC, c.bic, "BIC")
    else
      rel(fit.deviance, c.deviance, "deviance"); rel(fit.null_deviance, c.null_deviance, "null deviance")
      rel(fit.AIC, c.aic, "AIC"); rel(fit.dispersion, c.dispersion, "dispersion")
      T.eq(fit.iter, c.iter, "Fisher scoring iterations")
    end
  end)
end

local function near_all(got, want, msg)
  if mat.is(got) then got = got:totable() end
  local flat = {}
  for _, v in ipairs(got) do
    if type(v) == "table" then for _, x in ipairs(v) do flat[#flat + 1] = x end else flat[#flat + 1] = v end
  end
  for i = 1, #want do rel(flat[i], want[i], (msg or "value") .. " " .. i) end
end

local wthp = data._typed_frame({ "wt", "hp" }, { { 2.5, 3.5, n = 2 }, { 100, 200, n = 2 } })

T.test("lm: predict with intervals, confint, influence (R 4.2)", function()
  local m = stats.lm(frames.mt, "mpg ~ wt + hp")
  -- predict(m, data.frame(wt = c(2.5, 3.5), hp = c(100, 200)), interval = "confidence")
  near_all(m:predict(wthp, { interval = "confidence" }), { 24.3553985622194, 23.159683432362, 25.5511136920768,
    17.3002731215986, 16.072348427662, 18.5281978155352 }, "confidence")
  -- predict(m, nd, interval = "prediction", level = 0.9)
  near_all(m:predict(wthp, { interval = "prediction", level = 0.9 }), { 24.3553985622194, 19.8382815717263,
    28.8725155527125, 17.3002731215986, 12.7771961796991, 21.8233500634982 }, "prediction")
  -- confint(m), by rows
  local ci = m:confint()
  near_all(ci:col("2.5 %"):totable(), { 33.9573824522585, -5.17191604067554, -0.0502407768710736 }, "lower")
  near_all(ci:col("97.5 %"):totable(), { 40.4971577806359, -2.58374544413383, -0.0133051170932484 }, "upper")
  -- hatvalues(m)[1:5], cooks.distance(m)[1:5], rstandard(m)[1:5]
  near_all(m.hatvalues, { 0.044276914820486, 0.0404866865551044, 0.0602009724178126, 0.0474749366317246, 0.0368628797062453 }, "hat")
  near_all(m.cooks_distance, { 0.0158965233040895, 0.00546477876084895, 0.0207065143642727, 4.72482238662702e-05,
    0.000273618420215387 }, "cooks")
  near_all(m.std_residuals, { -1.01458646671643, -0.623327524172382, -0.984758796296837, 0.0533285014619381,
    0.146447756885684 }, "rstandard")
  T.eq(m.residuals:rows(), 32)
  -- predict(m) on the fitting rows is fitted(m)
  near_all(m:predict(), m.fitted:totable(), "fitted")
end)

T.test("lm: anova tables (R 4.2)", function()
  local m = stats.lm(frames.mt, "mpg ~ wt + hp")
  local a = m:anova()
  -- anova(m)[["Sum Sq"]], [["F value"]], [["Pr(>F)"]]
  near_all(a.sum_sq, { 847.725249956657, 83.2741828018771, 195.047754741466 }, "Sum Sq")
  near_all({ a.F[1], a.F[2] }, { 126.04109327651, 12.3813335070451 }, "F")
  near_all({ a.p_value[1], a.p_value[2] }, { 4.48835982148814e-12, 0.00145122853156942 }, "p")
  T.eq(a.terms[1], "wt"); T.eq(a.terms[3], "Residuals")
  -- anova(lm(mpg ~ wt, mtcars), m)
  local a2 = stats.anova(stats.lm(frames.mt, "mpg ~ wt"), m)
  rel(a2.F[2], 12.3813335070451, "F"); rel(a2.p_value[2], 0.00145122853156942, "p")
  T.rel(stats.anova(m).sum_sq[1], 847.725249956657, 1e-8)
end)

T.test("glm: predict on both scales, influence, anova, logLik (R 4.2)", function()
  local g = stats.glm(frames.mt, "am ~ wt + hp", { family = "binomial" })
  -- predict(g, nd, type = "response", se.fit = TRUE)
  local fit, se = g:predict(wthp, { type = "response", se_fit = true })
  near_all(fit, { 0.907473591915054, 0.102041413432028 }, "response"); near_all(se, { 0.114773116540528, 0.117498516160265 }, "se")
  -- predict(g, nd, se.fit = TRUE)
  fit, se = g:predict(wthp, { se_fit = true })
  near_all(fit, { 2.28317036931418, -2.17474520490879 }, "link"); near_all(se, { 1.36691174761355, 1.28232942761838 }, "se")
  -- cooks.distance(g)[1:4], hatvalues(g)[1:4]
  near_all(g.cooks_distance, { 0.0172510983588934, 0.20340414972952, 0.00105403892848994, 0.00168675565123358 }, "cooks")
  near_all(g.hatvalues, { 0.184073534724686, 0.23981141357838, 0.0861051255183869, 0.0951461385459757 }, "hat")
  -- anova(glm(am ~ wt, binomial, mtcars), g, test = "Chisq"); logLik(g); BIC(g)
  local a = stats.anova(stats.glm(frames.mt, "am ~ wt", { family = "binomial" }), g)
  rel(a.sum_sq[2], 9.11697433517809, "deviance"); rel(a.p_value[2], 0.00253248481199101, "p")
  rel(g.logLik, -5.02955523613349, "logLik"); rel(g.BIC, 20.4563181806662, "BIC")
end)

T.test("tidy and glance as broom", function()
  local m = stats.lm(frames.mt, "mpg ~ wt + hp + wt:hp")
  local t = m:tidy()
  T.eq(t:nrow(), 4)
  local names = t:names()
  T.eq(table.concat(names, ","), "term,estimate,std_error,statistic,p_value")
  T.eq(t:col("term"):totable()[4], "wt:hp")
  T.rel(t:col("estimate"):totable()[1], m.coefficients[1], 1e-15)
  local g = m:glance()
  for _, k in ipairs { "r_squared", "adj_r_squared", "sigma", "statistic", "p_value", "df", "df_residual", "logLik",
    "AIC", "BIC", "deviance", "nobs" } do
    T.ok(type(g[k]) == "number", "glance." .. k)
  end
  T.eq(g.nobs, 32); T.eq(g.df, 3)
  -- aliased coefficients are NA in tidy
  local a = stats.lm(frames.mt, "mpg ~ wt + I(2 * wt)"):tidy()
  T.eq(a:col("estimate"):totable()[3], nil)
  local gl = stats.glm(frames.mt, "am ~ wt", { family = "binomial" }):glance()
  T.ok(gl.null_deviance > gl.deviance)
end)

T.test("summaries print as R 4.2 (test/fixtures/r_datasets/lm_print.R)", function()
  local data, aq = frames.mt, frames.aq
  local out = {
    tostring(stats.lm(data, "mpg ~ wt + factor(cyl) + I(2 * wt)"):summary()),
    tostring(stats.glm(data, "cyl ~ hp", { family = "poisson" }):summary()),
    tostring(stats.anova(stats.lm(data, "mpg ~ wt"), stats.lm(data, "mpg ~ wt + hp"))),
    tostring(stats.lm(aq, "Ozone ~ Wind + Temp"):summary()),
    tostring(stats.anova(stats.glm(data, "am ~ wt", { family = "binomial" }), stats.glm(data, "am ~ wt + hp", { family = "binomial" }))),
    tostring(stats.lm(data, "mpg ~ wt + hp + factor(cyl) + wt:hp + qsec + drat + disp")),
    tostring(stats.glm(data, "am ~ wt + hp", { family = "binomial" })),
    tostring(stats.glm(data, "mpg ~ wt", { family = "Gamma", link = "log" })),
    tostring(stats.lm(data, "mpg ~ 0"):summary()),
    tostring(stats.glm(data, "am ~ wt + hp", { family = "binomial" }):anova { test = "none" }),
    tostring(stats.anova(stats.glm(data, "am ~ wt + hp", { family = "binomial" }))),
    tostring(stats.glm(data, "mpg ~ wt + factor(cyl)", { family = "Gamma" }):anova()),
    tostring(stats.lm(_G.data._typed_frame({ "y", "a", "b" }, { { 1, 2, n = 2 }, { 1, 3, n = 2 }, { 4, 7, n = 2 } }), "y ~ a + b"):summary()),
  }
  local d4 = _G.data._typed_frame({ "y", "x" }, { { 1, 2, 4, 3, n = 4 }, { 1, 2, 3, 4, n = 4 } })
  out[#out + 1] = tostring(stats.lm(d4, "y ~ x"):summary())
  out[#out + 1] = tostring(stats.glm(d4, "y ~ x", { family = "poisson" }):summary())
  local f = assert(io.open("test/fixtures/r_datasets/lm_print.txt"))
  local want = f:read("a")
  f:close()
  local got = table.concat(out)
  if got ~= want then
    local gl, wl, i = {}, {}, 1
    for l in got:gmatch("[^\n]*") do gl[#gl + 1] = l end
    for l in want:gmatch("[^\n]*") do wl[#wl + 1] = l end
    while gl[i] == wl[i] and i <= #wl do i = i + 1 end
    T.eq(gl[i], wl[i], "line " .. i)
  end
end)

T.test("NA rows omitted and counted; weights by column or array", function()
  local m = stats.lm(frames.aq, "Ozone ~ Wind + Temp")
  T.eq(m.n_omitted, 37); T.eq(m.nobs, 116)   -- R: nobs(lm(Ozone ~ Wind + Temp, airquality)) = 116
  T.raises(function() stats.lm(frames.aq, "Ozone ~ Wind", { na_action = "fail" }) end, "37 rows have missing values")
  local w = {}
  for i, c in ipairs(frames.mt:col("cyl"):totable()) do w[i] = c end
  local a, b = stats.lm(frames.mt, "mpg ~ wt + hp", { weights = "cyl" }), stats.lm(frames.mt, "mpg ~ wt + hp", { weights = w })
  T.rel(a.coefficients[2], b.coefficients[2], 1e-14)
  T.rel(a.coefficients[2], -3.60400958903468, 1e-8)   -- R: coef(lm(mpg ~ wt + hp, mtcars, weights = cyl))
end)

T.test("bad input: clear messages, never a crash", function()
  local mt = frames.mt
  T.raises(function() stats.lm(mt, "mpg ~ wgt + hp") end, "stats.lm: unknown column 'wgt' (did you mean 'wt'?)")
  T.raises(function() stats.lm(mt, "mpg ~ wt + ") end, "expected a term, found the end at position 12")
  T.raises(function() stats.lm(mt, "mpg ~ (wt + hp") end, "expected ')' at position 15")
  T.raises(function() stats.lm(mt, "mpg  wt") end, "expected '~'")
  T.raises(function() stats.lm(mt, "mpg ~ wt)") end, "unbalanced ')'")
  T.raises(function() stats.lm(mt, "model ~ wt") end, "the response 'model' is categorical, not numeric")
  T.raises(function() stats.lm(mt, "mpg ~ foo(wt)") end, "unknown function 'foo'")
  T.raises(function() stats.lm(mt, "mpg ~ log(model)") end, "column 'model' is string, not numeric")
  T.raises(function() stats.lm(mt, "mpg ~ poly(wt)") end, "poly(x, k) needs")
  T.raises(function() stats.lm(mt, "mpg ~ 3") end, "a number other than 0 or 1")
  T.raises(function() stats.lm(mt, "~ wt") end, "has no response")
  T.raises(function() stats.lm(mt, 42) end, "argument 'formula' must be a string")
  T.raises(function() stats.lm({}, "y ~ x") end, "argument 'data' must be a DataFrame")
  T.raises(function() stats.lm(mt, "mpg ~ wt", { weights = "model" }) end, "column 'model' is string, not numeric")
  T.raises(function() stats.lm(mt, "mpg ~ wt", { weights = { 1, 2 } }) end, "one value per row (32), got 2")
  T.raises(function() stats.glm(mt, "mpg ~ wt", { family = "binomial" }) end, "y values must be 0 <= y <= 1")
  T.raises(function() stats.glm(mt, "mpg ~ wt", { family = "poisson", link = "logit" }) end, "link \"logit\" not available for the poisson family")
  T.raises(function() stats.glm(mt, "model ~ wt", { family = "poisson" }) end, "categorical, not numeric")
  T.raises(function() stats.glm(mt, "I(mpg - 20) ~ wt", { family = "Gamma" }) end, "non-positive values not allowed for the 'Gamma' family")
  T.raises(function() stats.lm(mt, "mpg ~ wt"):predict(data._typed_frame({ "hp" }, { { 1, n = 1 } })) end, "unknown column 'wt'")
  local tg2 = data._typed_frame({ "len", "supp" }, { { 1, 2, 3, n = 3 }, { "OJ", "VC", "XX", n = 3 } })
  T.raises(function() stats.lm(frames.tg, "len ~ supp"):predict(tg2) end, "factor 'supp' has a new level 'XX'")
  T.raises(function() stats.glm(mt, "am ~ wt", { family = "binomial" }):anova { test = "LRT" } end, "option 'test' must be")
end)

T.test("perfect separation warns as R; rank deficiency as R", function()
  -- R: glm(am ~ mpg + wt + hp + disp + qsec, binomial, mtcars): both warnings, coef (Intercept) 687.18495083728
  local g = stats.glm(frames.mt, "am ~ mpg + wt + hp + disp + qsec", { family = "binomial" })
  T.eq(g.warnings[1], "glm.fit: algorithm did not converge")
  T.eq(g.warnings[2], "glm.fit: fitted probabilities numerically 0 or 1 occurred")
  T.rel(g.coefficients[1], 687.18495083728, 1e-6)
  -- a constant column is aliased (R: coef(lm(y ~ x + k)) gives k NA); fewer rows than coefficients too
  local cst = data._typed_frame({ "y", "x", "k" }, { { 1, 2, 4, 3, n = 4 }, { 1, 2, 3, 4, n = 4 }, { 5, 5, 5, 5, n = 4 } })
  local f = stats.lm(cst, "y ~ x + k")
  T.ok(f.coefficients[3] ~= f.coefficients[3]); T.rel(f.coefficients[2], 0.8, 1e-12); T.eq(f.rank, 2)
  local few = data._typed_frame({ "y", "a", "b" }, { { 1, 2, n = 2 }, { 1, 3, n = 2 }, { 4, 7, n = 2 } })
  local f2 = stats.lm(few, "y ~ a + b")
  T.eq(f2.rank, 2); T.eq(f2.df_residual, 0); T.ok(f2.coefficients[3] ~= f2.coefficients[3])
  T.ok(#tostring(f2:summary()) > 0)
end)

T.test("ordered factors get R's polynomial contrasts (contr.poly)", function()
  -- R 4.2: coef(summary(lm(weight ~ ordered(group), PlantGrowth)))
  local m = stats.lm(frames.pg, "weight ~ ordered(group)")
  T.eq(m.names[2], "ordered(group).L"); T.eq(m.names[3], "ordered(group).Q")
  near_all(m.coefficients, { 5.073, 0.349310749906154, 0.504594887013335 }, "estimate")
  near_all(m.std_error, { 0.113812115044332, 0.197128365773657, 0.197128365773657 }, "se")
  -- R 4.2: coef(lm(len ~ ordered(dose) * supp, ToothGrowth)) and their standard errors
  local m2 = stats.lm(frames.tg, "len ~ ordered(dose) * supp")
  T.eq(m2.names[5], "ordered(dose).L:suppVC")
  near_all(m2.coefficients, { 20.66333333333332, 9.07218000262340, -2.49439705473420, -3.7, 3.76887914372430,
    2.73118106320324 }, "estimate")
  near_all(m2.std_error, { 0.663001964505590, 1.148353088041659, 1.148353088041659, 0.937626370083811,
    1.624016511501540, 1.624016511501540 }, "se")
end)

T.test("a DataFrame from data.read_csv works too", function()
  local fit = stats.lm(data.read_csv("test/fixtures/r_datasets/PlantGrowth.csv"), "weight ~ group")
  T.rel(fit.coefficients[2], -0.371, 1e-12)   -- R: coef(lm(weight ~ group, PlantGrowth))[2]
end)

T.test("plot.diagnostics: four panels in the terminal and as SVG", function()
  local c = plot.diagnostics(stats.lm(frames.mt, "mpg ~ wt + hp"))
  local text = c:render { width = 100, height = 36 }
  for _, title in ipairs { "Residuals vs Fitted", "Normal Q-Q", "Scale-Location", "Residuals vs Leverage" } do
    T.ok(text:find(title, 1, true), title)
  end
  T.ok(text:find("17", 1, true), "the most extreme row (Chrysler Imperial, 17) labelled")
  local svg = c:svg()
  T.ok(svg:find("<svg", 1, true) and svg:find("Normal Q-Q", 1, true), "SVG")
  T.ok(plot.diagnostics(stats.glm(frames.mt, "am ~ wt", { family = "binomial" })):svg():find("Predicted values", 1, true))
  T.raises(function() plot.diagnostics({}) end, "plot.diagnostics: argument 'fit' must be a fit of stats.lm or stats.glm")
end)

T.done()

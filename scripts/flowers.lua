-- scripts/flowers.lua - exercise 4.2: transfer learning on the TensorFlow
-- flowers photos. MobileNetV2 (ImageNet weights, Keras-exact preprocessing)
-- turns each photo into a 1280-d embedding; classical classifiers learn the
-- five classes from them; t-SNE maps them to 2-D; a dashboard shows it all.
--
--   build/mlsh scripts/flowers.lua [--data DIR] [--weights FILE] [--seeds N]
--                                  [--no-dashboard] [--out DIR] [--cache DIR]
--
--   --data DIR      the flower_photos folder (or a folder holding it); default
--                   $MLSH_DATA/flower_photos, datasets/flower_photos (after
--                   scripts/fetch-flowers.sh), ../shared/data/flower_photos
--   --weights FILE  darknet weights for weights/mobilenetv2.cfg; default
--                   weights/mobilenetv2.weights (converted from the TF-slim
--                   .npy folder or Keras' .h5 when only those are present)
--   --seeds N       split seeds 0..N-1 for the mean ± sd table (default 20)
--   --no-dashboard  print the dashboard's tabs instead of opening the viewer
--                   (also what happens when stdout is not a terminal)
--   --out DIR       where the HTML report and SVGs go (default output/)
--   --cache DIR     the embedding cache (default $MLSH_CACHE, else <out>/cache)
--
-- Stages: list photos -> embed (or reuse the cache) -> split 80/20 (seed 42),
-- scale, KNN / SVM / random forest, then logistic regression and a CV-tuned
-- SVM (the CV grid in worker processes) -> mean ± sd over split seeds, side by
-- side with PCA 50 + t-SNE (worker processes, mlsh.parallel_map) -> dashboard,
-- HTML, SVGs.
local util = require "mlsh.util"
-- the data side lives beside this script
local FD = dofile((debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".") .. "/flowers_data.lua")
local learn, stats, plot, nn = mlsh.learn, mlsh.stats, mlsh.plot, mlsh.nn
local fmt = string.format
local fail = FD.fail

-- The accuracies of the exercise's published table (the seed, split seed 42).
local PUBLISHED = { svm = 0.899, rf = 0.865, knn = 0.862 }

-- ---- arguments ----

local USAGE = "usage: mlsh scripts/flowers.lua [--data DIR] [--weights FILE] [--seeds N] [--no-dashboard] "
  .. "[--out DIR] [--cache DIR]"

local function parse_args(argv)
  local o = { seeds = 20 }
  local i = 1
  local function value(flag)
    i = i + 1
    if argv[i] == nil then fail("%s needs a value\n%s", flag, USAGE) end
    return argv[i]
  end
  while argv[i] ~= nil do
    local a = argv[i]
    if a == "--data" then o.data = value(a)
    elseif a == "--weights" then o.weights = value(a)
    elseif a == "--out" then o.out = value(a)
    elseif a == "--cache" then o.cache = value(a)
    elseif a == "--no-dashboard" then o.no_dashboard = true
    elseif a == "--seeds" then
      local v = value(a)
      o.seeds = tonumber(v)
      if not o.seeds or o.seeds < 1 or o.seeds ~= math.floor(o.seeds) then
        fail("--seeds must be a positive integer (got %s)", v)
      end
    elseif a == "-h" or a == "--help" then print(USAGE) os.exit(0)
    else fail("unknown argument '%s'\n%s", a, USAGE) end
    i = i + 1
  end
  local root = mlsh.root or "."
  o.out = o.out or (root .. "/output")
  local env = os.getenv("MLSH_CACHE")
  o.cache = o.cache or (env ~= nil and env ~= "" and env) or (o.out .. "/cache")
  return o
end

-- ---- timing ----

-- Wall and CPU seconds (all threads and child processes) of each stage. On a shared
-- machine the wall time grows with the load; CPU / cores estimates it idle.
local timings = {}
local function stage(name, fn, ...)
  local t0, c0 = FD.now(), FD.cpu()
  local r = table.pack(fn(...))
  timings[#timings + 1] = { name, FD.now() - t0, FD.cpu() - c0 }
  return table.unpack(r, 1, r.n)
end

-- ---- data ----

local function section(title) print("\n== " .. title .. " ==") end

-- The photos, their classes and the embeddings (from the cache when valid).
local function load_embeddings(o)
  local dir = FD.find_photos(o.data)
  local list = stage("list photos", FD.list_photos, dir)
  for _, s in ipairs(list.skipped) do io.stderr:write(fmt("flowers: warning: skipped %s: %s\n", s.path, s.why)) end
  if #list.paths == 0 then fail("no JPEG or PNG photos in class folders under %s", dir) end
  local cfg, weights = FD.find_weights(o.weights)
  -- the cache key: the weights' and the network description's checksums
  local wsum = stage("weights checksum", function() return FD.checksum(weights) .. " cfg " .. FD.checksum(cfg) end)
  section("Photos: " .. dir)
  local X, kept, skipped = stage("cache check", FD.cache_load, o.cache, list, wsum)
  if X then
    print(fmt("embeddings: %d x %d from the cache %s", X:rows(), X:cols(), (FD.cache_paths(o.cache))))
    for _, s in ipairs(skipped) do io.stderr:write(fmt("flowers: warning: skipped %s: unreadable image (cached)\n", s.path)) end
  else
    print(fmt("embedding %d photos with MobileNetV2 (%s; cache: %s)", #list.paths, weights, kept))
    local ok, net = pcall(nn.load, cfg, weights)
    if not ok then fail("cannot load the MobileNetV2 weights %s: %s", weights, tostring(net)) end
    local t0 = FD.now()
    X, kept, skipped = stage("embed (MobileNetV2)", FD.embed, net, list.paths)
    local el = FD.now() - t0
    print(fmt("embeddings: %d x %d in %.1f s (%.1f photos/s)", X:rows(), X:cols(), el, X:rows() / el))
    local npy = stage("write cache", FD.cache_save, o.cache, list, wsum, X, kept)
    print("cached in " .. npy)
  end
  local paths, classes = {}, {}
  for k, j in ipairs(kept) do paths[k], classes[k] = list.paths[j], list.classes[j] end
  local nskip = #skipped + #list.skipped
  if nskip > 0 then print(fmt("skipped: %d file%s (warnings above)", nskip, nskip == 1 and "" or "s")) end
  return X, paths, classes, nskip
end

-- Labels 1..K from class names (sorted, as scikit-learn's LabelEncoder);
-- learn.encode when the learn module has it.
local function encode(classes)
  if learn.encode then return learn.encode(classes) end
  local names = FD.class_counts(classes)
  local id = {}
  for i, c in ipairs(names) do id[c] = i end
  local y = {}
  for i, c in ipairs(classes) do y[i] = id[c] end
  return y, names
end

local function print_counts(names, counts, total)
  print(fmt("%-12s %6s", "class", "photos"))
  for i, c in ipairs(names) do print(fmt("%-12s %6d", c, counts[i])) end
  print(fmt("%-12s %6d", "total", total))
  for i, c in ipairs(names) do
    if counts[i] < 2 then
      fail("class '%s' has %d usable photo%s; a stratified 80/20 split needs at least 2 per class",
        c, counts[i], counts[i] == 1 and "" or "s")
    end
  end
  if #names < 2 then fail("only one class (%s): classification needs at least 2 class folders", names[1]) end
end

-- ---- models ----

-- accuracy, macro_f1 and confusion of a prediction (learn._metrics: the
-- numbers behind learn.metrics, without its printed report).
local metrics = learn._metrics or learn.metrics

-- One split: train/test rows with a standard scaler fitted on train.
local function split(X, y, seed)
  local Xtr, Xte, ytr, yte = learn.split(X, y, { test = 0.2, stratify = true, seed = seed })
  local sc = learn.scaler { kind = "standard" }
  return sc:fit_transform(Xtr), sc:transform(Xte), ytr, yte
end

-- gamma = "scale" as scikit-learn: 1 / (p * Var(X)) over all entries.
local function gamma_scale(X)
  local N = X:rows() * X:cols()
  local v = X:var() * (N - 1) / N
  return v > 0 and 1 / (X:cols() * v) or 1
end

local function min_class_count(y)
  local c = {}
  for _, v in ipairs(y) do c[v] = (c[v] or 0) + 1 end
  local m = math.huge
  for _, n in pairs(c) do m = math.min(m, n) end
  return m
end

-- C and gamma of an RBF SVM by stratified 5-fold CV (learn.grid_search) on
-- the scaled training rows of split seed 42; gamma is searched as multiples
-- of "scale". Returns C, gamma factor, the CV table and the number of folds.
local GRID_C, GRID_G = { 3, 10 }, { 0.25, 0.5, 1 }
local function tune_svm(Xtr, ytr)
  local k = math.min(5, min_class_count(ytr))
  if k < 2 then return 10, 1, nil end
  local gs = gamma_scale(Xtr)
  local g = learn.grid_search(function(p) return learn.svm { kernel = "rbf", C = p.C, gamma = p.g * gs } end,
    { C = GRID_C, g = GRID_G }, Xtr, ytr, { k = k, stratify = true, seed = 42, workers = mlsh.cores() })
  local rows = {}
  for i, r in ipairs(g.results) do rows[i] = { C = r.params.C, g = r.params.g, acc = r.mean } end
  return g.best_params.C, g.best_params.g, rows, k
end

-- The five models (name for tables, short for charts). make(Xtrain) -> an
-- unfitted model (Xtrain sets gamma of the tuned SVM, and caps KNN's k on
-- tiny folders).
local function model_list(tuned_C, tuned_g)
  return {
    { key = "knn", name = "KNN (k=5, cosine)", short = "KNN",
      make = function(Xtr) return learn.knn { k = math.min(5, Xtr:rows()), metric = "cosine" } end },
    { key = "svm", name = "SVM (RBF, C=10)", short = "SVM", make = function() return learn.svm { kernel = "rbf", C = 10 } end },
    { key = "rf", name = "Random forest (100, depth 20)", short = "Forest",
      make = function() return learn.forest { trees = 100, max_depth = 20, seed = 42 } end },
    { key = "logistic", name = "Logistic regression", short = "Logistic", make = function() return learn.logistic { C = 1 } end },
    { key = "svm_cv", name = fmt("SVM (CV: C=%g, gamma=%gx scale)", tuned_C, tuned_g), short = "SVM (CV)",
      make = function(Xtr) return learn.svm { kernel = "rbf", C = tuned_C, gamma = tuned_g * gamma_scale(Xtr) } end },
  }
end

-- Fit every model on one split; returns {key -> metrics}.
local function fit_all(models, Xtr, Xte, ytr, yte, only)
  local res = {}
  for _, m in ipairs(models) do
    if not only or only[m.key] then
      local pred = m.make(Xtr):fit(Xtr, ytr):predict(Xte)
      res[m.key] = metrics(yte, pred)
    end
  end
  return res
end

local function mean_sd(t)
  local n, s = #t, 0
  for _, v in ipairs(t) do s = s + v end
  local m = s / n
  local ss = 0
  for _, v in ipairs(t) do ss = ss + (v - m) ^ 2 end
  return m, n > 1 and math.sqrt(ss / (n - 1)) or 0
end

-- Accuracy of every model on one split seed: {key -> accuracy}.
local function seed_scores(models, X, y, seed)
  local Xtr, Xte, ytr, yte = split(X, y, seed)
  local acc = {}
  for _, m in ipairs(models) do acc[m.key] = m.make(Xtr):fit(Xtr, ytr):score(Xte, yte) end
  return acc
end

-- {key -> {mean=, sd=, all=}} from the per-seed accuracies.
local function summarize_seeds(models, per_seed)
  local out = {}
  for _, m in ipairs(models) do
    local a = {}
    for i, r in ipairs(per_seed) do a[i] = r[m.key] end
    local mean, sd = mean_sd(a)
    out[m.key] = { mean = mean, sd = sd, all = a }
  end
  return out
end

-- ---- 2-D map ----

-- PCA to 50 dimensions of the standardized embeddings, then t-SNE (perplexity
-- 30) when stats.tsne exists; without it the first two components stand in.
-- Returns {Y=, title=, kl=, iters=, perplexity=, warning=, t_pca=, t_tsne=}
-- (it may run in a worker process: the caller prints and times).
local function embed_2d(X)
  local t0 = FD.now()
  local Z = learn.scaler { kind = "standard" }:fit_transform(X)
  local ncomp = math.min(50, X:rows() - 1, X:cols())
  local P = stats.pca(Z, { ncomp = ncomp, scale = false, method = "randomized", seed = 42 }).ind.coord
  local t1 = FD.now()
  if not stats.tsne then
    return { Y = P:cols_select({ 1, 2 }), title = "PCA (t-SNE unavailable)", t_pca = t1 - t0,
             warning = "stats.tsne is not available in this build; the map shows PCA components 1-2" }
  end
  local perp = math.min(30, (X:rows() - 1) / 3)
  local Y, info = stats.tsne(P, { perplexity = perp, seed = 42 })
  return { Y = Y, title = "t-SNE", kl = info and info.kl, iters = info and info.iters, perplexity = perp,
           t_pca = t1 - t0, t_tsne = FD.now() - t1 }
end

-- The split seeds 0..n-1 and the 2-D map are independent: they run side by
-- side in worker processes (one per core), the map first as the longest item.
-- Returns the seeds' summary and the map.
local function evaluate_and_map(models, X, y, n)
  local tty = select(3, plot._term())
  local items = { "map" }
  for s = 0, n - 1 do items[#items + 1] = s end
  if tty then io.stderr:write(fmt("%d split seeds x %d models and the t-SNE map...", n, #models)) end
  local r = mlsh.parallel_map(items, function(item)
    if item == "map" then return embed_2d(X) end
    return seed_scores(models, X, y, item)
  end)
  if tty then io.stderr:write("\r" .. (" "):rep(60) .. "\r") end
  return summarize_seeds(models, table.move(r, 2, #r, 1, {})), r[1]
end

-- ---- report ----

local function pct(v) return fmt("%5.1f %%", 100 * v) end

local function print_seed42(models, res)
  section("Split seed 42 (80/20 stratified, standard scaling on train)")
  print(fmt("%-36s %9s %9s %11s", "model", "accuracy", "macro F1", "published"))
  for _, m in ipairs(models) do
    local r = res[m.key]
    print(fmt("%-36s %9s %9s %11s", m.name, pct(r.accuracy), pct(r.macro_f1),
      PUBLISHED[m.key] and pct(PUBLISHED[m.key]) or "-"))
  end
end

local function print_multi(models, ms, n)
  section(fmt("Accuracy over split seeds 0..%d (mean ± sd)", n - 1))
  print(fmt("%-36s %9s %8s %8s %8s", "model", "mean", "sd", "min", "max"))
  for _, m in ipairs(models) do
    local r = ms[m.key]
    print(fmt("%-36s %7.2f %% %8.4f %8.4f %8.4f", m.name, 100 * r.mean, r.sd, math.min(table.unpack(r.all)),
      math.max(table.unpack(r.all))))
  end
end

local function loadavg()
  local f = io.open("/proc/loadavg", "r")
  if not f then return "" end
  local l = f:read("n")
  f:close()
  return l and fmt(" (load average %.1f)", l) or ""
end

local function print_timings(t_start, c_start)
  section("Time per stage" .. loadavg())
  print(fmt("%-32s %9s %9s", "stage", "wall", "CPU"))
  for _, t in ipairs(timings) do
    print(t[3] and fmt("%-32s %7.2f s %7.2f s", t[1], t[2], t[3]) or fmt("%-32s %7.2f s", t[1], t[2]))
  end
  print(fmt("%-32s %7.2f s %7.2f s", "total", FD.now() - t_start, FD.cpu() - c_start))
end

-- Four photos per class, one row per class.
local function gallery(paths, y, names)
  local pick, caps, seen = {}, {}, {}
  for i, p in ipairs(paths) do
    local c = y[i]
    seen[c] = (seen[c] or 0) + 1
    if seen[c] <= 4 then pick[#pick + 1], caps[#caps + 1] = p, names[c] end
  end
  -- order by class so each row is one class
  local order = {}
  for i = 1, #pick do order[i] = i end
  table.sort(order, function(a, b) return caps[a] < caps[b] or (caps[a] == caps[b] and a < b) end)
  local P, C = {}, {}
  for k, i in ipairs(order) do P[k], C[k] = pick[i], caps[i] end
  return plot.gallery(P, { per_row = 4, captions = C, title = "Four photos per class" })
end

local function dashboard(paths, y, names, counts, Y, maptitle, models, res, ms, nseeds)
  local tabs = {}
  tabs[#tabs + 1] = { "Gallery", gallery(paths, y, names) }
  tabs[#tabs + 1] = { maptitle, plot.scatter(Y, { group = y, group_names = names,
    title = maptitle .. " of the MobileNetV2 embeddings", xlabel = "dim 1", ylabel = "dim 2" }) }
  local vals, mnames, best = {}, {}, models[1]
  for _, m in ipairs(models) do
    vals[#vals + 1] = { 100 * res[m.key].accuracy, 100 * ms[m.key].mean }
    mnames[#mnames + 1] = m.short
    if res[m.key].accuracy > res[best.key].accuracy then best = m end
  end
  tabs[#tabs + 1] = { "Models", plot.bar(vals, mnames, { horizontal = true, labels = "%.1f",
    group_names = { "split seed 42", fmt("mean, %d seeds", nseeds) }, title = "Test accuracy (%)" }) }
  tabs[#tabs + 1] = { "Confusion", plot.confusion(res[best.key].confusion, names,
    { normalize = "row", title = "Confusion matrix, " .. best.name .. ", split seed 42 (row %)" }) }
  tabs[#tabs + 1] = { "Classes", plot.bar(counts, names, { labels = true, title = "Photos per class" }) }
  return plot.dashboard { title = "Flowers (MobileNetV2)", tabs = tabs }, tabs
end

-- Write the HTML report and one SVG per tab (each atomically).
local function save_outputs(dash, tabs, out)
  util.mkdir(out)
  local html = out .. "/flowers_dashboard.html"
  dash:save(html)
  local files = { html }
  for _, t in ipairs(tabs) do
    local f = out .. "/flowers_" .. t[1]:lower():gsub("[^%w]+", "_"):gsub("_+$", "") .. ".svg"
    t[2]:save(f)
    files[#files + 1] = f
  end
  return files
end

-- ---- main ----

local function main(argv)
  local t_start, c_start = FD.now(), FD.cpu()
  local o = parse_args(argv)
  local X, paths, classes = load_embeddings(o)
  local y, names = encode(classes)
  local _, counts = FD.class_counts(classes)
  section("Classes")
  print_counts(names, counts, #y)

  local Xtr, Xte, ytr, yte = stage("split + scale (seed 42)", split, X, y, 42)
  print(fmt("\ntrain %d, test %d photos", Xtr:rows(), Xte:rows()))
  local base = model_list(10, 1)
  local res = stage("KNN, SVM, RF (seed 42)", fit_all, base, Xtr, Xte, ytr, yte, { knn = true, svm = true, rf = true })

  local C, g, grid, k = stage("SVM 5-fold CV tuning", tune_svm, Xtr, ytr)
  if grid then
    section(fmt("SVM tuning: %d-fold CV accuracy on the seed-42 training set (scaled)", k))
    print(fmt("%8s %14s %10s", "C", "gamma", "CV acc"))
    for _, r in ipairs(grid) do print(fmt("%8g %14s %10s", r.C, fmt("%gx scale", r.g), pct(r.acc))) end
  end
  local models = model_list(C, g)
  local more = stage("logistic + tuned SVM (seed 42)", fit_all, models, Xtr, Xte, ytr, yte,
    { logistic = true, svm_cv = true })
  for key, r in pairs(more) do res[key] = r end
  print_seed42(models, res)

  local ms, map = stage(fmt("%d split seeds x 5 models + map", o.seeds), evaluate_and_map, models, X, y, o.seeds)
  timings[#timings + 1] = { "  of which PCA 50 (a worker)", map.t_pca }
  if map.t_tsne then timings[#timings + 1] = { "  of which t-SNE (a worker)", map.t_tsne } end
  print_multi(models, ms, o.seeds)
  if map.warning then io.stderr:write("flowers: warning: " .. map.warning .. "\n") end
  if map.kl then print(fmt("t-SNE: perplexity %g, KL %.4f after %d iterations", map.perplexity, map.kl, map.iters or 0)) end
  local Y, maptitle = map.Y, map.title
  local dash, tabs = stage("charts", dashboard, paths, y, names, counts, Y, maptitle, models, res, ms, o.seeds)
  local files = stage("HTML + SVG files", save_outputs, dash, tabs, o.out)
  section("Files")
  for _, f in ipairs(files) do print(f) end

  if not o.no_dashboard and select(3, plot._term()) then
    print_timings(t_start, c_start)
    dash:show()
  else
    for _, t in ipairs(tabs) do
      section(t[1])
      print(t[2])
    end
    print_timings(t_start, c_start)
  end
end

local ok, err = pcall(main, arg or {})
if not ok then
  io.stderr:write("flowers: " .. tostring(err) .. "\n")
  os.exit(1)
end

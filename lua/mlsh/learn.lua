-- lua/mlsh/learn.lua - the Lua side of `learn`: the classification
-- report, cross-validation and grid search, on top of the C models and
-- folds (src/lua/llearn.c, llearn_prep.c). Labels may be integers or
-- strings throughout: the C side checks and keeps them.
local M, mlsh = ...
local doc, data = mlsh.doc, mlsh.data

-- ---- classification report ----

local Report = {}
Report.__index = Report

local function report_text(r)
  local names, rows, width = r.names, {}, 12
  for c, label in ipairs(r.classes) do
    local name = tostring(names and names[label] or label)
    rows[c] = name
    if #name > width then width = #name end
  end
  local out = {}
  local head = string.rep(" ", width) .. string.format(" %9s %9s %9s %9s", "precision", "recall", "f1-score", "support")
  out[#out + 1] = head
  out[#out + 1] = ""
  local fmt = "%" .. width .. "s %9.2f %9.2f %9.2f %9d"
  for c = 1, #r.classes do
    out[#out + 1] = string.format(fmt, rows[c], r.precision[c], r.recall[c], r.f1[c], math.floor(r.support[c] + 0.5))
  end
  out[#out + 1] = ""
  out[#out + 1] = string.format("%" .. width .. "s %9s %9s %9.2f %9d", "accuracy", "", "", r.accuracy, r.n)
  out[#out + 1] = string.format(fmt, "macro avg", r.macro[1], r.macro[2], r.macro[3], r.n)
  out[#out + 1] = string.format(fmt, "weighted avg", r.weighted[1], r.weighted[2], r.weighted[3], r.n)
  return table.concat(out, "\n")
end
Report.__tostring = report_text

local cmetrics = M._metrics
mlsh.declare_options("learn.metrics", {
  { "names", "table", doc = "names[label] = class name for integer labels (e.g. from learn.encode)" },
})

M.metrics = doc(function(ytrue, ypred, opts)
  opts = mlsh.check_options("learn.metrics", opts)
  local r = cmetrics(ytrue, ypred)
  r.names = opts.names
  return setmetatable(r, Report)
end, "learn.metrics", "learn.metrics(ytrue, ypred [, opts])",
  "Classification metrics of predicted against true labels (both integers or both strings): accuracy,\n" ..
  "per-class precision, recall, f1, support (arrays in the order of `classes`, the sorted labels of both),\n" ..
  "macro and weighted averages ({precision, recall, f1}), macro_f1, weighted_f1 and confusion (K x K Matrix,\n" ..
  "rows = truth, columns = prediction). print(r) shows scikit-learn's classification report.\n" ..
  "Example: print(learn.metrics(yte, model:predict(Xte)))")

M.report = doc(function(r)
  if getmetatable(r) ~= Report then
    error("learn.report: argument 'metrics' must be a result of learn.metrics (got " .. type(r) .. ")", 0)
  end
  return report_text(r)
end, "learn.report", "learn.report(metrics)",
  "The classification report of a learn.metrics result as a string.\n" ..
  "Example: io.write(learn.report(learn.metrics(y, yhat)), \"\\n\")")

-- ---- cross-validation ----

local function subset(y, idx)
  local out = {}
  for i, r in ipairs(idx) do out[i] = y[r] end
  return out
end

-- learn.kfold's options, but with a fixed default seed: the folds, and so
-- the scores, are the same on every call unless asked otherwise.
mlsh.declare_options("learn.cross_validate", {
  { "k", "int", 5, min = 2, doc = "number of folds (at most the number of rows)" },
  { "stratify", "bool", true, doc = "keep the class proportions in every fold (each class needs 2 rows)" },
  { "seed", "int", 0, doc = "seed of the fold shuffle (same seed, same folds)" },
  { "workers", "int", 1, min = 1, doc = "forked processes that fit the folds (see mlsh.parallel_map)" },
})
mlsh.declare_options("learn.grid_search", {}, "learn.cross_validate")

-- kfold's errors in the caller's words
local function folds_of(fname, y, o)
  local ok, folds = pcall(M.kfold, y, { k = o.k, stratify = o.stratify, seed = o.seed })
  if not ok then error((tostring(folds):gsub("^learn%.kfold:", fname .. ":")), 0) end
  return folds
end

-- Accuracy of every maker on every fold: scores[j][f]. With workers > 1 the
-- (maker, fold) fits run in forked worker processes (mlsh.parallel_map).
local function cv_scores(fname, makers, X, y, o)
  X = M._check_xy(fname, X, y)
  local folds = folds_of(fname, y, o)
  local items = {}
  for j = 1, #makers do
    for f = 1, #folds do items[#items + 1] = { j, f } end
  end
  local function score(it)
    local model, fold = makers[it[1]](), folds[it[2]]
    if type(model) ~= "userdata" or not model.fit then
      error(fname .. ": the factory must return a model (e.g. function() return learn.knn{k=5} end)", 0)
    end
    model:fit(M.rows(X, fold.train), subset(y, fold.train))
    return model:score(M.rows(X, fold.test), subset(y, fold.test))
  end
  local flat
  if o.workers > 1 then
    local ok, r = pcall(mlsh.parallel_map, items, score, { workers = o.workers })
    if not ok then error(fname .. ": " .. tostring(r):gsub("^mlsh%.parallel_map: item %d+: ", ""), 0) end
    flat = r
  else
    flat = {}
    for i, it in ipairs(items) do flat[i] = score(it) end
  end
  local scores = {}
  for i, it in ipairs(items) do
    scores[it[1]] = scores[it[1]] or {}
    scores[it[1]][it[2]] = flat[i]
  end
  return scores
end

local function summary(scores)
  local sum = 0
  for _, s in ipairs(scores) do sum = sum + s end
  local mean, ss = sum / #scores, 0
  for _, s in ipairs(scores) do ss = ss + (s - mean) ^ 2 end
  return { mean = mean, sd = math.sqrt(ss / #scores), scores = scores }
end

local function check_factory(fname, make)
  if type(make) ~= "function" then
    error(fname .. ": argument 'factory' must be a function returning a new model (got " .. type(make) .. ")", 0)
  end
end

M.cross_validate = doc(function(factory, X, y, opts)
  local fname = "learn.cross_validate"
  local o = mlsh.check_options(fname, opts)
  check_factory(fname, factory)
  return summary(cv_scores(fname, { factory }, X, y, o)[1])
end, "learn.cross_validate", "learn.cross_validate(factory, X, y [, opts])",
  "k-fold cross-validated accuracy of the models made by factory() (a function returning a new, unfitted model)\n" ..
  "on the rows of X (a Matrix, an array of rows or a DataFrame's numeric columns) and labels y (integers or\n" ..
  "strings), on learn.kfold's folds (the same on every call with the same seed).\n" ..
  "Returns {mean=, sd= (population sd over folds, as numpy), scores=}.\n" ..
  "Example: local cv = learn.cross_validate(function() return learn.knn{k=5} end, X, y, {k=5}); print(cv.mean, cv.sd)")

M.grid_search = doc(function(factory, grid, X, y, opts)
  local fname = "learn.grid_search"
  local o = mlsh.check_options(fname, opts)
  if type(grid) ~= "table" then
    error(fname .. ": argument 'grid' must be a table {name = {values...}} (got " .. type(grid) .. ")", 0)
  end
  local keys = {}
  for k, v in pairs(grid) do
    if type(v) ~= "table" or #v == 0 then
      error(string.format("%s: grid entry '%s' must be a non-empty array of values", fname, tostring(k)), 0)
    end
    keys[#keys + 1] = k
  end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  check_factory(fname, factory)
  local combos = {}
  local function visit(i, params)
    if i > #keys then
      local p = {}
      for k, v in pairs(params) do p[k] = v end
      combos[#combos + 1] = p
      return
    end
    for _, v in ipairs(grid[keys[i]]) do
      params[keys[i]] = v
      visit(i + 1, params)
    end
    params[keys[i]] = nil
  end
  visit(1, {})
  local makers = {}
  for j, p in ipairs(combos) do makers[j] = function() return factory(p) end end
  local scores = cv_scores(fname, makers, X, y, o)
  local results, best = {}, nil
  for j, p in ipairs(combos) do
    local cv = summary(scores[j])
    local r = { params = p, mean = cv.mean, sd = cv.sd, scores = cv.scores }
    results[j] = r
    if not best or r.mean > best.mean then best = r end
  end
  return { best_params = best and best.params, best_score = best and best.mean, results = results }
end, "learn.grid_search", "learn.grid_search(factory, grid, X, y [, opts])",
  "Cross-validated search over every combination of the parameter grid ({name = {values...}}): factory(params)\n" ..
  "returns a new model for one combination. Every combination is scored on the same folds; workers spreads the\n" ..
  "fits of all combinations and folds over that many forked processes. X and y as in learn.cross_validate.\n" ..
  "Returns {best_params=, best_score= (mean accuracy), results = {{params=, mean=, sd=, scores=}...}}.\n" ..
  "Example: local g = learn.grid_search(function(p) return learn.svm{C = p.C} end, {C = {1, 10}}, X, y)")

-- ---- predictions as frame columns ----

local Model = getmetatable(M.knn())

mlsh.declare_options("Model:augment", {
  { "cols", "table", doc = "the feature columns (default: every numeric column of df)" },
  { "proba", "bool", true, doc = "add .pred_<class> probabilities when the model gives them" },
})

-- .pred in the labels' type: a factor over the classes for string labels
-- (R's predict on a data.frame), integers otherwise.
local function pred_spec(classes, pred)
  if type(classes[1]) == "string" then
    return { name = ".pred", values = pred, type = "categorical", levels = classes }
  end
  return { name = ".pred", values = pred }
end

local function proba_specs(P, classes, specs)
  for c, label in ipairs(classes) do
    local v = {}
    for i = 1, P:rows() do v[i] = P:get(i, c) end
    specs[#specs + 1] = { name = ".pred_" .. tostring(label), values = v }
  end
end

Model.__methods.augment = doc(function(model, df, opts)
  local fname = "Model:augment"
  if getmetatable(model) ~= Model then error(fname .. ": argument 'self' must be a Model", 0) end
  local o = mlsh.check_options(fname, opts)
  if getmetatable(df) ~= data.DataFrame then
    error(fname .. ": argument 'df' must be a DataFrame (got " .. (mlsh.typename and mlsh.typename(df) or type(df)) .. ")", 0)
  end
  local ok, X = pcall(df.matrix, df, o.cols)
  if not ok then error(fname .. ": " .. tostring(X):gsub("^DataFrame:matrix: ", ""), 0) end
  local rows = data._complete_rows(df, o.cols)
  if #rows == 0 then error(fname .. ": argument 'df': every row has a missing value", 0) end
  if #rows < X:rows() then X = M.rows(X, rows) end
  local classes = model:classes()
  local specs = { pred_spec(classes, model:predict(X)) }
  if o.proba then
    local has, P = pcall(model.predict_proba, model, X)
    if has then proba_specs(P, classes, specs) end
  end
  return data._augment(fname, df, #rows, specs, rows)
end, "Model:augment", "model:augment(df [, opts])",
  "df with the model's predictions for its rows: .pred (a factor over model:classes() for string labels, as\n" ..
  "R's predict on a data.frame, else integers) and, when the model gives probabilities, .pred_<class> for\n" ..
  "each class (tidymodels' augment). The features are df's numeric columns, or cols. Rows with a missing\n" ..
  "feature are not predicted and get NA (R's na.exclude), so the rows line up with df's.\n" ..
  "Example: m = learn.knn{k = 5}; m:fit(train, train.Species); m:augment(test):count(\".pred\")")

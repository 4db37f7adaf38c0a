-- test/lua/test_learn.lua - the learn module through the shell: models,
-- splits, scaler, metrics, model files, bad input, and the peer harness's
-- classifier data (emb_*; scikit-learn accuracies from
-- ../shared/bench/peers/RESULTS.md, jobs g01-g03).
local T = dofile("test/lua/harness.lua")

local PEER = os.getenv("PEERDATA") or "/tmp/peerdata"

local function iris()
  local df = data.read_csv("datasets/iris.csv")
  local X = df:matrix()
  local species = df:col("species")
  local names = {}
  for i = 1, #species do names[i] = species[i] end
  local y, classes = learn.encode(names)
  return X, y, classes
end

local function seq(a, b, step)
  local t = {}
  for i = a, b, step or 1 do t[#t + 1] = i end
  return t
end

local function pick(y, idx)
  local out = {}
  for i, r in ipairs(idx) do out[i] = y[r] end
  return out
end

T.test("encode as LabelEncoder", function()
  local y, names = learn.encode({"rose", "daisy", "rose", "tulip"})
  T.eq(table.concat(y, ","), "2,1,2,3")
  T.eq(table.concat(names, ","), "daisy,rose,tulip")
  T.raises(function() learn.encode({}) end, "learn.encode")
end)

T.test("iris: knn, svm, logistic, forest (scikit-learn 1.2.1 references)", function()
  local X, y = iris()
  local ev, od = seq(1, 150, 2), seq(2, 150, 2)   -- X[::2] and X[1::2]
  local Xe, Xo, ye, yo = learn.rows(X, ev), learn.rows(X, od), pick(y, ev), pick(y, od)
  -- KNeighborsClassifier(5).fit(X, y).score(X, y) = 0.966667
  T.near(learn.knn{k = 5}:fit(X, y):score(X, y), 0.966667, 1e-6)
  -- SVC(C=1).fit(X[::2]).score(X[1::2]) = 0.933333 with 40 support vectors
  local s = learn.svm{C = 1}:fit(Xe, ye)
  T.near(s:score(Xo, yo), 0.933333, 1e-6)
  T.eq(s:info().support_vectors, 40)
  -- SVC(kernel='linear', C=0.5): 0.946667
  T.near(learn.svm{kernel = "linear", C = 0.5}:fit(Xe, ye):score(Xo, yo), 0.946667, 1e-6)
  -- LogisticRegression(C=1, max_iter=1000, tol=1e-8): 0.973333 on the training set
  T.near(learn.logistic{C = 1, max_iter = 1000, tol = 1e-8}:fit(X, y):score(X, y), 0.973333, 1e-6)
  local rf = learn.forest{trees = 50, seed = 3}:fit(Xe, ye)
  T.ok(rf:score(Xo, yo) >= 0.9, "forest accuracy on iris")
  local imp = rf:importance()
  T.near(imp:sum(), 1, 1e-12)
  local P = rf:predict_proba(Xo)
  T.eq(P:cols(), 3)
  T.near(P:get(1, 1) + P:get(1, 2) + P:get(1, 3), 1, 1e-12)
end)

T.test("split, kfold, scaler", function()
  local X, y = iris()
  local Xtr, Xte, ytr, yte, itr, ite = learn.split(X, y, {test = 0.2, seed = 42})
  T.eq(Xtr:rows(), 120); T.eq(Xte:rows(), 30); T.eq(#ytr, 120); T.eq(#ite, 30)
  local count = {0, 0, 0}
  for _, c in ipairs(yte) do count[c] = count[c] + 1 end
  T.eq(count[1], 10); T.eq(count[2], 10); T.eq(count[3], 10)
  local folds = learn.kfold(y, {k = 5, seed = 1})
  T.eq(#folds, 5); T.eq(#folds[1].test, 30); T.eq(#folds[1].train, 120)
  -- StandardScaler on [[1,2],[3,5],[4,9],[10,1]]: mean 4.5, scale 3.35410197 (population sd)
  local sc = learn.scaler()
  local Z = sc:fit_transform({{1, 2}, {3, 5}, {4, 9}, {10, 1}})
  T.near(Z:get(1, 1), -1.04349839, 1e-8)
  T.near(sc:params().scale:get(1, 1), 3.35410197, 1e-8)
  local cv = learn.cross_validate(function() return learn.knn{k = 5} end, X, y, {k = 5, seed = 2})
  T.ok(cv.mean > 0.9 and cv.sd >= 0, "cv mean")
  local g = learn.grid_search(function(p) return learn.knn{k = p.k} end, {k = {1, 5, 15}}, X, y, {k = 3})
  T.eq(#g.results, 3); T.ok(g.best_score >= cv.mean - 0.05)
end)

T.test("metrics as classification_report", function()
  -- sklearn classification_report([1,1,2,2,3,3], [1,2,2,2,3,1])
  local r = learn.metrics({1, 1, 2, 2, 3, 3}, {1, 2, 2, 2, 3, 1}, {names = {"a", "b", "c"}})
  T.near(r.accuracy, 0.666667, 1e-6)
  T.near(r.macro_f1, 0.655556, 1e-6)
  T.near(r.f1[2], 0.8, 1e-12)
  T.eq(r.confusion:get(3, 1), 1)
  local text = tostring(r)
  T.ok(text:find("weighted avg") and text:find("precision"), "report text")
end)

T.test("save and load", function()
  local X, y = iris()
  local path = T.tmpname(".model")
  for _, m in ipairs{learn.knn{k = 3}, learn.svm{C = 2, probability = true, seed = 1},
                     learn.forest{trees = 5, seed = 1}, learn.logistic{}} do
    m:fit(X, y):save(path)
    local back = learn.load(path)
    T.eq(table.concat(back:predict(X), ","), table.concat(m:predict(X), ","))
    T.eq(back:info().kind, m:info().kind)
  end
  local f = io.open(path, "r+b")
  f:seek("set", 40); f:write("XXXX"); f:close()
  T.raises(function() learn.load(path) end, "corrupt")
  os.remove(path)
  T.raises(function() learn.load(path) end, "learn.load")
end)

T.test("bad input", function()
  local X, y = iris()
  T.raises(function() learn.knn{k = 5}:fit(X, {1, 2, 3}) end, "Model:fit: argument 'y' has 3 labels, expected 150")
  local y1 = {}
  for i = 1, 150 do y1[i] = y[i] end
  y1[150] = 4
  T.raises(function() learn.split(X, y1, {seed = 1}) end, "class 4 has only 1 member")
  T.raises(function() learn.knn{k = 200}:fit(X, y) end, "larger than the training set")
  T.raises(function() learn.svm{kernel = "foo"} end, "option 'kernel' must be one of")
  T.raises(function() learn.knn{metric = "foo"} end, "option 'metric'")
  T.raises(function() learn.forest{colour = 1} end, "unknown option 'colour'")
  local bad = mat.from{{1, 0 / 0}, {2, 3}}
  T.raises(function() learn.logistic():fit(bad, {1, 2}) end, "non-finite")
  T.raises(function() learn.svm():predict(X) end, "not fitted")
  local m = learn.knn{k = 3}:fit(X, y)
  T.raises(function() m:predict(mat.zeros(2, 3)) end, "columns")
  T.raises(function() learn.svm():predict_proba(X) end, "Model:predict_proba")
  T.raises(function() learn.svm():fit(X, y):predict_proba(X) end, "probability=true")
  T.raises(function() m.fit(42) end, "Model:fit")
end)

-- iris with the species names as labels, and X[::2] / X[1::2]
local function iris_strings()
  local df = data.read_csv("datasets/iris.csv")
  local species = df:col("species")
  local ev, od = seq(1, 150, 2), seq(2, 150, 2)
  return {df = df, X = df:matrix(), y = learn.encode(species), s = species,
          Xe = learn.rows(df, ev), Xo = learn.rows(df, od), se = pick(species, ev), so = pick(species, od),
          ye = pick(learn.encode(species), ev), yo = pick(learn.encode(species), od)}
end

local function same_array(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do if a[i] ~= b[i] then return false end end
  return true
end

T.test("string labels: the accuracies of integer labels, answers in strings (scikit-learn 1.2.1)", function()
  local d = iris_strings()
  -- KNeighborsClassifier(5).fit(X, species).score(X, species) = 0.966667
  local knn = learn.knn{k = 5}:fit(d.df, d.s)
  T.near(knn:score(d.df, d.s), 0.966667, 1e-6)
  T.eq(knn:score(d.df, d.s), learn.knn{k = 5}:fit(d.X, d.y):score(d.X, d.y))
  -- SVC(C=1).fit(X[::2], species[::2]).score(X[1::2], species[1::2]) = 0.933333; classes_ sorted names;
  -- misclassified test rows 42, 60, 62, 64, 67
  local svm = learn.svm{C = 1}:fit(d.Xe, d.se)
  T.near(svm:score(d.Xo, d.so), 0.933333, 1e-6)
  T.eq(table.concat(svm:classes(), ","), "setosa,versicolor,virginica")
  local p, wrong = svm:predict(d.Xo), {}
  T.eq(type(p[1]), "string")
  for i = 1, #p do if p[i] ~= d.so[i] then wrong[#wrong + 1] = i end end
  T.eq(table.concat(wrong, ","), "42,60,62,64,67")
  local pi, names = learn.svm{C = 1}:fit(d.Xe, d.ye):predict(d.Xo), svm:classes()
  for i = 1, #p do T.eq(p[i], names[pi[i]]) end
  -- SVC(C=1, class_weight={'setosa': 2, 'virginica': 0.5}): 0.893333, n_support_ [4, 18, 23]
  local cw = learn.svm{C = 1, class_weight = {setosa = 2, virginica = 0.5}}:fit(d.Xe, d.se)
  T.near(cw:score(d.Xo, d.so), 0.893333, 1e-6)
  T.eq(cw:info().support_vectors, 45)
  T.near(learn.svm{C = 1, class_weight = {[1] = 2, [3] = 0.5}}:fit(d.Xe, d.ye):score(d.Xo, d.yo), 0.893333, 1e-6)
  -- LogisticRegression(C=1, max_iter=1000, tol=1e-8).fit(X, species).score(X, species) = 0.973333
  local lr = learn.logistic{C = 1, max_iter = 1000, tol = 1e-8}:fit(d.df, d.s)
  T.near(lr:score(d.df, d.s), 0.973333, 1e-6)
  T.eq(lr:info().labels, "strings")
  T.eq(lr:predict_proba(d.df):cols(), 3)
  -- a forest depends on its seed only: the same trees for names as for their codes
  local rs = learn.forest{trees = 20, seed = 3}:fit(d.Xe, d.se)
  local ri = learn.forest{trees = 20, seed = 3}:fit(d.Xe, d.ye)
  T.eq(rs:score(d.Xo, d.so), ri:score(d.Xo, d.yo))
  local Ps, Pi = rs:predict_proba(d.Xo), ri:predict_proba(d.Xo)
  for i = 1, 75 do for c = 1, 3 do T.eq(Ps:get(i, c), Pi:get(i, c)) end end
end)

local function format_version(path)
  local f = assert(io.open(path, "rb"))
  local head = f:read(12)
  f:close()
  return string.unpack("<I4", head, 9)
end

T.test("a saved string-label model loads and predicts the same strings", function()
  local d = iris_strings()
  local path = T.tmpname(".model")
  for _, m in ipairs{learn.knn{k = 3}, learn.svm{C = 2, probability = true, seed = 1},
                     learn.forest{trees = 5, seed = 1}, learn.logistic{}} do
    m:fit(d.df, d.s):save(path)
    T.eq(format_version(path), 2)
    local back = learn.load(path)
    T.ok(same_array(back:predict(d.df), m:predict(d.df)), m:info().kind .. " predictions")
    T.eq(type(back:predict(d.df)[1]), "string")
    T.eq(table.concat(back:classes(), ","), "setosa,versicolor,virginica")
    T.eq(back:score(d.df, d.s), m:score(d.df, d.s))
  end
  learn.logistic{}:fit(d.X, d.y):save(path)
  T.eq(format_version(path), 1)   -- models without names stay readable by older mlsh
  os.remove(path)
  -- written by mlsh before class names were saved (format version 1):
  -- LogisticRegression(C=1, max_iter=1000, tol=1e-8) on iris, training accuracy 0.973333
  local old = learn.load("test/fixtures/model/iris_logistic_v1.model")
  T.near(old:score(d.X, d.y), 0.973333, 1e-6)
  T.eq(table.concat(old:classes(), ","), "1,2,3")
end)

T.test("labels: one kind per array, and the kind of the fit", function()
  local d = iris_strings()
  local mixed = {}
  for i = 1, 150 do mixed[i] = d.y[i] end
  mixed[7] = "setosa"
  T.raises(function() learn.knn():fit(d.X, mixed) end, "Model:fit: argument 'y': label 7 must be an integer like the first (got string)")
  mixed = {}
  for i = 1, 150 do mixed[i] = d.s[i] end
  mixed[9] = 2
  T.raises(function() learn.svm():fit(d.X, mixed) end, "Model:fit: argument 'y': label 9 must be a string like the first (got number)")
  local m = learn.knn{k = 5}:fit(d.Xe, d.se)
  T.raises(function() m:score(d.Xo, d.yo) end, "Model:score: argument 'y' holds integers but the model was fitted on strings")
  T.raises(function() learn.knn{k = 5}:fit(d.Xe, d.ye):score(d.Xo, d.so) end, "fitted on integers")
  -- a label the model never saw is a miss
  local yo = {}
  for i = 1, 75 do yo[i] = d.so[i] end
  yo[1] = "unseen"   -- row 1 (setosa) is predicted right
  T.near(m:score(d.Xo, yo), m:score(d.Xo, d.so) - 1 / 75, 1e-12)
  T.raises(function() learn.svm{class_weight = {setosaa = 2}}:fit(d.Xe, d.se) end,
    "Model:fit: option 'class_weight' names the label \"setosaa\", which is not a class of y")
  T.raises(function() learn.metrics(d.s, d.y) end, "learn.metrics: argument 'ytrue' holds strings but 'ypred' holds integers")
  T.raises(function() learn.encode({"a", 1}) end, "learn.encode: argument 'values': label 2 must be a string like the first")
  T.raises(function() learn.encode({1, "a"}) end, "learn.encode: argument 'values': label 2 must be a number like the first")
  -- the refit forgets the names
  T.eq(m:fit(d.Xe, d.ye):predict(d.Xo)[1], 1)
end)

T.test("split, kfold, metrics, cross-validation and grid search on string labels and data frames", function()
  local d = iris_strings()
  local Xtr, Xte, ytr, yte, itr, ite = learn.split(d.df, d.s, {test = 0.2, seed = 42})
  local _, _, _, yte_i, itr_i = learn.split(d.X, d.y, {test = 0.2, seed = 42})
  T.ok(same_array(itr, itr_i), "the same rows as with integer labels")
  local count = {}
  for i, c in ipairs(yte) do
    count[c] = (count[c] or 0) + 1
    T.eq(c, d.s[ite[i]])
  end
  T.eq(count.setosa, 10); T.eq(count.versicolor, 10); T.eq(count.virginica, 10)
  T.eq(Xtr:rows(), 120); T.eq(#ytr, 120); T.eq(Xte:cols(), 4)
  local fs, fi = learn.kfold(d.s, {k = 5, seed = 1}), learn.kfold(d.y, {k = 5, seed = 1})
  for f = 1, 5 do T.ok(same_array(fs[f].test, fi[f].test), "fold " .. f) end
  local odd = {}
  for i = 1, 150 do odd[i] = d.s[i] end
  odd[150] = "odd"
  T.raises(function() learn.split(d.df, odd, {seed = 1}) end,
    "learn.split: class \"odd\" has only 1 member; stratify needs at least 2 per class")
  T.raises(function() learn.kfold(odd, {seed = 1}) end, "learn.kfold: class \"odd\" has only 1 member")
  -- classification_report(['a','a','b','b','c','c'], ['a','b','b','b','c','a']): as with 1, 2, 3
  local r = learn.metrics({"a", "a", "b", "b", "c", "c"}, {"a", "b", "b", "b", "c", "a"})
  T.near(r.accuracy, 0.666667, 1e-6)
  T.near(r.macro_f1, 0.655556, 1e-6)
  T.eq(table.concat(r.classes, ","), "a,b,c")
  T.ok(tostring(r):find("weighted avg", 1, true), "report")
  -- ['a','a','b'] against ['a','c','b']: labels a, b, c; f1 0.666667, 1, 0; macro f1 0.555556
  r = learn.metrics({"a", "a", "b"}, {"a", "c", "b"})
  T.eq(table.concat(r.classes, ","), "a,b,c")
  T.near(r.f1[1], 0.666667, 1e-6); T.eq(r.f1[3], 0); T.eq(r.support[3], 0)
  T.near(r.macro_f1, 0.555556, 1e-6)
  local knn = function() return learn.knn{k = 5} end
  local cs = learn.cross_validate(knn, d.df, d.s, {k = 5, seed = 2})
  T.eq(cs.mean, learn.cross_validate(knn, d.X, d.y, {k = 5, seed = 2}).mean)
  local g = learn.grid_search(function(p) return learn.svm{C = p.C} end, {C = {0.5, 5}}, d.df, d.s, {k = 3, seed = 1})
  T.eq(#g.results, 2); T.ok(g.best_score > 0.9, "grid search on strings")
  T.raises(function() learn.cross_validate(knn, d.df, {"a", "b"}) end, "learn.cross_validate: argument 'y' has 2 labels, expected 150")
  T.raises(function() learn.cross_validate(knn, d.df, d.s, {k = 200}) end, "learn.cross_validate: k=200 is larger")
end)

T.test("options: one wording for every learn function", function()
  local d = iris_strings()
  T.raises(function() learn.knn{k = 0} end, "learn.knn: option 'k' must be an integer between 1 and 1000000 (got 0)")
  T.raises(function() learn.svm{C = 0} end, "learn.svm: option 'C' must be positive (got 0)")
  T.raises(function() learn.svm{cache = 0.5} end, "learn.svm: option 'cache' must be >= 1 (got 0.5)")
  T.raises(function() learn.svm{gamma = "wide"} end, "learn.svm: option 'gamma' must be one of \"scale\", \"auto\" (got \"wide\")")
  T.raises(function() learn.svm{gamma = {}} end, "learn.svm: option 'gamma' must be \"scale\", \"auto\" or a positive number (got table)")
  T.raises(function() learn.svm{class_weight = "even"} end, "learn.svm: option 'class_weight' must be one of \"balanced\"")
  T.raises(function() learn.svm{probability = 1} end, "learn.svm: option 'probability' must be true or false (got number)")
  T.raises(function() learn.forest{trees = 0} end, "learn.forest: option 'trees' must be an integer between 1 and 100000 (got 0)")
  T.raises(function() learn.forest{max_features = 1.5} end, "learn.forest: option 'max_features' must be a count (integer) or a fraction below 1")
  T.raises(function() learn.forest{seed = 1.5} end, "learn.forest: option 'seed' must be an integer (got 1.5)")
  T.raises(function() learn.logistic{max_iter = 0} end, "learn.logistic: option 'max_iter' must be a positive integer (got 0)")
  T.raises(function() learn.split(d.X, d.y, {test = 1}) end, "learn.split: option 'test' must be > 0 and < 1 (got 1)")
  T.raises(function() learn.split(d.X, nil, {stratify = true}) end, "learn.split: option 'stratify' needs the labels y")
  T.raises(function() learn.kfold(d.y, {k = 1}) end, "learn.kfold: option 'k' must be an integer >= 2 (got 1)")
  T.raises(function() learn.kfold(10, {stratify = true}) end, "learn.kfold: option 'stratify' needs the labels y")
  T.raises(function() learn.scaler{kind = "robust"} end, "learn.scaler: option 'kind' must be one of \"standard\", \"minmax\"")
  T.raises(function() learn.cross_validate(function() return learn.knn() end, d.X, d.y, {workers = 0}) end,
    "learn.cross_validate: option 'workers' must be a positive integer (got 0)")
  T.raises(function() learn.metrics(d.y, d.y, {names = "x"}) end, "learn.metrics: option 'names' must be a table (got string)")
  -- data: frames everywhere; NaN only where rows are merely moved
  local nanX = mat.from{{1, 0 / 0}, {2, 3}}
  T.eq(learn.rows(nanX, {2}):get(1, 2), 3)
  T.raises(function() learn.scaler():fit(nanX) end, "Scaler:fit: argument 'X' has a non-finite value")
  T.near(learn.scaler():fit_transform(d.df):get(1, 1), -0.900681, 1e-6)   -- StandardScaler on iris: -0.90068117
end)

T.test("the Lua helpers' errors name the function, not a file", function()
  local d = iris_strings()
  local knn = function() return learn.knn() end
  local calls = {
    ["learn.metrics"] = function() return learn.metrics(d.y, d.y, 5) end,
    ["learn.report"] = function() return learn.report(5) end,
    ["learn.cross_validate"] = function() return learn.cross_validate(nil, d.X, d.y) end,
    ["learn.grid_search"] = function() return learn.grid_search(knn, 5, d.X, d.y) end,
  }
  for fname, f in pairs(calls) do
    local ok, err = pcall(f)
    T.ok(not ok, fname .. " raised nothing")
    T.eq(err:sub(1, #fname + 1), fname .. ":", fname)
    T.ok(not err:find("lua/mlsh/", 1, true) and not err:find("%.lua:%d"), fname .. ": " .. err)
  end
  local ok, err = pcall(learn.grid_search, knn, {k = {}}, d.X, d.y)
  T.ok(not ok and err == "learn.grid_search: grid entry 'k' must be a non-empty array of values", err)
end)

local function load_emb()
  local f = io.open(PEER .. "/emb_3670x1280.f64", "rb")
  if not f then return nil end
  f:close()
  local X = mat.read_raw(PEER .. "/emb_3670x1280.f64", 3670, 1280)
  local yl = mat.read_raw(PEER .. "/emb_labels_3670.i32", 3670, 1, {dtype = "i32"})
  local tr = mat.read_raw(PEER .. "/emb_train_idx_2936.i32", 2936, 1, {dtype = "i32"})
  local te = mat.read_raw(PEER .. "/emb_test_idx_734.i32", 734, 1, {dtype = "i32"})
  local itr, ite, ytr, yte = {}, {}, {}, {}
  for i = 1, 2936 do itr[i] = tr[i] + 1; ytr[i] = yl[itr[i]] + 1 end
  for i = 1, 734 do ite[i] = te[i] + 1; yte[i] = yl[ite[i]] + 1 end
  local sc = learn.scaler()
  return sc:fit_transform(learn.rows(X, itr)), sc:transform(learn.rows(X, ite)), ytr, yte
end

T.test("peer harness embeddings: accuracies equal scikit-learn's", function()
  local Xtr, Xte, ytr, yte = load_emb()
  if not Xtr then
    T.skip("peer data not in " .. PEER .. " (run /usr/bin/python3 ../shared/bench/peers/gen_data.py " .. PEER .. ")")
  end
  -- RESULTS.md: KNN cosine 0.826975, SVC rbf C=10 0.861035, RF 100 trees depth 20 0.862398
  T.near(learn.knn{k = 5, metric = "cosine"}:fit(Xtr, ytr):score(Xte, yte), 0.826975, 1 / 734 + 1e-6)
  T.near(learn.svm{C = 10}:fit(Xtr, ytr):score(Xte, yte), 0.861035, 1 / 734 + 1e-6)
  T.near(learn.forest{trees = 100, max_depth = 20, seed = 42}:fit(Xtr, ytr):score(Xte, yte), 0.862398, 0.01)
end)

T.done()

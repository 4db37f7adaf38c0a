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
  T.raises(function() learn.knn{k = 5}:fit(X, {1, 2, 3}) end, "X has 150 rows but y has 3 labels")
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

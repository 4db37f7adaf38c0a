-- scripts/classify.lua - classify embeddings with every model of `learn`
-- and print scikit-learn-style reports.
--   build/mlsh scripts/classify.lua                 the peer harness's emb_* data
--                                                   ($PEERDATA, default /tmp/peerdata)
--   build/mlsh scripts/classify.lua iris            datasets/iris.csv instead
--   build/mlsh scripts/classify.lua file.npy labels.txt
--                                                   your own embeddings (n x p .npy) and
--                                                   one class name per line
local PEER = os.getenv("PEERDATA") or "/tmp/peerdata"
local which = arg[1]

local exists = require("mlsh.util").exists

local Xtr, Xte, ytr, yte, names
if which == "iris" or (not which and not exists(PEER .. "/emb_3670x1280.f64")) then
  if not which then print("(no peer data in " .. PEER .. ": using datasets/iris.csv)") end
  local df = data.read_csv("datasets/iris.csv")
  local y
  y, names = learn.encode(df:col("species"))
  Xtr, Xte, ytr, yte = learn.split(df:matrix(), y, {test = 0.2, seed = 42})
elseif which and which:match("%.npy$") then
  local X = mat.load(which)
  local labels = {}
  for line in io.lines(assert(arg[2], "usage: classify.lua embeddings.npy labels.txt")) do labels[#labels + 1] = line end
  local y
  y, names = learn.encode(labels)
  Xtr, Xte, ytr, yte = learn.split(X, y, {test = 0.2, seed = 42})
else
  -- The harness's embeddings and its stratified split (train/test index files).
  local X = mat.read_raw(PEER .. "/emb_3670x1280.f64", 3670, 1280)
  local yl = mat.read_raw(PEER .. "/emb_labels_3670.i32", 3670, 1, {dtype = "i32"})
  local tr = mat.read_raw(PEER .. "/emb_train_idx_2936.i32", 2936, 1, {dtype = "i32"})
  local te = mat.read_raw(PEER .. "/emb_test_idx_734.i32", 734, 1, {dtype = "i32"})
  local itr, ite = {}, {}
  ytr, yte = {}, {}
  for i = 1, 2936 do itr[i] = math.tointeger(tr[i]) + 1; ytr[i] = math.tointeger(yl[itr[i]]) + 1 end
  for i = 1, 734 do ite[i] = math.tointeger(te[i]) + 1; yte[i] = math.tointeger(yl[ite[i]]) + 1 end
  names = {"daisy", "dandelion", "roses", "sunflowers", "tulips"}
  Xtr, Xte = learn.rows(X, itr), learn.rows(X, ite)
end

-- Scale on the training rows only.
local sc = learn.scaler()
Xtr = sc:fit_transform(Xtr)
Xte = sc:transform(Xte)
print(string.format("train %d x %d, test %d", Xtr:rows(), Xtr:cols(), Xte:rows()))

local models = {
  {"KNN (k=5, cosine)", learn.knn{k = 5, metric = "cosine"}},
  {"SVM (RBF, C=10, gamma=scale)", learn.svm{kernel = "rbf", C = 10}},
  {"Random forest (100 trees, depth 20)", learn.forest{trees = 100, max_depth = 20, seed = 42}},
  {"Logistic regression (C=1, L-BFGS)", learn.logistic{C = 1, max_iter = 300}},
}
for _, m in ipairs(models) do
  m[2]:fit(Xtr, ytr)
  local r = learn.metrics(yte, m[2]:predict(Xte), {names = names})
  print(string.format("\n== %s: accuracy %.4f, macro F1 %.4f", m[1], r.accuracy, r.macro_f1))
  print(r)
end

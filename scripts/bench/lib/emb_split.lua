-- scripts/bench/lib/emb_split.lua - the classifier rows' data: the peer
-- harness's emb_* embeddings split by its train/test indices (0-based in
-- the files), labels from 1, standardised by a scaler fitted on train as
-- the peers do. Called with the data folder (ending in "/"); returns
-- Xtr, Xte, ytr, yte.
local D = ...
local X = mat.read_raw(D .. "emb_3670x1280.f64", 3670, 1280)
local yl = mat.read_raw(D .. "emb_labels_3670.i32", 3670, 1, { dtype = "i32" })
local tr = mat.read_raw(D .. "emb_train_idx_2936.i32", 2936, 1, { dtype = "i32" })
local te = mat.read_raw(D .. "emb_test_idx_734.i32", 734, 1, { dtype = "i32" })
local itr, ite, ytr, yte = {}, {}, {}, {}
for i = 1, 2936 do itr[i] = math.tointeger(tr[i]) + 1; ytr[i] = math.tointeger(yl[itr[i]]) + 1 end
for i = 1, 734 do ite[i] = math.tointeger(te[i]) + 1; yte[i] = math.tointeger(yl[ite[i]]) + 1 end
local sc = learn.scaler()
local Xtr = sc:fit_transform(learn.rows(X, itr))
return Xtr, sc:transform(learn.rows(X, ite)), ytr, yte

-- test/mpi/forest.lua TREES [other] - run by test/lua/test_dist.lua under mpirun -np 1..4 (and without
-- it): a random forest on iris with its trees split over the ranks (learn.forest{distributed = true});
-- rank 0 prints every row's class probabilities (exact bits) and the importances. other: rank 1 is
-- given one row less (an error naming it).
local df = data.read_csv("datasets/iris.csv")
local X, species, y = df:matrix(), df:col("species"), {}
for i = 1, #species do y[i] = species[i] end
if arg[2] == "other" and dist.rank() == 1 then X = X:slice(1, 149); y[150] = nil end
local rf = learn.forest { trees = tonumber(arg[1]), seed = 3, max_features = 2, distributed = true }:fit(X, y)
local P = rf:predict_proba(X)
local bits = {}
for i = 1, P:rows() do for j = 1, P:cols() do bits[#bits + 1] = string.format("%a", P:get(i, j)) end end
dist.print("proba " .. table.concat(bits, ","))
local imp = rf:importance()
dist.print(string.format("imp %.17g %.17g %.17g %.17g", imp[1], imp[2], imp[3], imp[4]))
dist.print("predict " .. table.concat(rf:predict(X:slice(48, 53)), ","))

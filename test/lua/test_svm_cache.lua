-- test/lua/test_svm_cache.lua - the SVM's cache of row dot products
-- (src/learn/gram.c) seen from Lua: refits, subsets and scoring of cached
-- rows give exactly what a cold fit gives; learn.clear_cache empties it.
local T = dofile("test/lua/harness.lua")

local X = mat.randn(300, 8, { seed = 21 })
local y = {}
for i = 1, 300 do y[i] = 1 + (X:get(i, 1) > 0.3 and 1 or 0) + (X:get(i, 2) + X:get(i, 3) > 0.5 and 1 or 0) end

local function same(a, b)
  for i = 1, #a do if a[i] ~= b[i] then return false end end
  return #a == #b
end

T.test("a warm refit equals a cold fit", function()
  learn.clear_cache()
  local cold = learn.svm { C = 10 }:fit(X, y)
  local warm = learn.svm { C = 10 }:fit(X, y)
  T.ok(same(cold:predict(X), warm:predict(X)))
  T.eq(tostring(cold):match("%d+ support"), tostring(warm):match("%d+ support"))
end)

T.test("fits on subsets of cached rows, and scoring them, equal cold ones", function()
  learn.svm { C = 1 }:fit(X, y)             -- caches all 300 rows
  local idx, yi = {}, {}
  for i = 300, 1, -3 do idx[#idx + 1] = i; yi[#yi + 1] = y[i] end   -- reversed subset
  local Xs = learn.rows(X, idx)
  local warm = learn.svm { C = 1, gamma = 0.2 }:fit(Xs, yi)
  local pw = warm:predict(X)                  -- scored from the cache
  learn.clear_cache()
  local cold = learn.svm { C = 1, gamma = 0.2, cache = 1 }:fit(Xs, yi)
  T.ok(same(pw, cold:predict(X)))
  T.near(warm:score(X, y), cold:score(X, y), 0)
end)

T.done()

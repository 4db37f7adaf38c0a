-- test/lua/test_tsne.lua - stats.tsne and stats.trustworthiness through the
-- shell. Quality reference: scikit-learn 1.2.1 TSNE (barnes_hut, perplexity
-- 30, 1000 iterations, init pca, lr auto) on the peer harness's 3,670 x 50
-- data: KL 2.4683, trustworthiness(5) 0.9537 (../shared/bench/peers/RESULTS.md, job e01).
local T = dofile("test/lua/harness.lua")

local PEER = os.getenv("PEERDATA") or "/tmp/peerdata"

local function blobs(n, d, seed)
  local X = mat.randn(n, d, {seed = seed})
  for i = 1, n do
    local c = (i - 1) % 3
    X:set(i, c + 1, X:get(i, c + 1) + 8)
  end
  return X
end

T.test("engines agree on small n", function()
  local X = blobs(240, 10, 5)
  local kl = {}
  for _, m in ipairs{"exact", "barnes_hut", "fft"} do
    local Y, info = stats.tsne(X, {method = m, seed = 3, perplexity = 20, iters = 500})
    T.eq(Y:rows(), 240); T.eq(Y:cols(), 2)
    T.eq(info.method, m); T.eq(info.iters, 500)
    T.ok(stats.trustworthiness(X, Y) > 0.9, m .. " trustworthiness")
    kl[m] = info.kl
  end
  T.near(kl.barnes_hut, kl.exact, 0.05 * kl.exact)
  T.near(kl.fft, kl.exact, 0.05 * kl.exact)
end)

T.test("same seed, same embedding; dims=3; pca pre-step", function()
  local X = blobs(150, 8, 2)
  local A = stats.tsne(X, {seed = 9, iters = 300})
  local B = stats.tsne(X, {seed = 9, iters = 300, threads = 1})
  local same = true
  for i = 1, 150 do for j = 1, 2 do same = same and A:get(i, j) == B:get(i, j) end end
  T.ok(same, "embedding independent of the thread count")
  local Y3 = stats.tsne(X, {dims = 3, seed = 1, iters = 250, method = "barnes_hut"})
  T.eq(Y3:cols(), 3)
  local Yp, info = stats.tsne(X, {pca = 4, init = "random", seed = 1, iters = 250})
  T.eq(Yp:rows(), 150); T.ok(info.kl > 0)
end)

T.test("trustworthiness reference", function()
  -- sklearn.manifold.trustworthiness(X, Y, n_neighbors=3) = 0.3211111111111111 for
  -- i = 0..19, X = [i, i^2/10, sin i], Y = [3 cos i, sin i]
  local X, Y = mat.zeros(20, 3), mat.zeros(20, 2)
  for i = 0, 19 do
    X:set(i + 1, 1, i); X:set(i + 1, 2, i * i / 10); X:set(i + 1, 3, math.sin(i))
    Y:set(i + 1, 1, 3 * math.cos(i)); Y:set(i + 1, 2, math.sin(i))
  end
  T.near(stats.trustworthiness(X, Y, {k = 3}), 0.3211111111111111, 1e-12)
end)

T.test("bad input", function()
  local X = blobs(50, 4, 1)
  T.raises(function() stats.tsne(X, {perplexity = 50}) end, "must be less than the number of rows")
  T.raises(function() stats.tsne(X, {method = "umap"}) end, "option 'method' must be one of")
  T.raises(function() stats.tsne(X, {perplexity = 5, dims = 3, method = "fft"}) end, "needs dims=2")
  T.raises(function() stats.tsne(X, {foo = 1}) end, "unknown option 'foo'")
  T.raises(function() stats.tsne(mat.from{{1, 0 / 0}, {1, 2}, {3, 4}, {5, 6}}) end, "non-finite")
  T.raises(function() stats.trustworthiness(X, mat.zeros(3, 2)) end, "stats.trustworthiness")
end)

T.test("options from the spec, data frames, na", function()
  local X = blobs(60, 3, 4)
  T.raises(function() stats.tsne(X, {dims = 9}) end, "stats.tsne: option 'dims' must be an integer between 1 and 8 (got 9)")
  T.raises(function() stats.tsne(X, {threads = 300}) end, "stats.tsne: option 'threads' must be an integer between 0 and 256")
  T.raises(function() stats.tsne(X, {perplexity = 0}) end, "stats.tsne: option 'perplexity' must be positive (got 0)")
  T.raises(function() stats.tsne(X, {verbose = 1}) end, "stats.tsne: option 'verbose' must be true or false (got number)")
  T.raises(function() stats.tsne(X, {learning_rate = "fast"}) end,
    "stats.tsne: option 'learning_rate' must be \"auto\" or a positive number (got \"fast\")")
  T.raises(function() stats.tsne(X, {learning_rate = -1}) end, "stats.tsne: option 'learning_rate' must be positive (got -1)")
  T.raises(function() stats.trustworthiness(X, X, {k = 65}) end,
    "stats.trustworthiness: option 'k' must be an integer between 1 and 64 (got 65)")
  T.raises(function() stats.trustworthiness(X, X, {bogus = 1}) end, "stats.trustworthiness: unknown option 'bogus'")
  local df = data.frame({"a", "b", "c"}, {X:col(1), X:col(2), X:col(3)})
  local A = stats.tsne(X, {seed = 5, iters = 100, perplexity = 10, verbose = false})
  local B = stats.tsne(df, {seed = 5, iters = 100, perplexity = 10, verbose = false})
  T.eq(A:get(17, 2), B:get(17, 2))
  T.eq(stats.trustworthiness(df, A), stats.trustworthiness(X, A))
  local Z = X:copy(); Z:set(9, 2, 0 / 0)
  T.raises(function() stats.tsne(Z, {perplexity = 10}) end, "stats.tsne: argument 'X' has a non-finite value")
  T.raises(function() stats.tsne(Z) end, "at row 9, column 2")
  local C = stats.tsne(Z, {na = "omit", seed = 5, iters = 100, perplexity = 10, verbose = false})
  T.eq(C:rows(), 59)
end)

T.test("peer harness 3,670 x 50: KL and trustworthiness vs scikit-learn", function()
  local path = PEER .. "/tsne_3670x50.f64"
  local f = io.open(path, "rb")
  if not f then
    T.skip("peer data not in " .. PEER .. " (run /usr/bin/python3 ../shared/bench/peers/gen_data.py " .. PEER .. ")")
  end
  f:close()
  local X = mat.read_raw(path, 3670, 50)
  local Y, info = stats.tsne(X, {seed = 42, verbose = false})
  T.ok(info.kl <= 2.4683 + 0.05, "KL " .. info.kl .. " <= sklearn 2.4683 + 0.05")
  T.ok(stats.trustworthiness(X, Y, {k = 5}) >= 0.95, "trustworthiness >= 0.95")
end)

T.done()

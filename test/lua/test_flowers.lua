-- test/lua/test_flowers.lua - scripts/flowers.lua on small photo folders
-- built in /tmp from a few of ../shared/data/flower_photos: files that are
-- not images and a truncated JPEG (skipped with a warning naming them,
-- counted), a class with fewer than 2 photos, a stale cache, missing or bad
-- weights, no half-written cache or HTML, and a quick end-to-end run on 10
-- photos per class. Skips visibly when ../shared or a module is missing.
local T = dofile("test/lua/harness.lua")
local EXE = os.getenv("MLSH_BIN") or (arg and arg[-1]) or "build/mlsh"
if not EXE:find("/") then EXE = "build/mlsh" end

local PHOTOS = T.shared("data/flower_photos")
local CLASSES = { "daisy", "dandelion", "roses", "sunflowers", "tulips" }

local util = require "mlsh.util"
local q, read, exists, sh = util.shell_quote, util.read, util.exists, os.execute

-- A fresh temporary folder.
local function tmpdir()
  local d = T.tmpname(".flowers")
  sh("mkdir -p " .. q(d))
  return d
end

-- The first n photos of a class (sorted names, as image.list orders them).
local function photos_of(class, n, from)
  local p = io.popen("ls " .. q(PHOTOS .. "/" .. class) .. " | LC_ALL=C sort | head -n " .. ((from or 0) + n))
  local t = {}
  for l in p:lines() do t[#t + 1] = PHOTOS .. "/" .. class .. "/" .. l end
  p:close()
  return { table.unpack(t, (from or 0) + 1) }
end

-- A photo folder with n photos for each named class.
local function make_folder(spec)
  local d = tmpdir()
  for class, n in pairs(spec) do
    sh("mkdir -p " .. q(d .. "/" .. class))
    for _, p in ipairs(photos_of(class, n)) do sh("cp " .. q(p) .. " " .. q(d .. "/" .. class .. "/")) end
  end
  return d
end

-- Run the script; returns exit ok, stdout, stderr.
local function run(args)
  local err = T.tmpname(".err")
  local p = io.popen(EXE .. " scripts/flowers.lua " .. args .. " 2>" .. q(err) .. " </dev/null")
  local out = p:read("a")
  local ok = p:close()
  local e = read(err) or ""
  os.remove(err)
  return ok, out, e
end

-- Files whose name says they are temporaries of an atomic write.
local function leftovers(dir)
  local p = io.popen("find " .. q(dir) .. " -name '*.tmp*' 2>/dev/null")
  local s = p:read("a")
  p:close()
  return s
end

local function need()
  if not PHOTOS then T.skip("../shared/data/flower_photos not found (set MLSH_SHARED)") end
  local m = mlsh
  if not (m.nn and m.nn.mobilenetv2 and m.image and m.image.list and m.learn and m.learn.svm and m.learn.forest
      and m.learn.knn and m.learn.logistic and m.learn.grid_search and m.plot and m.plot.dashboard and m.stats and m.stats.pca) then
    T.skip("a module the pipeline needs is missing in this build (nn, image, learn, plot, stats.pca)")
  end
end

T.test("non-image file, fake and truncated JPEGs: skipped with a warning naming each, counted", function()
  need()
  local d = make_folder { daisy = 5, roses = 5 }
  local first = photos_of("daisy", 1)[1]
  sh("echo 'not a photo' > " .. q(d .. "/daisy/notes.txt"))
  sh("echo 'not a photo either' > " .. q(d .. "/daisy/fake.jpg"))
  sh("head -c 2000 " .. q(first) .. " > " .. q(d .. "/roses/truncated.jpg"))
  local out_dir = tmpdir()
  local ok, out, err = run("--data " .. q(d) .. " --out " .. q(out_dir) .. " --seeds 2 --no-dashboard")
  T.ok(ok, "the run succeeds despite the bad files:\n" .. err)
  T.ok(err:find("notes.txt", 1, true) and err:find("not an image file", 1, true), "notes.txt is named:\n" .. err)
  T.ok(err:find("fake.jpg", 1, true) and err:find("not a JPEG or PNG", 1, true), "fake.jpg is named:\n" .. err)
  T.ok(err:find("truncated.jpg", 1, true) and err:find("truncated", 1, true), "truncated.jpg is named:\n" .. err)
  T.ok(out:find("skipped: 3 files", 1, true), "the skipped files are counted:\n" .. out)
  T.ok(out:find("daisy%s+5") and out:find("roses%s+5"), "counts per class exclude them:\n" .. out)
  T.ok(exists(out_dir .. "/flowers_dashboard.html"), "HTML written")
  -- the cached run warns again (from the manifest) and still counts them
  ok, out, err = run("--data " .. q(d) .. " --out " .. q(out_dir) .. " --seeds 2 --no-dashboard")
  T.ok(ok and out:find("from the cache", 1, true), "second run uses the cache:\n" .. out .. err)
  T.ok(err:find("truncated.jpg", 1, true) and out:find("skipped: 3 files", 1, true), "cached run still reports:\n" .. err)
  T.eq(leftovers(out_dir), "", "no temporary files left")
  sh("rm -rf " .. q(d) .. " " .. q(out_dir))
end)

T.test("a class with fewer than 2 usable photos is a clear error, nothing written", function()
  need()
  local d = make_folder { daisy = 4, roses = 1 }
  -- a second roses file that is truncated: still 1 usable photo
  sh("head -c 1500 " .. q(photos_of("roses", 1, 1)[1]) .. " > " .. q(d .. "/roses/broken.jpg"))
  local out_dir = tmpdir()
  local ok, out, err = run("--data " .. q(d) .. " --out " .. q(out_dir) .. " --seeds 2 --no-dashboard")
  T.ok(not ok, "the run fails")
  T.ok(err:find("class 'roses' has 1 usable photo", 1, true), "the error names the class:\n" .. err .. out)
  T.ok(not err:find("traceback", 1, true), "no traceback:\n" .. err)
  T.ok(not exists(out_dir .. "/flowers_dashboard.html"), "no HTML written")
  sh("rm -rf " .. q(d) .. " " .. q(out_dir))
end)

T.test("stale cache: changed photos or weights are recomputed, a matching cache is reused", function()
  need()
  local d = make_folder { daisy = 4, tulips = 4 }
  local out_dir, cache = tmpdir(), tmpdir()
  local args = "--data " .. q(d) .. " --out " .. q(out_dir) .. " --cache " .. q(cache) .. " --seeds 1 --no-dashboard"
  local ok, out, err = run(args)
  T.ok(ok and out:find("cache: no cache yet", 1, true), "first run embeds:\n" .. out .. err)
  local npy, man = cache .. "/flowers_embeddings.npy", cache .. "/flowers_manifest.txt"
  T.ok(exists(npy) and exists(man), "cache files written")
  local X = mlsh.mat.load(npy)
  T.eq(X:rows(), 8, "one row per photo")
  T.eq(X:cols(), 1280, "1280-d embeddings")
  ok, out = run(args)
  T.ok(ok and out:find("from the cache", 1, true), "unchanged: reused:\n" .. out)
  -- a new photo: the file list differs
  sh("cp " .. q(photos_of("daisy", 1, 10)[1]) .. " " .. q(d .. "/daisy/"))
  ok, out, err = run(args)
  T.ok(ok and out:find("the photo files changed", 1, true), "new photo: recomputed:\n" .. out .. err)
  T.eq(mlsh.mat.load(npy):rows(), 9, "the new cache has the new photo")
  -- other weights: the checksum in the manifest differs
  local text = read(man)
  local f = io.open(man, "wb")
  f:write((text:gsub("\nweights [^\n]+", "\nweights 0000000000000000-1")))
  f:close()
  ok, out = run(args)
  T.ok(ok and out:find("the weights or the network cfg changed", 1, true), "other weights: recomputed:\n" .. out)
  -- a manifest whose .npy is gone or damaged
  f = io.open(npy, "wb") f:write("garbage") f:close()
  ok, out = run(args)
  T.ok(ok and out:find("cannot be read", 1, true), "damaged .npy: recomputed:\n" .. out)
  T.eq(mlsh.mat.load(npy):rows(), 9, "rewritten")
  T.eq(leftovers(cache), "", "no temporary files in the cache")
  sh("rm -rf " .. q(d) .. " " .. q(out_dir) .. " " .. q(cache))
end)

T.test("missing or bad weights, missing photos, unwritable output: clear messages", function()
  need()
  local d = make_folder { daisy = 3, roses = 3 }
  local out_dir = tmpdir()
  local base = "--data " .. q(d) .. " --out " .. q(out_dir) .. " --no-dashboard --seeds 1 "
  local ok, out, err = run(base .. "--weights /nonexistent/mobilenetv2.weights")
  T.ok(not ok, "missing weights fail")
  T.ok(err:find("--weights /nonexistent/mobilenetv2.weights: no such file", 1, true), "says so:\n" .. err)
  local bad = out_dir .. "/bad.weights"
  local f = io.open(bad, "wb") f:write(("x"):rep(1000)) f:close()
  ok, out, err = run(base .. "--weights " .. q(bad))
  T.ok(not ok and err:find("cannot load the MobileNetV2 weights", 1, true), "bad weights:\n" .. err)
  T.ok(not exists(out_dir .. "/cache/flowers_manifest.txt"), "no cache written for bad weights")
  ok, out, err = run("--data /nonexistent/photos --no-dashboard")
  T.ok(not ok and err:find("--data /nonexistent/photos: no such folder", 1, true), "missing photos:\n" .. err)
  local empty = tmpdir()
  ok, out, err = run("--data " .. q(empty) .. " --out " .. q(out_dir) .. " --no-dashboard")
  T.ok(not ok and err:find("no JPEG or PNG photos", 1, true), "empty folder:\n" .. err)
  ok, out, err = run("--seeds zero")
  T.ok(not ok and err:find("--seeds must be a positive integer", 1, true), "bad --seeds:\n" .. err)
  ok, out, err = run("--frobnicate")
  T.ok(not ok and err:find("unknown argument '--frobnicate'", 1, true), "unknown flag:\n" .. err)
  -- the output folder is a file: a clear error, no crash
  local file = out_dir .. "/afile"
  f = io.open(file, "wb") f:write("x") f:close()
  ok, out, err = run("--data " .. q(d) .. " --out " .. q(file) .. " --cache " .. q(out_dir .. "/c2") .. " --no-dashboard --seeds 1")
  T.ok(not ok and err:find("cannot create folder", 1, true), "unwritable output:\n" .. err)
  T.ok(not err:find("traceback", 1, true), "no traceback:\n" .. err)
  T.eq(leftovers(out_dir), "", "no temporary files")
  sh("rm -rf " .. q(d) .. " " .. q(out_dir) .. " " .. q(empty))
end)

T.test("end to end on 10 photos per class, 2 split seeds: tables and files", function()
  need()
  local spec = {}
  for _, c in ipairs(CLASSES) do spec[c] = 10 end
  local d = make_folder(spec)
  local out_dir = tmpdir()
  local ok, out, err = run("--data " .. q(d) .. " --out " .. q(out_dir) .. " --seeds 2 --no-dashboard")
  T.ok(ok, "the run succeeds:\n" .. err)
  for _, c in ipairs(CLASSES) do T.ok(out:find(c .. "%s+10"), "count of " .. c .. ":\n" .. out) end
  T.ok(out:find("total%s+50"), "50 photos")
  for _, s in ipairs { "Split seed 42", "published", "Accuracy over split seeds 0..1", "KNN (k=5, cosine)",
      "SVM (RBF, C=10)", "Random forest (100, depth 20)", "Logistic regression", "SVM (CV: C=", "Time per stage",
      "== Gallery ==", "== Confusion ==", "== Classes ==", "== Models ==" } do
    T.ok(out:find(s, 1, true), "output has '" .. s .. "'")
  end
  -- the accuracy column: five numbers between 0 and 100
  local n = 0
  for a in out:match("Split seed 42.-\n(.-)\n\n"):gmatch("%s(%d+%.%d) %%") do
    n = n + 1
    T.ok(tonumber(a) >= 0 and tonumber(a) <= 100, "accuracy in range")
  end
  T.ok(n >= 10, "accuracy and F1 for each model")
  local html = read(out_dir .. "/flowers_dashboard.html")
  T.ok(html and #html > 1000, "HTML report written")
  T.ok(not html:find("<script src=", 1, true) and not html:find("<link ", 1, true), "self-contained HTML")
  for _, tab in ipairs { "gallery", "models", "confusion", "classes" } do
    local svg = read(out_dir .. "/flowers_" .. tab .. ".svg")
    T.ok(svg and svg:find("<svg", 1, true), tab .. " SVG written")
  end
  T.ok(exists(out_dir .. "/cache/flowers_embeddings.npy"), "cache under <out>/cache")
  T.eq(mlsh.mat.load(out_dir .. "/cache/flowers_embeddings.npy"):rows(), 50, "50 embeddings cached")
  T.eq(leftovers(out_dir), "", "no temporary files")
  sh("rm -rf " .. q(d) .. " " .. q(out_dir))
end)

T.done()

-- test/lua/test_gpu.lua - the CUDA backend from Lua: nn.load{device=...}.
-- Reference: the engine's CPU path on the same files (itself checked
-- against darknet and PyTorch in test_nn), and ../shared/reference/flowers/
-- embeddings_subset.npy (PyTorch 1.13 + Pillow 9.4, see its README) for
-- MobileNetV2. On the device machine the weights, photos and reference
-- come from .gpu/ (test/gpu/pack.sh). Without a GPU the GPU tests skip with
-- a visible message and the error/fallback behaviour is checked instead.
local T = dofile("test/lua/harness.lua")

local write = require("mlsh.util").write

-- a small net with the layer kinds of MobileNetV2 and deterministic weights
local CFG = "[net]\nwidth=9\nheight=8\nchannels=3\n" ..
  "[convolutional]\nfilters=8\nsize=3\nstride=2\ntf_same=1\nbatch_normalize=1\nbn_epsilon=0.001\nactivation=relu6\n" ..
  "[convolutional]\nfilters=16\nsize=1\nstride=1\nbatch_normalize=1\nactivation=relu6\n" ..
  "[convolutional]\nfilters=16\nsize=3\nstride=1\ntf_same=1\ngroups=16\nbatch_normalize=1\nactivation=relu6\n" ..
  "[convolutional]\nfilters=8\nsize=1\nstride=1\nbatch_normalize=1\nactivation=linear\n" ..
  "[shortcut]\nfrom=-4\nactivation=linear\n" ..
  "[avgpool]\n"

local function small_net_files()
  local cfg, w = T.tmpname(".cfg"), T.tmpname(".weights")
  write(cfg, CFG)
  -- counts per conv: biases, scales, means, variances (filters each), then weights
  local layers = { { 8, 8 * 3 * 9 }, { 16, 16 * 8 }, { 16, 16 * 9 }, { 8, 8 * 16 } }
  local parts, k = { string.pack("<i4i4i4i8", 0, 2, 0, 0) }, 0
  local function v(scale, offset) k = k + 1; return string.pack("<f", offset + scale * math.sin(k * 12.9898) ) end
  for _, l in ipairs(layers) do
    local f, nw = l[1], l[2]
    for _ = 1, f do parts[#parts + 1] = v(0.3, 0) end        -- biases
    for _ = 1, f do parts[#parts + 1] = v(0.3, 1) end        -- scales
    for _ = 1, f do parts[#parts + 1] = v(0.1, 0) end        -- rolling mean
    for _ = 1, f do parts[#parts + 1] = v(0.3, 0.7) end      -- rolling variance > 0
    for _ = 1, nw do parts[#parts + 1] = v(0.4, 0) end       -- weights
  end
  write(w, table.concat(parts))
  return cfg, w
end

local function maxdiff(A, B)
  local md = (A - B):apply(math.abs):max()
  if type(md) ~= "number" then md = md:get(1, 1) end
  return md
end

-- Is there a GPU? device="auto" says so without failing.
local cfg, wts = small_net_files()
local probe = nn.load(cfg, wts, { device = "auto" })
local HAVE_GPU = probe:info().device == "cuda"
local NO_GPU = "no CUDA device found (device=\"auto\" fell back to the CPU): GPU tests skipped"

T.test("device option: cpu, errors, and the fallback without a GPU", function()
  local net = nn.load(cfg, wts, { device = "cpu" })
  T.eq(net:info().device, "cpu")
  T.raises(function() nn.load(cfg, wts, { device = "tpu" }) end, "nn.load: option 'device' must be one of \"cpu\", \"cuda\", \"auto\" (got \"tpu\")")
  T.raises(function() nn.load(cfg, wts, { batch = 0 }) end, "nn.load: option 'batch'")
  if HAVE_GPU then return end
  T.raises(function() nn.load(cfg, wts, { device = "cuda" }) end, "CUDA")
  local ok, msg = pcall(nn.load, cfg, wts, { device = "cuda" })
  print("device=\"cuda\" without a GPU: " .. tostring(msg))
  T.ok(not ok and tostring(msg):find("nn.load: ", 1, true), msg)
  T.eq(probe:info().device, "cpu")
end)

T.test("small net: GPU forward equals the CPU", function()
  if not HAVE_GPU then T.skip(NO_GPU) end
  local cpu = nn.load(cfg, wts, { device = "cpu" })
  local gpu = nn.load(cfg, wts, { device = "cuda", batch = 3 })
  local info = gpu:info()
  T.eq(info.device, "cuda")
  T.ok(info.gpu:find("batch 3", 1, true), info.gpu)
  T.ok(info.gpu_bytes > 0)
  local X = mat.zeros(7, 3 * 9 * 8)   -- 7 images: batches of 3, 3, 1
  for i = 1, 7 do for j = 1, 216 do X:set(i, j, math.sin(i * 31 + j * 0.7)) end end
  local a, b = cpu:forward(X), gpu:forward(X)
  local md = maxdiff(a, b)
  print(string.format("small net, GPU vs CPU: max |diff| = %.3g", md))
  T.ok(md <= 1e-5, "max |diff| " .. md)
  T.eq(gpu:info().images, 7)
end)

local function mobilenet_files()
  local root = os.getenv("MLSH_ROOT") or "."
  local g = root .. "/.gpu"
  local f = io.open(g .. "/mobilenetv2.weights", "rb")
  if f then
    f:close()
    return g .. "/mobilenetv2.weights", g .. "/ref/embeddings_subset_paths.txt", g .. "/photos/", g .. "/ref/embeddings_subset.npy"
  end
  local listf, npy = T.shared("reference/flowers/embeddings_subset_paths.txt"), T.shared("weights/mobilenet_v2_1.0_224_tfslim_npy")
  if not listf or not npy then return nil end
  local w = T.tmpname(".weights")
  nn.convert("weights/mobilenetv2.cfg", npy, w)
  return w, listf, T.shared("data/flower_photos") .. "/", T.shared("reference/flowers/embeddings_subset.npy")
end

T.test("MobileNetV2 on the GPU matches the reference and the CPU to 1e-3", function()
  if not HAVE_GPU then T.skip(NO_GPU) end
  local w, listf, photos, refnpy = mobilenet_files()
  if not w then T.skip("no MobileNetV2 weights (.gpu/ or ../shared)") end
  local paths = {}
  for line in io.lines(listf) do paths[#paths + 1] = photos .. line end
  local gpu = nn.load("weights/mobilenetv2.cfg", w, { device = "cuda", batch = 16 })
  local G = gpu:embed(paths, { progress = false })
  local R = mat.load(refnpy)
  local C = nn.load("weights/mobilenetv2.cfg", w, { device = "cpu" }):embed(paths, { progress = false })
  local dr, dc = maxdiff(G, R), maxdiff(G, C)
  print(string.format("MobileNetV2 GPU: max |GPU - reference| = %.3g, max |GPU - CPU| = %.3g", dr, dc))
  T.ok(dr <= 1e-3 and dc <= 1e-3)
  local tf = nn.load("weights/mobilenetv2.cfg", w, { device = "cuda", tf32 = true })
  T.ok(tf:info().gpu:find("TF32", 1, true))
  local dt = maxdiff(tf:embed(paths, { progress = false }), C)
  print(string.format("MobileNetV2 TF32: max |GPU - CPU| = %.3g", dt))
  T.ok(dt < 0.1, "TF32 difference " .. dt)
  gpu, tf = nil, nil
  collectgarbage()   -- __gc frees the device memory
end)

os.remove(cfg); os.remove(wts)
-- The CUDA runtime is a plugin (build/mlsh-cuda.so) loaded only when a GPU
-- is asked for: a plain session maps none of it.
T.test("the CUDA runtime is not loaded until a GPU is asked for", function()
  local code = "local n = 0 for l in io.lines('/proc/self/maps') do " ..
    "if l:find('libcudart', 1, true) or l:find('mlsh-cuda', 1, true) then n = n + 1 end end print('cuda maps', n)"
  local out = T.sh(T.mlsh() .. " -e " .. ("%q"):format(code))
  T.ok(out:find("cuda maps%s0"), "a plain session maps CUDA: " .. out)
end)

T.test("no plugin: device='cuda' says so, device='auto' runs on the CPU", function()
  local cfg = small_net_files()
  local code = ("local ok, e = pcall(nn.load, %q, nil, {device = 'cuda'}) print(e) " ..
    "print(nn.load(%q, nil, {device = 'auto'}):info().device)"):format(cfg, cfg)
  local out = T.sh("MLSH_CUDA_PLUGIN=/nonexistent/mlsh-cuda.so " .. T.mlsh() .. " -e " .. ("%q"):format(code))
  T.ok(out:find("nn.load: cannot load the CUDA plugin /nonexistent/mlsh-cuda.so", 1, true), out)
  T.ok(out:find("running on the CPU", 1, true), out)
end)

T.done()

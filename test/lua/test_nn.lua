-- test/lua/test_nn.lua - the nn module from Lua.
-- References: a 1x1 convolution worked out by hand; ../shared/reference/
-- flowers/embeddings_subset.npy (PyTorch 1.13 + Pillow 9.4 MobileNetV2 with
-- TF padding and BN epsilon, see its README) for the 50 photos, to 1e-3.
local T = dofile("test/lua/harness.lua")

local write = require("mlsh.util").write

-- darknet .weights: major, minor, revision, 64-bit seen, then float32 values
local function weights_file(path, values)
  local parts = { string.pack("<i4i4i4i8", 0, 2, 0, 0) }
  for _, v in ipairs(values) do parts[#parts + 1] = string.pack("<f", v) end
  write(path, table.concat(parts))
end

T.test("a 1x1 convolution by hand, then leaky and softmax", function()
  local cfg, w = T.tmpname(".cfg"), T.tmpname(".weights")
  write(cfg, "[net]\nwidth=2\nheight=1\nchannels=2\n[convolutional]\nfilters=1\nsize=1\nactivation=leaky\n" ..
    "[connected]\noutput=2\nactivation=linear\n[softmax]\n")
  -- conv: bias 0.5, weights (2, -1); connected: biases (0, 1), weights [[1, 0], [0, 1]]
  weights_file(w, { 0.5, 2, -1, 0, 1, 1, 0, 0, 1 })
  local net = nn.load(cfg, w, { threads = 1 })
  T.eq(net:info().outputs, 2)
  -- pixels (CHW): channel 0 = (1, 0), channel 1 = (3, -2): conv = (2-3+.5, 0+2+.5) = (-0.5, 2.5); leaky: (-0.05, 2.5)
  local y = net:forward(mat.from({ { 1, 0, 3, -2 } }))
  local z1, z2 = -0.05, 2.5 + 1
  local e = math.exp(z2 - z1)
  T.near(y:get(1, 1), 1 / (1 + e), 1e-6)
  T.near(y:get(1, 2), e / (1 + e), 1e-6)
  local s = net:summary()
  T.ok(s:find("conv1x1", 1, true) and s:find("total: 9 parameters", 1, true), s)
  os.remove(cfg); os.remove(w)
end)

T.test("bad cfg, weights and options are errors naming the function", function()
  local cfg, w = T.tmpname(".cfg"), T.tmpname(".weights")
  write(cfg, "[net]\nwidth=4\nheight=4\nchannels=1\n[convolutional]\nfilters=2\nsize=3\npad=1\nactivation=relu\n")
  weights_file(w, { 1, 2, 3 })
  T.raises(function() nn.load(cfg, w) end, "nn.load: '" .. w .. "' is 68 bytes too short")
  weights_file(w, { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })
  T.raises(function() nn.load(cfg, w) end, "is 4 bytes too long")
  T.raises(function() nn.load(cfg, nil, { device = "tpu" }) end, "nn.load: option 'device'")
  T.raises(function() nn.load(cfg, nil, { bogus = 1 }) end, "unknown option 'bogus'")
  local net = nn.load(cfg)
  T.raises(function() net:forward(mat.zeros(2, 5)) end, "Net:forward: argument 'input' has 5 columns")
  T.raises(function() net:embed({}) end, "Net:embed")
  write(cfg, "[net]\nwidth=4\nheight=4\nchannels=1\n\n[convolutional]\nsize=3\nstride=x\n")
  T.raises(function() nn.load(cfg) end, cfg .. ":8: [convolutional] stride=x")
  write(cfg, "[net]\nwidth=4\nheight=4\nchannels=1\n[crop]\n")
  T.raises(function() nn.load(cfg) end, "unknown section [crop]")
  T.raises(function() nn.load("/nonexistent.cfg") end, "nn.load: cannot open")
  T.raises(function() nn.convert(cfg, "/nonexistent.h5", w) end, "nn.convert:")
  os.remove(cfg); os.remove(w)
end)

T.test("MobileNetV2 embeddings match the reference to 1e-3", function()
  local listf = T.shared("reference/flowers/embeddings_subset_paths.txt")
  if not listf or not T.shared("weights/mobilenet_v2_1.0_224_tfslim_npy") then
    T.skip("../shared reference or weights not found (set MLSH_SHARED)")
  end
  local net = nn.mobilenetv2 { threads = 2 }
  local paths = {}
  for line in io.lines(listf) do paths[#paths + 1] = T.shared("data/flower_photos/" .. line) end
  T.eq(#paths, 50)
  net:profile(true)
  local X = net:embed(paths, { batch = 16, progress = false })
  local R = mat.load(T.shared("reference/flowers/embeddings_subset.npy"))
  T.eq(X:rows(), 50); T.eq(X:cols(), 1280)
  local md = (X - R):apply(math.abs):max()
  if type(md) ~= "number" then md = md:get(1, 1) end
  print(string.format("mobilenetv2 from file to embedding: max |diff| = %.3g over 50x1280", md))
  T.ok(md <= 1e-3, "max |diff| " .. md)
  local s = net:summary { profile = true }
  T.ok(s:find("2,257,984 parameters", 1, true), s)
  T.ok(s:find("profile: 50 images", 1, true), s)
  -- Images instead of paths, and forward on one Image, give the same rows
  local imgs = {}
  for i = 1, 3 do imgs[i] = image.load_resized(paths[i], 224, 224) end
  local Y = net:embed(imgs, { progress = false })
  T.near(Y:get(3, 77), X:get(3, 77), 1e-6)
  T.near(net:forward(imgs[2]):get(1, 1000), X:get(2, 1000), 1e-6)
  T.raises(function() net:embed({ paths[1], "/nonexistent/b.jpg" }, { progress = false }) end, "/nonexistent/b.jpg")
  T.raises(function() net:embed(paths, { size = 160 }) end, "option 'size'")
  local Z, skipped = net:embed({ paths[1], "/nonexistent/b.jpg", paths[3] }, { progress = false, on_error = "skip" })
  T.eq(Z:rows(), 3); T.eq(#skipped, 1)
  T.eq(skipped[1].index, 2); T.eq(skipped[1].path, "/nonexistent/b.jpg")
  T.ok(skipped[1].error:find("cannot open", 1, true), skipped[1].error)
  T.ok(Z:get(2, 1) ~= Z:get(2, 1), "the skipped row is NaN")
  T.near(Z:get(3, 5), X:get(3, 5), 1e-6)
  T.raises(function() net:forward(image.load(paths[1])) end, "use img:resize(224, 224)")
end)

T.test("the XNNPACK engine: chosen for MobileNetV2, embeddings to 1e-4, fallback and errors", function()
  local listf = T.shared("reference/flowers/embeddings_subset_paths.txt")
  if not listf or not T.shared("weights/mobilenet_v2_1.0_224_tfslim_npy") then
    T.skip("../shared reference or weights not found (set MLSH_SHARED)")
  end
  local paths = {}
  for line in io.lines(listf) do paths[#paths + 1] = T.shared("data/flower_photos/" .. line) end
  local R = mat.load(T.shared("reference/flowers/embeddings_subset.npy"))   -- PyTorch + Pillow, see its README
  local function maxdiff(A, B)
    local md = (A - B):apply(math.abs):max()
    return type(md) == "number" and md or md:get(1, 1)
  end
  for _, threads in ipairs { 2, 1 } do
    local net = nn.mobilenetv2 { threads = threads }
    T.eq(net:info().engine, "xnnpack")
    local X = net:embed(paths, { batch = 16, progress = false })
    local md = maxdiff(X, R)
    print(string.format("xnnpack, %d thread(s): max |diff| = %.3g over 50x1280", threads, md))
    T.ok(md <= 1e-4, "max |diff| " .. md)
    local img = image.load_resized(paths[7], 224, 224)
    T.near(net:forward(img):get(1, 300), X:get(7, 300), 1e-5)   -- one image: the pooled runtime
    net:profile(true)
    T.eq(net:info().engine, "darknet")   -- per-layer timing runs the darknet kernels
    T.near(net:forward(img):get(1, 300), X:get(7, 300), 1e-4)
    net:profile(false)
  end
  local dk = nn.mobilenetv2 { threads = 2, engine = "darknet" }
  T.eq(dk:info().engine, "darknet")
  local D = dk:embed({ paths[1], paths[2] }, { progress = false })
  for _, j in ipairs { 1, 640, 1280 } do T.near(D:get(2, j), R:get(2, j), 1e-3) end
  local cfg = os.tmpname()
  local f = io.open(cfg, "w")
  f:write("[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=2\nsize=3\npad=1\nactivation=relu\n[route]\nlayers=-1,0\n")
  f:close()
  local net = nn.load(cfg)
  T.eq(net:info().engine, "darknet")
  T.ok(net:info().engine_note:find("route", 1, true), net:info().engine_note)
  T.raises(function() nn.load(cfg, nil, { engine = "xnnpack" }) end, "nn.load: engine \"xnnpack\" does not take layer 1 (route")
  T.raises(function() nn.load(cfg, nil, { engine = "fast" }) end, "option 'engine'")
  os.remove(cfg)
end)

T.done()

-- scripts/convert-weights.lua - convert MobileNetV2 ImageNet weights into
-- darknet format for weights/mobilenetv2.cfg.
--
--   build/mlsh scripts/convert-weights.lua [SOURCE [OUT [CFG]]]
--
-- SOURCE: Keras' mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5
--         (what scripts/fetch-weights.sh downloads), or a folder of TF-slim
--         tensors as .npy files (mobilenet_v2_1.0_224_tfslim_npy). Default:
--         the first found under weights/, $MLSH_DATA and ../shared.
-- OUT:    default weights/mobilenetv2.weights (ignored by git).
-- CFG:    default weights/mobilenetv2.cfg (with-top h5: weights/mobilenetv2-classifier.cfg).
local src, out, cfg = arg and arg[1], arg and arg[2], arg and arg[3]
local root = mlsh.root or "."
if not src then
  src = nn.datapath("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5")
     or nn.datapath("mobilenet_v2_1.0_224_tfslim_npy")
  if not src then
    io.stderr:write("convert-weights: no source weights found. Run scripts/fetch-weights.sh, or set MLSH_DATA\n" ..
      "to a folder holding weights/mobilenet_v2_1.0_224_tfslim_npy/ (e.g. MLSH_DATA=../shared).\n")
    os.exit(1)
  end
end
local top = src:find("_224%.h5$") ~= nil
cfg = cfg or (root .. "/weights/" .. (top and "mobilenetv2-classifier.cfg" or "mobilenetv2.cfg"))
out = out or (root .. "/weights/" .. (top and "mobilenetv2-classifier.weights" or "mobilenetv2.weights"))
local t0 = os.clock()
local n = nn.convert(cfg, src, out)
print(string.format("convert-weights: %s -> %s (%d parameters, %s, %.1f s)", src, out, n, cfg, os.clock() - t0))

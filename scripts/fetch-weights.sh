#!/bin/sh
# scripts/fetch-weights.sh [BUILD] - download Keras' MobileNetV2 1.0/224
# ImageNet weights (no top) from the keras-applications release and convert
# them to weights/mobilenetv2.weights for weights/mobilenetv2.cfg.
# Offline: put the .h5 into weights/ yourself, or point MLSH_DATA at a folder
# holding weights/mobilenet_v2_1.0_224_tfslim_npy/, then run
#   build/mlsh scripts/convert-weights.lua
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/download.sh"
BUILD=${1:-build}
FILE=mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5
URL=https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/$FILE
DEST="$ROOT/weights/$FILE"
if [ ! -s "$DEST" ]; then
  echo "fetch-weights: downloading $URL"
  if ! download fetch-weights "$URL" "$DEST"; then
    echo "  Copy $FILE into $ROOT/weights/ by hand, or set MLSH_DATA to a folder that holds"
    echo "  weights/mobilenet_v2_1.0_224_tfslim_npy/ (for example MLSH_DATA=../shared), then run:"
    echo "  $BUILD/mlsh scripts/convert-weights.lua"
    exit 1
  fi
fi
[ -x "$ROOT/$BUILD/mlsh" ] || { echo "fetch-weights: $ROOT/$BUILD/mlsh not built yet: run make"; exit 1; }
exec "$ROOT/$BUILD/mlsh" "$ROOT/scripts/convert-weights.lua" "$DEST"

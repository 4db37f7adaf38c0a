#!/bin/sh
# scripts/demo.sh BUILD - `make demo`: run the three exercises in order,
# non-interactively (MLSH_INTERACTIVE=1 opens each exercise's dashboard).
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case "$BUILD" in /*) MLSH="$BUILD/mlsh" ;; *) MLSH="$ROOT/$BUILD/mlsh" ;; esac
cd "$ROOT" || exit 1
status=0
run() {
  echo; echo "################ $1 ################"
  "$MLSH" "$@" || status=1
}
if [ ! -f scripts/pca_clustering.lua ] && [ ! -f scripts/arima.lua ]; then
  run scripts/tour.lua
fi
[ -f scripts/pca_clustering.lua ] && run scripts/pca_clustering.lua
[ -f scripts/arima.lua ] && run scripts/arima.lua
# Exercise 4.2 needs the flower photos and MobileNetV2 weights: MLSH_DATA,
# datasets/ (scripts/fetch-flowers.sh, scripts/fetch-weights.sh) or ../shared.
first_dir() { for d in "$@"; do [ -n "$d" ] && [ -d "$d" ] && { echo "$d"; return; }; done; }
first_file() { for f in "$@"; do [ -n "$f" ] && [ -f "$f" ] && { echo "$f"; return; }; done; }
if [ -f scripts/flowers.lua ]; then
  D=${MLSH_DATA:-}
  PHOTOS=$(first_dir ${D:+"$D/flower_photos" "$D/data/flower_photos" "$D/datasets/flower_photos"} \
    "$ROOT/datasets/flower_photos" "$ROOT/../shared/data/flower_photos")
  WEIGHTS=$(first_file "$ROOT/weights/mobilenetv2.weights" ${D:+"$D/mobilenetv2.weights" "$D/weights/mobilenetv2.weights"})
  if [ -n "$PHOTOS" ] && [ -z "$WEIGHTS" ]; then   # convert what is present (Keras .h5 or TF-slim .npy)
    SRC=$(first_file "$ROOT/weights/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5")
    [ -z "$SRC" ] && SRC=$(first_dir ${D:+"$D/weights/mobilenet_v2_1.0_224_tfslim_npy" "$D/mobilenet_v2_1.0_224_tfslim_npy"} \
      "$ROOT/../shared/weights/mobilenet_v2_1.0_224_tfslim_npy")
    if [ -n "$SRC" ]; then
      echo; echo "Converting MobileNetV2 weights from $SRC"
      "$MLSH" scripts/convert-weights.lua "$SRC" "$ROOT/weights/mobilenetv2.weights" && WEIGHTS="$ROOT/weights/mobilenetv2.weights"
    fi
  fi
  if [ -n "$PHOTOS" ] && [ -n "$WEIGHTS" ]; then
    if [ -n "${MLSH_INTERACTIVE:-}" ]; then
      run scripts/flowers.lua --data "$PHOTOS" --weights "$WEIGHTS"
    else
      run scripts/flowers.lua --data "$PHOTOS" --weights "$WEIGHTS" --no-dashboard
    fi
  elif [ -z "$PHOTOS" ]; then
    echo; echo "Exercise 4.2 skipped: no flower photos found; get them with scripts/fetch-flowers.sh (or set MLSH_DATA)."
  else
    echo; echo "Exercise 4.2 skipped: no MobileNetV2 weights found; get them with scripts/fetch-weights.sh (or set MLSH_DATA)."
  fi
fi
exit $status

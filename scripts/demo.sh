#!/bin/sh
# scripts/demo.sh BUILD - `make demo`: run the three exercises in order,
# non-interactively (MLSH_INTERACTIVE=1 opens each exercise's dashboard).
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MLSH="$ROOT/$BUILD/mlsh"
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
if [ -f scripts/flowers.lua ]; then
  DATA=""
  for d in "${MLSH_DATA:-}" "$ROOT/datasets" "$ROOT/../shared/data"; do
    [ -n "$d" ] && [ -d "$d/flower_photos" ] && { DATA="$d"; break; }
  done
  if [ -n "$DATA" ]; then
    MLSH_DATA="$DATA" run scripts/flowers.lua ${MLSH_INTERACTIVE:+} ${MLSH_INTERACTIVE:---no-dashboard}
  else
    echo; echo "Exercise 4.2 skipped: no flower photos found. Get them with scripts/fetch-flowers.sh (or set MLSH_DATA)."
  fi
fi
exit $status

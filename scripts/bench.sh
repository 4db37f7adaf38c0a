#!/bin/sh
# scripts/bench.sh BUILD - `make bench`: mlsh side by side with the peer
# harness of ../shared/bench/peers, in one run on this machine.
# Each scripts/bench/<area>.sh runs its mlsh jobs and the matching peer
# jobs (run_all.sh PATTERN) and prints rows of the comparison table.
# BENCH=pattern limits which area scripts run (e.g. BENCH=cluster).
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${MLSH_SHARED:=$ROOT/../shared}"
PEERS="$MLSH_SHARED/bench/peers"
if [ ! -x "$PEERS/run_all.sh" ] && [ ! -f "$PEERS/run_all.sh" ]; then
  echo "bench: $PEERS not found; set MLSH_SHARED to the shared folder (skipping)"; exit 0
fi
for t in /usr/bin/python3 /usr/bin/Rscript /usr/bin/time; do
  [ -x "$t" ] || { echo "bench: $t missing: apt-get install python3-sklearn python3-statsmodels r-base-core r-cran-cluster time"; exit 1; }
done
case "$BUILD" in /*) MLSH="$BUILD/mlsh" ;; *) MLSH="$ROOT/$BUILD/mlsh" ;; esac
export MLSH MLSH_SHARED PEERS
# The peers run the OpenBLAS kernels mlsh runs (it picks better ones where
# the library does not know the CPU; see mlsh.blas_core).
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  OPENBLAS_CORETYPE=$("$MLSH" -e 'print(mlsh.blas_core())' 2>/dev/null) && export OPENBLAS_CORETYPE
fi
echo "[bench] OpenBLAS kernels, mlsh and peers: ${OPENBLAS_CORETYPE:-unknown}"
export PEERDATA=${PEERDATA:-/tmp/peerdata}
export PEER_OUT=${PEER_OUT:-/tmp/mlsh-bench-peers}
export BUDGET_S=0 REPS=${REPS:-3}
mkdir -p "$PEER_OUT"
if [ ! -f "$PEERDATA/MANIFEST.tsv" ]; then
  echo "[bench] generating peer data in $PEERDATA"
  /usr/bin/python3 "$PEERS/gen_data.py" "$PEERDATA" >/dev/null || exit 1
fi
echo "| Task | mlsh s (median) | peer | peer s (median) | peer/mlsh | quality mlsh vs peer |"
echo "|---|---:|---|---:|---:|---|"
for s in "$ROOT"/scripts/bench/*.sh; do
  [ -f "$s" ] || continue
  case "$(basename "$s" .sh)" in *${BENCH:-}*) sh "$s" ;; esac
done
# The CSV reader and writer against data.table's fread / fwrite (BENCH=csv).
case csv in *${BENCH:-}*) sh "$ROOT/scripts/bench_csv.sh" ;; esac

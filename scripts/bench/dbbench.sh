#!/bin/sh
# scripts/bench/dbbench.sh - the db-benchmark groupby q1..q10 and join q1..q5
# rows of `make bench`: the shared harness (../shared/bench/peers/dbbench)
# runs data.table and pandas, then mlsh (scripts/dbbench/jobs.sh), on the same
# generated CSV files, and writes RESULTS.md with each solution's ratio to
# data.table and a check of every answer. DBB_N sets the table size (default
# 1e7, the benchmark's smallest; about 15 minutes on 2 cores; 1e6 for a quick run).
. "$(dirname "$0")/lib/common.sh"
DBB="$PEERS/dbbench"
[ -f "$DBB/run.sh" ] || { echo "bench dbbench: $DBB not found (skipping)"; exit 0; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$PEER_OUT/dbbench"
mkdir -p "$OUT"
MLSH_ROOT=$ROOT DBB_JOBS="$ROOT/scripts/dbbench/jobs.sh" DBB_OUT="$OUT" DT1=0 DPLYR=0 \
  bash "$DBB/run.sh" "${DBB_N:-1e7}" >"$OUT/run.log" 2>&1 || { echo "bench dbbench: run.sh failed (see $OUT/run.log)"; exit 0; }
echo
echo "db-benchmark (N = ${DBB_N:-1e7}; $OUT/RESULTS.md):"
cat "$OUT/RESULTS.md"

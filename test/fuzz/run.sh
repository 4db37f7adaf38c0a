#!/bin/sh
# test/fuzz/run.sh BUILD - `make fuzz`: run every target of test/fuzz/targets.c
# (built by the Makefile with clang's libFuzzer + ASan + UBSan) for FUZZ_SECONDS
# (default 60), seeded from test/fuzz/corpus/<target>. Crashing inputs are
# copied to test/fuzz/regress/<target>/ (replayed by `make test`).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
SECONDS_EACH=${FUZZ_SECONDS:-60}
OUTDIR=${1:-build-fuzz}   # built there by `make fuzz` (the Makefile's rules, FUZZ=1)
TARGETS=${FUZZ_TARGETS:-$(sed -n 's/^int fuzz_\([a-z0-9_]*\)(const uint8_t.*/\1/p' test/fuzz/targets.c)}
status=0
printf '%-12s %12s %10s %s\n' target executions exec/s result
for t in $TARGETS; do
  bin="$OUTDIR/fuzz/fuzz_$t"
  [ -x "$bin" ] || { echo "fuzz: $bin not built (run make fuzz)"; status=1; continue; }
  corpus="$OUTDIR/corpus/$t"; mkdir -p "$corpus" "$OUTDIR/crashes/$t"
  [ -d "test/fuzz/corpus/$t" ] && cp -n test/fuzz/corpus/$t/* "$corpus/" 2>/dev/null
  log="$OUTDIR/fuzz_$t.log"
  # cfg: the parser is line by line, and every section kind is in the small
  # seeds; without a cap libFuzzer grows inputs to the 8 KB MobileNetV2 seed
  # (whose layers' weights are allocated at parse time): 4 KB doubles the rate.
  extra=""
  case "$t" in cfg) extra="-max_len=4096" ;; esac
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:malloc_context_size=8 "$bin" -max_total_time="$SECONDS_EACH" -rss_limit_mb=4096 \
    -timeout=10 -artifact_prefix="$OUTDIR/crashes/$t/" -print_final_stats=1 $extra "$corpus" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [ $rc -eq 0 ]; then res="0 crashes"; else
    res="FOUND (see $log)"; status=1
    mkdir -p "test/fuzz/regress/$t"; cp "$OUTDIR/crashes/$t/"* "test/fuzz/regress/$t/" 2>/dev/null
  fi
  printf '%-12s %12s %10s %s\n' "$t" "${execs:-?}" "${rate:-?}" "$res"
done
exit $status

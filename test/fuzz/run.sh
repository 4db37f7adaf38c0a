#!/bin/sh
# test/fuzz/run.sh - `make fuzz`: build every target of test/fuzz/targets.c
# with clang's libFuzzer + ASan + UBSan and run each for FUZZ_SECONDS
# (default 60), seeded from test/fuzz/corpus/<target>. Crashing inputs are
# copied to test/fuzz/regress/<target>/ (replayed by `make test`).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
SECONDS_EACH=${FUZZ_SECONDS:-60}
OUTDIR=build-fuzz
TARGETS=${FUZZ_TARGETS:-$(sed -n 's/^int fuzz_\([a-z0-9_]*\)(const uint8_t.*/\1/p' test/fuzz/targets.c)}
command -v clang >/dev/null || { echo "fuzz: clang missing: apt-get install clang libclang-rt-14-dev"; exit 1; }
CFLAGS="-g -O2 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined $(pkg-config --cflags lua5.4 openblas lapacke libpng hdf5) -I/usr/include/libsvm"
LIBS="$(pkg-config --libs lua5.4 openblas lapacke ncursesw libjpeg libpng hdf5 fftw3) -lsvm -lpthread -lm -ldl"
# Numeric kernels with no parser in them (time series, clustering, PCA and
# t-SNE) get edge coverage without comparison tracing: their loop bounds
# made __sanitizer_cov_trace_cmp8 ~30% of the options target's time, and
# the fuzzer has nothing to learn from them. Parsers, bindings (option
# checks) and the rest keep full tracing; ASan and UBSan are everywhere.
NOCMP_DIRS="src/ts src/cluster src/stats"
mkdir -p "$OUTDIR/obj"
# A changed header (a struct layout) or changed flags make every object stale.
FLAGSIG="$CFLAGS | $NOCMP_DIRS | compat 1"
if [ -n "$(find src -name '*.h' -newer "$OUTDIR/obj/.stamp" 2>/dev/null | head -1)" ] || [ ! -f "$OUTDIR/obj/.stamp" ] ||
   [ "$(cat "$OUTDIR/obj/.flags" 2>/dev/null)" != "$FLAGSIG" ]; then
  rm -f "$OUTDIR"/obj/*.o
fi
touch "$OUTDIR/obj/.stamp"
printf '%s\n' "$FLAGSIG" >"$OUTDIR/obj/.flags"
# The library sources once, instrumented for coverage (no main).
OBJS=""
for f in src/core/*.c src/data/*.c src/stats/*.c src/cluster/*.c src/ts/*.c src/learn/*.c src/nn/*.c src/image/*.c src/plot/*.c src/lua/*.c; do
  [ -f "$f" ] || continue
  o="$OUTDIR/obj/$(echo "$f" | tr / _).o"
  if [ ! -f "$o" ] || [ "$f" -nt "$o" ]; then
    extra=""
    case " $NOCMP_DIRS " in *" $(dirname "$f") "*) extra="-fno-sanitize-coverage=trace-cmp" ;; esac
    clang $CFLAGS -fsanitize=fuzzer-no-link $extra -c "$f" -o "$o" 2>"$OUTDIR/cc.log" ||
      { echo "fuzz: cannot compile $f:"; head -5 "$OUTDIR/cc.log"; exit 1; }
  fi
  OBJS="$OBJS $o"
done
CFLAGS_T=$(echo "$CFLAGS" | sed 's/-fsanitize=fuzzer,/-fsanitize=/')
clang $CFLAGS_T -fsanitize=fuzzer-no-link -c test/fuzz/targets.c -o "$OUTDIR/targets.o" || exit 1
status=0
printf '%-12s %12s %10s %s\n' target executions exec/s result
for t in $TARGETS; do
  bin="$OUTDIR/fuzz_$t"
  clang $CFLAGS -DFUZZ_ENTRY=fuzz_$t test/fuzz/fuzz_main.c "$OUTDIR/targets.o" $OBJS $LIBS -o "$bin" || { status=1; continue; }
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

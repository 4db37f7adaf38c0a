#!/bin/sh
# test/valgrind.sh BUILD - `make valgrind`: a representative subset of the
# suite under valgrind memcheck; fails on any error or definitely lost byte.
BUILD=${1:-build}
command -v valgrind >/dev/null || { echo "valgrind missing: apt-get install valgrind"; exit 1; }
VG="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite"
export OPENBLAS_NUM_THREADS=1 MLSH_THREADS=1
status=0
for t in "$BUILD"/test/test_core "$BUILD"/test/test_fuzz "$BUILD"/test/test_gram; do
  [ -x "$t" ] || continue
  printf '%-40s ' "$(basename "$t")"
  if $VG "$t" >/tmp/mlsh-vg.log 2>&1; then tail -1 /tmp/mlsh-vg.log; else echo "FAILED"; cat /tmp/mlsh-vg.log; status=1; fi
done
for t in ${VALGRIND_LUA_TESTS:-test/lua/test_mat.lua test/lua/test_data.lua test/lua/test_parallel.lua}; do
  [ -f "$t" ] || continue
  printf '%-40s ' "$(basename "$t")"
  if MLSH_BIN="$BUILD/mlsh" $VG "$BUILD/mlsh" "$t" >/tmp/mlsh-vg.log 2>&1; then tail -1 /tmp/mlsh-vg.log; else echo "FAILED"; tail -40 /tmp/mlsh-vg.log; status=1; fi
done
exit $status

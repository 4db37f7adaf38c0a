#!/bin/sh
# test/run.sh BUILD - run every C unit test and every Lua test file
# against BUILD/mlsh, then print the total as "N passed, N failed".
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
PASS=0; FAIL=0; SKIP=0; BROKEN=""
LOG=$(mktemp); trap 'rm -f "$LOG"' EXIT
: "${MLSH_SHARED:=$ROOT/../shared}"; export MLSH_SHARED
[ -d "$MLSH_SHARED" ] || echo "note: $MLSH_SHARED not found; tests that need shared data will skip"

tally() {  # name, exit status; reads $LOG
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$LOG" | tail -1)
  if [ -z "$line" ]; then
    FAIL=$((FAIL + 1)); BROKEN="$BROKEN $1"
    echo "  $1: no result line (exit $2)"; tail -20 "$LOG" | sed 's/^/    /'
    return
  fi
  p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
  f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
  s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
  PASS=$((PASS + p)); FAIL=$((FAIL + f)); SKIP=$((SKIP + ${s:-0}))
  if [ "$f" -gt 0 ] || [ "$2" -ne 0 ]; then
    BROKEN="$BROKEN $1"; grep -E '^(FAIL|not ok)|FAIL' "$LOG" | head -30 | sed 's/^/    /'
    [ "$f" -eq 0 ] && { FAIL=$((FAIL + 1)); echo "  $1: exit status $2"; tail -5 "$LOG" | sed 's/^/    /'; }
  fi
  grep -E '^SKIP' "$LOG" | sed 's/^/    /'
  printf '  %-32s %s\n' "$1" "$line"
}

echo "== C unit tests"
for t in "$BUILD"/test/test_*; do
  [ -x "$t" ] || continue
  "$t" >"$LOG" 2>&1; tally "$(basename "$t")" $?
done
echo "== Lua tests (through $BUILD/mlsh)"
for t in test/lua/test_*.lua; do
  [ -f "$t" ] || continue
  "$BUILD/mlsh" "$t" >"$LOG" 2>&1 </dev/null; tally "$(basename "$t")" $?
done
[ -n "$BROKEN" ] && echo "failing:$BROKEN"
[ "$SKIP" -gt 0 ] && echo "($SKIP skipped, see SKIP lines above)"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

# scripts/bench/lib/common.sh - sourced by the area scripts in scripts/bench/.
# peer_run PATTERN: run the shared harness's matching jobs into $PEER_OUT/raw.
# peer_json ID: the job's JSON result line; peer_field ID KEY: one field of it.
# ratio A B: A / B with two decimals. BENCH_LIB: this folder (Lua helpers).
BENCH_LIB=$(cd "$(dirname "$0")/lib" && pwd); export BENCH_LIB
peer_run() { (cd "$PEERS" && bash ./run_all.sh "$1" >/dev/null 2>&1); }
peer_json() { head -1 "$PEER_OUT/raw/$1.json" 2>/dev/null; }
peer_field() { /usr/bin/python3 -c "import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(d.get(sys.argv[2], ''))" "$PEER_OUT/raw/$1.json" "$2" 2>/dev/null; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a > 0) printf "%.2f", a / b; else print "n/a" }'; }

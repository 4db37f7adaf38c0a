# scripts/dbbench/jobs.sh - sourced by the db-benchmark harness's run.sh
# (DBB_JOBS) after its peer jobs: the mlsh jobs land in the same raw/<case>/
# and RESULTS.md as data.table and pandas, in the same run.
job groupby_mlsh "$MLSH" "$MLSH_ROOT/scripts/dbbench/groupby.lua" "$G1"
[ "$TASKS" = all ] && job join_mlsh "$MLSH" "$MLSH_ROOT/scripts/dbbench/join.lua" "$X" "$SMALL" "$MEDIUM" "$BIG"

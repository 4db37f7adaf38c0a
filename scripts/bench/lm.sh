#!/bin/sh
# scripts/bench/lm.sh - stats.lm / stats.glm rows of `make bench`: a linear
# model with 20 numeric and 2 categorical predictors (5 and 4 levels) and a
# logistic GLM with 20 predictors on LM_N rows (10^6 by default), against
# R's lm, .lm.fit (RcppEigen::fastLm when installed) and glm on the same
# data. R writes the data (seeded) as raw doubles; both sides time the fit
# only (REPS runs, median wall-clock), not the loading.
. "$(dirname "$0")/lib/common.sh"
N=${LM_N:-1000000}
D=${PEERDATA:-/tmp/peerdata}
mkdir -p "$D"
F="$D/lm_${N}.f64"
TMP=$(mktemp /tmp/mlsh-bench-lm.XXXXXX) || exit 1
trap 'rm -f "$TMP" "$TMP.R" "$TMP.lua"' EXIT
cat > "$TMP.R" <<'REOF'
args <- commandArgs(TRUE); n <- as.integer(args[1]); f <- args[2]; reps <- as.integer(args[3])
if (!file.exists(f)) {
  set.seed(1)
  X <- matrix(rnorm(n * 20), n)
  g1 <- sample(5, n, TRUE); g2 <- sample(4, n, TRUE)
  y <- drop(X %*% seq(0.1, 2, length.out = 20)) + c(0, .5, 1, 1.5, 2)[g1] + c(0, -1, 1, .3)[g2] + rnorm(n)
  yb <- rbinom(n, 1, plogis(drop(X %*% seq(-1, 1, length.out = 20)) / 4))
  con <- file(f, "wb"); for (v in c(split(X, col(X)), list(g1, g2, y, yb))) writeBin(as.double(v), con); close(con)
}
con <- file(f, "rb"); M <- matrix(readBin(con, "double", n * 24), n); close(con)
d <- as.data.frame(M[, 1:20]); names(d) <- paste0("x", 1:20)
d$g1 <- paste0("a", M[, 21]); d$g2 <- paste0("b", M[, 22]); d$y <- M[, 23]; d$yb <- M[, 24]
fl <- as.formula(paste("y ~", paste(c(paste0("x", 1:20), "g1", "g2"), collapse = " + ")))
fg <- as.formula(paste("yb ~", paste(paste0("x", 1:20), collapse = " + ")))
med <- function(f) { r <- NULL; ts <- sapply(seq_len(reps), function(i) system.time(r <<- f())[["elapsed"]]); list(t = median(ts), r = r) }
a <- med(function() lm(fl, d)); t_lm <- a$t; m <- a$r
mm <- model.matrix(fl, d)
fast <- requireNamespace("RcppEigen", quietly = TRUE)
t_fast <- med(if (fast) function() RcppEigen::fastLmPure(mm, d$y) else function() .lm.fit(mm, d$y))$t
a <- med(function() glm(fg, binomial, d)); t_glm <- a$t; g <- a$r
cat(sprintf("%.4f\t%.4f\t%s\t%.4f\t%.10g\t%.10g\n", t_lm, t_fast, if (fast) "RcppEigen::fastLmPure" else ".lm.fit", t_glm,
            coef(m)[2], coef(g)[2]))
REOF
/usr/bin/Rscript "$TMP.R" "$N" "$F" "${REPS:-3}" > "$TMP" 2>/dev/null || { echo "| lm/glm | R peer failed | | | | |"; exit 0; }
cat > "$TMP.lua" <<'LUAEOF'
local n, f, reps = tonumber(arg[1]), arg[2], tonumber(arg[3])
local M = mat.read_raw(f, 24, n)
local function row(j) local t = M:row(j):totable(); return type(t[1]) == "table" and t[1] or t end
local names, cols = {}, {}
for j = 1, 20 do names[j] = "x" .. j; cols[j] = row(j) end
for j, p in ipairs { "a", "b" } do
  local c = row(20 + j)
  for i = 1, n do c[i] = p .. math.tointeger(c[i]) end
  names[20 + j], cols[20 + j] = "g" .. j, c
end
names[23], cols[23] = "y", row(23)
names[24], cols[24] = "yb", row(24)
for j = 1, 24 do cols[j].n = n end
M = nil
local df = data._typed_frame(names, cols)
cols = nil; collectgarbage()
local xs = {}
for j = 1, 20 do xs[j] = "x" .. j end
local fl = "y ~ " .. table.concat(xs, " + ") .. " + g1 + g2"
local fg = "yb ~ " .. table.concat(xs, " + ")
local function med(fn)
  local ts, r = {}, nil
  for i = 1, reps do local t0 = mlsh.clock(); r = fn(); ts[i] = mlsh.clock() - t0 end
  table.sort(ts)
  return ts[(#ts + 1) // 2], r
end
local tl, m = med(function() return stats.lm(df, fl) end)
local tg, g = med(function() return stats.glm(df, fg, { family = "binomial" }) end)
print(string.format("%.4f\t%.4f\t%.10g\t%.10g", tl, tg, m.coefficients[2], g.coefficients[2]))
LUAEOF
MR=$("$MLSH" "$TMP.lua" "$N" "$F" "${REPS:-3}" 2>/dev/null | tail -1)
r_lm=$(cut -f1 "$TMP"); r_fast=$(cut -f2 "$TMP"); fast_name=$(cut -f3 "$TMP"); r_glm=$(cut -f4 "$TMP")
r_b1=$(cut -f5 "$TMP"); r_g1=$(cut -f6 "$TMP")
m_lm=$(echo "$MR" | cut -f1); m_glm=$(echo "$MR" | cut -f2); m_b1=$(echo "$MR" | cut -f3); m_g1=$(echo "$MR" | cut -f4)
printf '| lm %s x (20 numeric + 2 categorical), formula to coefficients | %s | R lm | %s | %s | x1 %s vs %s |\n' "$N" "$m_lm" "$r_lm" "$(ratio "$r_lm" "$m_lm")" "$m_b1" "$r_b1"
printf '| lm %s x 29 columns (R: on the model matrix) | %s | R %s | %s | %s | |\n' "$N" "$m_lm" "$fast_name" "$r_fast" "$(ratio "$r_fast" "$m_lm")"
printf '| glm binomial %s x 20 | %s | R glm | %s | %s | x1 %s vs %s |\n' "$N" "$m_glm" "$r_glm" "$(ratio "$r_glm" "$m_glm")" "$m_g1" "$r_g1"

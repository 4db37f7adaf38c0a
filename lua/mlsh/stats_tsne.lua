-- lua/mlsh/stats_tsne.lua - stats.tsne and stats.trustworthiness also
-- accept DataFrames (their numeric columns); the work is in C
-- (src/stats/tsne*.c), whose documentation the wrappers keep.
local M, mlsh = ...
local util = require "mlsh.util"
local _, by_name = mlsh._docs()

local function as_matrix(X, fname, argname) return (util.as_matrix(X, fname, argname)) end

local function wrap(name, fn)
  local d = by_name["stats." .. name]
  return mlsh.doc(fn, "stats." .. name, d.usage, d.doc)
end

local ctsne, ctrust = M.tsne, M.trustworthiness
M.tsne = wrap("tsne", function(X, opts) return ctsne(as_matrix(X, "stats.tsne", "X"), opts) end)
M.trustworthiness = wrap("trustworthiness", function(X, Y, opts)
  return ctrust(as_matrix(X, "stats.trustworthiness", "X"), as_matrix(Y, "stats.trustworthiness", "Y"), opts)
end)

-- scripts/dist_cost_table.lua [flops] - the README's table of predicted weak-scaling efficiency of the
-- distributed K-Means (dist.cost: one packed allreduce per iteration, Hockney model with Rabenseifner's
-- or recursive doubling) at 10, 100 and 1000 nodes, from this machine's dgemm rate (or the given flop/s).
-- scripts/simgrid/run.sh runs the same iteration in SimGrid SMPI next to these predictions.
-- Run: build/mlsh scripts/dist_cost_table.lua
local F = tonumber(arg and arg[1]) or dist.dgemm_rate()
print(string.format("dgemm rate %.1f Gflop/s per node; latency 2 us, 10 GB/s links, 2 GB/s reduction", F / 1e9))
print("")
print("| rows per node | k x p | allreduce bytes | compute ms | 10 nodes | 100 nodes | 1000 nodes |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for _, n in ipairs { 1e4, 1e5, 1e6 } do
  for _, kp in ipairs { { 10, 50 }, { 100, 100 }, { 10, 1000 } } do
    local row = {}
    for i, P in ipairs { 10, 100, 1000 } do
      local c = dist.cost { n = n, k = kp[1], p = kp[2], nodes = P, flops = F }
      row[i] = string.format("%.1f %%", 100 * c.efficiency)
      row.bytes, row.ms = c.bytes, 1e3 * c.compute_s
    end
    print(string.format("| %.0e | %d x %d | %d | %.2f | %s | %s | %s |", n, kp[1], kp[2], row.bytes, row.ms,
      row[1], row[2], row[3]))
  end
end

-- test/lua/test_simgrid.lua - the SimGrid SMPI run of the distributed K-Means iteration
-- (scripts/simgrid/: kmeans_iter.c built with smpicc, run by smpirun on a generated star platform)
-- at 4 and 8 hosts, against dist.cost's Hockney model of the same allreduce. Reference: the model's
-- closed forms (recursive doubling: ceil(log2 P) (alpha + bytes beta + bytes gamma)), which SimGrid
-- does not use (SMPI simulates each message over the platform's links); at these sizes the two agree
-- within a factor 1.5. Skips, saying so, when SimGrid (smpicc, smpirun) is missing.
local T = dofile("test/lua/harness.lua")
local have = T.sh("command -v smpicc") ~= "" and T.sh("command -v smpirun") ~= ""

local function rows(text)
  local r = {}
  for line in text:gmatch("[^\n]+") do
    local h, alg, sa, ma, se, me = line:match("^| (%d+) | [^|]+ | [^|]+ | ([^|]-) | ([%d.]+) | ([%d.]+) | ([%d.]+) %% | ([%d.]+) %% |$")
    if h then r[#r + 1] = { hosts = tonumber(h), alg = alg, sim = tonumber(sa), model = tonumber(ma),
      sim_eff = tonumber(se), model_eff = tonumber(me) } end
  end
  return r
end

T.test("the platform file states the hosts, latency, bandwidth and star topology", function()
  local xml, hosts = T.tmpname(".xml"), T.tmpname(".txt")
  T.sh("sh scripts/simgrid/platform.sh 6 1e10 " .. xml .. " " .. hosts)
  local text = io.open(xml):read("a")
  T.ok(text:find('radical="0%-5"') and text:find('speed="1e10f"') and text:find('lat="1us"')
    and text:find('bw="10GBps"') and text:find("SPLITDUPLEX"), text)
  local n = 0
  for line in io.lines(hosts) do n = n + 1; T.eq(line, "node-" .. (n - 1)) end
  T.eq(n, 6)
  T.ok(T.sh("sh scripts/simgrid/platform.sh 6 2>&1"):find("usage"), "no usage message")
end)

T.test("SMPI at 4 and 8 hosts matches the allreduce model", function()
  if not have then T.skip("SimGrid (smpicc, smpirun) not installed: apt-get install simgrid libsimgrid-dev") end
  local out = T.sh("SIMGRID_FLOPS=1e10 sh scripts/simgrid/run.sh test 2>&1")
  local r = rows(out)
  T.eq(#r, 2, out)
  T.eq(r[1].hosts, 4); T.eq(r[2].hosts, 8)
  for _, x in ipairs(r) do
    T.eq(x.alg, "recursive doubling", out)
    T.ok(x.sim > 0.5 * x.model and x.sim < 1.5 * x.model, "allreduce us: SimGrid " .. x.sim .. ", model " .. x.model)
    T.near(x.sim_eff, x.model_eff, 0.5, out)
  end
  T.ok(r[2].sim > r[1].sim, "the allreduce should take longer on 8 hosts than on 4")
end)

T.done()

-- test/lua/test_files.lua - every file mlsh writes goes through one atomic
-- helper (temp file in the same folder + fsync + rename): a write that
-- fails (disk full, read-only folder) leaves the old file intact and no
-- temporary behind, and reports the error.
local T = dofile("test/lua/harness.lua")

local function sh(cmd) return (T.sh(cmd)) end
local function listing(dir) return sh("ls -A " .. dir) end

-- Writers to check: each takes a path and writes something of `size` bytes or so.
local function writers()
  local big = mat.randn(400, 400, { seed = 1 })          -- 1.28 MB as .npy
  local w = {
    { "Matrix:save .npy", function(p, huge) (huge and big or mat.from { 1, 2, 3 }):save(p) end, ".npy" },
    { "Matrix:save .csv", function(p, huge) (huge and big or mat.from { 1, 2, 3 }):save(p) end, ".csv" },
    { "DataFrame:write_csv", function(p, huge)
        local x = huge and big:col(1):vcat(big:col(2)):vcat(big:col(3)):vcat(big:col(4)) or mat.from { 1 }
        for _ = 1, huge and 4 or 0 do x = x:vcat(x) end
        data.frame({ "x" }, { x }):write_csv(p)
      end, ".csv" },
  }
  if learn and learn.knn then
    w[#w + 1] = { "model:save", function(p, huge)
      local n = huge and 20000 or 4
      local X = mat.randn(n, 10, { seed = 2 })
      local y = {}
      for i = 1, n do y[i] = i % 2 + 1 end
      learn.knn { k = 1 }:fit(X, y):save(p)
    end, ".mdl" }
  end
  if plot and plot.scatter then
    w[#w + 1] = { "Chart:save .svg", function(p, huge)
      local n = huge and 20000 or 3
      local x = mat.randn(n, 1, { seed = 3 })
      plot.scatter(x, x, { title = string.rep("t", huge and 1 or 1) }):save(p)
    end, ".svg" }
  end
  -- the data formats of src/data/ (npz, readstat, xlsx, HDF5)
  local function frame(huge)
    local x = {}
    for i = 1, huge and 60000 or 3 do x[i] = i * 1.5 end
    return data._typed_frame({ "x" }, { x })
  end
  local function matrix(huge) return huge and big or mat.from({ 1 }) end
  w[#w + 1] = { "data.write_npz", function(p, huge) data.write_npz(p, { X = matrix(huge) }, { compress = false }) end, ".npz" }
  w[#w + 1] = { "DataFrame:write_dta", function(p, huge) frame(huge):write_dta(p) end, ".dta" }
  w[#w + 1] = { "DataFrame:write_sav", function(p, huge) frame(huge):write_sav(p) end, ".sav" }
  w[#w + 1] = { "DataFrame:write_xlsx", function(p, huge) frame(huge):write_xlsx(p) end, ".xlsx" }
  w[#w + 1] = { "Matrix:save_h5", function(p, huge) matrix(huge):save_h5(p, huge and "big" or "small") end, ".h5" }
  return w
end

T.test("a full disk leaves the old file intact (tmpfs of 256 KiB)", function()
  local dir = T.tmpname(".tmpfs")
  os.execute("mkdir -p " .. dir)
  if not os.execute("mount -t tmpfs -o size=256k tmpfs " .. dir .. " 2>/dev/null") then
    os.execute("rmdir " .. dir)
    T.skip("cannot mount a small tmpfs here (needs root)")
  end
  local problems = {}
  for _, w in ipairs(writers()) do
    local p = dir .. "/target" .. w[3]
    w[2](p, false)
    local f = io.open(p, "rb")
    local old = f:read("a")
    f:close()
    local ok, err = pcall(w[2], p, true)
    f = io.open(p, "rb")
    local now = f and f:read("a")
    if f then f:close() end
    if ok then problems[#problems + 1] = w[1] .. ": a 1 MB+ write to a 256 KiB disk did not fail"
    elseif not tostring(err):find("cannot write", 1, true) and not tostring(err):find("No space", 1, true) then
      problems[#problems + 1] = w[1] .. ": unclear error: " .. tostring(err)
    end
    if now ~= old then problems[#problems + 1] = w[1] .. ": the old file was changed" end
    local left = listing(dir):gsub("target" .. w[3]:gsub("%.", "%%.") .. "\n", "")
    if left:find("%S") then problems[#problems + 1] = w[1] .. ": left behind: " .. left end
    os.remove(p)
  end
  os.execute("umount " .. dir .. " && rmdir " .. dir)
  T.ok(#problems == 0, table.concat(problems, "\n"))
end)

T.test("a read-only folder gives a clear error and no temporary", function()
  local dir = T.tmpname(".ro")
  os.execute("mkdir -p " .. dir)
  local ok_ro = os.execute("mount -t tmpfs -o size=64k,ro tmpfs " .. dir .. " 2>/dev/null")
  if not ok_ro then os.execute("rmdir " .. dir) T.skip("cannot mount a read-only tmpfs here (needs root)") end
  local problems = {}
  for _, w in ipairs(writers()) do
    local ok, err = pcall(w[2], dir .. "/x" .. w[3], false)
    if ok or not tostring(err):find("cannot write", 1, true) then
      problems[#problems + 1] = w[1] .. ": " .. tostring(err)
    end
  end
  os.execute("umount " .. dir .. " && rmdir " .. dir)
  T.ok(#problems == 0, table.concat(problems, "\n"))
end)

T.done()

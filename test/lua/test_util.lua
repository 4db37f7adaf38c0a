-- test/lua/test_util.lua - lua/mlsh/util.lua: file helpers (plain and atomic
-- writes, reads, sizes, folders), shell quoting, and DataFrame arguments.
local T = dofile("test/lua/harness.lua")
local util = require "mlsh.util"

T.test("files: write, read, exists, isdir, filesize, write_atomic, mkdir", function()
  local dir = T.tmpname(".util")
  T.eq(util.mkdir(dir .. "/a/b"), dir .. "/a/b")
  T.ok(util.isdir(dir .. "/a") and util.exists(dir .. "/a"), "folders made")
  local p = dir .. "/a/f.bin"
  T.ok(not util.exists(p) and not util.isdir(p) and util.filesize(p) == nil, "nothing yet")
  local r, err = util.read(p)
  T.ok(r == nil and tostring(err):find("No such file", 1, true), tostring(err))
  util.write(p, "one\0two")
  T.eq(util.read(p), "one\0two")
  T.eq(util.filesize(p), 7)
  T.ok(util.exists(p) and not util.isdir(p), "a file, not a folder")
  util.write_atomic(p, "new")
  T.eq(util.read(p), "new")
  T.eq(T.sh("ls -A " .. util.shell_quote(dir .. "/a")), "b\nf.bin\n")   -- no temporary left
  T.raises(function() util.write(dir .. "/missing/x", "x") end, "cannot write '" .. dir .. "/missing/x'")
  T.raises(function() util.write_atomic(dir .. "/missing/x", "x") end, "cannot write '" .. dir .. "/missing/x'")
  T.raises(function() util.mkdir(p .. "/sub") end, "cannot create folder")
  os.execute("rm -rf " .. util.shell_quote(dir))
end)

T.test("shell_quote survives quotes, spaces and $", function()
  local s = "it's a $HOME `x` \"y\""
  T.eq(T.sh("printf %s " .. util.shell_quote(s)), s)
end)

T.test("a frame without numeric columns: a clear error from the data reader", function()
  local strings = mlsh.data.frame({ "s" }, { { "a", "b" } })
  T.raises(function() mlsh.stats.pca(strings) end, "stats.pca: argument 'X': the frame has no numeric columns")
  T.raises(function() mlsh.cluster.profile(strings, { 1, 2 }) end, "cluster.profile: argument 'X'")
end)

T.done()

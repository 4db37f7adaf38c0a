-- lua/mlsh/util.lua - small helpers shared by the Lua side, the scripts and
-- the tests: files (exists, read, write, atomic write, size, mkdir), shell
-- quoting, and DataFrame arguments as Matrices. Plain Lua, no mlsh state:
--   local util = require "mlsh.util"
local M = {}

local fmt = string.format

-- True when path can be opened (a file or a folder).
function M.exists(path)
  local f = path and io.open(path, "rb")
  if f then f:close() return true end
  return false
end

-- True when path is a folder.
function M.isdir(path) return path ~= nil and M.exists(path .. "/.") end

-- The whole contents of a file, or nil and the error message.
function M.read(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local s = f:read("a")
  f:close()
  return s
end

-- The size in bytes of a file, or nil when it cannot be opened.
function M.filesize(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local n = f:seek("end")
  f:close()
  return n
end

-- Write bytes to path (replacing it); raises "cannot write 'path': why".
function M.write(path, bytes)
  local f, err = io.open(path, "wb")
  if not f then error(fmt("cannot write '%s': %s", path, tostring(err)), 0) end
  local ok, werr = f:write(bytes)
  local cok, cerr = f:close()
  if not ok or not cok then error(fmt("cannot write '%s': %s", path, tostring(werr or cerr or "write failed")), 0) end
end

-- Write bytes atomically: a temporary file beside the target, then a
-- rename, so readers see the old file or the whole new one. Raises
-- "cannot write 'path': why" (the temporary file removed).
function M.write_atomic(path, bytes)
  local tmp = fmt("%s.tmp%d", path, math.random(1, 1 << 30))
  local ok, err = pcall(M.write, tmp, bytes)
  if not ok then
    os.remove(tmp)
    error((tostring(err):gsub("^cannot write '[^']*'", fmt("cannot write '%s'", path))), 0)
  end
  local rok, rerr = os.rename(tmp, path)
  if not rok then
    os.remove(tmp)
    error(fmt("cannot write '%s': %s", path, tostring(rerr)), 0)
  end
end

-- s quoted for a POSIX shell command line.
function M.shell_quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- mkdir -p (Lua has no mkdir); raises "cannot create folder 'dir'".
function M.mkdir(dir)
  if M.isdir(dir) then return dir end
  os.execute("mkdir -p " .. M.shell_quote(dir) .. " 2>/dev/null")
  if not M.isdir(dir) then error(fmt("cannot create folder '%s'", dir), 0) end
  return dir
end

return M

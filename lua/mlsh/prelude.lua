-- lua/mlsh/prelude.lua - runs after the C modules are opened: loads the
-- Lua-side part of each module (lua/mlsh/<part>.lua, called as a chunk
-- with (module_table, mlsh)) and the shell-wide helpers.
return function(mlsh)
  -- The module list lives once, in src/lua/linit.c: mlsh._parts = {{module, part}, ...}.
  for _, p in ipairs(mlsh._parts) do
    local path = package.searchpath("mlsh." .. p[2], package.path)
    if path then
      local chunk, err = loadfile(path)
      if not chunk then error(err, 0) end
      chunk(mlsh[p[1]], mlsh)
    end
  end
  require("mlsh.pretty").install(mlsh)
  mlsh.help = require("mlsh.help")(mlsh)
end

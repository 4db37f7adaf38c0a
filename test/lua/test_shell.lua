-- test/lua/test_shell.lua - the mlsh program: options, scripts, errors,
-- the Lua C module, and documentation of every public function.
local T = dofile("test/lua/harness.lua")
local MLSH = T.mlsh()
local run = T.sh

T.test("-e runs code", function()
  local out, code = run(MLSH .. " -e 'print(mat.randn(3,3,{seed=1}):dot(mat.eye(3)))'")
  T.eq(code, 0); T.ok(out:find("%[Matrix 3x3%]"), out)
end)

T.test("-v and -h", function()
  local out, code = run(MLSH .. " -v")
  T.eq(code, 0); T.ok(out:find("^mlsh %d+%.%d+"), out)
  out, code = run(MLSH .. " -h")
  T.eq(code, 0); T.ok(out:find("usage: mlsh"), out)
  out, code = run(MLSH .. " --bogus")
  T.eq(code, 1); T.ok(out:find("unrecognized option"), out)
end)

T.test("scripts get arg and ... ; errors exit 1 with file:line and a traceback", function()
  local p = T.tmpname(".lua")
  local f = io.open(p, "w")
  f:write("local a, b = ...\nprint(arg[0] ~= nil, arg[1], a, b)\n")
  f:close()
  local out, code = run(MLSH .. " " .. p .. " x y")
  T.eq(code, 0); T.ok(out:find("true%s+x%s+x%s+y"), out)
  f = io.open(p, "w"); f:write("local x = 1\nerror('boom')\n"); f:close()
  out, code = run(MLSH .. " " .. p)
  T.eq(code, 1)
  T.ok(out:find("^mlsh: [^\n]*:2: boom"), out)
  T.ok(out:find("stack traceback"), out)
  os.remove(p)
end)

T.test("script from stdin and '-'", function()
  local out, code = run("echo 'print(mat.eye(2):sum())' | " .. MLSH)
  T.eq(code, 0); T.ok(out:find("2"), out)
  out, code = run("echo 'print(1+1)' | " .. MLSH .. " -")
  T.eq(code, 0); T.ok(out:find("2"), out)
end)

T.test("C errors become Lua errors naming the function", function()
  local out, code = run(MLSH .. " -e 'mat.zeros(2,2):inv()'")
  T.eq(code, 1); T.ok(out:find("Matrix:inv: matrix is singular"), out)
end)

T.test("stock lua5.4 can require the C module", function()
  local lua = io.open("/usr/bin/lua5.4") and "/usr/bin/lua5.4"
  if not lua then T.skip("lua5.4 interpreter not installed (apt-get install lua5.4)") end
  if os.getenv("MLSH_SANITIZED") then T.skip("a sanitized mlsh.so cannot be loaded into a plain lua5.4") end
  local so = MLSH:gsub("mlsh$", "")
  local out, code = run(lua .. " -e 'package.cpath=\"" .. so .. "?.so;\"..package.cpath; " ..
                        "local m = require \"mlsh\"; print(m.mat.eye(2)); print(m.data.read_csv(\"datasets/iris.csv\"):nrow())'")
  T.eq(code, 0); T.ok(out:find("%[Matrix 2x2%]") and out:find("150"), out)
end)

T.test("every public function is documented with an example", function()
  local by_value, by_name = mlsh._docs()
  local missing = {}
  local function check(name, f)
    local d = by_value[f]
    if not d then missing[#missing + 1] = name .. " (no doc)"
    elseif not d.doc:find("Example") then missing[#missing + 1] = name .. " (no Example line)" end
  end
  for _, mod in ipairs{"mat", "data", "stats", "cluster", "ts", "learn", "nn", "image", "plot"} do
    for k, v in pairs(mlsh[mod]) do
      if type(v) == "function" and not k:find("^_") then check(mod .. "." .. k, v) end
    end
  end
  for name, d in pairs(by_name) do
    if name:find(":") and not name:find(":_") and not d.doc:find("Example") then
      missing[#missing + 1] = name .. " (no Example line)"
    end
  end
  table.sort(missing)
  T.ok(#missing == 0, "undocumented: " .. table.concat(missing, ", "))
end)

T.test("help() prints a function's documentation", function()
  local out, code = run(MLSH .. " -e 'help(mat.svd); help(\"Matrix:chol\"); help()'")
  T.eq(code, 0)
  T.ok(out:find("m:svd%(%)") and out:find("dgesdd") and out:find("Example"), out)
  T.ok(out:find("m:chol%(%)"), out)
  T.ok(out:find("Modules:"), out)
end)

T.done()

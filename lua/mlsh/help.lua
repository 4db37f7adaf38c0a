-- lua/mlsh/help.lua - help(x) and ?name: prints the documentation that
-- the C bindings register next to each function (mlsh_Reg) and that
-- Lua-side helpers record with mlsh.doc.
return function(mlsh)
  local by_value, by_name, modules = mlsh._docs()

  local function first_line(s)
    return (s or ""):match("^[^\n]*") or ""
  end

  local function sorted_names(prefix)
    local out = {}
    for name in pairs(by_name) do
      if name:sub(1, #prefix) == prefix and not name:sub(#prefix + 1):find("^_") then out[#out + 1] = name end
    end
    table.sort(out)
    return out
  end

  -- The options table of a function, from its declared spec (lopt.h), so
  -- that help cannot drift from what the function checks.
  local function show_options(name)
    local spec = mlsh._spec(name)
    if not spec or #spec == 0 then return end
    io.write("  Options:\n")
    local w = 0
    for _, e in ipairs(spec) do w = math.max(w, #e.name + 3 + #e.default) end
    w = math.min(w, 30)
    for _, e in ipairs(spec) do
      local head = e.name .. " = " .. e.default
      local text = e.doc
      if e.range ~= "" and e.type ~= "string" then text = text .. " (" .. e.range .. ")" end
      io.write(string.format("    %-" .. w .. "s  %s\n", head, text))
    end
  end

  local function show_entry(d)
    io.write(d.usage, "\n")
    if d.doc and d.doc ~= "" then
      for line in (d.doc .. "\n"):gmatch("([^\n]*)\n") do io.write("  ", line, "\n") end
    end
    show_options(d.name)
  end

  local function list(title, names)
    if #names == 0 then return end
    io.write(title, "\n")
    local width = 0
    for _, n in ipairs(names) do width = math.max(width, #by_name[n].usage) end
    width = math.min(width, 48)
    for _, n in ipairs(names) do
      local d = by_name[n]
      io.write(string.format("  %-" .. width .. "s  %s\n", d.usage, first_line(d.doc)))
    end
  end

  local function classes_of(module)
    -- Classes whose methods are documented as "Class:method" and whose
    -- constructor lives in the module are listed with it; a module may
    -- also name its classes in <module>._classes.
    local out = {}
    local m = mlsh[module]
    if type(m) == "table" and type(rawget(m, "_classes")) == "table" then
      for _, c in ipairs(m._classes) do out[#out + 1] = c end
    end
    if module == "mat" then out[#out + 1] = "Matrix" end
    if module == "data" then out[#out + 1] = "DataFrame" end
    return out
  end

  local function help_module(name)
    local d = by_name[name]
    io.write(name, ": ", d and d.doc or "", "\n")
    list("Functions:", sorted_names(name .. "."))
    for _, c in ipairs(classes_of(name)) do
      list(c .. " methods (help(\"" .. c .. "\")):", sorted_names(c .. ":"))
    end
  end

  local function help(x)
    if x == nil then
      io.write("mlsh ", mlsh.version, " - machine-learning analysis shell\n\nModules:\n")
      for _, m in ipairs(modules) do
        io.write(string.format("  %-8s %s\n", m.name, m.summary))
      end
      io.write("\nhelp(mat) lists a module; help(mat.svd), help(\"Matrix:svd\") or ?mat.svd shows one function;\n",
               "help(x) on a Matrix or another object lists its methods. Ctrl-C interrupts, Ctrl-D quits.\n")
      return
    end
    local d = by_value[x]
    if type(x) == "string" then
      d = by_name[x] or by_name[x:gsub("^mlsh%.", "")]
      if not d and by_name["Matrix:" .. x] then d = by_name["Matrix:" .. x] end
      if not d then
        -- a dotted path to a value: look the value up (mat.svd is Matrix:svd)
        local v = _G
        for part in x:gmatch("[^%.]+") do
          if type(v) ~= "table" then v = nil break end
          v = rawget(v, part)
        end
        if v ~= nil then d = by_value[v] end
      end
      if not d then
        local names = sorted_names(x .. ":")
        if #names > 0 then list(x .. " methods:", names) return end
      end
    end
    if d then
      for _, m in ipairs(modules) do
        if m.name == d.name then help_module(d.name) return end
      end
      show_entry(d)
      return
    end
    local mt = getmetatable(x)
    if type(mt) == "table" and type(mt.__name) == "string" then
      local names = sorted_names(mt.__name .. ":")
      if #names > 0 then list(mt.__name .. " methods:", names) return end
    end
    if type(x) == "function" then
      io.write("no documentation for this function\n")
    else
      io.write("no documentation for ", tostring(x), " (try help())\n")
    end
  end

  return mlsh.doc(help, "help", "help([x])",
    "Lists the modules (no argument), a module's functions (help(mat)), one function's documentation\n" ..
    "(help(mat.svd), help(\"mat.svd\"), or ?mat.svd at the prompt), or an object's methods (help(m)).\n" ..
    "Example: help(mat.zeros)")
end

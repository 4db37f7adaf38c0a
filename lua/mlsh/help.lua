-- lua/mlsh/help.lua - help(x) and ?name: prints the documentation that
-- the C bindings register next to each function (mlsh_Reg) and that
-- Lua-side helpers record with mlsh.doc; apropos(word) and ??word search
-- it; ls() lists the session's variables (R's ls.str); traceback() shows
-- where the last error happened. Returns help; sets mlsh.apropos, mlsh.ls
-- and mlsh.traceback (the shell makes all four globals).
return function(mlsh)
  local by_value, by_name, modules = mlsh._docs()

  -- What the globals are before the session adds any: ls() leaves them out.
  local base_globals = {}
  for k, v in pairs(_G) do base_globals[k] = v end

  local function first_line(s)
    return (s or ""):match("^[^\n]*") or ""
  end

  local function columns()
    local ok, cols = pcall(mlsh.plot._term)
    return ok and type(cols) == "number" and cols >= 20 and cols or 80
  end

  -- line cut to `width` characters (UTF-8), with "..." where it was cut
  local function fit(line, width)
    local n = utf8.len(line)
    if not n then return #line > width and line:sub(1, width - 3) .. "..." or line end
    if n <= width then return line end
    return line:sub(1, utf8.offset(line, width - 2) - 1) .. "..."
  end

  local function internal(name)
    return name:find("^_") or name:find("[.:]_")
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

  -- names with their usage and first doc line, one a line, fitted to the terminal
  local function list(title, names)
    if #names == 0 then return end
    io.write(title, "\n")
    local cols = columns()
    local width = 0
    for _, n in ipairs(names) do width = math.max(width, #by_name[n].usage) end
    width = math.min(width, 48, cols // 2)
    for _, n in ipairs(names) do
      local d = by_name[n]
      io.write(fit(string.format("  %-" .. width .. "s  %s", d.usage, first_line(d.doc)), cols), "\n")
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

  local function class_name(v)
    local mt = getmetatable(v)
    local name = type(mt) == "table" and rawget(mt, "__name")
    return type(name) == "string" and name or nil
  end

  -- "mat.svd", "m:solve", "m.solve", "df:col" (m, df values of the session):
  -- the doc record of the name, or the value it names, or nil.
  local function resolve(path)
    local v = _G
    local steps = {}
    for part in path:gmatch("[^.:]+") do steps[#steps + 1] = part end
    for i, part in ipairs(steps) do
      local field = type(v) == "table" and rawget(v, part)
      if field ~= nil and field ~= false then
        v = field
      else
        local cls = class_name(v)
        local d = cls and by_name[cls .. ":" .. part]
        return i == #steps and d or nil
      end
    end
    return by_value[v] or v
  end

  local function print_modules()
    io.write("mlsh ", mlsh.version, " - machine-learning analysis shell\n\nModules:\n")
    for _, m in ipairs(modules) do
      io.write(string.format("  %-8s %s\n", m.name, m.summary))
    end
    io.write("\nhelp(mat) lists a module; help(mat.svd), help(\"Matrix:svd\") or ?mat.svd shows one function;\n",
             "help(x) on a Matrix or another object lists its methods; ??word or apropos(\"word\") searches;\n",
             "ls() lists your variables, traceback() shows where the last error happened.\n",
             "Ctrl-C interrupts, Ctrl-D quits.\n")
  end

  local function help(...)
    if select("#", ...) == 0 then return print_modules() end
    local x = ...
    if x == nil then
      io.write("help: the value is nil (no such variable?)\n")
      return
    end
    local d = by_value[x]
    if type(x) == "string" then
      d = by_name[x] or by_name[x:gsub("^mlsh%.", "")]
      if not d and by_name["Matrix:" .. x] then d = by_name["Matrix:" .. x] end
      if not d then
        local found = resolve(x)
        if type(found) == "table" and found.usage and by_name[found.name] == found then d = found
        elseif found ~= nil and found ~= _G and type(found) ~= "string" then return help(found) end
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
    local cls = class_name(x)
    if cls then
      local names = sorted_names(cls .. ":")
      if #names > 0 then list(cls .. " methods:", names) return end
    end
    if type(x) == "function" then
      io.write("no documentation for this function\n")
    else
      io.write("no documentation for ", tostring(x), " (try help() or ??", tostring(x), ")\n")
    end
  end

  local function apropos(word)
    if type(word) ~= "string" or not word:find("%S") then
      error("apropos: word must be a non-empty string (got " .. type(word) .. ")", 2)
    end
    local w = word:lower()
    local in_name, in_text = {}, {}
    -- the text of a function: its usage, its doc, and its declared options
    local function text_of(name, d)
      local t = { d.usage, d.doc }
      for _, e in ipairs(mlsh._spec(name) or {}) do
        t[#t + 1] = e.name .. " " .. e.default .. " " .. e.range .. " " .. e.doc
      end
      return table.concat(t, "\n"):lower()
    end
    for name, d in pairs(by_name) do
      if not internal(name) then
        if name:lower():find(w, 1, true) then in_name[#in_name + 1] = name
        elseif text_of(name, d):find(w, 1, true) then in_text[#in_text + 1] = name end
      end
    end
    if #in_name + #in_text == 0 then
      io.write("apropos: nothing is named or documented with \"", word, "\"\n")
      return
    end
    table.sort(in_name)
    table.sort(in_text)
    list("Names with \"" .. word .. "\":", in_name)
    list("Documentation mentioning \"" .. word .. "\":", in_text)
  end

  -- R's ls.str: what a value is, in one line.
  local function describe(v)
    local cls = class_name(v)
    if cls == "Matrix" then return ("Matrix %d x %d"):format(v:rows(), v:cols()) end
    if cls == "DataFrame" then
      return ("DataFrame %d x %d: %s"):format(v:nrow(), v:ncol(), table.concat(v:names(), ", "))
    end
    if cls then
      local ok, s = pcall(tostring, v)
      s = ok and first_line(s) or ""
      return s:find(cls, 1, true) and s or (cls .. (s ~= "" and "  " .. s or ""))
    end
    local t = type(v)
    if t == "table" then
      local n, count = #v, 0
      for _ in pairs(v) do count = count + 1 end
      if count == n then return ("table, length %d"):format(n) end
      if n == 0 then return ("table, %d field%s"):format(count, count == 1 and "" or "s") end
      return ("table, length %d, %d other fields"):format(n, count - n)
    elseif t == "string" then
      local s = v:gsub("[%c]", function(c) return c == "\n" and "\\n" or c == "\t" and "\\t" or "?" end)
      local n = utf8.len(s)
      if n and n > 40 then return ('string "%s..." (%d characters)'):format(s:sub(1, utf8.offset(s, 41) - 1), n) end
      if not n and #s > 40 then return ('string "%s..." (%d bytes)'):format(s:sub(1, 40), #v) end
      return ('string "%s"'):format(s)
    elseif t == "function" then
      local d = by_value[v]
      if d then return "function " .. d.usage end
      local info = debug.getinfo(v, "uS")
      local params = {}
      for i = 1, info.nparams do params[i] = debug.getlocal(v, i) end
      if info.isvararg then params[#params + 1] = "..." end
      local where = info.what == "C" and "" or ("  " .. info.short_src .. ":" .. info.linedefined)
      return "function(" .. table.concat(params, ", ") .. ")" .. where
    elseif t == "number" or t == "boolean" then
      return t .. " " .. tostring(v)
    end
    return t
  end

  local function ls()
    local names = {}
    for k, v in pairs(_G) do
      if type(k) == "string" and k ~= "_" and k ~= "arg" and not rawequal(base_globals[k], v)
         and not rawequal(rawget(mlsh, k), v) and not rawequal(v, mlsh) then
        names[#names + 1] = k
      end
    end
    if #names == 0 then
      io.write("no variables yet\n")
      return
    end
    table.sort(names)
    local width = 0
    for _, k in ipairs(names) do width = math.max(width, utf8.len(k) or #k) end
    width = math.min(width, 24)
    local cols = columns()
    for _, k in ipairs(names) do
      local ok, what = pcall(describe, _G[k])
      if not ok then what = class_name(_G[k]) or type(_G[k]) end
      io.write(fit(("%-" .. width .. "s : %s"):format(k, what), cols), "\n")
    end
  end

  -- A frame of mlsh's own: its Lua helpers, anonymous C frames (wrappers,
  -- the shell's call), a C function they called (error, say), and the
  -- tail call at the bottom that is the prompt's `return <input>`.
  local function internal_frames(frames)
    local mine = {}
    for i, f in ipairs(frames) do
      mine[i] = f:find("lua/mlsh/[%w_]+%.lua:") ~= nil or f:find("^%s*%[C%]: in %?$") ~= nil
    end
    if #frames > 0 and frames[#frames]:find("^%s*%(%.%.%.tail calls%.%.%.%)$") then mine[#frames] = true end
    for i = #frames - 1, 1, -1 do
      if mine[i + 1] and frames[i]:find("^%s*%[C%]:") then mine[i] = true end
    end
    return mine
  end

  local function traceback()
    local msg = rawget(mlsh, "_last_error")
    if type(msg) ~= "string" then
      io.write("traceback: no error so far\n")
      return
    end
    local head, tb = msg:match("^(.-)\nstack traceback:\n(.*)$")
    if not head then io.write(msg, "\n") return end
    io.write(head, "\nstack traceback:\n")
    local frames = {}
    for line in (tb .. "\n"):gmatch("([^\n]*)\n") do frames[#frames + 1] = line end
    local mine, folded = internal_frames(frames), 0
    for i, f in ipairs(frames) do
      if mine[i] then folded = folded + 1 end
      if folded > 0 and (not mine[i] or i == #frames) then
        io.write(("\t... %d mlsh frame%s ...\n"):format(folded, folded == 1 and "" or "s"))
        folded = 0
      end
      if not mine[i] then io.write(f, "\n") end
    end
  end

  mlsh.apropos = mlsh.doc(apropos, "apropos", "apropos(\"word\")",
    "Lists the functions whose name or documentation contains word (case-insensitive): name matches\n" ..
    "first, then the rest, each with its first line of documentation. ??word at the prompt is the same.\n" ..
    "Example: apropos(\"svd\")")
  mlsh.ls = mlsh.doc(ls, "ls", "ls()",
    "Lists your variables (the globals you made, not mlsh's modules or Lua's own) with what they hold:\n" ..
    "Matrix r x c, DataFrame n x p with its column names, table length, a number's value, a string's\n" ..
    "first 40 characters, a function's parameters (as R's ls.str).\n" ..
    "Example: x = mat.eye(3); ls()")
  mlsh.traceback = mlsh.doc(traceback, "traceback", "traceback()",
    "Shows the last error of the session with its Lua stack traceback, frames inside mlsh's own code\n" ..
    "folded (\"... 3 mlsh frames ...\"), as R's traceback(). The prompt shows only the message.\n" ..
    "Example: mat.zeros(2, 2):inv(); traceback()")
  return mlsh.doc(help, "help", "help([x])",
    "Lists the modules (no argument), a module's functions (help(mat)), one function's documentation\n" ..
    "(help(mat.svd), help(\"mat.svd\"), or ?mat.svd at the prompt; ?m:solve for a Matrix m), or an object's\n" ..
    "methods (help(m)). help(x) with x nil says so. ??word searches the documentation (apropos).\n" ..
    "Example: help(mat.zeros)")
end

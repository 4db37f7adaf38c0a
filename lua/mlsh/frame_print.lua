-- lua/mlsh/frame_print.lua - DataFrames and Columns shown as R's tibble
-- (pillar): the type under each header, NA, numbers to 3 significant
-- digits aligned on the decimal point, the columns that do not fit named
-- in a footer; glimpse (one line per column) and describe (also by group).
local M, mlsh = ...
local mat = mlsh.mat
local doc = mlsh.doc
local pretty = require("mlsh.pretty")
local DataFrame, Column = M.DataFrame, M.Column
local methods = DataFrame.__methods
local text_width, display_string = M._text_width, M._display_string

local TAGS = { double = "<dbl>", integer = "<int>", logical = "<lgl>", string = "<chr>", categorical = "<fct>",
  date = "<date>", datetime = "<dttm>" }
M._type_tags = TAGS

local function fail(fname, fmt, ...) error(fname .. ": " .. string.format(fmt, ...), 0) end

local function term()
  local t = mlsh.terminal and mlsh.terminal() or {}
  return { width = pretty.width(), unicode = t.unicode ~= false, color = (t.color or 0) > 0 }
end

local function style(t, code, s) return t.color and ("\27[" .. code .. "m" .. s .. "\27[39m") or s end
local function grey(t, s) return style(t, "90", s) end

local function info(t) return t.unicode and "\u{2139}" or "i" end

-- ---- cells ------------------------------------------------------------------

local function date_text(days) return os.date("!%Y-%m-%d", days * 86400) end
local function datetime_text(secs)
  local whole = math.floor(secs)
  local s = os.date("!%Y-%m-%d %H:%M:%S", whole)
  if secs ~= whole then s = s .. string.format("%.3f", secs - whole):sub(2) end
  return s
end
M._date_text, M._datetime_text = date_text, datetime_text

-- Decimals pillar shows for |x|: enough for `sig` significant digits, less
-- when the value has no more (8 stays 8, 17.02 shows as 17.0).
local function decimals(ax, sig)
  if ax == 0 or ax ~= ax or ax == math.huge then return 0 end
  local e = math.floor(math.log(tonumber(string.format("%." .. (sig - 1) .. "e", ax)), 10) + 1e-9)
  local rhs = math.max(sig - e - 1, 0)
  while rhs > 0 and math.abs(tonumber(string.format("%." .. (rhs - 1) .. "f", ax)) - ax) <= 1e-9 * math.max(1, ax) do
    rhs = rhs - 1
  end
  return rhs
end

-- Cells of the numbers of a double column (nil = NA), decimal points
-- aligned: integer parts right-aligned, decimals padded on the right; a
-- value rounded to a whole number keeps its point ("147.").
local function double_cells(vals, n, sig)
  local parts, lw, rw, sci = {}, 2, 0, false
  for i = 1, n do
    local x = vals[i]
    if x and x == x and math.abs(x) ~= math.huge then
      local ax = math.abs(x)
      if ax >= 1e15 or (ax > 0 and ax < 1e-5) then sci = true end
    end
  end
  for i = 1, n do
    local x, p = vals[i], nil
    if x == nil then p = { "NA", "" }
    elseif x ~= x then p = { "NaN", "" }
    elseif math.abs(x) == math.huge then p = { x > 0 and "Inf" or "-Inf", "" }
    elseif sci then p = { string.format("%." .. (sig - 1) .. "e", x), "" }
    else
      local rhs = decimals(math.abs(x), sig)
      local scale = 10 ^ rhs   -- R's signif: 3.215 shows as 3.22 (half away from zero on the scaled value)
      local r = math.floor(math.abs(x) * scale + 0.5) / scale
      local s = string.format("%." .. rhs .. "f", x < 0 and -r or r)
      local l, r = s:match("^([^.]*)(.*)$")
      if rhs == 0 and x ~= math.floor(x) then r = "." end
      p = { l, r }
      rw = math.max(rw, #r)
    end
    lw = math.max(lw, #p[1])
    parts[i] = p
  end
  local cells = {}
  for i = 1, n do
    local l, r = parts[i][1], parts[i][2]
    cells[i] = string.rep(" ", lw - #l) .. l .. r .. string.rep(" ", rw - #r)
  end
  return cells
end

local LEFT = { string = true, categorical = true, logical = true, date = true, datetime = true }

-- The cells of rows 1..n of a column (strings), and whether they align right.
local function column_cells(c, n, sig, t)
  local ty, cells = c:type(), {}
  local na = style(t, "31", (ty == "string" or ty == "categorical") and "<NA>" or "NA")
  if ty == "double" then
    local vals = {}
    for i = 1, n do vals[i] = c[i] end
    cells = double_cells(vals, n, sig)
    for i = 1, n do if vals[i] == nil then cells[i] = cells[i]:gsub("NA", na, 1) end end
    return cells, true
  end
  for i = 1, n do
    local v = c[i]
    if v == nil then cells[i] = na
    elseif ty == "integer" then cells[i] = tostring(v)
    elseif ty == "logical" then cells[i] = v and "TRUE" or "FALSE"
    elseif ty == "date" then cells[i] = date_text(v)
    elseif ty == "datetime" then cells[i] = datetime_text(v)
    else
      local s = display_string(v)
      if text_width(s) > 40 then s = s:sub(1, utf8.offset(s, 40) - 1) .. (t.unicode and "\u{2026}" or "~") end
      cells[i] = s
    end
  end
  return cells, not LEFT[ty]
end

local function visible_width(s) return text_width((s:gsub("\27%[%d+m", ""))) end

local function pad(s, w, right)
  local gap = string.rep(" ", math.max(0, w - visible_width(s)))
  return right and gap .. s or s .. gap
end

local function sigfig() return math.min(3, pretty.options.digits) end

-- ---- DataFrame ----------------------------------------------------------------

-- The "# i 2 more variables: a <dbl>, b <chr>" footer wrapped to the width.
local function more_footer(text, items, width)
  local lines, line = {}, text
  for k, item in ipairs(items) do
    local piece = item .. (k < #items and "," or "")
    if text_width(line) + 1 + text_width(piece) > width and line ~= text then
      lines[#lines + 1] = line
      line = "#  "
    end
    line = line .. " " .. piece
  end
  lines[#lines + 1] = line
  return table.concat(lines, "\n")
end

local function frame_header(df, t)
  local times = t.unicode and " \u{00d7} " or " x "
  local out = { grey(t, string.format("# A DataFrame: %d%s%d", df:nrow(), times, df:ncol())) }
  local keys = df:group_keys()
  if #keys > 0 then
    out[2] = grey(t, string.format("# Groups:   %s [%d]", table.concat(keys, ", "), df:n_groups()))
  end
  return out
end

local function frame_text(df)
  local t, sig = term(), sigfig()
  local nrow, names = df:nrow(), df:names()
  local show = nrow > 20 and 10 or nrow
  local rw = #tostring(show)
  local out, used, shown, rest = frame_header(df, t), rw, {}, {}
  for _, name in ipairs(names) do   -- columns in order while they fit; the rest in the footer
    local c = df:col(name)
    local label = display_string(name)
    local fits = false
    if #rest == 0 then
      local cells, right = column_cells(c, show, sig, t)
      local w = math.max(text_width(label), #TAGS[c:type()])
      for _, s in ipairs(cells) do w = math.max(w, visible_width(s)) end
      fits = used + 1 + w <= t.width or #shown == 0
      if fits then
        used = used + 1 + w
        shown[#shown + 1] = { label = label, tag = TAGS[c:type()], cells = cells, right = right, w = w }
      end
    end
    if not fits then rest[#rest + 1] = label .. " " .. TAGS[c:type()] end
  end
  local head, tags = { string.rep(" ", rw) }, { string.rep(" ", rw) }
  for _, s in ipairs(shown) do
    head[#head + 1] = pad(s.label, s.w, s.right)
    tags[#tags + 1] = grey(t, pad(s.tag, s.w, s.right))
  end
  if #shown > 0 then
    out[#out + 1] = (table.concat(head, " "):gsub("%s+$", ""))
    out[#out + 1] = (table.concat(tags, " "):gsub("%s+$", ""))
  end
  for i = 1, #shown > 0 and show or 0 do
    local line = { grey(t, pad(tostring(i), rw, true)) }
    for _, s in ipairs(shown) do line[#line + 1] = pad(s.cells[i], s.w, s.right) end
    out[#out + 1] = (table.concat(line, " "):gsub("%s+$", ""))
  end
  if show < nrow then out[#out + 1] = grey(t, string.format("# %s %d more rows", info(t), nrow - show)) end
  if #rest > 0 then
    local text = string.format("# %s %d more variable%s:", info(t), #rest, #rest > 1 and "s" or "")
    out[#out + 1] = grey(t, more_footer(text, rest, t.width))
  end
  return table.concat(out, "\n")
end

DataFrame.__tostring = frame_text

-- ---- Column -----------------------------------------------------------------

-- R's print of a vector: values in lines led by [index], fitted to the width.
function Column.__tostring(c)
  local t, n = term(), #c
  local show = math.min(n, 1000)
  local cells = column_cells(c, show, math.max(sigfig(), 7), t)
  local right = not LEFT[c:type()]
  if c:type() == "double" and show > 0 then   -- R's print of a numeric vector: one format for all
    local vals = {}
    for i = 1, show do vals[i] = c[i] or 0 / 0 end
    cells = mat.format(vals, { na = "NA" })
    if type(cells) == "string" then cells = { cells } end
  elseif c:type() == "string" then   -- R quotes strings when it prints a vector
    for i = 1, show do
      local v = c[i]
      cells[i] = v == nil and style(t, "31", "NA") or '"' .. display_string(v):gsub('"', '\\"') .. '"'
    end
  end
  local w = 0
  for i = 1, show do
    cells[i] = cells[i]:gsub("^%s+", ""):gsub("%s+$", "")
    w = math.max(w, visible_width(cells[i]))
  end
  local iw = #string.format("[%d]", math.max(show, 1))
  local per = math.max(1, (t.width - iw) // (w + 1))
  local out = { grey(t, string.format("# A Column: %d %s", n, TAGS[c:type()])) }
  if c:type() == "categorical" then out[#out + 1] = grey(t, "# Levels: " .. table.concat(c:levels(), " ")) end
  for i = 1, show, per do
    local line = { pad(string.format("[%d]", i), iw, true) }
    for k = i, math.min(show, i + per - 1) do line[#line + 1] = pad(cells[k], w, right) end
    out[#out + 1] = (table.concat(line, " "):gsub("%s+$", ""))
  end
  if show < n then out[#out + 1] = grey(t, string.format("# %s %d more values", info(t), n - show)) end
  return table.concat(out, "\n")
end

-- ---- glimpse ------------------------------------------------------------------

local function glimpse_cells(c, n)
  local ty, out = c:type(), {}
  if ty == "double" then
    local vals, idx = {}, {}
    for i = 1, n do if c[i] ~= nil then vals[#vals + 1] = c[i]; idx[#idx + 1] = i end end
    local f = #vals > 0 and mat.format(vals) or {}
    if type(f) == "string" then f = { f } end
    for i = 1, n do out[i] = "NA" end
    for k, i in ipairs(idx) do out[i] = f[k]:gsub("^%s+", "") end
    return out
  end
  for i = 1, n do
    local v = c[i]
    if v == nil then out[i] = "NA"
    elseif ty == "string" then out[i] = string.format("%q", v):gsub("\\\n", "\\n")
    elseif ty == "logical" then out[i] = v and "TRUE" or "FALSE"
    elseif ty == "date" then out[i] = date_text(v)
    elseif ty == "datetime" then out[i] = datetime_text(v)
    else out[i] = display_string(tostring(v)) end
  end
  return out
end

methods.glimpse = doc(function(df)
  if getmetatable(df) ~= DataFrame then fail("DataFrame:glimpse", "self must be a DataFrame (got %s)", type(df)) end
  local t = term()
  local names, nw = df:names(), 0
  for _, name in ipairs(names) do nw = math.max(nw, text_width(display_string(name))) end
  local out = { "Rows: " .. df:nrow(), "Columns: " .. df:ncol() }
  local keys = df:group_keys()
  if #keys > 0 then out[#out + 1] = string.format("Groups: %s [%d]", table.concat(keys, ", "), df:n_groups()) end
  local ell = t.unicode and "\u{2026}" or "..."
  for _, name in ipairs(names) do
    local c = df:col(name)
    local tag = TAGS[c:type()]
    local line = "$ " .. pad(display_string(name), nw) .. " " .. grey(t, tag) .. " "
    local room, cells, parts = t.width - 4 - nw - #tag, glimpse_cells(c, math.min(df:nrow(), t.width)), {}
    local used = 0
    for i, s in ipairs(cells) do
      local add = text_width(s) + (i > 1 and 2 or 0)
      if used + add > room - 3 then parts[#parts + 1] = ell; break end
      parts[#parts + 1] = s
      used = used + add
    end
    out[#out + 1] = line .. table.concat(parts, ", "):gsub(", " .. ell .. "$", ", " .. ell)
  end
  return table.concat(out, "\n")
end, "DataFrame:glimpse", "df:glimpse()",
  "A transposed view as dplyr's glimpse: the row and column counts, then one line per column with its\n" ..
  "type and as many values as fit the width (strings quoted, NA unquoted). Returns the text.\n" ..
  "Example: print(df:glimpse())")

-- ---- describe -----------------------------------------------------------------

local function numeric_summary(name, c)
  local m = c:matrix()
  local vals, n = {}, 0
  for i = 1, #c do
    local v = m[i]
    if v == v then n = n + 1; vals[n] = v end
  end
  local d = { name = name, n = n, missing = #c - n }
  if n > 0 then
    local v = mat.from(vals)
    d.mean = v:mean()
    d.sd = n > 1 and v:std() or 0 / 0
    local q = M.quantiles(v, { 0, 0.25, 0.5, 0.75, 1 })
    d.min, d.q1, d.median, d.q3, d.max = q[1], q[2], q[3], q[4], q[5]
  end
  return d
end

local function string_summary(name, c)
  local counts, n = {}, 0
  for i = 1, #c do
    local v = c[i]
    if v ~= nil then
      v = tostring(v)
      n = n + 1
      counts[v] = (counts[v] or 0) + 1
    end
  end
  local top = {}
  for k, v in pairs(counts) do top[#top + 1] = { k, v } end
  table.sort(top, function(a, b) return a[2] > b[2] or (a[2] == b[2] and a[1] < b[1]) end)
  return { name = name, n = n, missing = #c - n, unique = #top, top = top }
end

M.Description = { __name = "Description" }
M.Description.__index = M.Description

-- Dates and datetimes: n, missing, first and last, as dates.
local function time_summary(name, c)
  local show = c:type() == "date" and date_text or datetime_text
  local lo, hi, n = nil, nil, 0
  for i = 1, #c do
    local v = c[i]
    if v ~= nil and v == v then
      n = n + 1
      if not lo or v < lo then lo = v end
      if not hi or v > hi then hi = v end
    end
  end
  return { name = name, n = n, missing = #c - n, first = lo and show(lo) or "NA", last = hi and show(hi) or "NA" }
end

local function describe_one(df, skip)
  local num, str, times = {}, {}, {}
  for _, name in ipairs(df:names()) do
    local c = df:col(name)
    local ty = c:type()
    if skip[name] then
    elseif ty == "double" or ty == "integer" then num[#num + 1] = numeric_summary(name, c)
    elseif ty == "string" or ty == "categorical" or ty == "logical" then str[#str + 1] = string_summary(name, c)
    else times[#times + 1] = time_summary(name, c) end
  end
  return setmetatable({ numeric = num, strings = str, times = times, nrow = df:nrow() }, M.Description)
end

methods.describe = doc(function(df)
  if getmetatable(df) ~= DataFrame then fail("DataFrame:describe", "self must be a DataFrame (got %s)", type(df)) end
  local keys = df:group_keys()
  if #keys == 0 then return describe_one(df, {}) end
  local skip, groups = {}, {}
  for _, k in ipairs(keys) do skip[k] = true end
  for _, part in ipairs(df:group_split()) do
    local label = {}
    for _, k in ipairs(keys) do
      local v = part:col(k)[1]
      label[#label + 1] = k .. " = " .. (v == nil and "NA" or tostring(v))
    end
    local d = describe_one(part, skip)
    d.group = table.concat(label, ", ")
    groups[#groups + 1] = d
  end
  return setmetatable({ groups = groups, nrow = df:nrow() }, M.Description)
end, "DataFrame:describe", "df:describe()",
  "Per numeric column (double, integer): n, missing, mean, sd, min, quartiles, max; per string, factor or\n" ..
  "logical column: n, missing, unique values and the most frequent; per date or datetime column: n,\n" ..
  "missing, the first and the last. On a grouped frame\n" ..
  "one such summary per group (the key columns left out), in the groups' order.\nExample: df:describe()")

-- The most frequent values that fit in `room` characters, "..." for the rest.
local function top_values(top, room)
  local text = ""
  for k, t in ipairs(top) do
    local piece = (k > 1 and ", " or "") .. display_string(t[1]) .. " (" .. t[2] .. ")"
    local more = k < #top and ", ..." or ""
    if k > 1 and text_width(text .. piece .. more) > room then return text .. ", ..." end
    text = text .. piece
  end
  return text
end

local function number_cells(vals, digits)
  if #vals == 0 then return {} end
  local f = mat.format(vals, { na = "NA", digits = digits })
  return type(f) == "string" and { f } or f
end

-- Numbers to max(3, digits - 3) significant digits, one format per
-- statistic, as R's summary(); blocks of columns past the terminal's width.
function M.Description.__tostring(d)
  local text_table = M.text_table
  if d.groups then
    local parts = {}
    for _, g in ipairs(d.groups) do parts[#parts + 1] = "## " .. g.group .. "\n" .. tostring(setmetatable(g, M.Description)) end
    return table.concat(parts, "\n\n")
  end
  local parts, width = {}, pretty.width()
  local digits = math.max(3, pretty.options.digits - 3)
  if #d.numeric > 0 then
    local header = { "", "n", "missing", "mean", "sd", "min", "25%", "50%", "75%", "max" }
    local right = { false, true, true, true, true, true, true, true, true, true }
    local stats = { "mean", "sd", "min", "q1", "median", "q3", "max" }
    local cells = {}
    for k, key in ipairs(stats) do
      local vals = {}
      for i, c in ipairs(d.numeric) do vals[i] = c[key] or 0 / 0 end
      cells[k] = number_cells(vals, digits)
    end
    local rows = {}
    for i, c in ipairs(d.numeric) do
      local r = { display_string(c.name), tostring(c.n), tostring(c.missing) }
      for k = 1, #stats do r[#r + 1] = cells[k][i] end
      rows[i] = r
    end
    parts[#parts + 1] = text_table(header, rows, right, { width = width })
  end
  if #d.strings > 0 then
    local rows, w = {}, { 0, 1, 7, 6 }
    for _, c in ipairs(d.strings) do
      w[1] = math.max(w[1], text_width(display_string(c.name)))
      w[2] = math.max(w[2], #tostring(c.n))
    end
    local room = math.max(20, width - (w[1] + w[2] + w[3] + w[4] + 8))
    for _, c in ipairs(d.strings) do
      rows[#rows + 1] = { display_string(c.name), tostring(c.n), tostring(c.missing), tostring(c.unique),
                          top_values(c.top, room) }
    end
    parts[#parts + 1] = text_table({ "", "n", "missing", "unique", "most frequent" }, rows, { false, true, true, true, false })
  end
  if d.times and #d.times > 0 then
    local rows = {}
    for _, c in ipairs(d.times) do
      rows[#rows + 1] = { display_string(c.name), tostring(c.n), tostring(c.missing), c.first, c.last }
    end
    parts[#parts + 1] = text_table({ "", "n", "missing", "first", "last" }, rows, { false, true, true, false, false })
  end
  return table.concat(parts, "\n\n")
end

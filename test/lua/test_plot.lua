-- test/lua/test_plot.lua - charts: golden text of every chart type in plain
-- mode (test/golden/plot/*.txt; MLSH_UPDATE_GOLDEN=1 rewrites them), no
-- escape codes on pipes / NO_COLOR, pure ASCII with MLSH_ASCII=1, SVG
-- checked by xmllint and rendered by headless Chromium, the dashboard
-- (text fallback, HTML report, tmux session), and bad input.
local T = dofile("test/lua/harness.lua")
local plot = mlsh.plot
local EXE = arg and arg[-1] or "build/mlsh"
local GOLDEN = "test/golden/plot/"
local update = os.getenv("MLSH_UPDATE_GOLDEN") == "1"

local util = require "mlsh.util"
local read, write = util.read, util.write

local function have(cmd) return os.execute("command -v " .. cmd .. " >/dev/null 2>&1") == true end

local function sh(cmd)   -- output (with stderr) and whether it succeeded
  local out, code = T.sh(cmd)
  return out, code == 0
end

-- Deterministic data (no RNG): three clusters, a seasonal series.
local X, Y, G = {}, {}, {}
for i = 1, 90 do
  local g = (i - 1) % 3 + 1
  X[i] = g * 2 + math.sin(i * 1.7) * 0.8
  Y[i] = g + math.cos(i * 2.3) * 0.6 + (g == 2 and 1.5 or 0)
  G[i] = g
end
local AIR = {}
for i = 1, 48 do AIR[i] = 120 + 2.5 * i + 25 * math.sin(i * math.pi / 6) end
-- iris correlation PCA: eigenvalues and percentages from R's prcomp(scale.=TRUE) (issue 3), the
-- coordinates rounded to 3 digits; the charts only need plausible shapes.
local PCA = {
  eig = { { 2.918498, 72.96, 72.96 }, { 0.914030, 22.85, 95.81 }, { 0.146757, 3.67, 99.48 }, { 0.020715, 0.52, 100 } },
  ["var.coord"] = { { 0.890, -0.361 }, { -0.460, -0.883 }, { 0.992, -0.023 }, { 0.965, -0.064 } },
  ["var.cos2"] = { { 0.792, 0.130 }, { 0.212, 0.779 }, { 0.983, 0.001 }, { 0.931, 0.004 } },
  ["ind.coord"] = { { -2.26, -0.48 }, { -2.08, 0.67 }, { 1.10, 0.86 }, { 0.75, -0.59 }, { 2.53, 0.01 }, { 1.42, -0.57 } },
  var_names = { "sepal_length", "sepal_width", "petal_length", "petal_width" },
}
local HC = { merge = { { -1, -2 }, { -3, -4 }, { -5, 1 }, { -6, -7 }, { 2, 4 }, { 3, 5 } },
  height = { 0.5, 0.8, 1.2, 1.5, 2.6, 5.0 }, order = { 5, 1, 2, 3, 4, 6, 7 },
  labels = { "a", "b", "c", "d", "e", "f", "g" } }
local FC = { mean = {}, lower = {}, upper = {}, level = { 80, 95 } }
for i = 1, 12 do
  local m = 120 + 2.5 * (48 + i) + 25 * math.sin((48 + i) * math.pi / 6)
  FC.mean[i] = m
  FC.lower[i] = { m - 6 - i, m - 10 - 1.5 * i }
  FC.upper[i] = { m + 6 + i, m + 10 + 1.5 * i }
end
local function image_table(w, h)
  local px = {}
  for y = 0, h - 1 do
    for x = 0, w - 1 do px[#px + 1] = string.char(x * 255 // (w - 1), y * 255 // (h - 1), 128) end
  end
  return { width = w, height = h, pixels = table.concat(px) }
end

local CASES = {
  { "scatter", function() return plot.scatter(X, Y, { group = G, group_names = { "setosa", "versicolor", "virginica" },
      title = "Iris-like clusters", xlabel = "PC1", ylabel = "PC2", centers = { { 2, 1 }, { 4, 3.5 }, { 6, 3 } } }) end },
  { "scatter_ascii", function() return plot.scatter(X, Y, { title = "ASCII" }) end, { ascii = true } },
  { "line", function() return plot.line(nil, { AIR, (function() local t = {} for i = 1, 48 do t[i] = 150 + i end return t end)() },
      { names = { "passengers", "trend" }, title = "Two series" }) end },
  { "line_log", function() return plot.line({ 1, 10, 100, 1000 }, { 1, 3, 20, 400 }, { log = "xy", markers = true }) end },
  { "elbow", function() return plot.elbow({ k = { 2, 3, 4, 5, 6, 7 }, inertia = { 152.3, 78.9, 57.2, 46.4, 39.0, 34.3 },
      silhouette = { 0.681, 0.553, 0.498, 0.489, 0.367, 0.355 }, best = { silhouette = 2, knee = 3 } }, { k = 3 }) end },
  { "bar", function() return plot.bar({ 0.953, 0.967, 0.94 }, { "logistic", "svm", "knn" }, { labels = "%.1f%%",
      title = "Accuracy" }) end },
  { "bar_horizontal", function() return plot.bar({ { 0.95, 0.91 }, { 0.97, 0.93 }, { 0.94, 0.90 } }, { "logistic", "svm", "knn" },
      { horizontal = true, group_names = { "train", "test" }, labels = "%.2f" }) end },
  { "hist", function() return plot.hist(AIR, { title = "Passengers", xlabel = "thousands" }) end },
  { "box", function() return plot.box({ setosa = { 5.0, 5.1, 4.9, 4.7, 5.4, 5.8 }, virginica = { 6.3, 5.8, 7.1, 6.5, 7.6, 4.9 } }) end },
  { "heatmap", function() return plot.heatmap({ { 1, 0.5, -0.2 }, { 0.5, 1, 0.3 }, { -0.2, 0.3, 1 } }, { annot = true,
      rownames = { "sl", "sw", "pl" }, colnames = { "sl", "sw", "pl" }, cmap = "div", vmin = -1, vmax = 1 }) end },
  { "heatmap_shades", function() return plot.heatmap({ { 1, 2, 3, 4 }, { 2, 3, 4, 5 }, { 3, 4, 5, 6 } }) end },
  { "confusion", function() return plot.confusion({ { 50, 0, 0 }, { 0, 47, 3 }, { 0, 2, 48 } }, { "setosa", "versicolor", "virginica" }) end },
  { "dendrogram", function() return plot.dendrogram(HC, { k = 3 }) end },
  { "dendrogram_horizontal", function() return plot.dendrogram(HC, { horizontal = true }) end },
  { "circle", function() return plot.circle(PCA) end, { width = 64, height = 24 } },
  { "scree", function() return plot.scree(PCA) end },
  { "biplot", function() return plot.biplot(PCA, { group = { 1, 1, 2, 2, 3, 3 } }) end },
  { "acf", function() return plot.acf({ 1, 0.82, 0.61, 0.40, 0.21, 0.05, -0.08, -0.15, -0.1, 0.02 }, { n = 48 }) end },
  { "forecast", function() return plot.forecast(AIR, FC, { start = 1949, frequency = 12 }) end },
  { "image", function() return plot.image(image_table(16, 12), { title = "gradient" }) end, { width = 40, height = 12 } },
  { "gallery", function() local im = image_table(8, 8) return plot.gallery({ im, im, im, im, im }, { per_row = 3,
      captions = { "one", "two", "three", "four", "five" } }) end, { width = 60, height = 18 } },
}

for _, case in ipairs(CASES) do
  T.test("golden " .. case[1], function()
    local size = case[3] or {}
    local text = case[2]():render { width = size.width or 64, height = size.height or 18, ascii = size.ascii }
    T.ok(not text:find("\27", 1, true), "no escape codes in plain mode")
    local path = GOLDEN .. case[1] .. ".txt"
    if update then write(path, text) return end
    local want = read(path)
    if not want then T.skip("no golden file " .. path .. " (run with MLSH_UPDATE_GOLDEN=1)") end
    if text ~= want then
      write("/tmp/mlsh_golden_" .. case[1] .. ".txt", text)
      T.ok(false, "differs from " .. path .. " (got /tmp/mlsh_golden_" .. case[1] .. ".txt)")
    end
  end)
end

-- Every chart fits 80x24 and 200x60 exactly: the requested number of lines,
-- none wider than the terminal (all glyphs used are one cell wide).
T.test("every chart fits 80x24 and 200x60", function()
  for _, case in ipairs(CASES) do
    for _, size in ipairs({ { 80, 24 }, { 200, 60 } }) do
      local text = case[2]():render { width = size[1], height = size[2] }
      local lines = 0
      for line in text:gmatch("([^\n]*)\n") do
        lines = lines + 1
        T.ok(utf8.len(line) and utf8.len(line) <= size[1], case[1] .. ": line wider than " .. size[1])
      end
      T.eq(lines, size[2], case[1] .. " at " .. size[1] .. "x" .. size[2] .. ": lines")
    end
  end
end)

T.test("ascii mode is pure ASCII", function()
  local s = plot.confusion({ { 3, 1 }, { 0, 4 } }):render { width = 40, height = 12, ascii = true }
  T.ok(not s:find("[\128-\255]"), "non-ASCII byte in ASCII mode")
  s = plot.forecast(AIR, FC):render { width = 60, height = 16, ascii = true }
  T.ok(not s:find("[\128-\255]"), "non-ASCII byte in ASCII forecast")
end)

T.test("colour only when asked", function()
  local c = plot.scatter(X, Y, { group = G })
  T.ok(c:render { width = 50, height = 14, color = "256" }:find("\27[38;5;", 1, true), "256-colour codes")
  T.ok(c:render { width = 50, height = 14, color = "truecolor" }:find("\27[38;2;", 1, true), "truecolor codes")
end)

-- A script that prints charts through tostring/show/dashboard, run through a pipe.
local function child_script()
  local path = T.tmpname(".lua")
  write(path, [[
    local c = plot.scatter({1, 2, 3}, {3, 1, 2}, {group = {1, 2, 2}})
    print(c)
    c:show()
    plot.dashboard{title = "Pipe", tabs = {{"A", c}, {"B", plot.hist({1, 2, 2, 3})}}}:show()
  ]])
  return path
end

T.test("no escape codes on a pipe, every dashboard tab printed", function()
  local path = child_script()
  local out, ok = sh(EXE .. " " .. path .. " | cat")
  os.remove(path)
  T.ok(ok, "child failed: " .. out)
  T.ok(not out:find("\27", 1, true), "escape code on a pipe")
  T.ok(out:find("== Pipe: A (1/2) ==", 1, true) and out:find("== Pipe: B (2/2) ==", 1, true), "tabs printed: " .. out)
end)

T.test("NO_COLOR on a terminal: no colour codes", function()
  if not have("script") then T.skip("util-linux 'script' not installed (needed for a pseudo-terminal)") end
  local path = child_script()
  local plain = sh("NO_COLOR=1 MLSH_NO_DASHBOARD=1 TERM=xterm-256color script -qec '" .. EXE .. " " .. path .. "' /dev/null </dev/null")
  local colour = sh("MLSH_NO_DASHBOARD=1 TERM=xterm-256color script -qec '" .. EXE .. " " .. path .. "' /dev/null </dev/null")
  os.remove(path)
  T.ok(not plain:find("\27[38", 1, true), "colour code with NO_COLOR")
  T.ok(colour:find("\27[38", 1, true), "expected colour on a terminal without NO_COLOR")
end)

local function svg_files()
  local files = {}
  for i, case in ipairs(CASES) do
    local path = T.tmpname("_" .. case[1] .. ".svg")
    case[2]():save(path)
    files[i] = path
  end
  return files
end

T.test("SVG is well-formed XML (xmllint)", function()
  if not have("xmllint") then T.skip("xmllint not installed (apt-get install libxml2-utils)") end
  local files = svg_files()
  local out, ok = sh("xmllint --noout " .. table.concat(files, " "))
  for _, f in ipairs(files) do os.remove(f) end
  T.ok(ok, "xmllint: " .. out)
end)

T.test("SVG and HTML render in headless Chromium", function()
  local chromium = have("chromium") and "chromium" or have("chromium-browser") and "chromium-browser"
  if not chromium then T.skip("chromium not installed (apt-get install chromium)") end
  local dir = T.tmpname("_chromium")
  local flags = " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking" ..
    " --disable-component-update --disable-sync --user-data-dir=" .. dir
  local svg = T.tmpname(".svg")
  plot.circle(PCA):save(svg)
  local png = T.tmpname(".png")
  sh("timeout 60 " .. chromium .. flags .. " --window-size=800,500 --screenshot=" .. png .. " file://" .. svg)
  local img = read(png)
  T.ok(img and #img > 2000 and img:sub(2, 4) == "PNG", "no screenshot of the SVG")
  -- the report's inline script marks the page when it ran without errors
  local html = T.tmpname(".html")
  plot.dashboard { title = "Report", tabs = { { "Circle", plot.circle(PCA) }, { "ACF", plot.acf({ 1, 0.5, 0.2 }) } } }:save(html)
  local dom = sh("timeout 60 " .. chromium .. flags .. " --dump-dom file://" .. html)
  T.ok(dom:find('data-mlsh="ready"', 1, true), "the report's script did not run")
  T.ok(select(2, dom:gsub("<svg", "")) == 2, "two inline SVGs")
  os.execute("rm -rf " .. dir)
  for _, f in ipairs({ svg, png, html }) do os.remove(f) end
end)

T.test("dashboard HTML is one self-contained file", function()
  local html = T.tmpname(".html")
  local d = plot.dashboard { title = "R & D", tabs = { { "Img", plot.image(image_table(4, 4)) }, { "Bars", plot.bar({ 1, 2 }) } } }
  T.eq(d:save(html), d)
  local s = read(html)
  os.remove(html)
  T.ok(s:find("<!DOCTYPE html>", 1, true) and s:find("R &amp; D", 1, true), "title escaped")
  T.ok(s:find("data:image/jpeg;base64,", 1, true), "image embedded")
  T.ok(not s:find("src=\"http", 1, true) and not s:find("href=\"http", 1, true), "no network fetches")
  T.raises(function() d:save("/tmp/x.pdf") end, "Dashboard:save")
end)

T.test("dashboard in tmux: tabs, resize, quit, terminal restored", function()
  if not have("tmux") then T.skip("tmux not installed") end
  local out, ok = sh("sh test/tmux/dashboard.sh " .. EXE)
  T.ok(ok, "test/tmux/dashboard.sh failed:\n" .. out)
end)

T.test("save writes .svg and .txt, rejects others", function()
  local c = plot.line({ 1, 2, 3 })
  local txt = T.tmpname(".txt")
  c:save(txt, { width = 30, height = 8 })
  local s = read(txt)
  os.remove(txt)
  T.ok(s and not s:find("\27", 1, true) and select(2, s:gsub("\n", "")) == 8, "8 plain lines")
  T.raises(function() c:save("/tmp/x.png") end, "Chart:save: argument 'path' must end in .svg or .txt")
  T.raises(function() c:save("/nonexistent-dir/x.svg") end, "Chart:save")
end)

T.test("bad input gives clear errors", function()
  T.raises(function() plot.scatter({}, {}) end, "plot.scatter: argument 'x' is an empty array")
  T.raises(function() plot.scatter({ 1, 2 }, { 1 }) end, "plot.scatter: arguments 'x' and 'y' have different lengths")
  T.raises(function() plot.scatter({ 1, 0 / 0 }, { 1, 2 }) end, "plot.scatter: argument 'x' has a non-finite value")
  T.raises(function() plot.scatter({ 1 }, { 1 }, { colour = "red" }) end, "plot.scatter: unknown option 'colour'")
  T.raises(function() plot.scatter({ 1, 2 }, { 1, 2 }, { group = { 1 } }) end, "plot.scatter: option 'group' has 1 labels for 2 points")
  T.raises(function() plot.scatter({ 1 }, { 1 }, { color = "nocolor" }) end, "unknown colour 'nocolor'")
  T.raises(function() plot.hist({}) end, "plot.hist: argument 'x' is an empty array")
  T.raises(function() plot.hist({ 1, 2 }, { bins = 0 }) end, "plot.hist: option 'bins'")
  T.raises(function() plot.bar({ 1, 2 }, { "a" }) end, "plot.bar: option 'names' has 1 names, expected 2")
  T.raises(function() plot.confusion({ { 1, 2 } }) end, "plot.confusion: argument 'cm' must be square")
  T.raises(function() plot.dendrogram({ merge = { { -1, -2 } }, height = { 1, 2 } }) end, "plot.dendrogram: argument 'h.height' has 2 values for 1 merges")
  T.raises(function() plot.dendrogram({}) end, "plot.dendrogram: argument 'h' has no 'merge' field")
  T.raises(function() plot.circle({}) end, "plot.circle: argument 'p' must be a stats.pca result")
  T.raises(function() plot.forecast({ 1, 2 }, { mean = { 3 }, lower = { 1, 2 }, upper = { 4 } }) end, "plot.forecast")
  T.raises(function() plot.acf({ 1, 0.5 }, { band = -1 }) end, "plot.acf: option 'band'")
  T.raises(function() plot.image() end, "plot.image: argument 'img' is missing")
  T.raises(function() plot.gallery({}) end, "plot.gallery: argument 'paths' must be a non-empty array")
  T.raises(function() plot.dashboard { tabs = {} } end, "plot.dashboard: option 'tabs' must be a non-empty array")
  T.raises(function() plot.dashboard { tabs = { { "x", 42 } } } end, "plot.dashboard: tab 1 must be")
  T.raises(function() plot.line({ 1, 2 }):render { width = 2 } end, "Chart:render: chart size")
  T.raises(function() plot.figure { rows = 0 } end, "plot.figure: option 'rows' must be an integer between 1 and 400 (got 0)")
  T.raises(function() plot.figure():points({ 1 }, { 1 }, { panel = 2 }) end, "Chart:points: option 'panel' must be between 1 and 1")
end)

T.test("degenerate data gives sensible charts", function()
  local function ok(c) local s = c:render { width = 40, height = 10 } T.ok(#s > 0) return s end
  ok(plot.scatter({ 1 }, { 1 }))                          -- one point
  ok(plot.scatter({ 2, 2, 2 }, { 5, 5, 5 }))              -- all equal
  ok(plot.hist({ 7, 7, 7, 7 }))                           -- zero range: one bin
  ok(plot.hist({ 3 }))
  ok(plot.line({ 1, 0 / 0, 3 }))                          -- NaN is a gap in a line
  ok(plot.box({ { 1 } }))
  ok(plot.bar({ 0, 0 }))
  ok(plot.heatmap({ { 1, 1 }, { 1, 1 } }))
  ok(plot.confusion({ { 0, 0 }, { 0, 0 } }))
  ok(plot.dendrogram({ merge = { { -1, -2 } }, height = { 0 }, order = { 1, 2 } }, { k = 2 }))
  T.raises(function() plot.line({ 0 / 0, 0 / 0 }) end, "plot.line: argument 'ys' has no finite value")
  -- a tiny chart still renders
  ok(plot.scatter(X, Y)):sub(1, 1)
  T.ok(#plot.scatter(X, Y):render { width = 10, height = 3 } > 0)
end)

T.test("Matrices are accepted where arrays are", function()
  if not (mlsh.mat and mlsh.mat.from) then T.skip("mat.from not available") end
  local m = mlsh.mat.from({ { 1, 2 }, { 2, 3 }, { 3, 1 } })
  local a = plot.scatter(m):render { width = 40, height = 10 }
  local b = plot.scatter({ 1, 2, 3 }, { 2, 3, 1 }):render { width = 40, height = 10 }
  T.eq(a, b)
end)

T.test("iris PCA scatter, dendrogram and elbow on real data", function()
  local ok_data, data = pcall(function() return mlsh.data.read_csv("datasets/iris.csv") end)
  if not ok_data or not data then T.skip("data.read_csv or datasets/iris.csv not available") end
  if not (mlsh.stats.pca and mlsh.cluster.hclust and mlsh.cluster.elbow) then T.skip("stats.pca / cluster.hclust / cluster.elbow not built yet") end
  local ok, err = pcall(function()
    local Xm = data:matrix { "sepal_length", "sepal_width", "petal_length", "petal_width" }
    local p = mlsh.stats.pca(Xm)
    plot.biplot(p):render { width = 80, height = 24 }
    plot.circle(p):render { width = 200, height = 60 }
    plot.dendrogram(mlsh.cluster.hclust(Xm), { k = 3 }):render { width = 80, height = 24 }
    plot.elbow(mlsh.cluster.elbow(Xm, { kmax = 6, seed = 1 })):render { width = 200, height = 60 }
  end)
  if not ok and tostring(err):find("attempt to call a nil value", 1, true) then T.skip("data frame API differs: " .. tostring(err)) end
  T.ok(ok, tostring(err))
end)

T.test("flower gallery from ../shared", function()
  local dir = T.shared("data/flower_photos/roses")
  if not dir then T.skip("../shared/data/flower_photos not found") end
  if not (mlsh.image and mlsh.image.load) then T.skip("image.load not available yet") end
  local files = {}
  local p = io.popen("ls " .. dir .. "/*.jpg | head -6")
  for line in p:lines() do files[#files + 1] = line end
  p:close()
  local c = plot.gallery(files, { per_row = 3 })
  local s = c:render { width = 90, height = 30 }
  T.ok(#s > 100)
  local svg = T.tmpname(".svg")
  c:save(svg)
  T.ok(read(svg):find("data:image/jpeg;base64,", 1, true))
  os.remove(svg)
end)

T.done()

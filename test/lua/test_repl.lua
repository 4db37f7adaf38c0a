-- test/lua/test_repl.lua - the interactive shell as a newcomer uses it,
-- driven through tmux (send-keys / capture-pane): completion, history
-- across restarts, ?help, Ctrl-C out of a loop, multi-line input, and a
-- 1000x50 matrix that fits the screen.
local T = dofile("test/lua/harness.lua")
local MLSH = T.mlsh()

T.test("tab completion, help, Ctrl-C, multi-line, history", function()
  if not T.have_tmux then T.skip("tmux not installed (apt-get install tmux)") end
  local home = T.tmpname(".home")
  local s = T.tmux(MLSH, {home = home})
  s:wait_for("mlsh> ")
  s:type("mat.ra", true); s:keys("Tab", "Tab", "Tab")
  local text = s:wait_for("mat%.randn")
  T.ok(text:find("mat%.rand%s+mat%.randn"), "mat.ra<TAB> lists rand and randn:\n" .. text)
  s:keys("C-u"); s:type("m = mat.eye(2)")
  s:type("m:so", true); s:keys("Tab")
  text = s:wait_for("m:solve")
  T.ok(text:find("mlsh> m:solve"), "m:so<TAB> completes to m:solve:\n" .. text)
  s:keys("C-u"); s:type("?mat.svd")
  text = s:wait_for("dgesdd")
  T.ok(text:find("Example"), "?mat.svd shows the doc:\n" .. text)
  s:clear(); s:type("while true do end")
  os.execute("sleep 0.5"); s:keys("C-c")
  text = s:wait_for("interrupted")
  T.ok(text:find("interrupted"), "Ctrl-C stops the loop:\n" .. text)
  s:type("function twice(x)"); s:type("return 2 * x"); s:type("end")
  s:type("twice(21)")
  text = s:wait_for("\n42")
  T.ok(text:find("\n42"), "multi-line function works:\n" .. text)
  s:clear(); s:type("mat.randn(1000, 50, {seed = 1})")
  text = s:wait_for("%[Matrix 1000x50%]")
  for line in text:gmatch("[^\n]*\n") do T.ok(utf8.len(line) <= 101, "line fits 100 columns") end
  T.ok(text:find("%.%.%.") and text:find("%[Matrix 1000x50%]"), "big matrix elided:\n" .. text)
  s:keys("C-d")
  os.execute("sleep 0.3")
  s:kill()
  -- history survives a restart
  s = T.tmux(MLSH, {home = home})
  s:wait_for("mlsh> ")
  s:keys("Up")
  text = s:wait_for("mat%.randn%(1000")
  T.ok(text:find("mlsh> mat%.randn%(1000, 50"), "Up recalls the last line:\n" .. text)
  s:keys("C-u", "C-d")
  s:kill()
  os.execute("rm -rf " .. home)
end)

T.done()

#!/bin/sh
# test/tmux/dashboard.sh [MLSH] - drives plot.dashboard in a tmux pane on a
# private tmux server: opens it, switches tabs with the arrow keys, resizes
# the window, saves a tab as SVG, shows the help, quits, and checks that the
# terminal is restored (screen contents and stty modes as before); then,
# from the interactive shell, resizes to several sizes and below the smallest.
# Exit status 0 on success; prints what went wrong otherwise.
set -u
EXE=${1:-build/mlsh}
EXE=$(cd "$(dirname "$EXE")" && pwd)/$(basename "$EXE")
SOCK=mlshtest$$
S=dash
DIR=$(mktemp -d)
T="tmux -L $SOCK -f /dev/null"
cleanup() { $T kill-server 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- screen:"; $T capture-pane -p -t $S 2>/dev/null; exit 1; }

cat > "$DIR/dash.lua" <<'LUA'
local a = plot.bar({3, 5, 2}, {"x", "y", "z"}, {title = "First tab chart"})
local b = plot.line({1, 4, 9, 16}, {title = "Second tab chart"})
plot.dashboard{title = "TmuxTest", tabs = {{"Bars", a}, {"Lines", b}}}:show()
print("DASHBOARD-CLOSED")
LUA

# wait_for TEXT: poll the pane for up to 15 s
wait_for() {
  i=0
  while [ $i -lt 150 ]; do
    $T capture-pane -p -t $S | grep -q -- "$1" && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}

$T new-session -d -s $S -x 100 -y 30 "env PS1='$ ' LANG=C.UTF-8 TERM=xterm-256color sh" || fail "tmux new-session"
$T send-keys -t $S "cd $DIR && clear && echo BEFORE-MARK && stty -a > stty.before" Enter
wait_for BEFORE-MARK || fail "shell did not start"
sleep 0.3
$T capture-pane -p -t $S > "$DIR/before.txt"

$T send-keys -t $S "$EXE dash.lua 2>dash.err" Enter
wait_for "First tab chart" || fail "dashboard did not open on tab 1"
wait_for "1:Bars" || fail "no tab bar"
$T send-keys -t $S Right
wait_for "Second tab chart" || fail "Right did not switch to tab 2"
$T send-keys -t $S 1
wait_for "First tab chart" || fail "key 1 did not go back to tab 1"
$T send-keys -t $S Tab
wait_for "Second tab chart" || fail "Tab did not switch"

$T resize-window -t $S -x 70 -y 20 2>/dev/null || $T resize-pane -t $S -x 70 -y 20
sleep 0.5
wait_for "Second tab chart" || fail "no redraw after resize"
# widest line in characters (not bytes): the chart was redrawn for 70 columns
W=$($T capture-pane -p -t $S | LC_ALL=C.UTF-8 sed 's/./x/g' | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
[ "$W" -le 70 ] && [ "$W" -ge 60 ] || fail "chart not redrawn for the resized window (widest line $W)"
$T capture-pane -p -t $S | grep -q "s: save" || fail "status line missing after resize"

$T send-keys -t $S s
wait_for "saved tmuxtest-lines.svg" || fail "s did not save"
[ -s "$DIR/tmuxtest-lines.svg" ] || fail "SVG file not written"
$T send-keys -t $S '?'
wait_for "show/hide this help" || fail "? did not show the keys"
$T send-keys -t $S '?'

$T send-keys -t $S q
wait_for DASHBOARD-CLOSED || fail "q did not leave the dashboard"
$T send-keys -t $S "stty -a > stty.after" Enter
sleep 0.5
$T capture-pane -p -t $S > "$DIR/after.txt"
grep -q BEFORE-MARK "$DIR/after.txt" || fail "screen not restored (BEFORE-MARK gone)"
grep -q "1:Bars" "$DIR/after.txt" && fail "dashboard left on the screen"
# the lines before the command are unchanged (the alternate screen was used)
# what was on the screen before is still there: the first line as it was,
# the prompt line now followed by the command that was typed on it
B1=$(sed -n 1p "$DIR/before.txt"); A1=$(sed -n 1p "$DIR/after.txt")
B2=$(sed -n 2p "$DIR/before.txt"); A2=$(sed -n 2p "$DIR/after.txt")
[ "$B1" = "$A1" ] || fail "first line changed: '$B1' -> '$A1'"
case "$A2" in "$B2"*dash.lua*) ;; *) fail "prompt line changed: '$B2' -> '$A2'" ;; esac
sed -n 3p "$DIR/after.txt" | grep -q '^DASHBOARD-CLOSED' || fail "output after the dashboard not right below the command"
i=0; while [ ! -s "$DIR/stty.after" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
# same terminal modes (size excepted: the window was resized)
sed 's/rows [0-9]*; columns [0-9]*;//' "$DIR/stty.before" > "$DIR/s1"
sed 's/rows [0-9]*; columns [0-9]*;//' "$DIR/stty.after" > "$DIR/s2"
cmp -s "$DIR/s1" "$DIR/s2" || fail "terminal modes not restored: $(diff "$DIR/s1" "$DIR/s2")"
# Ctrl-C leaves the viewer too: an "interrupted" error, the terminal restored
$T send-keys -t $S "clear; $EXE dash.lua 2>ctrlc.err; stty -a > stty.ctrlc" Enter
wait_for "First tab chart" || fail "dashboard did not open the second time"
$T send-keys -t $S C-c
i=0; while [ ! -s "$DIR/stty.ctrlc" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
grep -q "interrupted" "$DIR/ctrlc.err" || fail "Ctrl-C: no 'interrupted' error ($(cat "$DIR/ctrlc.err"))"
grep -q "DASHBOARD-CLOSED" "$DIR/ctrlc.err" && fail "Ctrl-C did not stop the script"
sed 's/rows [0-9]*; columns [0-9]*;//' "$DIR/stty.ctrlc" > "$DIR/s3"
cmp -s "$DIR/s1" "$DIR/s3" || fail "terminal modes not restored after Ctrl-C: $(diff "$DIR/s1" "$DIR/s3")"
$T capture-pane -p -t $S | grep -q "1:Bars" && fail "dashboard left on the screen after Ctrl-C"

# From the interactive shell (readline exports LINES/COLUMNS): every resize
# lays the frame out again at the new size, down to 40x12; below that the
# viewer says so in the middle of the window.
# frame_at W H: the rule under the tab bar spans W cells, the key line is
# the last of H lines, and no line is wider than W
frame_at() {
  i=0
  while [ $i -lt 50 ]; do
    $T capture-pane -p -t repl > "$DIR/frame.txt"
    R=$(sed -n 2p "$DIR/frame.txt" | LC_ALL=C.UTF-8 sed 's/./x/g' | awk '{ print length($0) }')
    K=$(sed -n "${2}p" "$DIR/frame.txt")
    M=$(LC_ALL=C.UTF-8 sed 's/./x/g' "$DIR/frame.txt" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
    [ "$R" = "$1" ] && [ "$M" -le "$1" ] && case "$K" in *"q: quit"*) true ;; *) false ;; esac && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}
resize() { $T resize-window -t repl -x "$1" -y "$2" 2>/dev/null || $T resize-pane -t repl -x "$1" -y "$2"; }
$T new-session -d -s repl -x 100 -y 30 "cd $DIR && env LANG=C.UTF-8 TERM=xterm-256color $EXE 2>repl.err" || fail "tmux new-session (shell)"
S=repl
wait_for "mlsh>" || fail "the shell did not start"
$T send-keys -t repl -l 'plot.dashboard{title = "Resize", tabs = {{"Bars", plot.bar({3, 5, 2}, {"x", "y", "z"}, {title = "First tab chart"})}}}:show()'
$T send-keys -t repl Enter
wait_for "First tab chart" || fail "dashboard did not open from the shell"
frame_at 100 30 || fail "first frame not laid out at 100x30"
for size in "60 20" "200 50" "40 12" "100 30"; do
  set -- $size
  resize "$1" "$2"
  frame_at "$1" "$2" || fail "frame not laid out again at $1x$2 after a resize"
done
$T send-keys -t repl Right
frame_at 100 30 || fail "a key after the resizes painted over a stale frame"
resize 30 10
wait_for "terminal too small" || fail "no 'terminal too small' at 30x10"
L=$($T capture-pane -p -t repl | grep -n "terminal too small" | cut -d: -f1)
C=$($T capture-pane -p -t repl | grep "terminal too small" | sed 's/terminal too small.*//' | awk '{ print length($0) }')
[ "$L" -ge 4 ] && [ "$L" -le 6 ] && [ "$C" -ge 5 ] && [ "$C" -le 7 ] || fail "'terminal too small' not centred (line $L, column $C)"
resize 40 12
frame_at 40 12 || fail "frame not back at 40x12"
$T send-keys -t repl q
wait_for "mlsh>" || fail "q did not leave the dashboard in the shell"
$T send-keys -t repl -l 'print(os.getenv("COLUMNS"))'
$T send-keys -t repl Enter
sleep 0.3
$T capture-pane -p -t repl | grep -q '^40$' || fail "COLUMNS not exported at the new width after the viewer"
[ -s "$DIR/repl.err" ] && fail "stderr of the shell: $(cat "$DIR/repl.err")"
S=dash

# nothing on stderr (sanitizer reports, Lua errors)
[ -s "$DIR/dash.err" ] && fail "stderr of the dashboard: $(cat "$DIR/dash.err")"
echo "dashboard tmux test: ok"

#!/usr/bin/env bash
# Runs a desktop program on its own Xvfb screen, takes a screenshot once it has drawn (at least
# SECONDS after the start, and 3 s after the screen first shows something, so the app can
# finish its work), stops both:
#   packaging/screenshot.sh OUT.png SECONDS COMMAND [ARGS...]
# Fails when the program dies, or the screen stays (nearly) one colour for 90 s.
set -euo pipefail
out=$1 seconds=$2
shift 2
tmp=$(mktemp -d)
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$tmp/display" 2>/dev/null &
xvfb=$!
stop() {
    [ -n "${app:-}" ] && kill "$app" 2>/dev/null
    kill "$xvfb" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap stop EXIT
for _ in $(seq 100); do [ -s "$tmp/display" ] && break; sleep 0.1; done
export DISPLAY=":$(cat "$tmp/display")"
unset WAYLAND_DISPLAY
"$@" >"$tmp/app.log" 2>&1 &
app=$!
mkdir -p "$(dirname "$out")"
sleep "$seconds"
drawn=0
for _ in $(seq 45); do
    if ! kill -0 "$app" 2>/dev/null; then
        echo "screenshot: $1 ended before the screenshot:" >&2
        cat "$tmp/app.log" >&2
        exit 1
    fi
    import -window root "$out"
    colours=$(identify -format '%k' "$out")
    if [ "$colours" -ge 16 ]; then
        [ "$drawn" -eq 1 ] && break
        drawn=1
        sleep 3
    else
        sleep 2
    fi
done
if [ "$colours" -lt 16 ]; then
    echo "screenshot: $out has only $colours colours: nothing was drawn" >&2
    cat "$tmp/app.log" >&2
    exit 1
fi
echo "screenshot: $out ($colours colours)"

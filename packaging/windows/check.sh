#!/usr/bin/env bash
# Runs the Windows build from build.sh under Wine and judges its outputs with the Linux siegel
# and poppler's pdfsig; then installs the MSI, runs the installed siegel.exe and uninstalls it:
#   PROFILE=ci packaging/windows/check.sh   (LINUX_SIEGEL: the Linux siegel, default target/$PROFILE/siegel)
# Needs wine64 (Wine 8), Xvfb and ImageMagick. The Wine prefix lives in target/wine.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
profile=${PROFILE:-release}
linux_siegel=$root/${LINUX_SIEGEL:-target/$profile/siegel}
exe_dir=$root/target/x86_64-pc-windows-gnu/$profile
msi=$(ls "$root"/target/packaging/siegel-*-x64.msi)
fail() { echo "windows: $*" >&2; exit 1; }
export WINEPREFIX=$root/target/wine WINEARCH=win64 WINEDEBUG=-all
# No Mono or Gecko download prompts in a prefix without network.
export WINEDLLOVERRIDES="mscoree,mshtml="
export SIEGEL_PIN=siegel-demo
trap 'wineserver -k 2>/dev/null || true' EXIT

if [ ! -f "$WINEPREFIX/system.reg" ]; then
    wineboot --init >/dev/null 2>&1
    wineserver -w   # the registry is written when the server ends
fi
# No settings left from an earlier run: the checks below expect none until the app's.
appdata=$(winepath -u "$(wine cmd /c 'echo %APPDATA%' | tr -d '\r')")
settings="$appdata/Siegel/Siegel/config/settings.toml"
rm -f "$settings"
trap 'rm -f "$settings"; wineserver -k 2>/dev/null || true' EXIT
# Wine 8 lacks bcryptprimitives.dll (Rust's random source): the test shim goes into this
# throw-away prefix's system folder, never into the MSI.
cp target/packaging/wine-test-shim/bcryptprimitives.dll "$WINEPREFIX/drive_c/windows/system32/"

work=$root/target/wine-check
rm -rf "$work"
mkdir -p "$work"
cp testdata/pdf/classic.pdf testdata/pki/seal-rsa.p12 testdata/pki/signature-ec.p12 \
    testdata/pki/root-ca.pem "$work/"
cd "$work"
win() { wine "$exe_dir/siegel.exe" "$@"; }
expect() { # expect CODE COMMAND...: runs it and checks its exit code
    local want=$1 got=0
    shift
    "$@" || got=$?
    [ "$got" -eq "$want" ] || fail "exit code $got, not $want: $*"
}
valid_on_linux() { # the Linux siegel and pdfsig must accept FILE with COUNT signatures
    "$linux_siegel" verify --offline --trust root-ca.pem "$1" >/dev/null \
        || fail "the Linux siegel rejects $1"
    [ "$(pdfsig "$1" | grep -c 'Signature is Valid.')" -eq "$2" ] || fail "pdfsig on $1"
}

win --version | tr -d '\r' | grep -E "^siegel [0-9.]+ \(commit [0-9a-f]+, OpenSSL 3" \
    || fail "siegel.exe --version"
expect 0 win demo -o demo.pdf
valid_on_linux demo.pdf 1
expect 0 win seal --p12 seal-rsa.p12 --pin-env SIEGEL_PIN -o sealed.pdf classic.pdf
valid_on_linux sealed.pdf 1
expect 0 win sign --p12 signature-ec.p12 --pin-env SIEGEL_PIN -o twice.pdf sealed.pdf
valid_on_linux twice.pdf 2

# verify: JSON on standard output, the exit codes of the contract.
expect 0 win verify --format json --trust root-ca.pem twice.pdf > twice.json
python3 - twice.json <<'PY'
import json, sys
report = json.loads(open(sys.argv[1], encoding="utf-8").read())
assert report["indication"] == "TOTAL_PASSED", report["indication"]
assert [s["kind"] for s in report["signatures"]] == ["seal", "signature"], report["signatures"]
PY
python3 -c "
import sys; data = bytearray(open('sealed.pdf','rb').read()); n = len(open('classic.pdf','rb').read())
data[n // 2] ^= 1; open('tampered.pdf','wb').write(data)"
expect 1 win verify --trust root-ca.pem tampered.pdf > /dev/null
expect 2 win verify --offline sealed.pdf > /dev/null
expect 3 win verify missing.pdf 2> /dev/null
# Settings come from %APPDATA% (-v says which file).
win -v verify --trust root-ca.pem sealed.pdf 2>&1 >/dev/null | tr -d '\r' \
    | grep -F 'AppData\Roaming\Siegel\Siegel\config\settings.toml' || fail "settings not in %APPDATA%"

# The protocol, sealed by siegel.exe, judged on Linux.
expect 0 win verify --trust root-ca.pem --report protocol.pdf --lang de \
    --seal-report --p12 seal-rsa.p12 --pin-env SIEGEL_PIN twice.pdf > /dev/null
valid_on_linux protocol.pdf 1
pdftotext protocol.pdf - | grep -c "Prüfprotokoll" >/dev/null || fail "the protocol has no title"

# The desktop app on a virtual screen, with a signed PDF, trusting the test root through its
# settings file in %APPDATA% (written only now: the verify checks above run without it).
mkdir -p "$(dirname "$settings")"
printf "offline = true\ntrust_anchors = ['%s']\n" "$(winepath -w root-ca.pem)" > "$settings"
# A fresh Wine session: one started without a display (all the runs above) keeps its desktop
# process on Wine's null driver, and no window would ever reach the X screen.
wineserver -k 2>/dev/null || true
wineserver -w
"$root/packaging/screenshot.sh" "$root/target/screenshots/wine-siegel-gui.png" 20 \
    wine "$exe_dir/siegel-gui.exe" twice.pdf
rm "$settings"
wineserver -k 2>/dev/null || true

# The MSI: install quietly, run the installed siegel.exe, uninstall.
installed="$WINEPREFIX/drive_c/Program Files/Siegel"
wine msiexec /i "$(winepath -w "$msi")" /qn
[ -f "$installed/siegel.exe" ] && [ -f "$installed/siegel-gui.exe" ] || fail "the MSI installed no programs"
[ ! -e "$installed/bcryptprimitives.dll" ] || fail "the test shim is in the MSI"
# Wine puts a per-machine package's shortcuts into the user's Start menu, Windows into ProgramData.
shortcut=no
for menu in "$WINEPREFIX"/drive_c/{ProgramData,users/*/AppData/Roaming}/Microsoft/Windows/Start\ Menu; do
    [ -f "$menu/Programs/Siegel/Siegel.lnk" ] && shortcut=yes
done
[ "$shortcut" = yes ] || fail "no Start-menu entry"
wine reg query 'HKLM\Software\Classes\.asice' | tr -d '\r' | grep -c Siegel.Document >/dev/null \
    || fail "no file association for .asice"
mkdir -p msi-demo
(cd msi-demo && wine "C:\\Program Files\\Siegel\\siegel.exe" demo)
valid_on_linux msi-demo/siegel-demo.pdf 1
wine msiexec /x "$(winepath -w "$msi")" /qn
[ ! -e "$installed/siegel.exe" ] || fail "siegel.exe is still there after uninstalling"
echo "windows: siegel.exe, siegel-gui.exe and the MSI work under Wine"

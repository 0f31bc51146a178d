#!/usr/bin/env bash
# Installs the .deb from build.sh on this machine (as root, as CI does), uses what it installed
# as a user would, and removes it again:
#   packaging/linux/check.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
deb=$(ls target/packaging/siegel_*_amd64.deb)
fail() { echo "linux package: $*" >&2; exit 1; }

# The desktop entry and the AppStream data, as the standards' own validators see them.
hints=$(desktop-file-validate --no-hints packaging/linux/eu.siegel.Siegel.desktop)
[ -z "$hints" ] || fail "desktop-file-validate: $hints"
appstreamcli validate --no-net packaging/linux/eu.siegel.Siegel.metainfo.xml

dpkg-deb -c "$deb" | awk '{print $6}' > target/packaging/deb-contents.txt
for path in usr/bin/siegel usr/bin/siegel-gui usr/share/applications/eu.siegel.Siegel.desktop \
    usr/share/metainfo/eu.siegel.Siegel.metainfo.xml usr/share/mime/packages/eu.siegel.Siegel.xml \
    usr/share/icons/hicolor/scalable/apps/eu.siegel.Siegel.svg usr/share/man/man1/siegel.1.gz \
    usr/share/man/man1/siegel-verify.1.gz usr/share/bash-completion/completions/siegel \
    usr/share/zsh/vendor-completions/_siegel usr/share/fish/vendor_completions.d/siegel.fish \
    usr/share/doc/siegel/copyright usr/share/doc/siegel/LICENSE usr/share/doc/siegel/demo/sample.pdf; do
    grep -qx "./$path" target/packaging/deb-contents.txt || fail "$path is not in the package"
done
for size in 16 24 32 48 64 128 256 512; do
    grep -qx "./usr/share/icons/hicolor/${size}x${size}/apps/eu.siegel.Siegel.png" \
        target/packaging/deb-contents.txt || fail "no ${size}px icon"
done
dpkg-deb -f "$deb" Depends | grep -c libssl3 >/dev/null || fail "no libssl3 in Depends"

remove() { DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq siegel >/dev/null 2>&1 || true; }
trap remove EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$deb" >/dev/null
siegel --version

# The installed binaries, from a folder of the user's.
work=$(mktemp -d)
(cd "$work" && siegel demo)
pdfsig "$work/siegel-demo.pdf" | grep -c "Signature is Valid." >/dev/null || fail "pdfsig rejects the demo output"
siegel verify --trust /usr/share/doc/siegel/demo/demo-root-ca.pem "$work/siegel-demo.pdf" >/dev/null
man -w siegel-verify
bash -c '. /usr/share/bash-completion/completions/siegel && complete -p siegel' >/dev/null
grep -q "application/pdf=.*eu.siegel.Siegel.desktop" /usr/share/applications/mimeinfo.cache \
    || fail "the desktop database does not offer Siegel for PDF"
[ -f /usr/share/mime/application/vnd.etsi.asic-e+zip.xml ] || fail "the MIME database lacks ASiC-E"

# The desktop app as the file manager starts it: the entry's Exec line with a signed PDF.
exec_line=$(sed -n 's/^Exec=//p' /usr/share/applications/eu.siegel.Siegel.desktop)
read -ra command <<< "${exec_line//%F/$work/siegel-demo.pdf}"
packaging/screenshot.sh target/screenshots/deb-siegel-gui.png 8 "${command[@]}"

remove
trap - EXIT
[ ! -e /usr/bin/siegel ] || fail "siegel is still installed after removal"
rm -rf "$work"
echo "linux package: installed, used and removed"

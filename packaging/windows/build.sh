#!/usr/bin/env bash
# Cross-builds siegel.exe and siegel-gui.exe for 64-bit Windows and the MSI, into
# target/packaging/:
#   packaging/windows/build.sh                    # optimised like any release (thin LTO)
#   PROFILE=ci packaging/windows/build.sh # CI: opt-level 1, no LTO, shared with its tests
# Needs: rustup target add x86_64-pc-windows-gnu; Debian gcc-mingw-w64-x86-64 (linker, and the
# C compiler for the vendored OpenSSL), perl and make (OpenSSL's build), wixl (msitools).
set -euo pipefail
cd "$(dirname "$0")/../.."
profile=${PROFILE:-release}
target=x86_64-pc-windows-gnu
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
out=target/packaging
export SIEGEL_COMMIT=${SIEGEL_COMMIT:-$(git rev-parse --short=10 HEAD 2>/dev/null || echo unknown)}

# Both programs in one cargo run, so their dependencies build once.
cargo build --locked --profile "$profile" --target "$target" --bin siegel --bin siegel-gui

# What the MSI installs, with Windows line endings for the texts.
stage="$out/windows"
rm -rf "$stage"
mkdir -p "$stage"
cp "target/$target/$profile/siegel.exe" "target/$target/$profile/siegel-gui.exe" "$stage/"
x86_64-w64-mingw32-strip "$stage/siegel.exe" "$stage/siegel-gui.exe"
crlf() { sed 's/\r$//; s/$/\r/' "$1" > "$2"; }
crlf LICENSE "$stage/LICENSE.txt"
crlf assets/fonts/OFL.txt "$stage/fonts-OFL.txt"
crlf packaging/windows/README.txt "$stage/README.txt"
cp packaging/windows/siegel.ico "$stage/"
msi="siegel-$version-x64.msi"
(cd "$stage" && wixl -a x64 -D Version="$version" -D BinDir=. -D IconFile=siegel.ico \
    -o "../$msi" ../../../packaging/windows/siegel.wxs)

# The Wine test shim (packaging/windows/test-shim): built for CI's Wine runs, never shipped.
mkdir -p "$out/wine-test-shim"
x86_64-w64-mingw32-gcc -shared -O2 -Wall -o "$out/wine-test-shim/bcryptprimitives.dll" \
    packaging/windows/test-shim/bcryptprimitives.c -lbcrypt
echo "$out/$msi"

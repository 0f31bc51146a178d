#!/usr/bin/env bash
# Builds the Debian package and a .tar.gz with the same tree, into target/packaging/:
#   packaging/linux/build.sh                  # optimised like any release (thin LTO)
#   PROFILE=ci packaging/linux/build.sh   # CI: opt-level 1, no LTO, shared with its tests
# Needs cargo-deb (cargo install cargo-deb) and dpkg-dev (dpkg-shlibdeps for the dependencies).
set -euo pipefail
cd "$(dirname "$0")/../.."
profile=${PROFILE:-release}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
out=target/packaging
export SIEGEL_COMMIT=${SIEGEL_COMMIT:-$(git rev-parse --short=10 HEAD 2>/dev/null || echo unknown)}

cargo build --locked --profile "$profile" --bin siegel --bin siegel-gui

# Man pages and completions from the clap definitions, by the binary just built.
rm -rf "$out/man" "$out/completions"
"target/$profile/siegel" generate --man "$out/man" --completions "$out/completions"
gzip -9n "$out"/man/*.1

mkdir -p "$out"
rm -f "$out"/siegel_*.deb
cargo deb --no-build --profile "$profile" --output "$out/siegel_${version}_amd64.deb"
deb="$out/siegel_${version}_amd64.deb"

# The same tree as a plain archive for other distributions: unpack it anywhere, or into /.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
tree="$stage/siegel-$version"
dpkg-deb -x "$deb" "$tree"
tar -C "$stage" --owner=0 --group=0 --sort=name -czf "$out/siegel-$version-x86_64-linux.tar.gz" "siegel-$version"
echo "$deb"
echo "$out/siegel-$version-x86_64-linux.tar.gz"

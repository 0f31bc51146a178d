#!/usr/bin/env bash
# Side-by-side benchmark: Siegel vs pyHanko sealing and validating the same large PDF with the
# same key. Reports wall time and peak memory (RSS) of each, and the ratios.
# Usage: benches/compare.sh [SIZE_MB]   (default 256)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-256}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --no-default-features --features cli
siegel=target/release/siegel
python3 benches/make-large-pdf.py "$work/large.pdf" "$size"
echo "input: $(du -h "$work/large.pdf" | cut -f1)"
printf 'siegel-demo' > "$work/pass"
export SIEGEL_PIN=siegel-demo

measure() { # label command...
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
    read -r seconds kib < "$work/time"
    printf '%-28s %8.2f s %8d MiB\n' "$label" "$seconds" $((kib / 1024))
    echo "$seconds $kib" > "$work/$label.m"
}

measure siegel-seal "$siegel" seal --p12 testdata/pki/seal-rsa.p12 --pin-env SIEGEL_PIN -o "$work/siegel.pdf" "$work/large.pdf"
measure pyhanko-seal pyhanko sign addsig --field Sig1 --use-pades pkcs12 --passfile "$work/pass" "$work/large.pdf" "$work/pyhanko.pdf" testdata/pki/seal-rsa.p12
measure siegel-verify "$siegel" verify --trust testdata/pki/root-ca.pem "$work/siegel.pdf"
measure pyhanko-verify pyhanko sign validate --no-revocation-check --trust-replace --trust testdata/pki/root-ca.pem --other-certs testdata/pki/intermediate-ca.pem "$work/siegel.pdf"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }'; }
read -r ss sm < "$work/siegel-seal.m"; read -r ps pm < "$work/pyhanko-seal.m"
read -r sv svm < "$work/siegel-verify.m"; read -r pv pvm < "$work/pyhanko-verify.m"
echo "seal:   pyHanko/Siegel time $(ratio "$ps" "$ss"), memory $(ratio "$pm" "$sm")"
echo "verify: pyHanko/Siegel time $(ratio "$pv" "$sv"), memory $(ratio "$pvm" "$svm")"

#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each, one after the other, from the committed corpus
# (fuzz/corpus/<target>/ plus the test PDFs, CAdES files and ASiC containers), and fails if any target finds a crash, panic,
# timeout (over 10 s for one input) or runs out of memory (2 GiB).
#
# Usage: fuzz/run.sh SECONDS [TARGET...]        (needs cargo-fuzz: cargo install cargo-fuzz)
#        FUZZ_DEV=1 fuzz/run.sh ...             (unoptimised, with overflow checks)
#
# New inputs go to fuzz/target/corpus/<target>/, never into the committed corpus; a finding is
# written to fuzz/artifacts/<target>/ and its reproduction command printed. Built without a
# sanitizer: the library forbids unsafe code, and libFuzzer's own memory and time limits
# apply; set FUZZ_SANITIZER=address to build with AddressSanitizer instead.
set -euo pipefail
seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
cd "$(dirname "$0")"
root=$(cd .. && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(pdf cms validate revision report settings trustlist cades asic)

# cargo-fuzz needs unstable compiler flags: a nightly toolchain where there is one, else the
# stable compiler told to allow them.
if rustup toolchain list 2>/dev/null | grep '^nightly' >/dev/null; then
    fuzz=(cargo +nightly fuzz)
else
    fuzz=(cargo fuzz)
    export RUSTC_BOOTSTRAP=1
fi
sanitizer=${FUZZ_SANITIZER:-none}
# FUZZ_DEV=1 builds without optimisation and with overflow checks (ours and the dependencies'),
# at fewer executions per second. CI keeps the release build: an overflow check firing inside a
# dependency would fail it at random.
build_options=(--sanitizer "$sanitizer")
profile=release
if [ "${FUZZ_DEV:-0}" = 1 ]; then
    build_options+=(--dev)
    profile=debug
fi
start=$SECONDS
if [ $# -eq 0 ]; then
    "${fuzz[@]}" build "${build_options[@]}"
else
    for target in "${targets[@]}"; do
        "${fuzz[@]}" build "${build_options[@]}" "$target"
    done
fi
echo "fuzz build took $((SECONDS - start)) s"
binaries=${CARGO_TARGET_DIR:-$(pwd)/target}/x86_64-unknown-linux-gnu/$profile

# Seeds per target, read-only; the first directory of each run is a scratch one.
seeds() {
    case $1 in
        pdf) echo "corpus/pdf corpus/validate $root/testdata/pdf" ;;
        validate) echo "corpus/validate $root/testdata/pdf" ;;
        trustlist) echo "$root/testdata/trustlists" ;;
        cades) echo "$root/testdata/cades $root/testdata/third-party/corpus/dss-cades corpus/cms" ;;
        asic) echo "$root/testdata/cades $root/testdata/third-party/corpus/dss-asic" ;;
        *) echo "corpus/$1" ;;
    esac
}
options() {
    case $1 in
        pdf | validate | revision) echo "-dict=pdf.dict" ;;
    esac
}

failed=()
summary=()
for target in "${targets[@]}"; do
    scratch=target/corpus/$target
    mkdir -p "$scratch" "artifacts/$target"
    log=target/$target.log
    echo "== $target: ${seconds} s =="
    status=0
    # shellcheck disable=SC2046
    "$binaries/$target" "$scratch" $(seeds "$target") $(options "$target") \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="artifacts/$target/" >"$log" 2>&1 || status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    tail -n 3 "$log"
    summary+=("$target: $runs executions in ${seconds} s, exit $status")
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        grep -E 'ERROR: libFuzzer|panicked at|Test unit written to|SUMMARY' "$log" || tail -n 40 "$log"
    fi
done
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]} (inputs in fuzz/artifacts/, logs in fuzz/target/*.log)" >&2
    exit 1
fi

#!/usr/bin/env bash
# The `fuzz_smoke` ctest (label fuzz; `packaging/setup.sh test` runs it in CI):
# builds only the fuzz targets (clang++-14, ASan+UBSan, libFuzzer) into their own
# tree, replays every saved crash in tests/fuzz/regressions/, then runs each
# target for SECONDS_PER_TARGET seconds from its seeds (run-smoke.sh). Fails on
# any crash, leak, timeout or out-of-memory. Exits 77 (ctest: skipped) when the
# toolchain is missing, so a build without clang still runs the other tests.
#   tests/fuzz/ctest-smoke.sh BUILD_DIR [SECONDS_PER_TARGET]
set -euo pipefail
FUZZ_DIR=$(cd "$(dirname "$0")" && pwd)
export CSIRTGW_FUZZ_BUILD=${1:?usage: $0 BUILD_DIR [SECONDS_PER_TARGET]}
seconds=${2:-20}
cxx=${CXX_FOR_FUZZ:-clang++-14}
if ! command -v "$cxx" >/dev/null; then
  echo "fuzz_smoke: $cxx not found (apt-get install clang-14 libclang-rt-14-dev): skipped" >&2
  exit 77
fi
# libFuzzer and the sanitizer runtimes come with libclang-rt-14-dev.
if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' |
     "$cxx" -x c++ -fsanitize=fuzzer,address,undefined -o /dev/null - 2>/dev/null; then
  echo "fuzz_smoke: $cxx cannot link -fsanitize=fuzzer,address,undefined (libclang-rt-14-dev missing?): skipped" >&2
  exit 77
fi
started=$(date +%s)
"$FUZZ_DIR/run-smoke.sh" "$seconds"
echo "fuzz_smoke: passed in $(( $(date +%s) - started )) s (build + regressions + ${seconds} s per target)"

# Sourced by run-smoke.sh and run-long.sh: builds the fuzz targets into
# $CSIRTGW_FUZZ_BUILD (default build-fuzz) with clang++-14, ASan+UBSan.
set -euo pipefail
FUZZ_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$FUZZ_DIR/../.." && pwd)
BUILD=${CSIRTGW_FUZZ_BUILD:-$ROOT/build-fuzz}
CXX_FOR_FUZZ=${CXX_FOR_FUZZ:-clang++-14}
TARGETS=(protocol_session mime team_form abuse_reports indicators envelope_address config policy smtp_client
         whole_chain openpgp_chain)
# Longest input per target: 64 KiB, but whole messages need room for a YAML
# key cut at 64 KiB and the headers around it.
max_len() { case $1 in whole_chain|openpgp_chain) echo 139264 ;; *) echo 65536 ;; esac; }
# Extra libFuzzer flags per target: the message targets share one dictionary.
target_flags() {
  case $1 in
    whole_chain|openpgp_chain|abuse_reports|mime) echo "-dict=$FUZZ_DIR/mail.dict" ;;
  esac
}
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

build_fuzzers() {
  local how=(-DCSIRTGW_FUZZ=ON -UCMAKE_PROJECT_csirtgw_INCLUDE)  # -U: a stale hook in an old cache
  local generator=()
  [[ -f "$BUILD/CMakeCache.txt" ]] || { command -v ninja >/dev/null && generator=(-G Ninja); }
  cmake -S "$ROOT" -B "$BUILD" "${generator[@]}" -DCMAKE_CXX_COMPILER="$CXX_FOR_FUZZ" \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo "${how[@]}" >/dev/null
  cmake --build "$BUILD" --target fuzz_all -j "$(nproc)"
}

# Replays every saved crash input of a target; non-zero if one still fails.
replay_regressions() {
  local target=$1 files=()
  shopt -s nullglob
  files=("$FUZZ_DIR"/regressions/"$target"-*)
  shopt -u nullglob
  ((${#files[@]})) || return 0
  "$BUILD/fuzz_$target" "${files[@]}" >"$BUILD/logs/$target.regressions.log" 2>&1
}

#!/usr/bin/env bash
# Builds the fuzz targets into build-fuzz and runs each for SECONDS_PER_TARGET
# seconds (default 20) from its seed corpus (tests/fuzz/corpus/<target>, read
# only; new inputs go to build-fuzz/corpus/<target>). Saved crashes in
# tests/fuzz/regressions/ are replayed first. Exits non-zero on any crash, leak,
# timeout or out-of-memory; the input is in build-fuzz/artifacts/<target>/.
#   tests/fuzz/run-smoke.sh [SECONDS_PER_TARGET]
source "$(dirname "$0")/common.sh"
SECONDS_PER_TARGET=${1:-20}
build_fuzzers
mkdir -p "$BUILD/logs"
failed=()
printf '%-18s %-8s %10s %8s %6s\n' target result execs exec/s cov
for t in "${TARGETS[@]}"; do
  mkdir -p "$BUILD/corpus/$t" "$BUILD/artifacts/$t"
  if ! replay_regressions "$t"; then
    failed+=("$t(regression)")
    printf '%-18s %-8s  see %s\n' "$t" REGRESS "$BUILD/logs/$t.regressions.log"
    continue
  fi
  status=ok
  "$BUILD/fuzz_$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2560 -max_len="$(max_len "$t")" $(target_flags "$t") \
      -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$t/" \
      "$BUILD/corpus/$t" "$FUZZ_DIR/corpus/$t" >"$BUILD/logs/$t.log" 2>&1 || status=CRASH
  execs=$(grep -a 'stat::number_of_executed_units' "$BUILD/logs/$t.log" | awk '{print $2}' | tail -1 || true)
  rate=$(grep -a 'stat::average_exec_per_sec' "$BUILD/logs/$t.log" | awk '{print $2}' | tail -1 || true)
  cov=$(grep -aoE 'cov: [0-9]+' "$BUILD/logs/$t.log" | tail -1 | awk '{print $2}' | tail -1 || true)
  printf '%-18s %-8s %10s %8s %6s\n' "$t" "$status" "${execs:--}" "${rate:--}" "${cov:--}"
  [[ $status == ok ]] || failed+=("$t")
done
if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]} (logs: $BUILD/logs, inputs: $BUILD/artifacts)" >&2
  exit 1
fi

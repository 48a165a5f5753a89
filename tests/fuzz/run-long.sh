#!/usr/bin/env bash
# Long fuzzing run: HOURS (default 8, fractions allowed) split evenly over the
# targets, each with one libFuzzer worker per core (-fork), continuing past
# crashes so that one bug does not stop the night. The corpus grows in
# build-fuzz/corpus/<target> from run to run; crash/timeout/oom inputs land in
# build-fuzz/artifacts/<target>/. Exits non-zero if any were found. Minimise one
# with `build-fuzz/fuzz_<target> -minimize_crash=1 -runs=100000 <input>`, save it
# as tests/fuzz/regressions/<target>-<short-name> (replayed by run-smoke.sh and
# by `ctest -L fuzz`). To fold new coverage back into the seeds:
#   build-fuzz/fuzz_<t> -merge=1 tests/fuzz/corpus/<t> build-fuzz/corpus/<t>
#   tests/fuzz/run-long.sh [HOURS]
source "$(dirname "$0")/common.sh"
HOURS=${1:-8}
JOBS=${FUZZ_JOBS:-$(nproc)}
slice=$(awk -v h="$HOURS" -v n="${#TARGETS[@]}" 'BEGIN { s = int(h * 3600 / n); print (s < 10 ? 10 : s) }')
build_fuzzers
mkdir -p "$BUILD/logs"
found=()
for t in "${TARGETS[@]}"; do
  mkdir -p "$BUILD/corpus/$t" "$BUILD/artifacts/$t"
  replay_regressions "$t" || found+=("$t(regression)")
  echo "$(date -Is) $t: ${slice}s, $JOBS workers"
  before=$(ls "$BUILD/artifacts/$t" | wc -l)
  "$BUILD/fuzz_$t" -max_total_time="$slice" -fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
      -timeout=10 -rss_limit_mb=2560 -max_len="$(max_len "$t")" $(target_flags "$t") -artifact_prefix="$BUILD/artifacts/$t/" \
      "$BUILD/corpus/$t" "$FUZZ_DIR/corpus/$t" >"$BUILD/logs/$t.long.log" 2>&1 || true
  after=$(ls "$BUILD/artifacts/$t" | wc -l)
  ((after > before)) && found+=("$t")
  grep -aE '^#[0-9]+: cov' "$BUILD/logs/$t.long.log" | tail -1 || true
done
if ((${#found[@]})); then
  echo "NEW FINDINGS: ${found[*]} (inputs: $BUILD/artifacts, logs: $BUILD/logs)" >&2
  exit 1
fi
echo "no findings"

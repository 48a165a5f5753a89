#!/usr/bin/env bash
# One command for every csirtgw benchmark, one table.  See tests/bench/README.md.
#
#   CSIRTGW_BIN=build/csirtgw GPGME_LOOP_BIN=build/csirtgw-gpgme-loop tests/bench/report.sh
#
# Runs, in this order and each with its own state dir:
#   1. bench.sh                     plaintext: smtp-source / latency client against
#                                   smtp-sink (the ceiling) and csirtgw
#   2. bench_crypto.sh ed25519      signed+encrypted reports, Ed25519/Cv25519 keys,
#                                   against the plain GPGME decrypt+verify loop
#   3. bench_crypto.sh rsa3072      the same with RSA-3072 keys
# then prints one table: workload, msgs/s, ratio to its ceiling, p50/p99
# latency of the 250, peak RSS.  Every tunable of bench.sh / bench_crypto.sh
# passes through.  Own tunables:
#   REPORT_WORKLOADS   which parts run                      ("plain ed25519 rsa3072")
#   REPORT_PLAIN_MSGS  BENCH_MSGS for bench.sh              (3000: keeps the whole run near 5-8 min)
#   REPORT_DIR         keep every results.env and log here  (a temp dir, removed unless a part failed)
#   BENCH_QUIET_WAIT   passed to each part                  (30)
# Exit status: 0 if every part passed, else 2 (the table still prints).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=${PYTHON:-/usr/bin/python3}
WORKLOADS=${REPORT_WORKLOADS:-plain ed25519 rsa3072}
export BENCH_QUIET_WAIT=${BENCH_QUIET_WAIT:-30}

if [[ -n ${REPORT_DIR:-} ]]; then
    D=$REPORT_DIR; mkdir -p "$D"; KEEP_D=1
else
    D=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/csirtgw-report.XXXXXX") || exit 1; KEEP_D=0
fi
log() { printf '[report %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

failed=()
args=()
t0=$(date +%s)
for w in $WORKLOADS; do
    case $w in
        plain)
            log "bench.sh (plaintext), BENCH_MSGS=${BENCH_MSGS:-${REPORT_PLAIN_MSGS:-3000}}"
            BENCH_MSGS=${BENCH_MSGS:-${REPORT_PLAIN_MSGS:-3000}} BENCH_RESULTS=$D/plain.env \
                "$HERE/bench.sh" >"$D/plain.out" 2>"$D/plain.err"
            rc=$?
            [[ -s $D/plain.env ]] && args+=(--plain "$D/plain.env")
            ;;
        ed25519|rsa3072)
            log "bench_crypto.sh $w"
            BENCH_RESULTS=$D/$w.env "$HERE/bench_crypto.sh" "$w" >"$D/$w.out" 2>"$D/$w.err"
            rc=$?
            [[ -s $D/$w.env ]] && args+=(--crypto "$D/$w.env")
            ;;
        *) log "unknown workload '$w' (plain, ed25519, rsa3072)"; rc=1 ;;
    esac
    if ((rc != 0)); then
        failed+=("$w (exit $rc)")
        log "$w: exit $rc; see $D/$w.err: $(grep -E 'NOTE|temp dir kept|bench' "$D/$w.err" 2>/dev/null | tail -n2 | tr '\n' ' ')"
    fi
done

"$PY" "$HERE/lmtpbench.py" summary "${args[@]}"
echo "  (run took $(( $(date +%s) - t0 )) s; $(nproc) CPUs; load average now $(cut -d' ' -f1-3 /proc/loadavg))"
if ((${#failed[@]})); then
    echo "  parts that failed or reported NOTES: ${failed[*]}; logs in $D"
    exit 2
fi
if ((KEEP_D)); then echo "  results and logs in $D"; else rm -rf "$D"; fi
exit 0

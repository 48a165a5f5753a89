#!/usr/bin/env bash
# csirtgw throughput / latency / memory benchmark.  See tests/bench/README.md.
#
# Builds nothing.  Uses $CSIRTGW_BIN (default build/csirtgw), Postfix's
# smtp-source / smtp-sink, and tests/bench/lmtpbench.py (python3 stdlib only).
#
# Tunables (environment):
#   CSIRTGW_BIN          daemon binary                       (build/csirtgw)
#   BENCH_MSGS           messages per workload               (5000)
#   BENCH_SESSIONS       parallel sessions                   (10)
#   BENCH_SIZE           payload octets per message          (4096)
#   BENCH_RCPT           recipient                           (cert@csirt.example)
#   BENCH_IDLE           idle connections for the RSS probe  (200)
#   BENCH_DRAIN_TIMEOUT  seconds to wait for the spool to drain (600)
#   BENCH_TMPDIR         where the temp state dir goes       ($TMPDIR or /tmp)
#   BENCH_QUIET_WAIT=S   first wait up to S s for the CPUs to be >=85% idle (0 = don't)
#   BENCH_KEEP=1         keep the temp dir (logs, state) after the run
#   BENCH_RESULTS=FILE   also copy the raw key=value results to FILE
#   PYTHON               python interpreter                  (/usr/bin/python3)
#   SMTP_SOURCE / SMTP_SINK  paths of the Postfix tools      (/usr/sbin/...)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=${PYTHON:-/usr/bin/python3}
HELPER="$HERE/lmtpbench.py"
SMTP_SOURCE=${SMTP_SOURCE:-/usr/sbin/smtp-source}
SMTP_SINK=${SMTP_SINK:-/usr/sbin/smtp-sink}

MSGS=${BENCH_MSGS:-5000}
SESSIONS=${BENCH_SESSIONS:-10}
SIZE=${BENCH_SIZE:-4096}
RCPT=${BENCH_RCPT:-cert@csirt.example}
IDLE=${BENCH_IDLE:-200}
DRAIN_TIMEOUT=${BENCH_DRAIN_TIMEOUT:-600}
SENDER=bench@sender.example
HELO=bench.example

BIN=${CSIRTGW_BIN:-build/csirtgw}
if [[ $BIN != /* ]]; then
    if [[ -x $BIN ]]; then BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
    else BIN=$ROOT/$BIN; fi
fi

die() { echo "bench: $*" >&2; exit 1; }
log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
now_ns() { date +%s%N; }

[[ -x $BIN ]] || die "csirtgw binary not found/executable: $BIN (set CSIRTGW_BIN)"
[[ -x $SMTP_SOURCE ]] || die "smtp-source not found ($SMTP_SOURCE); apt-get install postfix"
[[ -x $SMTP_SINK ]] || die "smtp-sink not found ($SMTP_SINK); apt-get install postfix"
[[ -x $PY ]] || die "python3 not found ($PY)"

T=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/csirtgw-bench.XXXXXX") || die "mktemp failed"
RES=$T/results.env
: >"$RES"
PIDS=()
GW_PID=""

BENCH_NAME=bench
AGENT_HOMES=("$T/state/gnupg")
. "$HERE/common.sh"
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bench_wait_quiet
put msgs "$MSGS"; put size "$SIZE"; put sessions "$SESSIONS"; put rcpt "$RCPT"
log "binary $BIN; temp $T"

SRC_ARGS=(-L -s "$SESSIONS" -l "$SIZE" -m "$MSGS" -f "$SENDER" -t "$RCPT" -M "$HELO")

# run_source PREFIX ADDR -> PREFIX_msgs, PREFIX_accept_s, PREFIX_rate, PREFIX_t0_ns
run_source() {
    local pre=$1 addr=$2 t0 t1 rc
    log "smtp-source ${SRC_ARGS[*]} $addr"
    t0=$(now_ns)
    timeout 900 "$SMTP_SOURCE" "${SRC_ARGS[@]}" "$addr" >"$T/$pre.source.out" 2>&1
    rc=$?
    t1=$(now_ns)
    put "${pre}_t0_ns" "$t0"
    put "${pre}_rc" "$rc"
    put "${pre}_msgs" "$MSGS"
    put "${pre}_accept_s" "$(calc "($t1-$t0)/1e9")"
    # a failed run has no meaningful rate: the table shows "-"
    [[ $rc -eq 0 ]] && put "${pre}_rate" "$(calc "$MSGS/(($t1-$t0)/1e9)" .1f)"
    if [[ $rc -ne 0 ]]; then
        note "smtp-source against $addr exited $rc: $(tail -n3 "$T/$pre.source.out" | tr '\n' ' ')"
    fi
    return $rc
}

# ------------------------------------------------------------------ 1. smtp-sink baseline
SINK_PORT=$("$PY" "$HELPER" freeport)
# -L: LMTP mode.  -u nobody: required when started as root.  -m 256: max
# simultaneous sessions (default).  Backlog 1024.
"$SMTP_SINK" -u nobody -L -m 256 "127.0.0.1:$SINK_PORT" 1024 >"$T/sink.out" 2>&1 &
SINK_PID=$!; PIDS+=("$SINK_PID")
"$PY" "$HELPER" wait-port "127.0.0.1:$SINK_PORT" 10 || die "smtp-sink did not start: $(cat "$T/sink.out")"
log "smtp-sink -L on 127.0.0.1:$SINK_PORT (pid $SINK_PID)"

# smtp-sink is fast and noisy on a small machine: three runs, the median counts.
SINK_RUNS=()
for i in 1 2 3; do
    run_source "sink_src$i" "127.0.0.1:$SINK_PORT" || die "smtp-source -> smtp-sink failed"
    SINK_RUNS+=("$(get "sink_src${i}_rate")")
done
put sink_src_runs "$(IFS=,; echo "${SINK_RUNS[*]}")"
put sink_src_rate "$(printf '%s\n' "${SINK_RUNS[@]}" | sort -g | sed -n 2p)"
log "smtp-sink: $(get sink_src_rate) msgs/s (median of ${SINK_RUNS[*]})"
log "latency client -> smtp-sink"
"$PY" "$HELPER" latency "127.0.0.1:$SINK_PORT" --sessions "$SESSIONS" --messages "$MSGS" \
    --size "$SIZE" --rcpt "$RCPT" --prefix sink_lat_ --raw "$T/sink_lat.raw" >>"$RES" 2>"$T/sink_lat.err" \
    || note "latency client -> smtp-sink reported errors: $(head -n3 "$T/sink_lat.err" | tr '\n' ' ')"
kill -TERM "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null

# ------------------------------------------------------------------ 2. start csirtgw
STATE=$T/state
mkdir -p "$STATE"
start_gateway
put gw_startup_s "$(calc "($(now_ns)-$t_start)/1e9")"
log "csirtgw ready: lmtp=$GW_ADDR (pid $GW_PID)"
sleep 0.5
"$PY" "$HELPER" proc "$GW_PID" --prefix gw_start_ >>"$RES"
"$PY" "$HELPER" sysstat --prefix sys0_ >>"$RES"

gw_alive() {
    kill -0 "$GW_PID" 2>/dev/null && return 0
    wait "$GW_PID" 2>/dev/null; local rc=$?
    echo "--- csirtgw stderr (tail)" >&2; tail -n 30 "$T/gw.stderr" >&2
    die "csirtgw (pid $GW_PID) died (exit $rc) during: $1"
}

# ------------------------------------------------------------------ 3. smtp-source -> csirtgw
EXPECTED=0
run_source gw_src "$GW_ADDR"; src_rc=$?
gw_alive "smtp-source run"
# smtp-source does not say how many it got accepted before it gave up: after a
# failure only wait for the spool to drain.
((src_rc == 0)) && EXPECTED=$((EXPECTED + MSGS))
log "accepted: $(get gw_src_rate) msgs/s; waiting for spool drain / $EXPECTED filed"
"$PY" "$HELPER" drain "$STATE" "$EXPECTED" "$(get gw_src_t0_ns)" "$DRAIN_TIMEOUT" >"$T/drain1.out"
drain_rc=$?
cat "$T/drain1.out" >>"$RES"
dns=$(sed -n 's/^drain_ns=//p' "$T/drain1.out")
put gw_src_filed_s "$(calc "$dns/1e9")"
((src_rc == 0)) || EXPECTED=$(sed -n 's/^filed_total=//p' "$T/drain1.out")
if [[ $drain_rc -eq 0 && $src_rc -eq 0 ]]; then
    put gw_src_filed_rate "$(calc "$MSGS/($dns/1e9)" .1f)"
elif [[ $drain_rc -eq 0 ]]; then
    :
else
    note "drain after smtp-source failed (spool not empty within ${DRAIN_TIMEOUT}s, or files missing from the Maildir): $(tr '\n' ' ' <"$T/drain1.out")"
fi
"$PY" "$HELPER" proc "$GW_PID" --prefix gw_after_src_ >>"$RES"
log "filed durably: $(get gw_src_filed_rate) msgs/s (last file at $(get gw_src_filed_s) s)"

# ------------------------------------------------------------------ 4. latency pass -> csirtgw
# Second pass: the latency client itself is the 10-session load (one
# transaction per connection, like smtp-source without -d).
log "latency client -> csirtgw"
t0=$(now_ns)
"$PY" "$HELPER" latency "$GW_ADDR" --sessions "$SESSIONS" --messages "$MSGS" --size "$SIZE" \
    --rcpt "$RCPT" --prefix gw_lat_ --raw "$T/gw_lat.raw" >>"$RES" 2>"$T/gw_lat.err" \
    || note "latency client -> csirtgw reported errors: $(head -n3 "$T/gw_lat.err" | tr '\n' ' ')"
gw_alive "latency pass"
EXPECTED=$((EXPECTED + $(get gw_lat_ok)))
"$PY" "$HELPER" drain "$STATE" "$EXPECTED" "$t0" "$DRAIN_TIMEOUT" >"$T/drain2.out"
drain_rc=$?
cat "$T/drain2.out" >>"$RES"
dns=$(sed -n 's/^drain_ns=//p' "$T/drain2.out")
if [[ $drain_rc -eq 0 ]]; then
    put gw_lat_filed_rate "$(calc "$(get gw_lat_ok)/($dns/1e9)" .1f)"
else
    note "drain after latency pass failed (spool not empty within ${DRAIN_TIMEOUT}s, or files missing from the Maildir): $(tr '\n' ' ' <"$T/drain2.out")"
fi
put expected_total "$EXPECTED"
log "latency: p50 $(get gw_lat_p50_ms) ms p99 $(get gw_lat_p99_ms) ms; $(get gw_lat_rate) msgs/s"

# ------------------------------------------------------------------ 5. idle connections
log "opening $IDLE idle LMTP connections (LHLO, then idle)"
"$PY" "$HELPER" idle "$GW_ADDR" --pid "$GW_PID" --count "$IDLE" --prefix idle_ >>"$RES" 2>"$T/idle.err" \
    || note "idle probe: open=$(get idle_open)/$IDLE failed=$(get idle_failed) dropped=$(get idle_dropped): $(head -n3 "$T/idle.err" | tr '\n' ' ')"
[[ $(get idle_served_while_idle) == 1 ]] || note "csirtgw did not greet a new connection while $IDLE idle connections were open"
gw_alive "idle-connection probe"

# ------------------------------------------------------------------ 6. final numbers, shutdown
"$PY" "$HELPER" proc "$GW_PID" --prefix gw_final_ >>"$RES"
"$PY" "$HELPER" sysstat --prefix sys1_ >>"$RES"
log "SIGTERM csirtgw"
t0=$(now_ns)
kill -TERM "$GW_PID"
gw_exit=timeout
for _ in $(seq 300); do
    if ! kill -0 "$GW_PID" 2>/dev/null; then wait "$GW_PID"; gw_exit=$?; break; fi
    sleep 0.1
done
put gw_stop_s "$(calc "($(now_ns)-$t0)/1e9")"
put gw_exit "$gw_exit"
[[ $gw_exit == 0 ]] || note "csirtgw exit status after SIGTERM: $gw_exit (contract: 0)"

audit=$("$BIN" audit verify --state-dir "$STATE" 2>&1 | head -n1)
put audit "${audit:-<no output>}"
[[ $audit == intact:* ]] || note "audit verify: $audit"

# sanity: everything filed exactly once?
filed=$(get filed_total)
[[ ${filed:-0} -eq $EXPECTED ]] || note "Maildir holds ${filed:-?} messages, expected $EXPECTED"
errs=$(grep -ciE '\b(error|critical)\b' "$T/gw.stderr")
[[ $errs -eq 0 ]] || note "$errs error/critical lines in csirtgw stderr, e.g.: $(grep -iE '\b(error|critical)\b' "$T/gw.stderr" | head -n2 | tr '\n' ' ')"

if ((${#NOTES[@]})); then put notes "$(printf '%s | ' "${NOTES[@]}" | tr '\n' ' ')"; fi
[[ -n ${BENCH_RESULTS:-} ]] && cp "$RES" "$BENCH_RESULTS"
"$PY" "$HELPER" report "$RES"
# non-zero when something was off-contract (see NOTES); the temp dir is kept then
((${#NOTES[@]} == 0)) || exit 2

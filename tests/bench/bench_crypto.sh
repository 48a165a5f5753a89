#!/usr/bin/env bash
# csirtgw encrypted-workload benchmark: signed+encrypted 4 KB PGP/MIME reports
# end to end, each acknowledged (signed and encrypted to the reporter, sent to
# an smtp-sink as the smarthost), against a plain GPGME loop doing the same gpg
# work (decrypt+verify, then sign+encrypt the ack) on the same keys and
# ciphertexts in the same run; and the loop without the ack, for the ack's
# share of the cost. BENCH_ROUNDS rounds, each the end-to-end delivery and
# the loop right next to it, odd rounds delivering first and even rounds
# running the loop first: on a shared machine the speed drifts by tens of
# percent within minutes, so each round's ratio compares neighbours in time,
# a drift favours neither side, and the table shows the medians.  See
# tests/bench/README.md.
#
#   CSIRTGW_BIN=build/csirtgw GPGME_LOOP_BIN=build/csirtgw-gpgme-loop \
#       tests/bench/bench_crypto.sh [ed25519|rsa3072]
#
# Builds nothing.  Tunables (environment):
#   BENCH_ALGO           ed25519 | rsa3072 (or the first argument)   (ed25519)
#   CSIRTGW_BIN          daemon binary                       (build/csirtgw)
#   GPGME_LOOP_BIN       the ceiling tool                    (next to CSIRTGW_BIN: csirtgw-gpgme-loop)
#   BENCH_PGP_MSGS       distinct messages, each sent once   (300)
#   BENCH_SESSIONS       parallel LMTP sessions              (10)
#   BENCH_SIZE           octets of the signed+encrypted inner entity (4096)
#   BENCH_THREADS        worker.threads of the daemon = threads of the loop (nproc)
#   BENCH_LOOP_SECONDS   timed phase of the GPGME loop       (15)
#   BENCH_ROUNDS         rounds of (end to end, loop), every other one in the other order (4)
#   BENCH_DRAIN_TIMEOUT  seconds to wait for everything to be filed (600)
#   BENCH_TMPDIR, BENCH_KEEP=1, BENCH_RESULTS=FILE, BENCH_QUIET_WAIT=S, PYTHON  as in bench.sh
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=${PYTHON:-/usr/bin/python3}
HELPER="$HERE/lmtpbench.py"
PGP="$HERE/pgpbench.py"

ALGO=${1:-${BENCH_ALGO:-ed25519}}
MSGS=${BENCH_PGP_MSGS:-300}
SESSIONS=${BENCH_SESSIONS:-10}
SIZE=${BENCH_SIZE:-4096}
THREADS=${BENCH_THREADS:-$(nproc)}
LOOP_SECONDS=${BENCH_LOOP_SECONDS:-15}
ROUNDS=${BENCH_ROUNDS:-4}
DRAIN_TIMEOUT=${BENCH_DRAIN_TIMEOUT:-600}
RCPT=cert@csirt.example
REPORTER=reporter@reporter.example

die() { echo "bench_crypto: $*" >&2; exit 1; }
log() { printf '[bench_crypto %s %(%H:%M:%S)T] %s\n' "$ALGO" -1 "$*" >&2; }
now_ns() { date +%s%N; }

case $ALGO in ed25519|rsa3072) ;; *) die "algorithm must be ed25519 or rsa3072, not '$ALGO'";; esac

abspath() {  # relative paths are tried from the cwd, then from the repo root
    local b=$1
    if [[ $b != /* ]]; then
        if [[ -x $b ]]; then b=$(cd "$(dirname "$b")" && pwd)/$(basename "$b"); else b=$ROOT/$b; fi
    fi
    echo "$b"
}
BIN=$(abspath "${CSIRTGW_BIN:-build/csirtgw}")
LOOP=$(abspath "${GPGME_LOOP_BIN:-$(dirname "$BIN")/csirtgw-gpgme-loop}")
[[ -x $BIN ]] || die "csirtgw binary not found/executable: $BIN (set CSIRTGW_BIN)"
[[ -x $LOOP ]] || die "csirtgw-gpgme-loop not found/executable: $LOOP (set GPGME_LOOP_BIN; see tests/bench/README.md)"
[[ -x $PY ]] || die "python3 not found ($PY)"
command -v gpg >/dev/null && command -v gpgconf >/dev/null || die "gpg / gpgconf not found"

T=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/csirtgw-bench-crypto.XXXXXX") || die "mktemp failed"
RES=$T/results.env
: >"$RES"
PIDS=()
GW_PID=""
STATE=$T/state
AGENT_HOMES=("$T/reporter" "$T/teamgen" "$STATE/gnupg" "$T/loop-gnupg")
SMTP_SINK=${SMTP_SINK:-/usr/sbin/smtp-sink}
[[ -x $SMTP_SINK ]] || die "smtp-sink not found ($SMTP_SINK); apt-get install postfix"

BENCH_NAME=bench_crypto

. "$HERE/common.sh"
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bench_wait_quiet
put algo "$ALGO"; put msgs "$MSGS"; put size "$SIZE"; put sessions "$SESSIONS"; put threads "$THREADS"
put loop_seconds "$LOOP_SECONDS"; put rounds "$ROUNDS"
log "binary $BIN; loop $LOOP; temp $T"

# ------------------------------------------------------------------ 1. keys
mkdir -p "$STATE"
CFG=$T/csirtgw.toml
TEAM_FPR=""
if [[ $ALGO == rsa3072 ]]; then
    log "generating an RSA-3072 team key (sign,cert + encr subkey) and importing it with keys import --secret"
    TEAM_FPR=$("$PY" "$PGP" genkey "$T/teamgen" rsa3072 "Example CERT <$RCPT>" --encr-subkey \
        --export-secret "$T/team.sec") || die "team key generation failed"
    gpgconf --homedir "$T/teamgen" --kill gpg-agent 2>/dev/null
    "$BIN" keys import --secret "$T/team.sec" --state-dir "$STATE" >"$T/import-team.out" 2>&1 \
        || die "keys import --secret failed: $(cat "$T/import-team.out")"
fi
# The smarthost for the acknowledgements: an smtp-sink (what it costs to send
# them is csirtgw's, not the sink's).
SINK_PORT=$("$PY" "$HELPER" freeport)
"$SMTP_SINK" -u nobody "127.0.0.1:$SINK_PORT" 256 >"$T/sink.out" 2>&1 &
PIDS+=("$!")
"$PY" "$HELPER" wait-port "127.0.0.1:$SINK_PORT" 10 || die "smtp-sink did not start: $(cat "$T/sink.out")"
{
    echo "[team]"
    echo "key = \"$TEAM_FPR\""
    echo "[worker]"
    echo "threads = $THREADS"
    echo "[outbound]"
    echo "smarthost = \"127.0.0.1:$SINK_PORT\""
    echo "[ack]"
    echo "rate_limit = 0    # one reporter sends every message: acknowledge each"
    echo "domain_rate_limit = 0"
    echo "global_rate_limit = 0"
} >"$CFG"
"$BIN" check-config --config "$CFG" >"$T/check-config.out" 2>&1 || die "check-config: $(cat "$T/check-config.out")"
# For ed25519 this generates the team key exactly as the daemon's first start does.
"$BIN" keys export-team --config "$CFG" --state-dir "$STATE" >"$T/team.pub" 2>"$T/export-team.err" \
    || die "keys export-team failed: $(cat "$T/export-team.err")"
[[ -n $TEAM_FPR ]] || TEAM_FPR=$(gpg --batch --with-colons --import-options show-only --import "$T/team.pub" 2>/dev/null \
    | awk -F: '$1=="fpr"{print $10; exit}')
[[ -n $TEAM_FPR ]] || die "cannot read the team key's fingerprint"
put team_fpr "$TEAM_FPR"
put team_algo "$(gpg --batch --with-colons --import-options show-only --import "$T/team.pub" 2>/dev/null \
    | awk -F: '$1=="pub"||$1=="sub"{printf "%s%s/%s", s, $4, ($17!=""?$17:$3); s=","}')"

log "generating the reporter's $ALGO key"
REP_FPR=$("$PY" "$PGP" genkey "$T/reporter" "$ALGO" "Bench Reporter <$REPORTER>" --encr-subkey \
    --export-public "$T/reporter.pub") \
    || die "reporter key generation failed"
put reporter_fpr "$REP_FPR"
gpg --homedir "$T/reporter" --batch --quiet --import "$T/team.pub" 2>"$T/import-team-pub.err" \
    || die "importing the team key into the reporter's keyring: $(cat "$T/import-team-pub.err")"
"$BIN" keys import "$T/reporter.pub" --email "$REPORTER" --config "$CFG" --state-dir "$STATE" >"$T/import-rep.out" 2>&1 \
    || die "keys import (reporter) failed: $(cat "$T/import-rep.out")"
log "team $TEAM_FPR ($(get team_algo)); reporter $REP_FPR"

# ------------------------------------------------------------------ 2. messages
log "generating $MSGS signed+encrypted PGP/MIME messages (${SIZE} B inner text/plain)"
"$PY" "$PGP" messages "$T/reporter" "$REP_FPR" "$TEAM_FPR" "$T/corpus" --count "$MSGS" --size "$SIZE" \
    >>"$RES" 2>"$T/gen.err" || die "message generation failed: $(tail -n3 "$T/gen.err")"
gpgconf --homedir "$T/reporter" --kill gpg-agent 2>/dev/null
log "messages: $(get gen_msg_bytes_avg) B avg on the wire, ciphertext $(get gen_ct_bytes_avg) B avg ($(get gen_s) s)"

# The loop's home: a copy of the daemon's GnuPG home (keys, trustdb, gpg.conf)
# without the agent's sockets, so that the loop starts and uses its own agent.
cp -a "$STATE/gnupg" "$T/loop-gnupg"
find "$T/loop-gnupg" -maxdepth 1 -name 'S.*' -delete

# ------------------------------------------------------------------ 3. start csirtgw
start_gateway --config "$CFG"
served_fpr=$(sed -n 's/^team-key //p' "$GW_OUT")
[[ ${served_fpr^^} == "${TEAM_FPR^^}" ]] || note "daemon's team-key $served_fpr is not the expected $TEAM_FPR"
put gw_startup_s "$(calc "($(now_ns)-$t_start)/1e9")"
log "csirtgw ready: lmtp=$GW_ADDR (pid $GW_PID)"
sleep 0.5
"$PY" "$HELPER" proc "$GW_PID" --prefix gw_start_ >>"$RES"
# the agent serving the daemon's GNUPGHOME (started by the keys commands, or
# by the first decryption): its CPU counts as the daemon's crypto work
AGENT_PID=$("$PY" "$PGP" agent-pid "$STATE/gnupg")
if [[ -n $AGENT_PID ]]; then "$PY" "$HELPER" proc "$AGENT_PID" --prefix agent_start_ >>"$RES"; fi
"$PY" "$HELPER" sysstat --prefix sys0_ >>"$RES"

gw_alive() {
    kill -0 "$GW_PID" 2>/dev/null && return 0
    wait "$GW_PID" 2>/dev/null; local rc=$?
    echo "--- csirtgw stderr (tail)" >&2; tail -n 30 "$T/gw.stderr" >&2
    die "csirtgw (pid $GW_PID) died (exit $rc) during: $1"
}

# ------------------------------------------------------------------ 4. rounds: deliver and drain, then the loop
run_loop() {  # prefix [loop options...]: the ceiling, on the same ciphertexts
    local prefix=$1; shift
    "$LOOP" --homedir "$T/loop-gnupg" --threads "$THREADS" --seconds "$LOOP_SECONDS" --prefix "$prefix" \
        "$@" "$T"/corpus/ct/*.asc >>"$RES" 2>"$T/$prefix.err" \
        || note "gpgme loop ($prefix) reported errors: $(tail -n3 "$T/$prefix.err" | tr '\n' ' ')"
}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
TOTAL=0
E2E_RATES=(); LOOP_RATES=(); RATIOS=(); DETAIL=""
e2e_phase() {  # round: deliver MSGS, wait until all are filed; sets E2E (empty on failure)
    local round=$1 ep=$2
    E2E=""
    log "round $round/$ROUNDS: delivering $MSGS messages over LMTP, $SESSIONS sessions (one transaction per connection)"
    ((round == 1)) || "$PY" "$HELPER" sysstat --prefix "${ep}sys0_" >>"$RES"
    t0=$(now_ns)
    "$PY" "$HELPER" latency "$GW_ADDR" --sessions "$SESSIONS" --files "$T/corpus/msg" --rcpt "$RCPT" \
        --sender "$REPORTER" --id-tag "round$round" --prefix "$ep" --raw "$T/${ep}lat.raw" >>"$RES" \
        2>"$T/${ep}lat.err" \
        || note "latency client -> csirtgw reported errors: $(head -n3 "$T/${ep}lat.err" | tr '\n' ' ')"
    gw_alive "delivery"
    OK=$(get "${ep}ok")
    TOTAL=$((TOTAL + ${OK:-0}))
    log "accepted: $(get "${ep}rate") msgs/s, 250 p50 $(get "${ep}p50_ms") ms p99 $(get "${ep}p99_ms") ms; waiting until $TOTAL are filed"
    # The drain helper counts only queues/incoming: quarantined messages show up as missing.
    # It polls every 20 ms: a resolution of 0.2% on a 10 s run, and (unlike 5 ms)
    # it takes next to no CPU from the daemon it measures.
    "$PY" "$HELPER" drain "$STATE" "$TOTAL" "$t0" "$DRAIN_TIMEOUT" --poll 0.02 >"$T/drain$round.out"
    local drain_rc=$?
    sed "s/^/${ep}/" "$T/drain$round.out" >>"$RES"
    local dns
    dns=$(sed -n 's/^drain_ns=//p' "$T/drain$round.out")
    put "${ep}filed_s" "$(calc "$dns/1e9")"
    if [[ $drain_rc -ne 0 ]]; then
        note "round $round: drain failed (spool not empty within ${DRAIN_TIMEOUT}s, or messages missing from queues/incoming): $(tr '\n' ' ' <"$T/drain$round.out")"
        return
    fi
    E2E=$(calc "$OK/($dns/1e9)" .1f)
    put "${ep}filed_rate" "$E2E"
    ((round == 1)) && "$PY" "$HELPER" sysstat --prefix sys1_ >>"$RES"
    log "round $round: filed $E2E msgs/s end to end"
}
loop_phase() {  # round: the ceiling; sets CEIL (empty on failure)
    local round=$1 lp=$2
    log "round $round: csirtgw-gpgme-loop --threads $THREADS --seconds $LOOP_SECONDS, with the ack"
    "$PY" "$HELPER" sysstat --prefix "${lp}sys2_" >>"$RES"
    run_loop "$lp" --ack-signer "$TEAM_FPR" --ack-recipient "$REP_FPR"
    "$PY" "$HELPER" sysstat --prefix "${lp}sys3_" >>"$RES"
    CEIL=$(get "${lp}rate")
    log "round $round: loop $CEIL msgs/s"
}
for ((round = 1; round <= ROUNDS; round++)); do
    # Round 1 keeps the plain e2e_/loop_ prefixes (latency percentiles, CPU details).
    if ((round == 1)); then ep=e2e_; lp=loop_; else ep=e2e${round}_; lp=loop${round}_; fi
    # Odd rounds deliver first, even rounds run the loop first (A B, B A, ...):
    # a machine that slows down or speeds up over the run favours neither side.
    if ((round % 2)); then
        e2e_phase "$round" "$ep"; [[ -n $E2E ]] || break
        loop_phase "$round" "$lp"; [[ -n $CEIL ]] || break
    else
        loop_phase "$round" "$lp"; [[ -n $CEIL ]] || break
        e2e_phase "$round" "$ep"; [[ -n $E2E ]] || break
    fi
    ratio=$(calc "$E2E/$CEIL")
    log "round $round: end to end / loop = $ratio"
    E2E_RATES+=("$E2E"); LOOP_RATES+=("$CEIL"); RATIOS+=("$ratio")
    DETAIL+="${DETAIL:+, }$E2E/$CEIL=$ratio"
done
put e2e_total_ok "$TOTAL"
if ((${#RATIOS[@]} == ROUNDS)); then
    put e2e_filed_rate "$(calc "$(median "${E2E_RATES[@]}")" .1f)"
    put loop_rate "$(calc "$(median "${LOOP_RATES[@]}")" .1f)"
    put ratio "$(calc "$(median "${RATIOS[@]}")")"
    put rounds_detail "$DETAIL"
fi
# the round-1 loop's machine figures under the names the report reads
for k in cpu_total_s cpu_idle_s loadavg1 forks ctxt; do
    put "sys2_$k" "$(get "loop_sys2_$k")"; put "sys3_$k" "$(get "loop_sys3_$k")"
done
# Every report's acknowledgement was composed (signed+encrypted) before it was
# filed; sending them to the sink runs on its own thread and may trail a little.
"$PY" - "$STATE/csirtgw.db" "$TOTAL" >>"$RES" <<'PYEOF' || note "not every acknowledgement was sent: $(get acks_state)"
import sqlite3, sys, time
db, want = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 120
while True:
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = dict(c.execute("SELECT state, count(*) FROM outbound GROUP BY state").fetchall())
    enc = c.execute("SELECT count(*) FROM outbound WHERE encrypted = 1").fetchone()[0]
    c.close()
    if rows.get("sent", 0) >= want or time.time() > deadline:
        break
    time.sleep(0.2)
print(f"acks_sent={rows.get('sent', 0)}\nacks_encrypted={enc}\nacks_state={rows}")
sys.exit(0 if rows.get("sent", 0) >= want and enc >= want else 1)
PYEOF
log "acknowledgements: $(get acks_sent) sent, $(get acks_encrypted) encrypted"
"$PY" "$HELPER" proc "$GW_PID" --prefix gw_final_ >>"$RES"
[[ -n $AGENT_PID ]] || AGENT_PID=$("$PY" "$PGP" agent-pid "$STATE/gnupg")
if [[ -n $AGENT_PID ]]; then "$PY" "$HELPER" proc "$AGENT_PID" --prefix agent_ >>"$RES"; fi
"$PY" "$PGP" check-filed "$STATE" "$TOTAL" >>"$RES" \
    || note "not every message filed as incoming/decrypted/good/verified: $(get filed_outcomes) $(get filed_reasons)"
log "filed: $(get e2e_filed_rate) msgs/s end to end (median of $ROUNDS rounds); outcomes: $(get filed_outcomes)"

# ------------------------------------------------------------------ 5. stop csirtgw
log "SIGTERM csirtgw"
kill -TERM "$GW_PID"
gw_exit=timeout
for _ in $(seq 300); do
    if ! kill -0 "$GW_PID" 2>/dev/null; then wait "$GW_PID"; gw_exit=$?; break; fi
    sleep 0.1
done
put gw_exit "$gw_exit"
[[ $gw_exit == 0 ]] || note "csirtgw exit status after SIGTERM: $gw_exit (contract: 0)"
audit=$("$BIN" audit verify --state-dir "$STATE" 2>&1 | head -n1)
put audit "${audit:-<no output>}"
[[ $audit == intact:* ]] || note "audit verify: $audit"
errs=$(grep -ciE '\b(error|critical)\b' "$T/gw.stderr")
[[ $errs -eq 0 ]] || note "$errs error/critical lines in csirtgw stderr, e.g.: $(grep -iE '\b(error|critical)\b' "$T/gw.stderr" | head -n2 | tr '\n' ' ')"
gpgconf --homedir "$STATE/gnupg" --kill gpg-agent 2>/dev/null

# ------------------------------------------------------------------ 6. the loop without the ack
log "the loop without the ack (decrypt+verify only): the ack's share of the gpg work"
run_loop loopdv_
put ack_share "$(calc "1-$(get loop_rate)/$(get loopdv_rate)")"
LOOP_AGENT=$("$PY" "$PGP" agent-pid "$T/loop-gnupg")
if [[ -n $LOOP_AGENT ]]; then "$PY" "$HELPER" proc "$LOOP_AGENT" --prefix loopagent_ >>"$RES"; fi
loop_all=$(get loopdv_ok); loop_all=${loop_all:-0}
for ((round = 1; round <= ROUNDS; round++)); do
    if ((round == 1)); then lp=loop_; else lp=loop${round}_; fi
    n=$(get "${lp}ok")
    loop_all=$((loop_all + ${n:-0}))
done
put loop_all_ok "$loop_all"
gpgconf --homedir "$T/loop-gnupg" --kill gpg-agent 2>/dev/null
log "ceiling (median): $(get loop_rate) msgs/s with the ack, $(get loopdv_rate) without (ack share $(get ack_share)); end to end / ceiling = $(get ratio) (goal >= 0.9)"

if ((${#NOTES[@]})); then put notes "$(printf '%s | ' "${NOTES[@]}" | tr '\n' ' ')"; fi
[[ -n ${BENCH_RESULTS:-} ]] && cp "$RES" "$BENCH_RESULTS"
"$PY" "$HELPER" report-crypto "$RES"
((${#NOTES[@]} == 0)) || exit 2

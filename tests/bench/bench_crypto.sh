#!/usr/bin/env bash
# csirtgw encrypted-workload benchmark: signed+encrypted 4 KB PGP/MIME reports
# end to end, each acknowledged (signed and encrypted to the reporter, sent to
# an smtp-sink as the smarthost), against a plain GPGME loop doing the same gpg
# work (decrypt+verify, then sign+encrypt the ack) on the same keys and
# ciphertexts in the same run; and the loop without the ack, for the ack's
# share of the cost.  See tests/bench/README.md.
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
put loop_seconds "$LOOP_SECONDS"
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

# ------------------------------------------------------------------ 4. deliver, drain, check
log "delivering $MSGS messages over LMTP, $SESSIONS sessions (one transaction per connection)"
t0=$(now_ns)
put e2e_t0_ns "$t0"
"$PY" "$HELPER" latency "$GW_ADDR" --sessions "$SESSIONS" --files "$T/corpus/msg" --rcpt "$RCPT" --sender "$REPORTER" \
    --prefix e2e_ --raw "$T/e2e_lat.raw" >>"$RES" 2>"$T/e2e_lat.err" \
    || note "latency client -> csirtgw reported errors: $(head -n3 "$T/e2e_lat.err" | tr '\n' ' ')"
gw_alive "delivery"
OK=$(get e2e_ok)
log "accepted: $(get e2e_rate) msgs/s, 250 p50 $(get e2e_p50_ms) ms p99 $(get e2e_p99_ms) ms; waiting until $OK are filed"
# the drain helper counts only queues/incoming: quarantined messages show up as missing.
# It polls every 20 ms: a resolution of 0.2% on a 10 s run, and (unlike 5 ms)
# it takes next to no CPU from the daemon it measures.
"$PY" "$HELPER" drain "$STATE" "$OK" "$t0" "$DRAIN_TIMEOUT" --poll 0.02 >"$T/drain.out"
drain_rc=$?
cat "$T/drain.out" >>"$RES"
dns=$(sed -n 's/^drain_ns=//p' "$T/drain.out")
put e2e_filed_s "$(calc "$dns/1e9")"
if [[ $drain_rc -eq 0 ]]; then
    put e2e_filed_rate "$(calc "$OK/($dns/1e9)" .1f)"
else
    note "drain failed (spool not empty within ${DRAIN_TIMEOUT}s, or messages missing from queues/incoming): $(tr '\n' ' ' <"$T/drain.out")"
fi
# Every report's acknowledgement was composed (signed+encrypted) before it was
# filed; sending them to the sink runs on its own thread and may trail a little.
"$PY" - "$STATE/csirtgw.db" "$OK" >>"$RES" <<'PYEOF' || note "not every acknowledgement was sent: $(get acks_state)"
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
"$PY" "$HELPER" sysstat --prefix sys1_ >>"$RES"
[[ -n $AGENT_PID ]] || AGENT_PID=$("$PY" "$PGP" agent-pid "$STATE/gnupg")
if [[ -n $AGENT_PID ]]; then "$PY" "$HELPER" proc "$AGENT_PID" --prefix agent_ >>"$RES"; fi
"$PY" "$PGP" check-filed "$STATE" "$MSGS" >>"$RES" \
    || note "not every message filed as incoming/decrypted/good/verified: $(get filed_outcomes) $(get filed_reasons)"
log "filed: $(get e2e_filed_rate) msgs/s end to end (last at $(get e2e_filed_s) s); outcomes: $(get filed_outcomes)"

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

# ------------------------------------------------------------------ 6. the ceiling: plain GPGME loop
# A copy of the daemon's GNUPGHOME (keys, trustdb, gpg.conf) without its agent
# sockets, so the loop starts and uses its own agent.
cp -a "$STATE/gnupg" "$T/loop-gnupg"
find "$T/loop-gnupg" -maxdepth 1 -name 'S.*' -delete
log "csirtgw-gpgme-loop --threads $THREADS --seconds $LOOP_SECONDS on the same $MSGS ciphertexts, with the ack"
"$PY" "$HELPER" sysstat --prefix sys2_ >>"$RES"
put loop_t0_ns "$(now_ns)"
"$LOOP" --homedir "$T/loop-gnupg" --threads "$THREADS" --seconds "$LOOP_SECONDS" --prefix loop_ \
    --ack-signer "$TEAM_FPR" --ack-recipient "$REP_FPR" \
    "$T"/corpus/ct/*.asc >>"$RES" 2>"$T/loop.err" \
    || note "gpgme loop reported errors: $(tail -n3 "$T/loop.err" | tr '\n' ' ')"
put loop_t1_ns "$(now_ns)"
log "the same loop without the ack (decrypt+verify only): the ack's share of the gpg work"
"$LOOP" --homedir "$T/loop-gnupg" --threads "$THREADS" --seconds "$LOOP_SECONDS" --prefix loopdv_ \
    "$T"/corpus/ct/*.asc >>"$RES" 2>"$T/loopdv.err" \
    || note "gpgme loop (decrypt+verify) reported errors: $(tail -n3 "$T/loopdv.err" | tr '\n' ' ')"
put ack_share "$(calc "1-$(get loop_rate)/$(get loopdv_rate)")"
"$PY" "$HELPER" sysstat --prefix sys3_ >>"$RES"
LOOP_AGENT=$("$PY" "$PGP" agent-pid "$T/loop-gnupg")
if [[ -n $LOOP_AGENT ]]; then "$PY" "$HELPER" proc "$LOOP_AGENT" --prefix loopagent_ >>"$RES"; fi
gpgconf --homedir "$T/loop-gnupg" --kill gpg-agent 2>/dev/null
log "ceiling: $(get loop_rate) msgs/s with the ack, $(get loopdv_rate) without (ack share $(get ack_share))"

e2e=$(get e2e_filed_rate); ceil=$(get loop_rate)
if [[ -n $e2e && -n $ceil ]]; then
    put ratio "$(calc "$e2e/$ceil")"
    log "end to end / ceiling = $(get ratio) (goal >= 0.9)"
fi

if ((${#NOTES[@]})); then put notes "$(printf '%s | ' "${NOTES[@]}" | tr '\n' ' ')"; fi
[[ -n ${BENCH_RESULTS:-} ]] && cp "$RES" "$BENCH_RESULTS"
"$PY" "$HELPER" report-crypto "$RES"
((${#NOTES[@]} == 0)) || exit 2

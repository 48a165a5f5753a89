# Shared by bench.sh and bench_crypto.sh (sourced, not run): the results file
# helpers, stopping every process and gpg-agent a run started, and waiting for
# a quiet machine. Expects T (temp dir), RES (results file), PY, HELPER,
# BENCH_NAME, the arrays PIDS and AGENT_HOMES, and log().

bench_cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    for p in "${PIDS[@]}"; do
        if kill -0 "$p" 2>/dev/null; then
            kill -TERM "$p" 2>/dev/null
            for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$p" 2>/dev/null
        fi
        wait "$p" 2>/dev/null
    done
    # gpg starts one agent per GNUPGHOME that outlives its parent: stop exactly those.
    for h in "${AGENT_HOMES[@]}"; do
        [[ -d $h ]] && command -v gpgconf >/dev/null && gpgconf --homedir "$h" --kill gpg-agent 2>/dev/null
    done
    if [[ ${BENCH_KEEP:-0} == 1 || $rc -ne 0 ]]; then
        echo "$BENCH_NAME: temp dir kept: $T" >&2
    else
        rm -rf "$T"
    fi
    exit $rc
}

put() { echo "$1=$2" >>"$RES"; }
get() { sed -n "s/^$1=//p" "$RES" | tail -n1; }
NOTES=()
note() { NOTES+=("$*"); log "NOTE: $*"; }
# float helpers done in python to avoid bc/awk dependencies
calc() { "$PY" -c "print(format($1, '${2:-.3f}'))"; }

bench_wait_quiet() {
    "$PY" "$HELPER" sysstat --prefix sysinit_ >>"$RES"
    if ((${BENCH_QUIET_WAIT:-0} > 0)); then
        log "waiting up to ${BENCH_QUIET_WAIT}s for the CPUs to be >= 85% idle"
        "$PY" "$HELPER" wait-quiet --max-wait "$BENCH_QUIET_WAIT" >>"$RES" \
            || note "machine not quiet after ${BENCH_QUIET_WAIT}s (idle $(get quiet_idle)); figures are noisy"
    fi
}

# Starts `csirtgw serve` with the given extra arguments on an ephemeral LMTP
# port and waits for its `ready` line; sets GW_OUT, GW_PID, GW_ADDR, t_start.
start_gateway() {
    GW_OUT=$T/gw.stdout
    log "starting csirtgw serve $* --state-dir $STATE --lmtp 127.0.0.1:0 --smtp ''"
    t_start=$(now_ns)
    "$BIN" serve "$@" --state-dir "$STATE" --lmtp 127.0.0.1:0 --smtp "" >"$GW_OUT" 2>"$T/gw.stderr" &
    GW_PID=$!; PIDS+=("$GW_PID")
    GW_ADDR=""
    local line
    for _ in $(seq 600); do        # up to 60 s (first start generates the team key)
        if line=$(grep -m1 '^ready ' "$GW_OUT" 2>/dev/null); then
            GW_ADDR=$(sed -n 's/.*lmtp=\([^ ]*\).*/\1/p' <<<"$line")
            break
        fi
        kill -0 "$GW_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z $GW_ADDR || $GW_ADDR == off ]]; then
        echo "--- csirtgw stdout"; cat "$GW_OUT"; echo "--- csirtgw stderr (tail)"; tail -n 30 "$T/gw.stderr"
        die "csirtgw did not print a usable 'ready lmtp=...' line"
    fi
}

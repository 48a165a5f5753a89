#!/usr/bin/python3
"""Crash safety: SIGKILL the daemon at random moments (every 0.2-1.5 s) while 8
MTA-like clients deliver distinct messages over SMTP as fast as they can for
~15 s (at least 504 messages, at most 6000 per 15 s); afterwards every message is filed
exactly once, intact, the spool is empty and the audit chain verifies.
Clients never idle, so most kills land while transactions (and commits) are in
flight -- the window where a 250 may be lost although the message was stored.

A client treats anything but a 250 after DATA (connection refused/reset,
timeout, 4xx) as "not delivered" and retries the identical bytes, as an MTA
would.  A 5xx is a permanent failure and fails the test.

Environment knobs: CSIRTGW_CRASH_MESSAGES (minimum, default 504),
CSIRTGW_CRASH_MAX_MESSAGES (6000), CSIRTGW_CRASH_SECONDS (15),
CSIRTGW_CRASH_CLIENTS (8), CSIRTGW_CRASH_SEED (random).
Runs as any user (no root needed).
"""
import hashlib
import os
import random
import smtplib
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

N_MESSAGES = int(os.environ.get("CSIRTGW_CRASH_MESSAGES", "504"))
N_MAX_MESSAGES = int(os.environ.get("CSIRTGW_CRASH_MAX_MESSAGES", "6000"))
N_CLIENTS = int(os.environ.get("CSIRTGW_CRASH_CLIENTS", "8"))
SEED = int(os.environ.get("CSIRTGW_CRASH_SEED", str(random.randrange(1 << 30))))
SEND_SECONDS = float(os.environ.get("CSIRTGW_CRASH_SECONDS", "15"))  # keep sending this long
SEND_DEADLINE = 150.0        # all messages must have a 250 by then
MIN_KILLS = 5


class WorkSource:
    """Hands out new distinct messages until >= n_min were handed out and
    `seconds` have passed.  At most n_max messages are handed out over `seconds`
    (message i not before t0 + i*seconds/n_max), so a very fast daemon gets a
    steady stream instead of an early end.  Thread-safe."""

    def __init__(self, rng, n_min, n_max, seconds):
        self.rng, self.n_min, self.n_max, self.seconds = rng, n_min, n_max, seconds
        self.run = h.unique_token("crash")
        self.lock = threading.Lock()
        self.sent = {}
        self.t0 = None

    def next(self):
        with self.lock:
            if self.t0 is None:
                self.t0 = time.monotonic()
            i = len(self.sent)
            if i >= self.n_min and time.monotonic() - self.t0 >= self.seconds:
                return None
            tok = f"{self.run}-m{i:05d}"
            # varied size: some messages span several TCP segments / buffers
            filler = "".join(f"line {j} of {tok} {'x' * self.rng.randrange(0, 70)}\r\n"
                             for j in range(self.rng.choice((1, 3, 20, 200))))
            data = h.make_message(tok, body=f"crash body {tok}\r\n{filler}")
            self.sent[tok] = data
            not_before = self.t0 + i * self.seconds / self.n_max
        delay = not_before - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        return tok, data


class CrashSafety(unittest.TestCase):

    def setUp(self):
        self.state = h.mkdtemp("csirtgw-it-crash-")
        self.daemon = h.Daemon(self.state, lmtp=None).start()
        self.port = self.daemon.smtp_port
        self.assertTrue(self.port)
        self.rng = random.Random(SEED)
        print(f"crash test: seed={SEED} min_messages={N_MESSAGES} clients={N_CLIENTS} "
              f"state={self.state}", file=sys.stderr)

    def tearDown(self):
        self.daemon.cleanup()

    # ------------------------------------------------------------------
    def client(self, idx, src, acked, stats, stop, errors):
        conn = None
        rng = random.Random(SEED + idx)
        while True:
            item = src.next()
            if item is None:
                break
            tok, data = item
            attempts = 0
            while True:
                if stop.is_set():
                    return
                attempts += 1
                stage = "connect"
                try:
                    if conn is None:
                        conn = smtplib.SMTP("127.0.0.1", self.port, timeout=10,
                                            local_hostname=f"client{idx}.example.org")
                        code, msg = conn.ehlo()
                        if code != 250:
                            raise smtplib.SMTPResponseException(code, msg)
                    code, msg = conn.mail(h.SENDER)
                    if code != 250:
                        raise smtplib.SMTPResponseException(code, msg)
                    code, msg = conn.rcpt("cert@csirt.example")
                    if code != 250:
                        raise smtplib.SMTPResponseException(code, msg)
                    stage = "data"
                    code, msg = conn.data(data)
                    if code != 250:
                        raise smtplib.SMTPResponseException(code, msg)
                    with stats["lock"]:
                        acked[tok] = acked.get(tok, 0) + 1
                        if attempts > 1:
                            stats["retried_messages"] += 1
                    break
                except smtplib.SMTPResponseException as e:
                    code = e.smtp_code
                    if 500 <= code <= 599:
                        errors.append(f"{tok}: permanent {code} {e.smtp_error!r}")
                        stop.set()
                        return
                    with stats["lock"]:
                        stats["transient_4xx"] += 1
                    self._drop(conn)
                    conn = None
                except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError,
                        ConnectionError, socket.timeout, OSError) as e:
                    with stats["lock"]:
                        stats["conn_errors"] += 1
                        stats["last_conn_error"] = repr(e)
                        if stage == "data":
                            stats["lost_in_data"] += 1
                    self._drop(conn)
                    conn = None
                time.sleep(rng.uniform(0.05, 0.25))
        self._drop(conn)

    @staticmethod
    def _drop(conn):
        if conn is None:
            return
        try:
            conn.close()
        except Exception:
            pass

    def killer(self, done, stats, errors):
        key = self.daemon.team_key
        while not done.is_set():
            if done.wait(self.rng.uniform(0.2, 1.5)):
                break
            try:
                self.daemon.kill9()
                stats["kills"] += 1
                self.daemon.start()      # same ports, same state dir
                if self.daemon.team_key != key:
                    errors.append(f"team key changed across kill #{stats['kills']}: "
                                  f"{key} -> {self.daemon.team_key}")
            except Exception as e:       # a restart that fails is a finding
                errors.append(f"restart after kill #{stats['kills']} failed: {e}")
                done.set()
                return

    # ------------------------------------------------------------------
    def test_kill9_during_delivery(self):
        src = WorkSource(self.rng, N_MESSAGES, N_MAX_MESSAGES, SEND_SECONDS)
        sent = src.sent
        acked, errors = {}, []
        stats = {"lock": threading.Lock(), "kills": 0, "conn_errors": 0,
                 "transient_4xx": 0, "retried_messages": 0, "lost_in_data": 0, "last_conn_error": None}
        stop, done = threading.Event(), threading.Event()
        clients = [threading.Thread(target=self.client,
                                    args=(i, src, acked, stats, stop, errors),
                                    daemon=True) for i in range(N_CLIENTS)]
        killer = threading.Thread(target=self.killer, args=(done, stats, errors), daemon=True)
        t0 = time.monotonic()
        for t in clients:
            t.start()
        killer.start()
        for t in clients:
            t.join(max(0.1, SEND_DEADLINE - (time.monotonic() - t0)))
        timed_out = any(t.is_alive() for t in clients)
        stop.set()
        done.set()
        killer.join(60)
        for t in clients:
            t.join(15)
        elapsed = time.monotonic() - t0
        print(f"crash test: sending took {elapsed:.1f}s messages={len(sent)} kills={stats['kills']} "
              f"conn_errors={stats['conn_errors']} 4xx={stats['transient_4xx']} "
              f"retried={stats['retried_messages']} lost_during_data={stats['lost_in_data']} "
              f"last_err={stats['last_conn_error']}",
              file=sys.stderr)
        self.assertEqual(errors, [])
        self.assertFalse(timed_out, f"clients not done after {SEND_DEADLINE}s: "
                                    f"{len(acked)}/{len(sent)} acknowledged")
        self.assertGreaterEqual(len(sent), N_MESSAGES)
        self.assertEqual(sorted(acked), sorted(sent), "not every message got its 250")
        self.assertEqual(set(acked.values()), {1})
        self.assertGreaterEqual(stats["kills"], MIN_KILLS, "too few kills to mean anything")

        # ---- clean restart, drain, inspect ------------------------------
        if self.daemon.running():
            self.daemon.kill9()          # one last crash, then a clean start
        self.daemon.start()
        h.wait_spool_drained(self.state, timeout=90)
        filed = h.maildir_messages(self.state)
        by_tok = {}
        for m in filed:
            subj = m.subject
            tok = subj.rsplit(" ", 1)[-1] if subj else None
            by_tok.setdefault(tok, []).append(m)
        missing = [t for t in sent if t not in by_tok]
        dups = {t: [m.name for m in v] for t, v in by_tok.items() if len(v) > 1}
        strangers = [t for t in by_tok if t not in sent]
        self.assertEqual(missing, [], f"{len(missing)} acknowledged message(s) lost")
        self.assertEqual(dups, {}, f"{len(dups)} message(s) filed more than once")
        self.assertEqual(strangers, [], "unexpected files in the Maildir")
        self.assertEqual(len(filed), len(sent))
        # content intact (no torn files): filed bytes end with what was sent
        torn = [t for t, (m,) in by_tok.items()
                if not h.without_ticket_tag(m.raw).endswith(h.crlf_to_lf(sent[t]))
                or m.first_line != b"Return-Path: <reporter@example.org>"]
        self.assertEqual(torn, [], f"{len(torn)} filed message(s) differ from what was sent")
        self.assertTrue(all(m.subdir in ("new", "cur") for m in filed))
        sp = h.spool_files(self.state)
        self.assertEqual(sp, {"tmp": [], "ready": []})
        leftover_tmp = [n for q in h.queue_names(self.state)
                        for n in os.listdir(os.path.join(self.state, "queues", q, "tmp"))]
        if leftover_tmp:
            print(f"crash test: note: {len(leftover_tmp)} file(s) left in "
                  f"queues/*/tmp", file=sys.stderr)

        # ---- every filed message has its 'filed' audit event ------------
        rc = self.daemon.terminate()
        self.assertEqual(rc, 0, self.daemon.stderr_tail())
        rows = h.audit_rows(self.state)
        filed_ids = {r["spool_id"] for r in rows if r["event"] == "filed"}
        no_event = [m.name for m in filed if m.spool_id not in filed_ids]
        self.assertEqual(no_event, [], f"{len(no_event)} filed message(s) without a 'filed' event")
        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)
        m = h.INTACT_RE.search(cp.out)
        self.assertTrue(m, cp.out)
        self.assertEqual(int(m.group(1)), len(rows))
        digest = hashlib.sha256("".join(sorted(sent)).encode()).hexdigest()[:12]
        ndup = sum(1 for r in rows if r["event"] == "duplicate")
        print(f"crash test: OK {len(sent)} messages exactly once (set {digest}), "
              f"{stats['kills']} kills, {len(rows)} audit events, {ndup} 'duplicate' "
              f"(resends of mail committed before the crash)", file=sys.stderr)


class GracefulShutdown(unittest.TestCase):
    """SIGTERM while one client is in the middle of DATA and another is idle."""

    def test_sigterm_mid_data(self):
        state = h.mkdtemp("csirtgw-it-term-")
        with h.Daemon(state, lmtp=None) as d:
            tok = h.unique_token("halfdata")
            busy = h.RawSession(d.smtp_port, timeout=60)
            self.assertEqual(busy.reply().code, 220)
            self.assertEqual(busy.cmd("EHLO client.example.org").code, 250)
            self.assertEqual(busy.cmd(f"MAIL FROM:<{h.SENDER}>").code, 250)
            self.assertEqual(busy.cmd("RCPT TO:<cert@csirt.example>").code, 250)
            self.assertEqual(busy.cmd("DATA").code, 354)
            busy.send(h.make_message(tok)[:120])          # half a message, no end
            idle = h.RawSession(d.smtp_port, timeout=60)
            self.assertEqual(idle.reply().code, 220)
            t0 = time.monotonic()
            rc = d.terminate(timeout=60)
            took = time.monotonic() - t0
            self.assertEqual(rc, 0, d.stderr_tail())
            self.assertLess(took, 45, "shutdown waited for the idle/stalled sessions too long")
            for name, c in (("busy", busy), ("idle", idle)):
                try:
                    r = c.reply()
                    self.assertTrue(400 <= r.code <= 499, f"{name} session got {r} on shutdown")
                except (ConnectionError, OSError):
                    pass                                   # a plain close is fine too
                c.close()
            self.assertFalse(h.port_accepts(d.smtp_port), "still listening after exit")
            # nothing half-received survives as a message
            d.start()
            time.sleep(1.0)
            h.wait_spool_drained(state)
            self.assertEqual(h.messages_with(state, tok), [])
            self.assertEqual(d.terminate(), 0)
            cp = h.audit_verify(state)
            self.assertEqual(cp.returncode, 0, cp.out)


if __name__ == "__main__":
    h.main()

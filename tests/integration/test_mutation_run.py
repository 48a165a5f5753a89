#!/usr/bin/python3
"""Black-box mutation run (issue 14): no mail, however broken, stops the gateway.

One daemon, started once. The test suite's real mail (free text, team forms,
ARF, X-ARF YAML, XARF v4 JSON, the MIME seeds of tests/fuzz/corpus, and every
gpg- and sq-made OpenPGP message of openpgp_corpus.py: encrypted, signed,
signed+encrypted, and the attack rows) is mutated with seeded operators
(mutations.py: byte flips, invalid UTF-8, truncation also inside a multi-byte
character, splicing, duplicated and forged headers, deep MIME nesting, YAML
escapes such as "\\q", ~64 KiB YAML keys, JSON bodies with invalid bytes, re-
encoding) and delivered over LMTP and SMTP on several connections, together
with the fixed doors of issue 14 (the 140-octet JSON mail first). Then:

  * the daemon stayed up the whole run: the same pid, still running, and a
    new session still gets its greeting and a 250 to NOOP;
  * every message answered 250 is filed (routed or quarantined): as many
    `messages` rows in state 'filed' as 250s, none left 'spooled', none
    'lost', and as many files in queues/*/new|cur as filed rows, per queue;
  * in every filed copy, as a mail client reads it, each X-Csirtgw-* field
    appears once with one of csirtgw's own values (no message line extends
    or forges one);
  * `csirtgw audit verify` passes (and the daemon ends with exit 0 on SIGTERM).

The figures (messages built, sent, accepted, refused, filed per queue,
quarantined, seconds) are printed. When the daemon dies, the messages it had
not filed are named by their `X-Mutation: <n> <base> <ops>` line (and kept
under the log directory): they are what the per-message stage boundary must
catch.

Deterministic: one seed (CSIRTGW_MUTATION_SEED, default 14) picks every base
and operator; only the OpenPGP ciphertexts differ from run to run (keys and
session keys are made at test time). Bounded: CSIRTGW_MUTATION_COUNT messages
(default 5000), sending stops after CSIRTGW_MUTATION_SECONDS (default 120),
filing is waited for at most CSIRTGW_MUTATION_FILE_TIMEOUT (default 120).
CSIRTGW_MUTATION_ONLY=op,op restricts the operators and CSIRTGW_MUTATION_DOORS=0
leaves the fixed doors out (to hunt the doors one operator finds).
"""
import collections
import os
import re
import sqlite3
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import mutations as mu  # noqa: E402
import openpgp_corpus as pc  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED = int(os.environ.get("CSIRTGW_MUTATION_SEED", "14"))
COUNT = int(os.environ.get("CSIRTGW_MUTATION_COUNT", "5000"))
SEND_SECONDS = float(os.environ.get("CSIRTGW_MUTATION_SECONDS", "120"))
FILE_TIMEOUT = float(os.environ.get("CSIRTGW_MUTATION_FILE_TIMEOUT", "120"))
ONLY = {x for x in os.environ.get("CSIRTGW_MUTATION_ONLY", "").split(",") if x}
DOORS = os.environ.get("CSIRTGW_MUTATION_DOORS", "1") != "0"  # 0: leave the fixed doors out (hunting)
CONNECTIONS = 4  # two LMTP, two SMTP
INTAKES = ("cert@csirt.example", "abuse@csirt.example", "vuln@csirt.example")
# The compression bomb alone costs more gpg time than the rest of the run.
PGP_ROWS = (set(pc.FORMAT_ROWS) | set(pc.ATTACK_ROWS)) - {"compression_bomb"}


class Delivery:
    """One connection's worth of sending: LMTP or SMTP, reconnecting after a
    closed session; every outcome recorded by message index."""

    def __init__(self, daemon, lmtp, outcomes, deadline):
        self.daemon, self.lmtp, self.outcomes, self.deadline = daemon, lmtp, outcomes, deadline
        self.session = None

    def _open(self):
        port = self.daemon.lmtp_port if self.lmtp else self.daemon.smtp_port
        s = h.RawSession(port, timeout=60)
        if s.reply().code != 220 or s.cmd(("LHLO" if self.lmtp else "EHLO") + " mutator.example").code != 250:
            s.close()
            raise ConnectionError("no greeting")
        self.session = s

    def send(self, index, rcpt, raw):
        if time.monotonic() > self.deadline:
            self.outcomes[index] = "not sent (time)"
            return
        try:
            if self.session is None:
                self._open()
            s = self.session
            r = s.cmd("MAIL FROM:<mutator@example.org>")
            if r.code == 250:
                r = s.cmd(f"RCPT TO:<{rcpt}>")
            if r.code == 250:
                r = s.cmd("DATA")
                if r.code == 354:
                    s.send(mu.as_wire(raw) + b".\r\n")
                    r = s.reply()
                else:
                    s.cmd("RSET")
            else:
                s.cmd("RSET")
            self.outcomes[index] = r.code
            if r.code in (421, 521):
                self.close()
        except (OSError, ValueError, ConnectionError) as e:
            self.outcomes[index] = f"connection: {e}"
            self.close()

    def close(self):
        if self.session is not None:
            try:
                self.session.send("QUIT\r\n")
            except OSError:
                pass
            self.session.close()
            self.session = None


class MutationRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        t0 = time.monotonic()
        cls.figures = collections.OrderedDict()
        work = h.mkdtemp("csirtgw-it-mut-")
        cls.state = os.path.join(work, "state")
        keydir = os.path.join(work, "keys")
        os.makedirs(cls.state)
        os.makedirs(keydir)
        cls.daemon = h.Daemon(cls.state).start()
        cls.pid = cls.daemon.pid
        cls.keys = pc.make_keys(keydir)
        team_pub = h.run_cli("keys", "export-team", "--state-dir", cls.state).stdout
        for name, k, pub, email in cls.keys.registered():
            f = os.path.join(keydir, f"{name}.asc")
            with open(f, "wb") as fh:
                fh.write(pub)
            h.run_cli("keys", "import", f, "--email", email, "--state-dir", cls.state)
        cls.keys.import_team(team_pub)
        pgp_cases = pc.build_corpus(cls.keys, rows=PGP_ROWS)
        bases = mu.base_messages(ROOT, pgp_cases)
        # The doors, also inside PGP/MIME encryption (signed+encrypted by a registered reporter).
        doors = mu.door_messages() if DOORS else []
        rep = cls.keys["reporter"]
        for name, raw in list(doors):
            body = raw.split(b"\r\n\r\n", 1)[1]
            inner = b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
            if b"multipart" in raw.split(b"\r\n\r\n", 1)[0]:
                inner = raw[raw.lower().find(b"content-type"):]  # the whole MIME entity
            armored = rep.encrypt(inner, sign=True)
            doors.append((name + "-encrypted", pc.message(name, "door", pc.pgp_encrypted(armored),
                                                          from_=f"Reporter <{pc.REPORTER}>")))
        cls.messages = [(name, raw) for name, raw in doors] + mu.mutated_messages(SEED, COUNT, bases, ONLY)
        cls.figures["base messages"] = len(bases)
        cls.figures["fixed doors"] = len(doors)
        cls.figures["messages built"] = len(cls.messages)
        cls.figures["setup seconds"] = round(time.monotonic() - t0, 1)

        # Deliver: the doors first, in order on one connection, then the rest
        # spread over CONNECTIONS connections.
        t1 = time.monotonic()
        cls.outcomes = [None] * len(cls.messages)
        deadline = t1 + SEND_SECONDS
        first = Delivery(cls.daemon, True, cls.outcomes, deadline)
        for i, (_, raw) in enumerate(doors):
            first.send(i, INTAKES[i % 3], raw)
        first.close()
        rest = list(range(len(doors), len(cls.messages)))

        def run(k):
            d = Delivery(cls.daemon, k % 2 == 0, cls.outcomes, deadline)
            for i in rest[k::CONNECTIONS]:
                d.send(i, INTAKES[i % 3], cls.messages[i][1])
            d.close()
        threads = [threading.Thread(target=run, args=(k,)) for k in range(CONNECTIONS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        cls.figures["send seconds"] = round(time.monotonic() - t1, 1)
        cls.accepted = [i for i, o in enumerate(cls.outcomes) if o == 250]

        # Wait until every accepted message has left the spool (or the daemon died).
        t2 = time.monotonic()
        cls.filing_problem = None
        while True:
            counts = cls.states()
            if counts.get("spooled", 0) == 0 and sum(counts.values()) >= len(cls.accepted):
                break
            if not cls.daemon.running():
                cls.filing_problem = "the daemon is not running"
                break
            if time.monotonic() - t2 > FILE_TIMEOUT:
                cls.filing_problem = f"still spooled after {FILE_TIMEOUT:.0f}s: {counts}"
                break
            time.sleep(0.5)
        cls.figures["filing seconds"] = round(time.monotonic() - t2, 1)
        cls.still_running = cls.daemon.running()
        cls.unfiled = cls.unfiled_labels() if not cls.still_running or cls.filing_problem else []

    @classmethod
    def db(cls):
        return sqlite3.connect(f"file:{os.path.join(cls.state, 'csirtgw.db')}?mode=ro", uri=True, timeout=30)

    @classmethod
    def states(cls):
        con = cls.db()
        try:
            return dict(con.execute("SELECT state, COUNT(*) FROM messages GROUP BY state").fetchall())
        finally:
            con.close()

    @classmethod
    def unfiled_labels(cls):
        """The X-Mutation lines (or door names) of the messages still spooled,
        in arrival order (the first is the one the worker was on), copied to
        the log directory for replay."""
        keep = os.path.join(cls.daemon.log_dir, "unfiled")
        os.makedirs(keep, exist_ok=True)
        con = cls.db()
        try:
            spooled = [r[0] for r in con.execute("SELECT spool_id FROM messages WHERE state = 'spooled' ORDER BY seq")]
        finally:
            con.close()
        out = []
        for spool_id in spooled:
            try:
                with open(os.path.join(cls.state, "spool", "ready", spool_id), "rb") as f:
                    raw = f.read()
            except OSError as e:
                out.append(f"{spool_id}: {e}")
                continue
            with open(os.path.join(keep, spool_id), "wb") as f:
                f.write(raw)
            first = raw.split(b"\r\n", 1)[0]
            door = [n for n, m in cls.messages if mu.canonical(m) == raw]
            out.append(f"{spool_id} " + (first.decode("latin-1") if first.startswith(b"X-Mutation:") else
                                         (door[0] if door else f"(no label; {len(raw)} octets)")))
        return out

    @classmethod
    def tearDownClass(cls):
        try:
            cls.rc = cls.daemon.terminate() if cls.daemon.running() else cls.daemon.proc.returncode
            cls.verify = h.audit_verify(cls.state)
        finally:
            tail = cls.daemon.stderr_tail(30)
            cls.daemon.cleanup()
            for k in cls.keys.all():
                k.kill_agent()
        f = cls.figures
        f["sent"] = sum(1 for o in cls.outcomes if o != "not sent (time)")
        f["accepted (250)"] = len(cls.accepted)
        refused = collections.Counter(o for o in cls.outcomes if o not in (250, "not sent (time)"))
        f["refused"] = dict(refused)
        con = cls.db()
        try:
            f["filed per queue"] = dict(con.execute(
                "SELECT queue, COUNT(*) FROM messages WHERE state = 'filed' GROUP BY queue").fetchall())
        finally:
            con.close()
        f["quarantined"] = f["filed per queue"].get("quarantine", 0)
        f["states"] = cls.states()
        f["daemon exit"] = cls.rc
        f["audit verify"] = cls.verify.out.strip()
        print("\nmutation run (seed %d):" % SEED, file=sys.stderr)
        for k, v in f.items():
            print(f"  {k}: {v}", file=sys.stderr)
        if cls.unfiled:
            print(f"  not filed ({len(cls.unfiled)}, in arrival order; copies in "
                  f"{os.path.join(cls.daemon.log_dir, 'unfiled')}):", file=sys.stderr)
            for line in cls.unfiled[:25]:
                print(f"    {line}", file=sys.stderr)
        if not cls.still_running:
            print("  daemon stderr (tail):\n" + tail, file=sys.stderr)

    # ------------------------------------------------------------ checks
    def test_1_daemon_stayed_up(self):
        self.assertTrue(self.still_running, "the daemon died during the run; not filed: "
                        + "; ".join(self.unfiled[:10]))
        self.assertEqual(self.daemon.pid, self.pid, "the daemon was restarted")
        with h.RawSession(self.daemon.smtp_port, timeout=15) as s:
            self.assertEqual(s.reply().code, 220)
            self.assertEqual(s.cmd("NOOP").code, 250)

    def test_2_every_accepted_message_filed(self):
        self.assertGreater(len(self.accepted), len(self.messages) // 2, f"few accepted: {self.figures}")
        self.assertIsNone(self.filing_problem, "; ".join(self.unfiled[:10]))
        counts = self.states()
        self.assertEqual(counts.get("spooled", 0), 0)
        self.assertEqual(counts.get("lost", 0), 0)
        self.assertEqual(counts.get("filed", 0), len(self.accepted), counts)
        con = self.db()
        try:
            per_queue = dict(con.execute(
                "SELECT queue, COUNT(*) FROM messages WHERE state = 'filed' GROUP BY queue").fetchall())
        finally:
            con.close()
        on_disk = {q: len(h.maildir_messages(self.state, q)) for q in h.queue_names(self.state)}
        self.assertEqual({q: n for q, n in on_disk.items() if n}, per_queue)

    def test_3_no_connection_broke(self):
        # A refusal is an answer; a dropped connection is not (the daemon died or hung).
        broken = [(self.messages[i][0], o) for i, o in enumerate(self.outcomes) if isinstance(o, str)
                  and o.startswith("connection")]
        self.assertEqual(broken[:10], [])

    def test_4_status_fields_intact(self):
        """Whatever the message held, a mail client reading a filed copy sees
        each X-Csirtgw-* field once, with one of csirtgw's own values."""
        words = {"X-Csirtgw-Encryption": re.compile(r"none|decrypted|failed"),
                 "X-Csirtgw-Signature": re.compile(r"(none|good|bad|unknown-key|expired|revoked|partial)"
                                                   r"(; claimed-issuer=[0-9A-F]+ \([a-z-]+\))*(; \([0-9]+ more\))?"),
                 "X-Csirtgw-Sender-Verified": re.compile(r"yes(; address=\S+)?(; org=.*)?|no"),
                 "X-Csirtgw-Constituency": re.compile(r"yes|no"),
                 "X-Csirtgw-Priority": re.compile(r"[0-9]+"),
                 "X-Csirtgw-TLP": re.compile(r"CLEAR|GREEN|AMBER|AMBER\+STRICT|RED"),
                 "X-Csirtgw-Signer": re.compile(r"[0-9A-F]{40}"),
                 "X-Csirtgw-Ticket": re.compile(r"\[?[A-Z0-9-]+ #[0-9]+\]?")}
        bad = []
        for q in h.queue_names(self.state):
            for m in h.maildir_messages(self.state, q):
                queue = m.headers("X-Csirtgw-Queue")
                if queue != [q]:
                    bad.append(f"{q}/{m.name}: X-Csirtgw-Queue {queue}")
                for name, pattern in words.items():
                    values = m.headers(name)
                    if len(values) > 1 or any(not pattern.fullmatch(str(v).strip()) for v in values):
                        bad.append(f"{q}/{m.name}: {name} {values}")
        self.assertEqual(bad[:10], [], f"{len(bad)} filed copies with broken status fields")

    def test_9_audit_verifies(self):
        # After tearDownClass would be too late: verify on a copy of the state now.
        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertIn("intact:", cp.out)


if __name__ == "__main__":
    h.main()

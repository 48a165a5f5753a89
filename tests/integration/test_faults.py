#!/usr/bin/python3
"""Fault injection (issue 7): the environment fails, the daemon defers.

SECURITY.md: "Environment (disk full, gpg-agent gone, SQLite busy) -> defer:
4xx to the MTA, message stays spooled." Each class below starts its own daemon
on loopback port 0 with a temporary state directory.

SqliteLocked -- another process holds an exclusive lock on <state>/csirtgw.db
(BEGIN EXCLUSIVE from Python's sqlite3, for longer than the daemon's 5 s busy
timeout, daemon/store/sqlite_db.cpp):
  * test_intake_during_lock: deliveries while the lock is held get a 4xx --
    never a 250 (the `received` row cannot be committed), never a 5xx, never a
    hang past the client's timeout; the daemon keeps running; after the release
    the MTA's retries and new messages get 250, every 250'd message is filed
    exactly once, nothing is recorded as lost, and the audit chain verifies.
  * test_worker_during_lock: a batch is delivered and the lock taken right after
    the last 250 (up to 3 rounds). When the worker still had spooled messages
    then, they stay spooled while the lock is held, the worker logs that it will
    retry, and files them after the release; in every round every message is
    filed exactly once and the audit chain verifies. (The worker often keeps up
    with the intake, so whether a round catches it is timing.)

AgentKilled -- reports encrypted to the team key are delivered while every
gpg-agent whose home is under the state directory (<state>/gnupg and, with
openpgp.agents = 2, <state>/gnupg-shards/1) is SIGKILLed again and again:
  * every message is filed exactly once, with X-Csirtgw-Encryption: decrypted,
    outside the quarantine, with no `quarantined` audit event: losing the agent
    is an environment failure (retried; gpg starts a new agent), not the
    message's fault;
  * a message encrypted to another key (not the team key), delivered during the
    same kills, is still quarantined with encryption failed ("not encrypted to
    the team key");
  * the audit chain verifies.
  * test_openpgp_worker_killed_while_decrypting: the same, but what is killed
    again and again is the daemon's csirtgw-openpgp-worker children (GPGME runs
    in them): every report is still filed exactly once, decrypted, outside the
    quarantine (a request whose worker dies goes to a new worker; a second
    death defers the message, retried later), the daemon keeps running, new workers exist after the kills
    stop, and the audit chain verifies.

PoisonMessage -- a message on which the decrypting csirtgw-openpgp-worker dies
every time (simulated: the decryption workers are SIGKILLed every few ms while
it is the only message, as a gpg crash on that input would kill them): after
openpgp.worker_failures (3) attempts it is filed in the quarantine with
encryption failed and the reason, audited `quarantined` -- not deferred
forever, holding up the mail behind it; a message delivered after the kills
stop decrypts normally.

SIGKILL of the daemon itself under load is test_crash_safety.py's subject.
"""
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import openpgp_corpus as pc  # noqa: E402

CLIENT_TIMEOUT = 120.0         # what an MTA would wait for the reply to DATA (Postfix: 600 s)
FILE_TIMEOUT = 240.0           # generous: a loaded 2-core machine
# How long the OpenPGP workers are killed at most. A request whose worker dies
# twice defers the batch and the filing worker backs off (0.5 s, doubling, up
# to 60 s): while every new worker is killed within 0.4 s little is filed, and
# the first retry after the kills comes up to one more window later.
WORKER_KILL_WINDOW = 10.0
BUSY_TIMEOUT = 5.0             # sqlite3_busy_timeout in daemon/store/sqlite_db.cpp

# Holds BEGIN EXCLUSIVE on the database until a line (or EOF) arrives on stdin:
# a separate process, as a staff member's sqlite3 shell or a backup would be.
LOCKER = r"""
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=120, isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
con.execute("ROLLBACK")
con.close()
print("released", flush=True)
"""


class DatabaseLock:
    def __init__(self, state_dir):
        self.db = os.path.join(state_dir, "csirtgw.db")
        self.proc = None
        self.locked_at = None

    def acquire(self, timeout=120):
        self.proc = subprocess.Popen([sys.executable, "-c", LOCKER, self.db], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        h._register(self)
        line = self.proc.stdout.readline()
        if line.strip() != b"locked":
            self.cleanup()
            raise AssertionError(f"could not lock {self.db}: {line!r} {self.proc.stderr.read()!r}")
        self.locked_at = time.monotonic()
        return self

    def held_for(self):
        return time.monotonic() - self.locked_at

    def release(self):
        if self.proc and self.proc.poll() is None:
            self.proc.stdin.write(b"release\n")
            self.proc.stdin.flush()
            out = self.proc.stdout.readline()
            self.proc.wait(timeout=60)
            if out.strip() != b"released":
                raise AssertionError(f"lock holder: {out!r} {self.proc.stderr.read()!r}")
        self.cleanup()

    def cleanup(self):
        if self.proc:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                pipe.close()
        h._unregister(self)


def deliver(port, raw, timeout=CLIENT_TIMEOUT):
    """One SMTP transaction; returns (reply code after DATA or None, text, seconds).
    None: the connection failed or the reply did not come within `timeout`."""
    t0 = time.monotonic()
    try:
        with h.RawSession(port, timeout=timeout) as s:
            if s.reply().code != 220:
                return None, "no greeting", time.monotonic() - t0
            for cmd in ("EHLO client.example.org", f"MAIL FROM:<{h.SENDER}>", "RCPT TO:<cert@csirt.example>"):
                r = s.cmd(cmd)
                if r.code != 250:
                    return r.code, f"{cmd}: {r.text}", time.monotonic() - t0
            r = s.cmd("DATA")
            if r.code != 354:
                return r.code, f"DATA: {r.text}", time.monotonic() - t0
            s.send(raw + b"\r\n.\r\n")
            r = s.reply()
            try:
                s.cmd("QUIT")
            except (OSError, ValueError, ConnectionError):
                pass
            return r.code, r.text, time.monotonic() - t0
    except (OSError, ValueError, ConnectionError) as e:
        return None, repr(e), time.monotonic() - t0


def deliver_until_250(port, raw, deadline):
    """As an MTA does: retry after a 4xx or a broken connection until 250."""
    while True:
        code, text, _ = deliver(port, raw)
        if code == 250:
            return
        if code is not None and code >= 500:
            raise AssertionError(f"permanent failure {code} {text}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no 250 before the deadline; last {code} {text}")
        time.sleep(0.5)


def filed_once(testcase, state, tokens):
    filed = {t: h.messages_with(state, t) for t in tokens}
    testcase.assertEqual({t: len(v) for t, v in filed.items() if len(v) != 1}, {},
                         "messages filed other than exactly once")
    return {t: v[0] for t, v in filed.items()}


def wait_filed(state, tokens, timeout=FILE_TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        missing = [t for t in tokens if not h.messages_with(state, t)]
        if not missing:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(missing)} message(s) not filed after {timeout}s "
                                 f"(e.g. {missing[:3]}); spool={h.spool_files(state)}")
        time.sleep(0.2)
    h.wait_spool_drained(state, timeout=max(10.0, deadline - time.monotonic()))


def daemon_log(daemon):
    with open(daemon.log_path, "rb") as f:
        return f.read().decode("utf-8", "replace")


class SqliteLocked(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = h.mkdtemp("csirtgw-it-faults-db-")
        cls.state = os.path.join(cls.tmp, "state")
        cls.daemon = h.Daemon(cls.state).start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.cleanup()

    def tearDown(self):
        self.assertTrue(self.daemon.running(), "the daemon died:\n" + self.daemon.stderr_tail())

    def check_store(self):
        lost = h.audit_rows(self.state, "WHERE event = 'lost'")
        self.assertEqual(lost, [], "messages recorded as lost")
        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)

    def test_intake_during_lock(self):
        d = self.daemon
        warm = h.unique_token("db-warm")
        self.assertEqual(deliver(d.smtp_port, h.make_message(warm))[0], 250)
        h.wait_for_messages(self.state, warm, timeout=FILE_TIMEOUT)

        locked = [h.unique_token(f"db-locked{i}") for i in range(3)]
        results = {}
        lock = DatabaseLock(self.state).acquire()
        try:
            def client(tok):
                results[tok] = deliver(d.smtp_port, h.make_message(tok))
            threads = [threading.Thread(target=client, args=(t,)) for t in locked]
            for t in threads:
                t.start()
            for t in threads:
                t.join(CLIENT_TIMEOUT + 30)
            held = lock.held_for()
            self.assertTrue(d.running(), "the daemon died while the database was locked:\n" + d.stderr_tail())
        finally:
            lock.release()
        print(f"\nlocked intake: lock held {held:.1f} s; replies "
              + ", ".join(f"{c} after {s:.1f} s" for c, _, s in results.values()), file=sys.stderr)
        self.assertEqual(len(results), len(locked), "a client did not finish")
        for tok, (code, text, seconds) in results.items():
            self.assertIsNotNone(code, f"{tok}: no reply within {CLIENT_TIMEOUT}s: {text}")
            self.assertTrue(400 <= code <= 499, f"{tok}: {code} {text} while the database was locked")
            self.assertGreaterEqual(seconds, BUSY_TIMEOUT * 0.8, "answered before the busy timeout")
        # nothing was stored for them
        self.assertEqual([t for t in locked if h.messages_with(self.state, t)], [])

        # after the release: the MTA's retries and a new message get 250
        fresh = h.unique_token("db-after")
        deadline = time.monotonic() + CLIENT_TIMEOUT
        for tok in locked + [fresh]:
            deliver_until_250(d.smtp_port, h.make_message(tok), deadline)
        wait_filed(self.state, locked + [fresh])
        filed_once(self, self.state, locked + [fresh])
        self.check_store()

    def test_worker_during_lock(self):
        d = self.daemon
        caught = None
        for round_no in range(3):
            tokens = [h.unique_token(f"db-w{round_no}-{i}") for i in range(120)]
            errors = []

            def client(share):
                try:
                    deadline = time.monotonic() + CLIENT_TIMEOUT
                    for tok in share:
                        deliver_until_250(d.smtp_port, h.make_message(tok), deadline)
                except AssertionError as e:
                    errors.append(str(e))
            threads = [threading.Thread(target=client, args=(tokens[i::4],)) for i in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(CLIENT_TIMEOUT + 30)
            self.assertEqual(errors, [])
            lock = DatabaseLock(self.state).acquire()
            try:
                waiting = len(h.spool_files(self.state)["ready"])
                if waiting:
                    # Longer than the busy timeout, so the worker's transactions fail.
                    while lock.held_for() < 3 * BUSY_TIMEOUT:
                        self.assertTrue(d.running(), "the daemon died:\n" + d.stderr_tail())
                        time.sleep(0.2)
                    still = len(h.spool_files(self.state)["ready"])
            finally:
                lock.release()
            wait_filed(self.state, tokens)
            filed_once(self, self.state, tokens)
            if waiting:
                caught = (round_no, waiting, still)
                break
        if caught is None:
            # The worker kept up with the intake every time: nothing to defer,
            # and every message was still filed exactly once (checked above).
            print("\nlocked worker: the worker filed every batch before the lock was taken", file=sys.stderr)
            self.check_store()
            return
        round_no, waiting, still = caught
        print(f"\nlocked worker: round {round_no}: {waiting} message(s) spooled when the lock was taken, "
              f"{still} still spooled {3 * BUSY_TIMEOUT:.0f} s later", file=sys.stderr)
        # Nothing can be recorded as filed while the lock is held.
        self.assertGreater(still, 0)
        log = daemon_log(d)
        self.assertRegex(log, r"will retry|deferred|cannot read the spool index",
                         "the worker hit the lock but logged no retry")
        self.check_store()


# --------------------------------------------------------------------------
# gpg-agent killed mid-operation
# --------------------------------------------------------------------------
def agent_pids(root):
    """gpg-agent processes whose home directory is under `root` (read from
    their command line: gpg starts them with --homedir)."""
    root = os.path.realpath(root)
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
        except OSError:
            continue
        if not argv or os.path.basename(argv[0]) != "gpg-agent":
            continue
        if any(a.startswith(root + "/") or a == root for a in argv[1:]):
            pids.append(int(entry))
    return pids


def openpgp_worker_pids(daemon_pid):
    """Live csirtgw-openpgp-worker processes whose parent is `daemon_pid`
    (/proc/PID/comm is truncated to 15 characters: "csirtgw-openpgp").
    Zombies (killed, not yet reaped by the daemon) are left out."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm", "rb") as f:
                comm = f.read().decode("utf-8", "replace").strip()
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        if not comm.startswith("csirtgw-openpg"):
            continue
        # "pid (comm) state ppid ...": comm may hold spaces or parentheses
        fields = stat[stat.rfind(")") + 1:].split()
        if len(fields) < 2 or fields[0] in ("Z", "X") or int(fields[1]) != daemon_pid:
            continue
        pids.append(int(entry))
    return pids


class Killer:
    """SIGKILLs every process `find_pids()` names, again and again at random
    intervals of 0.05-0.4 s, on a thread of its own until stop()."""

    def __init__(self, find_pids):
        self.kills = []
        self._find_pids = find_pids
        self._stop = threading.Event()
        self._rng = random.Random()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            for pid in self._find_pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                    self.kills.append(pid)
                except ProcessLookupError:
                    pass
            self._stop.wait(self._rng.uniform(0.05, 0.4))

    def stop(self):
        self._stop.set()
        self._thread.join(10)


class EncryptedReports(unittest.TestCase):
    """A daemon on its own state directory with CONFIG, and a reporter whose
    keyring holds the team key (subclasses set TMP_PREFIX and CONFIG)."""
    TMP_PREFIX = "csirtgw-it-faults-"
    CONFIG = ""

    @classmethod
    def setUpClass(cls):
        cls.tmp = h.mkdtemp(cls.TMP_PREFIX)
        cls.state = os.path.join(cls.tmp, "state")
        keydir = os.path.join(cls.tmp, "keys")
        os.makedirs(keydir)
        config = os.path.join(cls.tmp, "csirtgw.toml")
        with open(config, "w") as f:
            f.write(cls.CONFIG)
        cls.daemon = h.Daemon(cls.state, extra_args=["--config", config]).start()
        cls.key = pc.GpgKey(keydir, "reporter", f"Reporter <{pc.REPORTER}>", "future-default", "default")
        cp = h.run_cli("keys", "export-team", "--state-dir", cls.state)
        assert cp.returncode == 0 and b"BEGIN PGP PUBLIC KEY BLOCK" in cp.stdout, cp.out
        cls.key.import_team(cp.stdout)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.cleanup()
        cls.key.kill_agent()
        # agents of the shards (the harness stops only <state>/gnupg's)
        for pid in agent_pids(cls.state):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def encrypted(self, token, to_team=True):
        text = pc.report_text(token, f"secret-{token}").encode()
        if to_team:
            armored = self.key.encrypt(text)
        else:  # to the reporter's own key only: the team cannot decrypt it
            armored = self.key.gpg("--armor", "--recipient", self.key.fpr, "--encrypt", data=text).stdout
        return pc.message(token, "faults", pc.pgp_encrypted(armored), from_=f"Reporter <{pc.REPORTER}>")


class AgentKilled(EncryptedReports):
    maxDiff = None
    N_MESSAGES = int(os.environ.get("CSIRTGW_FAULTS_PGP_MESSAGES", "40"))
    TMP_PREFIX = "csirtgw-it-faults-pgp-"
    # Random kills of every worker are the environment failing, not the
    # message: no message may be taken for a poison message here.
    CONFIG = "[openpgp]\nagents = 2\nworker_failures = 1000\n[worker]\nthreads = 2\nbatch = 8\n"

    def assert_decrypted(self, filed, tokens, why):
        """Every report decrypted, its plaintext filed, none quarantined."""
        wrong = {}
        for tok in tokens:
            fm = filed[tok]
            enc = (fm.header("X-Csirtgw-Encryption") or "").strip()
            queue = (fm.header("X-Csirtgw-Queue") or "").strip()
            if enc != "decrypted" or queue == "quarantine":
                wrong[tok] = (enc, queue, (fm.header("X-Csirtgw-Crypto-Reason") or "").strip())
            elif f"secret-{tok}".encode() not in fm.raw:
                wrong[tok] = ("plaintext missing", queue, "")
        self.assertEqual(wrong, {}, f"encrypted reports not decrypted because {why}")
        quarantined = h.audit_rows(self.state, "WHERE event = 'quarantined'")
        ids = {filed[t].spool_id for t in tokens}
        self.assertEqual([r for r in quarantined if r.get("spool_id") in ids], [])

    def test_agent_killed_while_decrypting(self):
        d = self.daemon
        good = [h.unique_token(f"agent{i}") for i in range(self.N_MESSAGES)]
        bad = h.unique_token("agent-undecryptable")
        messages = {t: self.encrypted(t) for t in good}
        messages[bad] = self.encrypted(bad, to_team=False)
        order = list(good)
        order.insert(len(order) // 2, bad)

        # one message first, so that the agents exist before the kills start
        deliver_until_250(d.smtp_port, messages[order[0]], time.monotonic() + CLIENT_TIMEOUT)
        wait_filed(self.state, order[:1])

        killer = Killer(lambda: agent_pids(self.state))
        try:
            deadline = time.monotonic() + CLIENT_TIMEOUT
            for tok in order[1:]:
                deliver_until_250(d.smtp_port, messages[tok], deadline)
            # keep killing until the worker has worked through most of them
            kill_until = time.monotonic() + FILE_TIMEOUT / 2
            while time.monotonic() < kill_until:
                if sum(1 for t in order if h.messages_with(self.state, t)) >= len(order) - 3:
                    break
                time.sleep(0.2)
        finally:
            killer.stop()
        wait_filed(self.state, order)
        self.assertTrue(d.running(), d.stderr_tail())

        filed = filed_once(self, self.state, order)
        deferrals = h.audit_rows(self.state, "WHERE event = 'deferred'")
        print(f"\nagent kills: {len(killer.kills)} gpg-agent(s) killed, {len(deferrals)} message(s) deferred "
              f"({', '.join(sorted({r['detail'][:60] for r in deferrals})[:3])})", file=sys.stderr)
        self.assertGreaterEqual(len(killer.kills), 3, "too few agents killed to mean anything")

        self.assert_decrypted(filed, good, "the agent was killed")

        fm = filed[bad]
        self.assertEqual((fm.header("X-Csirtgw-Queue") or "").strip(), "quarantine")
        self.assertEqual((fm.header("X-Csirtgw-Encryption") or "").strip(), "failed")
        self.assertIn("not encrypted to the team key", fm.header("X-Csirtgw-Crypto-Reason") or "")

        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)

    def test_openpgp_worker_killed_while_decrypting(self):
        d = self.daemon
        good = [h.unique_token(f"worker{i}") for i in range(self.N_MESSAGES)]
        messages = {t: self.encrypted(t) for t in good}

        # one message first, so that the workers exist before the kills start
        deliver_until_250(d.smtp_port, messages[good[0]], time.monotonic() + CLIENT_TIMEOUT)
        wait_filed(self.state, good[:1])
        before = openpgp_worker_pids(d.pid)
        self.assertNotEqual(before, [], "no csirtgw-openpgp-worker child of the daemon after a decryption")

        log_before = daemon_log(d)
        killer = Killer(lambda: openpgp_worker_pids(d.pid))
        try:
            deadline = time.monotonic() + CLIENT_TIMEOUT
            for tok in good[1:]:
                deliver_until_250(d.smtp_port, messages[tok], deadline)
            # keep killing until the pipeline has worked through most of them,
            # or for WORKER_KILL_WINDOW (see there)
            kill_until = time.monotonic() + WORKER_KILL_WINDOW
            while time.monotonic() < kill_until:
                if sum(1 for t in good if h.messages_with(self.state, t)) >= len(good) - 3:
                    break
                time.sleep(0.2)
        finally:
            killer.stop()
        wait_filed(self.state, good)
        self.assertTrue(d.running(), "the daemon died while its workers were killed:\n" + d.stderr_tail())

        filed = filed_once(self, self.state, good)
        ids = {filed[t].spool_id for t in good}
        # audited once per message; the log has every deferred batch
        deferrals = [r for r in h.audit_rows(self.state, "WHERE event = 'deferred'") if r.get("spool_id") in ids]
        retries = len(re.findall(r"deferred: .*OpenPGP worker", daemon_log(d)[len(log_before):]))
        print(f"\nworker kills: {len(killer.kills)} csirtgw-openpgp-worker(s) killed, {len(deferrals)} message(s) deferred "
              f"in {retries} batch(es) ({', '.join(sorted({r['detail'][:60] for r in deferrals})[:3])})",
              file=sys.stderr)
        self.assertGreaterEqual(len(killer.kills), 3, "too few workers killed to mean anything")

        self.assert_decrypted(filed, good, "the worker was killed")

        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)

        # the kills have stopped: the daemon spawns workers again
        after = h.unique_token("worker-after")
        deliver_until_250(d.smtp_port, self.encrypted(after), time.monotonic() + CLIENT_TIMEOUT)
        wait_filed(self.state, [after])
        fm = filed_once(self, self.state, [after])[after]
        self.assertEqual((fm.header("X-Csirtgw-Encryption") or "").strip(), "decrypted")
        self.assertTrue(d.running(), d.stderr_tail())
        workers = openpgp_worker_pids(d.pid)
        self.assertNotEqual(workers, [], "no csirtgw-openpgp-worker child of the daemon after the kills stopped")
        self.assertNotEqual(set(workers) - set(killer.kills), set(), f"workers {workers} are all ones that were killed")


def decrypting_worker_pids(daemon_pid):
    """The daemon's workers that decrypt (started with an empty --signer; the
    acknowledgements' workers sign with the team key)."""
    pids = []
    for pid in openpgp_worker_pids(daemon_pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if b"--signer" in args and args.index(b"--signer") + 1 < len(args) and args[args.index(b"--signer") + 1] == b"":
            pids.append(pid)
    return pids


class PoisonMessage(EncryptedReports):
    TMP_PREFIX = "csirtgw-it-faults-poison-"
    CONFIG = "[openpgp]\nworker_failures = 3\n[worker]\nthreads = 1\n"

    def test_quarantined_after_worker_failures(self):
        d = self.daemon
        first = h.unique_token("before")
        deliver_until_250(d.smtp_port, self.encrypted(first), time.monotonic() + CLIENT_TIMEOUT)
        wait_filed(self.state, [first])
        self.assertNotEqual(decrypting_worker_pids(d.pid), [], "no decrypting worker after a decryption")

        poison = h.unique_token("poison")
        stop = threading.Event()
        kills = []

        def kill_decrypting_workers():
            while not stop.is_set():
                for pid in decrypting_worker_pids(d.pid):
                    try:
                        os.kill(pid, signal.SIGKILL)
                        kills.append(pid)
                    except ProcessLookupError:
                        pass
                stop.wait(0.003)

        killer = threading.Thread(target=kill_decrypting_workers, daemon=True)
        killer.start()
        try:
            deliver_until_250(d.smtp_port, self.encrypted(poison), time.monotonic() + CLIENT_TIMEOUT)
            # attempts after 0 s, then backoffs of 0.5 s and 1 s
            wait_filed(self.state, [poison], timeout=60)
        finally:
            stop.set()
            killer.join(10)
        self.assertTrue(d.running(), d.stderr_tail())
        fm = filed_once(self, self.state, [poison])[poison]
        self.assertEqual((fm.header("X-Csirtgw-Queue") or "").strip(), "quarantine")
        self.assertEqual((fm.header("X-Csirtgw-Encryption") or "").strip(), "failed")
        reason = (fm.header("X-Csirtgw-Crypto-Reason") or "").strip()
        self.assertIn("OpenPGP worker died or hung on this message in 3 attempts", reason)
        self.assertNotIn(f"secret-{poison}".encode(), fm.raw)

        quarantined = [r for r in h.audit_rows(self.state, "WHERE event = 'quarantined'")
                       if r.get("spool_id") == fm.spool_id]
        self.assertEqual(len(quarantined), 1, quarantined)
        self.assertIn("3 attempts", quarantined[0]["detail"])
        log = daemon_log(d)
        self.assertIn("attempt 1 of 3 before quarantine", log)
        self.assertIn("attempt 2 of 3 before quarantine", log)
        print(f"\npoison message: {len(kills)} decrypting worker(s) killed before it was quarantined",
              file=sys.stderr)

        # the kills have stopped: mail decrypts again
        after = h.unique_token("after")
        deliver_until_250(d.smtp_port, self.encrypted(after), time.monotonic() + CLIENT_TIMEOUT)
        wait_filed(self.state, [after])
        fa = filed_once(self, self.state, [after])[after]
        self.assertEqual((fa.header("X-Csirtgw-Encryption") or "").strip(), "decrypted")
        self.assertIn(f"secret-{after}".encode(), fa.raw)
        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)


if __name__ == "__main__":
    h.main()

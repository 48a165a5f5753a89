#!/usr/bin/python3
"""Reload on SIGHUP, end to end (issue 6).

One daemon for the module, started with `--config FILE` (paths.policy = a copy
of schemas/default-policy.toml; openpgp.agents = 2 and worker.threads = 2, so a
second GnuPG home, gnupg-shards/1, is in use) and the harness's command-line
listeners (--state-dir/--lmtp/--smtp, which a reload must keep applying).

  test_1  an SMTP session is held open after RCPT; the policy gets a new ticket
          prefix (XYZ-CERT -> NEW-CERT) and a routing rule (abuse@ -> queue
          abuse-desk); SIGHUP -> "reloaded configuration from ..." logged; the
          open session then finishes with 250 and is filed; new mail carries
          "NEW-CERT #N" and mail to abuse@ lands in abuse-desk; the audit log
          has one `config-reloaded` event and still verifies
  test_2  a broken policy (TOML syntax error, unknown RSIT type) and then a
          broken config file: each SIGHUP logs every error with FILE:LINE at
          error level and "reload refused"; the daemon keeps running with the
          previous rules (NEW-CERT, abuse-desk) and files mail; then a valid
          file changing worker.threads and listen.hostname is applied with a
          "needs a restart: ..." warning naming both, and the old values stay
          (the Received header still names the old host)
  test_3  a signed report from a key the daemon does not know -> unknown-key;
          `csirtgw keys import FILE --email ADDR` while it runs, SIGHUP, then
          signed reports over parallel sessions (so that both pipeline threads,
          and with them gnupg-shards/1, are used) -> good, sender verified; the
          shard's public keyring holds the key

Run:  CSIRTGW_BIN=build/csirtgw /usr/bin/python3 tests/integration/test_reload.py
"""
import concurrent.futures
import os
import re
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import openpgp_corpus as pc  # noqa: E402

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_POLICY = os.path.join(SOURCE, "schemas", "default-policy.toml")
REPORTER = pc.REPORTER
REPORTER_FROM = f"Reporter <{REPORTER}>"
CERT, ABUSE, _ = h.INTAKES
FILE_TIMEOUT = 45.0
ABUSE_ROUTE = '[[route]]\nname = "abuse desk"\nintake = "abuse"\nqueue = "abuse-desk"\n'


def default_policy_text():
    with open(DEFAULT_POLICY) as f:
        return f.read()


def new_policy_text():
    """The default policy with ticket prefix NEW-CERT and abuse@ -> abuse-desk."""
    text = default_policy_text().replace('prefix = "XYZ-CERT"', 'prefix = "NEW-CERT"')
    anchor = '[[route]]\nname = "vulnerability reports"'
    assert anchor in text and 'prefix = "NEW-CERT"' in text, "default-policy.toml changed shape"
    return text.replace(anchor, ABUSE_ROUTE + anchor)


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def dot_stuff(raw):
    if not raw.endswith(b"\r\n"):
        raw += b"\r\n"
    return re.sub(rb"(?m)^\.", b"..", raw) + b".\r\n"


def deliver(port, raw, rcpt=CERT, sender=REPORTER):
    with h.RawSession(port, timeout=30) as s:
        assert s.reply().code == 220
        for line, code in ((f"EHLO it.csirtgw.test", 250), (f"MAIL FROM:<{sender}>", 250),
                           (f"RCPT TO:<{rcpt}>", 250), ("DATA", 354)):
            r = s.cmd(line)
            assert r.code == code, (line, r)
        s.send(dot_stuff(raw))
        r = s.reply()
        assert r.code == 250, f"end of data: {r!r}"
        s.cmd("QUIT")


def filed(state, token):
    """[(queue, FiledMessage)] whose Subject carries token, once filed."""
    deadline = time.monotonic() + FILE_TIMEOUT
    while True:
        found = [(q, m) for q in h.queue_names(state) for m in h.maildir_messages(state, q)
                 if token in m.subject]
        if found:
            h.wait_spool_drained(state, timeout=30)
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{token} not filed after {FILE_TIMEOUT}s; spool={h.spool_files(state)}")
        time.sleep(0.1)


def one(fm, name):
    values = [re.sub(r"\s+", " ", v).strip() for v in fm.headers(name)]
    assert len(values) == 1, f"{name}: {values!r} in {fm!r}"
    return values[0]


class Reload(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.work = h.mkdtemp("csirtgw-it-reload-")
        cls.state = os.path.join(cls.work, "state")
        os.makedirs(cls.state)
        cls.policy = os.path.join(cls.work, "policy.toml")
        cls.config = os.path.join(cls.work, "csirtgw.conf")
        write(cls.policy, default_policy_text())
        cls.config_text = (f'[paths]\npolicy = "{cls.policy}"\n'
                           '[openpgp]\nagents = 2\n[worker]\nthreads = 2\n')
        write(cls.config, cls.config_text)
        cls.daemon = h.Daemon(cls.state, extra_args=["--config", cls.config]).start()
        cls.smtp = cls.daemon.smtp_port

    @classmethod
    def tearDownClass(cls):
        rc = cls.daemon.terminate()
        if rc != 0:
            raise AssertionError(f"daemon exit status {rc}\n{cls.daemon.stderr_tail()}")

    # ------------------------------------------------------------ helpers
    def log(self):
        with open(self.daemon.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def hangup(self, expect):
        """SIGHUP; wait for a new log line matching `expect`; returns the log
        written since the signal."""
        before = len(self.log())
        self.daemon.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while True:
            since = self.log()[before:]
            if re.search(expect, since, re.M):
                return since
            if time.monotonic() > deadline:
                self.fail(f"no {expect!r} in the log within 20 s of SIGHUP:\n{since}")
            if not self.daemon.running():
                self.fail(f"the daemon died on SIGHUP:\n{self.daemon.stderr_tail()}")
            time.sleep(0.05)

    def send(self, token, rcpt=CERT, body=None):
        body = body or f"Incident report {token}.\r\nHost 192.0.2.17 was compromised.\r\n"
        deliver(self.smtp, h.make_message(token, to=rcpt, body=body), rcpt=rcpt)
        found = filed(self.state, token)
        self.assertEqual(len(found), 1, found)
        return found[0]

    def assert_new_rules(self):
        token = h.unique_token("rl-new")
        queue, fm = self.send(token)
        self.assertRegex(one(fm, "X-Csirtgw-Ticket"), r"^NEW-CERT #\d+$")
        token = h.unique_token("rl-abuse")
        queue, fm = self.send(token, rcpt=ABUSE)
        self.assertEqual(queue, "abuse-desk")
        self.assertEqual(one(fm, "X-Csirtgw-Queue"), "abuse-desk")

    # ------------------------------------------------------------ tests
    def test_1_reload_applies_new_policy_and_keeps_open_session(self):
        token = h.unique_token("rl-old")
        queue, fm = self.send(token)
        self.assertRegex(one(fm, "X-Csirtgw-Ticket"), r"^XYZ-CERT #\d+$")
        token = h.unique_token("rl-old-abuse")
        queue, fm = self.send(token, rcpt=ABUSE)
        self.assertNotEqual(queue, "abuse-desk")

        held = h.unique_token("rl-held")
        with h.RawSession(self.smtp, timeout=30) as s:
            self.assertEqual(s.reply().code, 220)
            self.assertEqual(s.cmd("EHLO it.csirtgw.test").code, 250)
            self.assertEqual(s.cmd(f"MAIL FROM:<{REPORTER}>").code, 250)
            self.assertEqual(s.cmd(f"RCPT TO:<{CERT}>").code, 250)

            write(self.policy, new_policy_text())
            since = self.hangup(r"reloaded configuration from ")
            self.assertIn(self.config, since)
            self.assertIn("ticket prefix NEW-CERT", since)
            self.assertNotIn("needs a restart", since)

            # the session that was open across the reload finishes normally
            self.assertEqual(s.cmd("DATA").code, 354)
            s.send(dot_stuff(h.make_message(held)))
            r = s.reply()
            self.assertEqual(r.code, 250, r)
            self.assertEqual(s.cmd("QUIT").code, 221)
        queue, fm = filed(self.state, held)[0]
        self.assertRegex(one(fm, "X-Csirtgw-Ticket"), r"^NEW-CERT #\d+$")

        self.assert_new_rules()
        # the worker records the reload when it takes the new rules
        deadline = time.monotonic() + 10
        while not h.audit_rows(self.state, "WHERE event = 'config-reloaded'"):
            self.assertLess(time.monotonic(), deadline, "no config-reloaded audit event")
            time.sleep(0.1)
        rows = h.audit_rows(self.state, "WHERE event = 'config-reloaded'")
        self.assertEqual(len(rows), 1, rows)
        self.assertIn('"ticket_prefix":"NEW-CERT"', rows[0]["detail"])
        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)

    def test_2_broken_files_are_refused_and_restart_settings_kept(self):
        # a policy with a syntax error
        write(self.policy, new_policy_text().replace('[tickets]\n', '[tickets\n', 1))
        since = self.hangup(r"reload refused")
        self.assertRegex(since, r"(?m) error \[main\] reload: " + re.escape(self.policy) + r":\d+: ")
        self.assertNotIn("reloaded configuration", since)
        self.assertTrue(self.daemon.running())
        self.assert_new_rules()

        # a policy whose errors are in two places: both are logged
        broken = new_policy_text().replace('type = "fraud/phishing"', 'type = "fraud/no-such-type"', 1)
        broken = broken.replace('queue = "abuse-desk"', 'queue = "abuse desk!"')
        write(self.policy, broken)
        since = self.hangup(r"reload refused")
        errors = re.findall(r"(?m) error \[main\] reload: " + re.escape(self.policy) + r":(\d+): (.*)$", since)
        self.assertGreaterEqual(len(errors), 2, since)
        self.assertTrue(any("no-such-type" in e for _, e in errors), errors)
        self.assertTrue(any("queue" in e for _, e in errors), errors)
        self.assert_new_rules()

        # a config file with a bad value: refused too, policy or not
        write(self.policy, new_policy_text())
        write(self.config, self.config_text + '[limits]\nmessage_size = "big"\n')
        since = self.hangup(r"reload refused")
        self.assertRegex(since, r"(?m) error \[main\] reload: " + re.escape(self.config) +
                         r":\d+: limits\.message_size: expected an integer")
        self.assert_new_rules()

        # valid again, with two settings that need a restart
        write(self.config, self.config_text.replace("threads = 2", "threads = 3") +
              '[listen]\nhostname = "renamed.localhost"\n')
        since = self.hangup(r"reloaded configuration from ")
        m = re.search(r"(?m) warning \[main\] reload: needs a restart: (.*)$", since)
        self.assertIsNotNone(m, since)
        self.assertIn("worker.threads", m.group(1))
        self.assertIn("listen.hostname", m.group(1))
        token = h.unique_token("rl-host")
        queue, fm = self.send(token)
        received = " ".join(fm.headers("Received"))
        self.assertIn("csirtgw.localhost", received)
        self.assertNotIn("renamed.localhost", received)
        self.assertRegex(one(fm, "X-Csirtgw-Ticket"), r"^NEW-CERT #\d+$")
        write(self.config, self.config_text)
        self.hangup(r"reloaded configuration from ")

    def test_3_key_imported_while_running_verifies_after_sighup(self):
        keydir = os.path.join(self.work, "keys")
        os.makedirs(keydir, exist_ok=True)
        key = pc.GpgKey(keydir, "reload-reporter", REPORTER_FROM, "ed25519", "sign")

        def signed(tag):
            token, raw = pc.signed_message(tag, key, REPORTER_FROM)
            deliver(self.smtp, raw)
            return token

        token = signed("rl-unknown")
        _, fm = filed(self.state, token)[0]
        self.assertEqual(one(fm, "X-Csirtgw-Signature").split(";")[0], "unknown-key")
        self.assertEqual(one(fm, "X-Csirtgw-Sender-Verified"), "no")

        pub = os.path.join(keydir, "reload-reporter.asc")
        with open(pub, "wb") as f:
            f.write(key.export_public())
        cp = h.run_cli("keys", "import", pub, "--email", REPORTER, "--state-dir", self.state)
        self.assertEqual(cp.returncode, 0, cp.out)
        self.hangup(r"reloaded configuration from ")

        shard = os.path.join(self.state, "gnupg-shards", "1")

        def shard_has_key():
            out = subprocess.run(["gpg", "--homedir", shard, "--batch", "--with-colons", "--list-keys"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60)
            return f"fpr:::::::::{key.fpr}:" in out.stdout.decode()

        # Parallel sessions, so that batches hold several reports and the
        # second pipeline thread (on gnupg-shards/1) gets some of them.
        for _round in range(4):
            with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
                tokens = list(ex.map(lambda i: signed(f"rl-signed{i}"), range(16)))
            for token in tokens:
                _, fm = filed(self.state, token)[0]
                self.assertEqual(one(fm, "X-Csirtgw-Signature"), "good", token)
                self.assertEqual(one(fm, "X-Csirtgw-Sender-Verified"), f"yes; address={REPORTER}", token)
                self.assertEqual(one(fm, "X-Csirtgw-Signer"), key.fpr, token)
            if shard_has_key():
                break
        else:
            self.fail("the second pipeline thread never used gnupg-shards/1")


if __name__ == "__main__":
    h.main()

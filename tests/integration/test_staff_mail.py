#!/usr/bin/python3
"""Staff write to the gateway (issue 17, the staff side), end to end with real parts.

One daemon (acknowledgements off, so the outbox holds only what staff made it
send) behind a private Postfix that delivers csirt.example over LMTP to it and
relays every other domain into its Maildir outbox (the reporter's and the staff
members' mailboxes).  Keys: the reporter's and two staff keys made by gpg (Ann,
Old) and one made by sq (Bob); `keys import` binds the reporter, `staff add`
the staff members, `staff remove` takes Old's key away again.

  * registry rules: a reporter's key cannot be added as staff, a staff key
    cannot be imported for a reporter (exit 1, the reason named); `staff list --json`
  * an encrypted, signed TLP:AMBER report is filed with "[XYZ-CERT #N]" in its Subject
  * Ann answers it with neomutt (GPGME: signed and encrypted to the team key,
    driven on a pty, sent over SMTP to Postfix, which hands it to the daemon's
    LMTP listener): the reply reaches the reporter from the team address with
    the ticket's tag and In-Reply-To the report; gpg AND sq decrypt it, the
    team key's signature verifies, it holds Ann's words but not the quoted
    report; Ann's signature, fingerprint and key are nowhere in it
  * refusals, each quarantined with X-Csirtgw-Quarantine-Reason, audited as
    staff-mail-refused, and never answered: unsigned, signed by the reporter's
    key, by the removed staff key, a bad signature, a partial signature, and
    Ann's neomutt message delivered again through one more relay (replayed;
    the very same bytes are a duplicate the intake drops)
  * a command that cannot be done (forward to an address without a key, a
    ticket that does not exist) is answered to Ann only: signed by the team
    key, encrypted to her key, naming the reason
  * Bob (sq key) writes "comment and resolve": the ticket is resolved with his comment
  * the reporter answers the team's reply (In-Reply-To its Message-ID, no tag
    in the Subject): the answer joins the ticket and reopens it, audited as
    ticket-reopened "reporter answered"; the audit chain verifies

Needs root (a private Postfix), neomutt, gpg and sq; exits 77 (skip) otherwise.
  CSIRTGW_BIN=build/csirtgw /usr/bin/python3 tests/integration/test_staff_mail.py -v
"""
import email
import email.policy
import email.utils
import json
import os
import pty
import re
import select
import shutil
import signal
import smtplib
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import openpgp_corpus as pc  # noqa: E402

STAFF_ADDR = "cert-staff@csirt.example"
REPORTER = "reporter@example.org"
ANN, BOB, OLD = "ann@staff.example", "bob@staff.example", "old@staff.example"
CONFIG = """
[ack]
enabled = 0

[outbound]
retry_min = 1
poll_interval = 1
"""


def tool_missing():
    for tool in ("neomutt", "gpg", "sq"):
        if not shutil.which(tool):
            return f"{tool} is not installed"
    if not h.is_root() or not h.postfix_available():
        return "needs root and Postfix"
    return None


def gpg_tool(home, *args, data=None):
    return pc.run([pc.GPG, "--homedir", home, "--batch", "--no-tty", "--pinentry-mode", "loopback",
                   "--passphrase", "", "--trust-model", "always", "--status-fd", "2"] + list(args),
                  data=data, check=False)


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.3)


def outbox(pf, to):
    """Parsed messages in the Postfix outbox addressed to `to`."""
    out = []
    for path in pf.outbox_files():
        with open(path, "rb") as f:
            raw = f.read()
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        if to in (msg.get("To") or ""):
            out.append((raw, msg))
    return out


def neomutt_send(home, muttrc, subject, body_file, timeout=90):
    """neomutt composes and sends (sign + encrypt via GPGME) on a pty: it asks
    for To and Subject (Enter keeps them) and sends from its compose menu."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update({"GNUPGHOME": home, "TERM": "xterm"})
        os.execvp("neomutt", ["neomutt", "-n", "-F", muttrc, "-i", body_file, "-s", subject, "--", STAFF_ADDR])
    screen, done, deadline = b"", [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            screen += data
            continue
        text = re.sub(rb"\x1b\[[0-9;?]*[a-zA-Z]|\x1b[()][A-Z0-9]|\x1b[=>]", b"", screen)
        if b"([yes]/no)" in text[-200:]:
            os.write(fd, b"y")
        elif b"Security:" in text and "send" not in done:
            os.write(fd, b"y")
            done.append("send")
        elif b"Subject: " in text[-300:] and "subject" not in done and "to" in done:
            os.write(fd, b"\r")
            done.append("subject")
        elif b"To: " in text[-300:] and "to" not in done:
            os.write(fd, b"\r")
            done.append("to")
        screen = screen[-4000:]
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if status != 0 or "send" not in done:
        text = re.sub(rb"\x1b\[[0-9;?]*[a-zA-Z]|\x1b[()][A-Z0-9]|\x1b[=>]", b"", screen)
        raise AssertionError(f"neomutt did not send (status {status}, steps {done}): {text[-1500:]!r}")


class StaffMail(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        missing = tool_missing()
        if missing:
            raise unittest.SkipTest(missing)
        cls.work = h.mkdtemp("csirtgw-it-staff-")
        cls.state = os.path.join(cls.work, "state")
        cls.config = os.path.join(cls.work, "csirtgw.toml")
        with open(cls.config, "w") as f:
            f.write(CONFIG)
        cls.reporter = pc.GpgKey(cls.work, "reporter", f"Reporter <{REPORTER}>", "future-default", "default")
        cls.ann = pc.GpgKey(cls.work, "ann", f"Ann Analyst <{ANN}>", "future-default", "default")
        cls.old = pc.GpgKey(cls.work, "old", f"Old Hand <{OLD}>", "future-default", "default")
        cls.bob = pc.SqKey(cls.work, "bob", f"Bob <{BOB}>")
        pf_port = h.free_port()
        cls.daemon = h.Daemon(cls.state, extra_args=["--config", cls.config,
                                                     "--smarthost", f"127.0.0.1:{pf_port}"]).start()
        cls.pf = h.Postfix(lmtp_port=cls.daemon.lmtp_port, smtp_port=pf_port).start()
        cp = h.run_cli("keys", "export-team", "--state-dir", cls.state)
        assert cp.returncode == 0, cp.out
        cls.team_pub = cp.stdout
        cls.team_fpr, _ = pc.cert_fingerprints(cls.team_pub)
        cls.team_pub_file = os.path.join(cls.work, "team.asc")
        with open(cls.team_pub_file, "wb") as f:
            f.write(cls.team_pub)
        for k in (cls.reporter, cls.ann, cls.old, cls.bob):
            k.import_team(cls.team_pub)
        cls.files = {}
        for name, k in (("reporter", cls.reporter), ("ann", cls.ann), ("old", cls.old), ("bob", cls.bob)):
            cls.files[name] = os.path.join(cls.work, f"{name}.asc")
            with open(cls.files[name], "wb") as f:
                f.write(k.export_public())
        cls.run_ok("keys", "import", cls.files["reporter"], "--email", REPORTER, "--org", "Partner")
        cls.run_ok("staff", "add", cls.files["ann"], "--email", ANN, "--name", "Ann Analyst")
        cls.run_ok("staff", "add", cls.files["bob"], "--email", BOB, "--name", "Bob")
        cls.run_ok("staff", "add", cls.files["old"], "--email", OLD, "--name", "Old Hand")
        cls.run_ok("staff", "remove", cls.old.fpr)
        cls.open_report()

    @classmethod
    def tearDownClass(cls):
        for name in ("pf", "daemon"):
            if hasattr(cls, name):
                getattr(cls, name).cleanup()

    @classmethod
    def run_ok(cls, *args):
        cp = h.run_cli(*args, "--state-dir", cls.state)
        assert cp.returncode == 0, f"{args}: {cp.out}"
        return cp

    @classmethod
    def open_report(cls):
        """The reporter's encrypted, signed TLP:AMBER report opens a ticket."""
        cls.tok = h.unique_token("staffrep")
        cls.secret = f"secret-{cls.tok}"
        inner = pc.text_entity(f"TLP:AMBER\r\nHost 192.0.2.17 scans us.\r\nConfidential detail: {cls.secret}\r\n")
        body = pc.pgp_encrypted(cls.reporter.encrypt(inner, sign=True))
        cls.report_id = f"<{cls.tok}@example.org>"
        raw = pc.crlf(f"From: Reporter <{REPORTER}>\r\nTo: cert@csirt.example\r\nSubject: Incident report {cls.tok}\r\n"
                      f"Message-ID: {cls.report_id}\r\nDate: {email.utils.formatdate(usegmt=True)}\r\n"
                      "MIME-Version: 1.0\r\n") + pc.as_entity(body)
        cls.send(REPORTER, "cert@csirt.example", raw)
        filed = h.wait_for_messages(cls.state, cls.tok, timeout=90)
        cls.filed = filed[0]
        cls.ticket = int(cls.filed.single_header("X-Csirtgw-Ticket").split("#")[1])
        cls.tag = f"[XYZ-CERT #{cls.ticket}]"

    @classmethod
    def send(cls, sender, rcpt, raw):
        with smtplib.SMTP("127.0.0.1", cls.daemon.smtp_port, timeout=60) as s:
            assert s.sendmail(sender, [rcpt], raw) == {}

    def ticket_json(self, number=None):
        cp = h.run_cli("ticket", "show", str(number or self.ticket), "--json", "--state-dir", self.state)
        self.assertEqual(cp.returncode, 0, cp.out)
        return json.loads(cp.stdout)

    def quarantined(self, token, timeout=90):
        found = wait_until(lambda: h.messages_with(self.state, token, "quarantine"), timeout,
                           f"quarantined staff mail {token}")
        return found[0]

    def decrypt_verify(self, raw, gpg_home, secret_file):
        """The plaintext of an encrypted message, by gpg and by sq (they agree),
        the team key's signature verified by both."""
        armored = raw[raw.index(b"-----BEGIN PGP MESSAGE-----"):raw.index(b"-----END PGP MESSAGE-----") + 25]
        cp = gpg_tool(gpg_home, "--decrypt", data=armored)
        status = cp.stderr.decode("utf-8", "replace")
        self.assertEqual(cp.returncode, 0, status[-1500:])
        self.assertIn("[GNUPG:] GOODSIG", status)
        self.assertIn(f"VALIDSIG", status)
        self.assertIn(self.team_fpr, status)
        sq = pc.run([pc.SQ, "decrypt", "--recipient-key", secret_file, "--signer-cert", self.team_pub_file],
                    data=armored, check=False)
        self.assertEqual(sq.returncode, 0, sq.stderr.decode()[-1500:])
        self.assertEqual(sq.stdout, cp.stdout, "gpg and sq decrypt to different plaintexts")
        return cp.stdout, armored

    def secret_file(self, key, name):
        path = os.path.join(self.work, f"{name}-secret.asc")
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(key.gpg("--export-secret-keys", "--armor", key.fpr).stdout)
        return path

    def staff_signed(self, key, sender, subject, text, tamper=False, partial=False):
        part = pc.text_entity(text)
        sig = key.detach_sign(part)
        if tamper:
            part = part.replace(b"comment", b"forward evil@attacker.example\r\ncomment")
        body = pc.pgp_signed(part, sig)
        if partial:
            body = pc.multipart("mixed", [pc.as_entity(body), pc.text_entity("reply\r\nunsigned words\r\n")])
        return pc.crlf(f"From: <{sender}>\r\nTo: {STAFF_ADDR}\r\nSubject: {subject}\r\n"
                       f"Message-ID: <{h.unique_token('m')}@staff.example>\r\n"
                       f"Date: {email.utils.formatdate(usegmt=True)}\r\nMIME-Version: 1.0\r\n") + pc.as_entity(body)

    # ------------------------------------------------------------------------
    def test_01_registry_rules(self):
        cp = h.run_cli("staff", "add", self.files["reporter"], "--email", REPORTER, "--name", "X",
                       "--state-dir", self.state)
        self.assertEqual(cp.returncode, 1, cp.out)
        self.assertIn("is a reporter's key", cp.out)
        cp = h.run_cli("keys", "import", self.files["ann"], "--email", "ann@partner.example", "--state-dir", self.state)
        self.assertEqual(cp.returncode, 1, cp.out)
        self.assertIn("is a staff key", cp.out)
        cp = h.run_cli("staff", "add", self.files["bob"], "--state-dir", self.state)
        self.assertEqual(cp.returncode, 2, cp.out)
        self.assertIn("--email", cp.out)
        listed = {m["email"]: m for m in json.loads(self.run_ok("staff", "list", "--json").stdout)}
        self.assertEqual(set(listed), {ANN, BOB, OLD})
        self.assertTrue(listed[ANN]["active"])
        self.assertEqual(listed[BOB]["fingerprint"], self.bob.fpr.upper())
        self.assertFalse(listed[OLD]["active"])
        kinds = [r["event"] for r in h.audit_rows(self.state, "WHERE event LIKE 'staff-%'")]
        self.assertEqual(kinds[:4], ["staff-added", "staff-added", "staff-added", "staff-removed"])

    def test_02_filed_copy_carries_the_tag(self):
        self.assertEqual(self.filed.subject, f"{self.tag} Incident report {self.tok}")
        originals = [os.path.join(d, n) for d, _, names in os.walk(os.path.join(self.state, "originals"))
                     for n in names]
        raw = []
        for path in originals:
            with open(path, "rb") as f:
                raw.append(f.read())
        self.assertTrue(any(f"Subject: Incident report {self.tok}".encode() in r for r in raw),
                        "the original bytes changed")

    def test_03_neomutt_reply_reaches_the_reporter(self):
        words = f"We blocked 192.0.2.17 for you (ann-words-{self.tok})."
        body = os.path.join(self.work, "reply.txt")
        with open(body, "w") as f:
            f.write(f"reply\n{words}\n\nOn Sat, Reporter wrote:\n> Confidential detail: {self.secret}\n")
        muttrc = os.path.join(self.work, "muttrc")
        with open(muttrc, "w") as f:
            f.write(f"""set crypt_use_gpgme = yes
set crypt_autosign = yes
set crypt_autoencrypt = yes
set crypt_confirm_hook = no
set pgp_sign_as = {self.ann.fpr}
set pgp_self_encrypt = no
crypt-hook {STAFF_ADDR} {self.team_fpr}
set from = "Ann Analyst <{ANN}>"
set use_from = yes
set smtp_url = "smtp://127.0.0.1:{self.pf.smtp_port}"
set ssl_starttls = no
set ssl_force_tls = no
set editor = "true"
set abort_unmodified = no
set postpone = no
set record = ""
set send_charset = "utf-8"
""")
        with open(os.path.join(self.ann.homedir, "gpg.conf"), "a") as f:
            f.write("trust-model always\n")
        neomutt_send(self.ann.homedir, muttrc, f"Re: {self.tag} Incident report {self.tok}", body)
        self.pf.flush()
        got = wait_until(lambda: outbox(self.pf, REPORTER), 120, "the reply in the reporter's mailbox")
        self.assertEqual(len(got), 1, [m.get("Subject") for _, m in got])
        raw, msg = got[0]
        self.__class__.reply_id = msg.get("Message-ID").strip()
        self.assertIn(self.tag, msg.get("Subject"))
        self.assertIn("cert@csirt.example", msg.get("From"))
        self.assertIn(self.report_id, msg.get("In-Reply-To") or "")
        self.assertEqual(msg.get_content_type(), "multipart/encrypted")
        plain, armored = self.decrypt_verify(raw, self.reporter.homedir, self.secret_file(self.reporter, "reporter"))
        text = email.message_from_bytes(plain).get_payload(decode=True).decode("utf-8")
        self.assertIn(words, text)
        self.assertNotIn(self.secret, text)
        self.assertNotIn("wrote:", text)
        self.assertNotIn(self.secret.encode(), raw)
        # Ann's signature and key never go out: only the team key signs.
        for k in (self.ann.fpr, self.ann.fpr[-16:]):
            self.assertNotIn(k.encode(), raw.upper())
            self.assertNotIn(k.encode(), plain.upper())
        inner_packets = pc.packets(pc.dearmor(armored))
        self.assertTrue(all(p.tag in (1, 18, 20, 3) for p in inner_packets), [p.tag for p in inner_packets])
        self.assertNotIn(b"BEGIN PGP PUBLIC KEY", plain)
        status = gpg_tool(self.reporter.homedir, "--decrypt", data=armored).stderr.decode()
        self.assertEqual(len(re.findall(r"\[GNUPG:\] GOODSIG", status)), 1, status)
        # The command itself: filed in the staff queue, audited, no ticket of its own.
        commands = h.audit_rows(self.state, "WHERE event = 'staff-command'")
        self.assertEqual(json.loads(commands[-1]["detail"])["outcome"], "done", commands[-1])
        self.assertEqual(json.loads(commands[-1]["detail"])["action"], "reply")
        self.assertTrue(h.messages_with(self.state, self.tok, "staff"))
        self.__class__.neomutt_spool = commands[-1]["spool_id"]

    def test_04_refusals_are_quarantined_and_never_answered(self):
        self.assertTrue(hasattr(self, "neomutt_spool"), "needs test_03")
        cases = {}
        for name in ("unsigned", "reporter", "removed", "bad", "partial"):
            cases[name] = h.unique_token(f"ref{name}")
        subject = lambda name: f"{self.tag} {cases[name]}"  # noqa: E731
        text = "comment\r\nan internal note\r\n"
        self.send(ANN, STAFF_ADDR, pc.crlf(f"From: <{ANN}>\r\nTo: {STAFF_ADDR}\r\nSubject: {subject('unsigned')}\r\n"
                                           f"\r\n{text}"))
        self.send(REPORTER, STAFF_ADDR, self.staff_signed(self.reporter, REPORTER, subject("reporter"), text))
        self.send(OLD, STAFF_ADDR, self.staff_signed(self.old, OLD, subject("removed"), text))
        self.send(ANN, STAFF_ADDR, self.staff_signed(self.ann, ANN, subject("bad"), text, tamper=True))
        self.send(ANN, STAFF_ADDR, self.staff_signed(self.ann, ANN, subject("partial"), text, partial=True))
        want = {"unsigned": "unsigned", "reporter": "reporter-key", "removed": "removed-staff-key",
                "bad": "bad-signature", "partial": "partial-signature"}
        for name, token in cases.items():
            with self.subTest(name):
                q = self.quarantined(token)
                self.assertIn(f"staff: {want[name]}", q.single_header("X-Csirtgw-Quarantine-Reason"))
        # Ann's neomutt message again, byte for byte: a replay.
        original = [os.path.join(d, n) for d, _, names in os.walk(os.path.join(self.state, "originals"))
                    for n in names if self.neomutt_spool in n]
        self.assertEqual(len(original), 1, original)
        # (The same bytes again are a duplicate the intake drops; a replay
        # comes through another relay: a header more.)
        with open(original[0], "rb") as f:
            self.send(ANN, STAFF_ADDR, b"Received: from relay.attacker.example; " +
                      email.utils.formatdate(usegmt=True).encode() + b"\r\n" + f.read())
        try:
            wait_until(lambda: len(h.audit_rows(self.state, "WHERE event IN ('staff-mail-refused', 'staff-command')"))
                       >= 7, 90, "the replay's audit event")
        except AssertionError:
            rows = h.audit_rows(self.state, "WHERE event IN ('staff-mail-refused', 'staff-command', 'quarantined')")
            raise AssertionError(f"{rows}\n{self.daemon.stderr_tail(30)}")
        replay = wait_until(lambda: [r for r in h.audit_rows(self.state, "WHERE event = 'staff-mail-refused'")
                                     if json.loads(r["detail"])["reason"] == "replayed"], 90, "the replay refused")
        self.assertEqual(len(replay), 1)
        h.wait_spool_drained(self.state, timeout=60)
        reasons = sorted(json.loads(r["detail"])["reason"]
                         for r in h.audit_rows(self.state, "WHERE event = 'staff-mail-refused'"))
        self.assertEqual(reasons, sorted(list(want.values()) + ["replayed"]))
        self.assertEqual(self.ticket_json()["comments"], [], "a refused command changed the ticket")
        time.sleep(2)
        self.pf.flush()
        self.assertEqual(len(outbox(self.pf, REPORTER)), 1, "something else reached the reporter")
        for who in (ANN, OLD):
            self.assertEqual(outbox(self.pf, who), [], f"a refused message was answered to {who}")
        self.assertEqual(len(h.audit_rows(self.state, "WHERE event = 'staff-command'")), 1)

    def test_05_refused_command_is_answered_to_the_staff_member_only(self):
        tok = h.unique_token("fwd")
        self.send(ANN, STAFF_ADDR, self.staff_signed(self.ann, ANN, f"{self.tag} {tok}",
                                                     "forward nokey@elsewhere.example\r\nPlease handle.\r\n"))
        self.send(ANN, STAFF_ADDR, self.staff_signed(self.ann, ANN, f"[XYZ-CERT #99999] {tok}",
                                                     "comment\r\nlost\r\n"))
        self.pf.flush()
        got = wait_until(lambda: len(outbox(self.pf, ANN)) >= 2 and outbox(self.pf, ANN), 120,
                         "two refusals in Ann's mailbox")
        texts = []
        for raw, msg in got:
            self.assertEqual(msg.get_content_type(), "multipart/encrypted")
            plain, _ = self.decrypt_verify(raw, self.ann.homedir, self.secret_file(self.ann, "ann"))
            texts.append(email.message_from_bytes(plain).get_payload(decode=True).decode("utf-8"))
        joined = "\n".join(texts)
        self.assertIn("nokey@elsewhere.example", joined)
        self.assertIn("99999", joined)
        self.assertEqual(outbox(self.pf, "nokey@elsewhere.example"), [])
        refused = [json.loads(r["detail"]) for r in h.audit_rows(self.state, "WHERE event = 'staff-command'")
                   if json.loads(r["detail"])["outcome"] == "refused"]
        self.assertEqual(len(refused), 2, refused)

    def test_06_sq_staff_key_comments_and_resolves(self):
        tok = h.unique_token("bob")
        self.send(BOB, STAFF_ADDR, self.staff_signed(self.bob, BOB, f"Re: {self.tag} {tok}",
                                                     f"comment and resolve\r\nClosed by bob-{tok}.\r\n"))
        detail = wait_until(lambda: self.ticket_json()["state"] == "resolved" and self.ticket_json(), 90,
                            "the ticket resolved by Bob")
        comments = detail["comments"]
        self.assertEqual([c["author"] for c in comments], [BOB])
        self.assertIn(f"Closed by bob-{tok}.", comments[0]["text"])

    def test_07_reporter_answer_joins_and_reopens(self):
        self.assertTrue(hasattr(self, "reply_id"), "needs test_03")
        wait_until(lambda: self.ticket_json()["state"] == "resolved", 60, "test_06's resolve")
        tok = h.unique_token("answer")
        raw = pc.crlf(f"From: Reporter <{REPORTER}>\r\nTo: cert@csirt.example\r\nSubject: Re: thanks {tok}\r\n"
                      f"Message-ID: <{tok}@example.org>\r\nIn-Reply-To: {self.reply_id}\r\n"
                      f"Date: {email.utils.formatdate(usegmt=True)}\r\n\r\nThe scans continue.\r\n")
        self.send(REPORTER, "cert@csirt.example", raw)
        filed = h.wait_for_messages(self.state, tok, timeout=90)[0]
        self.assertEqual(filed.single_header("X-Csirtgw-Ticket"), f"XYZ-CERT #{self.ticket}")
        self.assertEqual(self.ticket_json()["state"], "open")
        reopened = [json.loads(r["detail"]) for r in h.audit_rows(self.state, "WHERE event = 'ticket-reopened'")]
        self.assertEqual(reopened, [{"ticket": self.ticket, "state": "open", "reason": "reporter answered"}])
        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)


if __name__ == "__main__":
    h.main()

#!/usr/bin/python3
"""Staff correspondence from a ticket (issue 17, the outgoing side), end to end.

One daemon whose smarthost is a sink this test runs (an SMTP server that keeps
every message it accepts); a policy whose default TLP is GREEN (so a plain,
unsigned report can be GREEN; a TLP:RED or TLP:AMBER marker makes it stricter).
Reporter keys made by gpg and by sq, and a partner team's keys, are registered
with `csirtgw keys import`. Reports are filed through the SMTP listener:

  * an encrypted (PGP/MIME, signed) report from the gpg reporter: `ticket reply`
    exits 0; the sink receives one multipart/encrypted message From the intake,
    To the reporter, Subject "[XYZ-CERT #N] Re: your incident report",
    In-Reply-To the report, no Auto-Submitted; the reporter decrypts it with
    gpg AND with sq, the signature is the team key's; the quoted report in the
    staff text ("> ...", the attribution line) is gone; nothing of the staff
    side (no staff key) is in it
  * a TLP:RED report from the sq reporter: `ticket reply` (stdin) is encrypted
    to the sq key, decrypted with sq AND with gpg; `ticket forward` to the
    partner (not a participant) exits 1, tlp-red-participants, nothing sent
  * an encrypted report from a sender with no registered key: `ticket reply`
    exits 1 naming encryption-required and the missing key
  * a TLP:AMBER report: forward to a key registered without an organisation
    exits 1 (tlp-amber-registered-org); to the partner's key with its
    organisation exits 0, encrypted to that key, "TLP:AMBER" on top
  * a plain GREEN report from a sender without a key: the reply goes signed
    only (multipart/signed, gpg --verify with the team key)
  * every sent message: listed by `ticket show` (text and --json, with its
    delivery state); a ticket_correspondence row (direction out, staff = the
    OS user, recipient, key, sha256 of what the sink received), a plaintext
    copy in the ticket's queue (X-Csirtgw-Direction: outgoing), outbound rows
    of kind 'correspondence' marked sent, correspondence-queued and
    correspondence-sent audited; refusals audited as correspondence-refused
    with their rule; acknowledgements still go (rate limits ignore staff mail)
  * the gpg reporter's answer, In-Reply-To the outgoing Message-ID and with no
    tag in its Subject, joins the ticket (ticket-joined by In-Reply-To)
  * usage: a bad ticket id or a missing file exits 2; the audit chain verifies

Needs gpg and sq; exits 77 (skip) without them.
  CSIRTGW_BIN=build/csirtgw /usr/bin/python3 tests/integration/test_correspondence.py -v
"""
import email
import email.policy
import json
import os
import re
import shutil
import smtplib
import socket
import sqlite3
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import openpgp_corpus as pc  # noqa: E402

REPORTER = "reporter@example.org"       # gpg key, registered
SQ_REPORTER = "sq-reporter@example.net"  # sq key, registered
NOKEY = "nokey@example.org"             # encrypted report, no registered key
AMBER_SENDER = "amber@example.org"
GREEN_SENDER = "green@example.org"
PARTNER = "partner@other-cert.example"  # registered with --org
NOORG = "noorg@other-cert.example"      # registered without an organisation
SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class SinkSmarthost:
    """Accepts every message and keeps (envelope recipients, bytes)."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(20)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        f = conn.makefile("rb")
        send = lambda text: conn.sendall(text.encode() + b"\r\n")  # noqa: E731
        rcpts, data = [], None
        try:
            send("220 sink ESMTP")
            while True:
                line = f.readline(65536)
                if not line:
                    return
                if data is not None:
                    if line == b".\r\n":
                        with self.lock:
                            self.received.append((rcpts, bytes(data)))
                        send("250 2.0.0 Ok: queued")
                        rcpts, data = [], None
                    else:
                        data += line[1:] if line.startswith(b"..") else line
                    continue
                cmd = line.strip()
                if cmd.upper().startswith(b"EHLO"):
                    send("250-sink")
                    send("250 8BITMIME")
                elif cmd.upper().startswith(b"RCPT TO:"):
                    rcpts.append(cmd[8:].strip(b"<> ").decode().lower())
                    send("250 ok")
                elif cmd.upper() == b"DATA":
                    data = bytearray()
                    send("354 go ahead")
                elif cmd.upper() == b"QUIT":
                    send("221 bye")
                    return
                else:
                    send("250 ok")
        except OSError:
            pass
        finally:
            conn.close()

    def with_message_id(self, message_id):
        with self.lock:
            return [(r, d) for r, d in self.received if f"Message-ID: {message_id}\r\n".encode() in d]

    def close(self):
        self.sock.close()


def gpg_tool(home, *args, data=None):
    return pc.run([pc.GPG, "--homedir", home, "--batch", "--no-tty", "--pinentry-mode", "loopback",
                   "--passphrase", "", "--trust-model", "always", "--no-auto-key-locate",
                   "--status-fd", "2"] + list(args), data=data, check=False)


def validsig_primary(status):
    out = []
    for m in re.finditer(r"^\[GNUPG:\] VALIDSIG (.*)$", status, re.M):
        f = m.group(1).split()
        out.append((f[-1] if len(f) >= 10 else f[0]).upper())
    return out


def report(tok, sender, ct_body):
    hdrs = [f"From: Reporter <{sender}>", "To: cert@csirt.example", f"Subject: incident report {tok}",
            f"Message-ID: <{tok}@it.csirtgw.test>", "Date: Tue, 01 Dec 2026 17:00:00 +0000", "MIME-Version: 1.0"]
    ct, body = ct_body
    hdrs.append(ct)
    return pc.crlf("\r\n".join(hdrs) + "\r\n\r\n") + body


def mime_parts(raw, boundary):
    parts = raw.split(b"--" + boundary.encode())
    return [p.strip(b"\r\n") for p in parts[1:-1]]


class Correspondence(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in (pc.GPG, pc.SQ):
            if not shutil.which(tool):
                raise unittest.SkipTest(f"{tool} is not installed")
        cls.work = h.mkdtemp("csirtgw-it-corr-")
        cls.state = os.path.join(cls.work, "state")
        with open(os.path.join(SOURCE_DIR, "schemas", "default-policy.toml")) as f:
            policy = f.read()
        policy = re.sub(r'(?m)^default = "AMBER"$', 'default = "GREEN"', policy, count=1)
        assert 'default = "GREEN"' in policy
        cls.policy_file = os.path.join(cls.work, "policy.toml")
        with open(cls.policy_file, "w") as f:
            f.write(policy)
        cls.config = os.path.join(cls.work, "csirtgw.conf")
        with open(cls.config, "w") as f:
            f.write(f'[paths]\nstate_dir = "{cls.state}"\npolicy = "{cls.policy_file}"\n'
                    "[outbound]\npoll_interval = 1\nretry_min = 1\n")
        cls.sink = SinkSmarthost()
        cls.daemon = h.Daemon(cls.state, extra_args=["--config", cls.config,
                                                     "--smarthost", f"127.0.0.1:{cls.sink.port}"])
        cls.daemon.start()
        cls.team_fpr = cls.daemon.team_key.upper()
        cp = cls.cli("keys", "export-team")
        assert cp.returncode == 0, cp.out
        cls.team_pub = cp.stdout
        cls.team_pub_file = os.path.join(cls.work, "team.asc")
        with open(cls.team_pub_file, "wb") as f:
            f.write(cls.team_pub)
        cls.make_keys()
        cls.file_reports()

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "daemon", None):
            cls.daemon.terminate()
        if getattr(cls, "sink", None):
            cls.sink.close()

    @classmethod
    def cli(cls, *args, stdin=None):
        import subprocess
        cp = subprocess.run([h.csirtgw_bin()] + list(args) + ["--config", cls.config, "--state-dir", cls.state],
                            input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        cp.out = cp.stdout.decode("utf-8", "replace") + cp.stderr.decode("utf-8", "replace")
        return cp

    @classmethod
    def make_keys(cls):
        w = cls.work
        cls.gpg_rep = pc.GpgKey(w, "rep", f"Reporter <{REPORTER}>", "future-default", "default")
        cls.sq_rep = pc.SqKey(w, "sqrep", f"<{SQ_REPORTER}>")
        cls.nokey = pc.GpgKey(w, "nokey", f"No Key <{NOKEY}>", "future-default", "default")
        cls.partner = pc.GpgKey(w, "partner", f"Partner <{PARTNER}>", "future-default", "default")
        cls.noorg = pc.GpgKey(w, "noorg", f"No Org <{NOORG}>", "future-default", "default")
        for k in (cls.gpg_rep, cls.sq_rep, cls.nokey, cls.partner, cls.noorg):
            k.import_team(cls.team_pub)
        for k, org in ((cls.gpg_rep, "Reporter Org"), (cls.sq_rep, ""), (cls.partner, "Partner CERT"),
                       (cls.noorg, "")):
            path = os.path.join(w, f"{k.name}.pub.asc")
            with open(path, "wb") as f:
                f.write(k.export_public())
            args = ["keys", "import", path, "--email", k.email] + (["--org", org] if org else [])
            cp = cls.cli(*args)
            assert cp.returncode == 0, cp.out
        # gpg homes with the sq reporter's secret key, and the gpg reporter's for sq
        cls.gpg_of_sq = pc.new_homedir(w, "gpg-of-sq")
        for f in (cls.sq_rep.keyfile, cls.team_pub_file):
            assert gpg_tool(cls.gpg_of_sq, "--import", f).returncode == 0
        cls.gpg_rep_secret = os.path.join(w, "rep.secret.asc")
        with open(cls.gpg_rep_secret, "wb") as f:
            f.write(cls.gpg_rep.gpg("--export-secret-keys", "--armor", cls.gpg_rep.fpr).stdout)

    @classmethod
    def file_reports(cls):
        toks = {name: h.unique_token(name) for name in ("enc", "red", "nokey", "amber", "green")}
        cls.toks = toks

        def encrypted(key, tok, text):
            inner = pc.text_entity(text)
            return ("Content-Type: multipart/encrypted; boundary=\"b-" + tok + "\"; protocol=\"application/pgp-encrypted\"",
                    pc.crlf(f"--b-{tok}\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n"
                            f"--b-{tok}\r\nContent-Type: application/octet-stream\r\n\r\n")
                    + pc.crlf(key.encrypt(inner, sign=True)) + pc.crlf(f"\r\n--b-{tok}--\r\n"))

        items = [
            (REPORTER, report(toks["enc"], REPORTER,
                              encrypted(cls.gpg_rep, toks["enc"], "Host 192.0.2.7 is compromised. secret-enc-line\r\n"))),
            (SQ_REPORTER, report(toks["red"], SQ_REPORTER,
                                 pc.text_ct_body("TLP:RED\r\nOur customer's mailbox was read. secret-red-line\r\n"))),
            (NOKEY, report(toks["nokey"], NOKEY,
                           encrypted(cls.nokey, toks["nokey"], "Encrypted, but we have no key of yours.\r\n"))),
            (AMBER_SENDER, report(toks["amber"], AMBER_SENDER,
                                  pc.text_ct_body("TLP:AMBER\r\nPhishing kit at 198.51.100.9.\r\n"))),
            (GREEN_SENDER, report(toks["green"], GREEN_SENDER, pc.text_ct_body("A scan from 203.0.113.5.\r\n"))),
        ]
        with smtplib.SMTP("127.0.0.1", cls.daemon.smtp_port, local_hostname="client.example.org", timeout=60) as s:
            for sender, raw in items:
                assert not s.sendmail(sender, ["cert@csirt.example"], raw)
        h.wait_spool_drained(cls.state, timeout=60)
        cls.tickets = {name: cls.ticket_of(f"<{tok}@it.csirtgw.test>") for name, tok in toks.items()}

    @classmethod
    def db(cls):
        con = sqlite3.connect(f"file:{os.path.join(cls.state, 'csirtgw.db')}?mode=ro", uri=True, timeout=30)
        con.row_factory = sqlite3.Row
        return con

    @classmethod
    def ticket_of(cls, message_id):
        con = cls.db()
        try:
            row = con.execute("SELECT ticket FROM ticket_messages WHERE message_id = ?", (message_id,)).fetchone()
            assert row, f"no ticket for {message_id}"
            return row[0]
        finally:
            con.close()

    def write(self, text):
        path = os.path.join(self.work, h.unique_token("text"))
        with open(path, "w") as f:
            f.write(text)
        return path

    def sent(self, cp):
        """The message a successful `ticket reply/forward` queued, as the sink got it."""
        self.assertEqual(cp.returncode, 0, cp.out)
        m = re.search(r"queued (<corr\.[0-9a-f]+@[^>]+>) to (\S+),", cp.out)
        self.assertTrue(m, cp.out)
        message_id = m.group(1)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not self.sink.with_message_id(message_id):
            time.sleep(0.2)
        got = self.sink.with_message_id(message_id)
        self.assertEqual(len(got), 1, f"{message_id} reached the smarthost {len(got)} times")
        rcpts, raw = got[0]
        self.assertEqual(rcpts, [m.group(2)])
        return message_id, raw

    def armored(self, raw):
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        self.assertEqual(msg.get_content_type(), "multipart/encrypted")
        parts = mime_parts(raw, msg.get_param("boundary"))
        self.assertEqual(len(parts), 2)
        armored = parts[1].partition(b"\r\n\r\n")[2]
        self.assertIn(b"-----BEGIN PGP MESSAGE-----", armored)
        return armored

    def decrypt_both(self, armored, gpg_home, secret_file):
        """Decrypted and verified with gpg AND sq; they agree. Returns the text part."""
        cp = gpg_tool(gpg_home, "--decrypt", data=armored)
        st = cp.stderr.decode("utf-8", "replace")
        self.assertEqual(cp.returncode, 0, st[-1500:])
        self.assertIn("[GNUPG:] DECRYPTION_OKAY", st)
        self.assertIn("[GNUPG:] GOODSIG", st)
        self.assertEqual(validsig_primary(st), [self.team_fpr], st)
        cp2 = pc.run([pc.SQ, "decrypt", "--recipient-key", secret_file, "--signer-cert", self.team_pub_file],
                     data=armored, check=False)
        self.assertEqual(cp2.returncode, 0, cp2.stderr.decode()[-1500:])
        self.assertEqual(cp2.stdout, cp.stdout)
        entity = email.message_from_bytes(cp.stdout, policy=email.policy.default)
        return entity.get_content()

    def check_headers(self, raw, ticket, to, subject, in_reply_to=None):
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)  # the header values as sent
        self.assertEqual(msg["From"], '"Example CERT" <cert@csirt.example>')
        self.assertEqual(msg["To"], f"<{to}>")
        self.assertEqual(msg["Subject"], f"[XYZ-CERT #{ticket}] {subject}")
        self.assertIsNone(msg["Auto-Submitted"])
        if in_reply_to:
            self.assertEqual(msg["In-Reply-To"], in_reply_to)
            self.assertIn(in_reply_to, msg["References"])
        return msg

    def check_recorded(self, ticket, message_id, raw, recipient, fingerprint, kind):
        con = self.db()
        try:
            rows = con.execute("SELECT * FROM ticket_correspondence WHERE message_id = ?", (message_id,)).fetchall()
            self.assertEqual(len(rows), 1)
            r = rows[0]
            self.assertEqual((r["ticket"], r["direction"], r["kind"], r["recipient"], r["recipient_fingerprint"]),
                             (ticket, "out", kind, recipient, fingerprint))
            import getpass
            self.assertEqual(r["staff"], os.environ.get("SUDO_USER") or getpass.getuser())
            import hashlib
            self.assertEqual(r["sha256"], hashlib.sha256(raw).hexdigest())
            deadline = time.monotonic() + 15
            while True:
                out = con.execute("SELECT kind, state FROM outbound WHERE spool_id = ?", (r["outbound_id"],)).fetchone()
                if tuple(out) == ("correspondence", "sent") or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            self.assertEqual(tuple(out), ("correspondence", "sent"))
        finally:
            con.close()
        copies = [m for m in h.maildir_messages(self.state) if m.header("Message-ID") == message_id]
        self.assertEqual(len(copies), 1)
        self.assertEqual(copies[0].header("X-Csirtgw-Direction"), "outgoing")
        self.assertEqual(copies[0].header("X-Csirtgw-Ticket"), f"XYZ-CERT #{ticket}")
        events = [e["event"] for e in h.audit_rows(self.state, "WHERE spool_id = ?", (r["outbound_id"],))]
        self.assertIn("correspondence-queued", events)
        self.assertIn("correspondence-sent", events)
        cp = self.cli("ticket", "show", str(ticket), "--json")
        self.assertEqual(cp.returncode, 0, cp.out)
        if kind == "reply":  # a reply answers the ticket: its first response (stats, due time)
            self.assertTrue(json.loads(cp.stdout)["first_response_at"], cp.out)
        shown = [c for c in json.loads(cp.stdout)["correspondence"] if c["message_id"] == message_id]
        self.assertEqual(len(shown), 1)
        self.assertEqual((shown[0]["kind"], shown[0]["recipient"], shown[0]["delivery"], shown[0]["encrypted"]),
                         (kind, recipient, "sent", bool(fingerprint)))
        cp = self.cli("ticket", "show", str(ticket))
        self.assertIn("sent:         ", cp.stdout.decode())
        self.assertIn(message_id, cp.stdout.decode())
        return copies[0]

    def refused(self, cp, rule):
        self.assertEqual(cp.returncode, 1, cp.out)
        self.assertIn(f"refused ({rule})", cp.out)
        rows = h.audit_rows(self.state, "WHERE event = 'correspondence-refused'")
        self.assertIn(rule, [json.loads(r["detail"])["rule"] for r in rows])

    # -- the tests ---------------------------------------------------------
    def test_1_reply_to_encrypted_report_decrypts_with_gpg_and_sq(self):
        n = self.tickets["enc"]
        text = ("We blocked 192.0.2.7. reply-marker-1\n\nOn Tue, Reporter wrote:\n"
                "> Host 192.0.2.7 is compromised. secret-enc-line\n")
        message_id, raw = self.sent(self.cli("ticket", "reply", str(n), self.write(text)))
        self.check_headers(raw, n, REPORTER, "Re: your incident report", f"<{self.toks['enc']}@it.csirtgw.test>")
        self.assertNotIn(b"reply-marker-1", raw)
        body = self.decrypt_both(self.armored(raw), self.gpg_rep.homedir, self.gpg_rep_secret)
        self.assertIn("reply-marker-1", body)
        self.assertNotIn("secret-enc-line", body)
        self.assertNotIn("wrote:", body)
        self.check_recorded(n, message_id, raw, REPORTER, self.gpg_rep.fpr.upper(), "reply")
        self.__class__.enc_reply_id = message_id

    def test_2_red_reply_with_sq_key_and_red_forward_refused(self):
        n = self.tickets["red"]
        message_id, raw = self.sent(self.cli("ticket", "reply", f"XYZ-CERT #{n}", "-",
                                             stdin=b"Thanks, reply-marker-2.\n"))
        self.check_headers(raw, n, SQ_REPORTER, "Re: your incident report")
        body = self.decrypt_both(self.armored(raw), self.gpg_of_sq, self.sq_rep.keyfile)
        self.assertIn("reply-marker-2", body)
        self.check_recorded(n, message_id, raw, SQ_REPORTER, self.sq_rep.fpr.upper(), "reply")
        before = len(self.sink.received)
        self.refused(self.cli("ticket", "forward", str(n), PARTNER, self.write("please handle\n")),
                     "tlp-red-participants")
        time.sleep(2)
        self.assertEqual(len(self.sink.received), before)

    def test_3_encrypted_report_without_a_key_is_refused(self):
        cp = self.cli("ticket", "reply", str(self.tickets["nokey"]), self.write("hello\n"))
        self.refused(cp, "encryption-required")
        self.assertIn(f"no key registered for {NOKEY}", cp.out)
        cp = self.cli("ticket", "show", str(self.tickets["nokey"]), "--json")
        self.assertEqual(json.loads(cp.stdout)["first_response_at"], "", "a refused reply answered nothing")

    def test_4_amber_forward_needs_a_key_with_organisation(self):
        n = self.tickets["amber"]
        self.refused(self.cli("ticket", "forward", str(n), NOORG, self.write("hand-off\n")),
                     "tlp-amber-registered-org")
        message_id, raw = self.sent(self.cli("ticket", "forward", str(n), PARTNER,
                                             self.write("Please take this, forward-marker-4.\n")))
        self.check_headers(raw, n, PARTNER, "Incident hand-off from Example CERT")
        self.assertNotIn(f"{self.toks['amber']}".encode(), raw)  # no reporter Message-ID leaks
        partner_secret = os.path.join(self.work, "partner.secret.asc")
        with open(partner_secret, "wb") as f:
            f.write(self.partner.gpg("--export-secret-keys", "--armor", self.partner.fpr).stdout)
        body = self.decrypt_both(self.armored(raw), self.partner.homedir, partner_secret)
        self.assertEqual(body.splitlines()[0], "TLP:AMBER", body)
        self.assertIn("forward-marker-4", body)
        self.check_recorded(n, message_id, raw, PARTNER, self.partner.fpr.upper(), "forward")

    def test_5_green_reply_without_key_is_signed_only(self):
        n = self.tickets["green"]
        message_id, raw = self.sent(self.cli("ticket", "reply", str(n), self.write("Noted, reply-marker-5.\n")))
        msg = self.check_headers(raw, n, GREEN_SENDER, "Re: your incident report")
        self.assertEqual(msg.get_content_type(), "multipart/signed")
        parts = mime_parts(raw, msg.get_param("boundary"))
        signed, sig = parts[0] + b"\r\n", parts[1].partition(b"\r\n\r\n")[2]
        home = pc.new_homedir(self.work, "verify-green")
        gpg_tool(home, "--import", self.team_pub_file)
        sig_file, data_file = self.write(sig.decode()), os.path.join(self.work, "green.signed")
        with open(data_file, "wb") as f:
            f.write(signed)
        cp = gpg_tool(home, "--verify", sig_file, data_file)
        self.assertEqual(cp.returncode, 0, cp.stderr.decode()[-800:])
        self.assertEqual(validsig_primary(cp.stderr.decode()), [self.team_fpr])
        self.check_recorded(n, message_id, raw, GREEN_SENDER, "", "reply")

    def test_6_reporters_answer_joins_the_ticket(self):
        if not getattr(self.__class__, "enc_reply_id", None):
            self.skipTest("needs test_1's reply")
        tok = h.unique_token("answer")
        raw = h.make_message(tok, sender=REPORTER, extra_headers=(f"In-Reply-To: {self.enc_reply_id}",))
        with smtplib.SMTP("127.0.0.1", self.daemon.smtp_port, local_hostname="client.example.org") as s:
            self.assertFalse(s.sendmail(REPORTER, ["cert@csirt.example"], raw))
        h.wait_spool_drained(self.state, timeout=60)
        self.assertEqual(self.ticket_of(f"<{tok}@it.csirtgw.test>"), self.tickets["enc"])
        joined = [json.loads(r["detail"]) for r in h.audit_rows(self.state, "WHERE event = 'ticket-joined'")]
        self.assertIn("In-Reply-To/References", [d.get("joined_by") for d in joined])

    def test_7_usage_errors_and_audit_chain(self):
        self.assertEqual(self.cli("ticket", "reply", "not-a-number", self.write("x\n")).returncode, 2)
        self.assertEqual(self.cli("ticket", "reply", "1", os.path.join(self.work, "missing")).returncode, 2)
        self.assertEqual(self.cli("ticket", "reply", "1").returncode, 2)
        cp = self.cli("ticket", "reply", "99999", self.write("x\n"))
        self.assertEqual(cp.returncode, 1, cp.out)
        self.assertIn("no-ticket", cp.out)
        # acknowledgements were not held back by the staff mail
        acks = [d for _, d in self.sink.received if b"Message-ID: <ack." in d]
        self.assertGreaterEqual(len(acks), 5)
        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)


if __name__ == "__main__":
    h.main()

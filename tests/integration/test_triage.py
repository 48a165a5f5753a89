#!/usr/bin/python3
"""Classification, routing, tickets and the triage CLI, end to end.

One daemon for the module (ephemeral SMTP and LMTP ports, its own state dir).
Every message goes through the real listeners (RawSession, byte-exact); the
filed copies are read back from the Maildir queues (DIR/queues/<name>/new) and
the ticket store through the CLI (`tickets --json`, `ticket show N --json`),
the audit log read-only from SQLite.

Policy under test: the embedded schemas/default-policy.toml (ticket prefix
XYZ-CERT; constituency 192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32,
csirt.example, example.edu; routes quarantine / vulnerabilities / coordination /
incident-reports) and the embedded reporting form (`csirtgw form`).

  test_1  signed+encrypted team-form report (gpg Ed25519 reporter, registered
          with `keys import --email`) -> incident-reports, decrypted, good,
          verified, intrusions/system-compromise, constituency yes, TLP RED,
          disclosure private-site + contact-information, ticket listed, 1 message
  test_2  follow-ups: "Re: [XYZ-CERT #N]" and In-Reply-To join ticket N (role
          follow-up); "[ABC-CSIRT #991]" opens a new ticket with that external
          ref; a tag naming a ticket that does not exist opens a new one
  test_3  free text about 203.0.113.5 scanning -> coordination, constituency no,
          information-gathering/scanner
  test_4  CVE text -> vulnerabilities (disclosure vulnerability); any mail to
          vuln@ -> vulnerabilities
  test_5  identical resend -> no second copy/ticket (audit `duplicate`); same
          Message-ID to abuse@ in a new transaction -> joins the same ticket
  test_6  ARF (RFC 5965) abuse from 198.51.100.7 -> abusive-content/spam, ours;
          legacy X-ARF login-attack from 203.0.113.9 -> brute-force, coordination
  test_7  TLP: unauthenticated CLEAR -> AMBER, unauthenticated RED -> RED,
          encrypted GREEN+RED -> RED, encrypted CLEAR -> CLEAR
  test_8  ticket take/comment/resolve/reopen as SUDO_USER alice (state + audit actor),
          audit verify, queues, stats (sums, no addresses), --since 2999
  test_9  malformed form still filed; audit `classified` lists field_errors and
          never the bad values

Run:  CSIRTGW_BIN=build/csirtgw /usr/bin/python3 tests/integration/test_triage.py
"""
import json
import os
import pwd
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import openpgp_corpus as pc  # noqa: E402

PREFIX = "XYZ-CERT"
REPORTER = pc.REPORTER                       # reporter@example.org
REPORTER_FROM = f"Reporter <{REPORTER}>"
CERT, ABUSE, VULN = h.INTAKES
FILE_TIMEOUT = 45.0
TICKET_RE = re.compile(r"^XYZ-CERT #(\d+)$")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
IPV4_RE = re.compile(r"(?<![\d.])\d{1,3}(\.\d{1,3}){3}(?![\d.])")
IPV6_RE = re.compile(r"(?i)(?<![0-9a-f:])[0-9a-f]{1,4}(:[0-9a-f]{0,4}){2,7}(?![0-9a-f:])")


# ---------------------------------------------------------------------------
# mail building and delivery
# ---------------------------------------------------------------------------
def tok(prefix):
    return h.unique_token(prefix)


def mail(subject, body, *, frm=REPORTER_FROM, to=CERT, mid=None,
         extra=(), ct="Content-Type: text/plain; charset=us-ascii"):
    """RFC 5322 message bytes, CRLF. `ct` may be a Content-Type header (with
    following header lines joined by CRLF); body is str or bytes."""
    hdrs = [f"From: {frm}", f"To: {to}", f"Subject: {subject}",
            f"Message-ID: {mid}", "Date: Mon, 23 Nov 2026 17:00:00 +0000",
            "MIME-Version: 1.0"] + list(extra) + [ct]
    return pc.crlf("\r\n".join(hdrs) + "\r\n\r\n") + pc.crlf(body)


def dot_stuff(raw):
    if not raw.endswith(b"\r\n"):
        raw += b"\r\n"
    out = re.sub(rb"(?m)^\.", b"..", raw)
    return out + b".\r\n"


def deliver(port, raw, rcpts=(CERT,), sender=REPORTER, lmtp=False):
    """One transaction over SMTP (or LMTP); asserts every reply; returns the
    final reply (or replies for LMTP)."""
    with h.RawSession(port, timeout=30) as s:
        r = s.reply()
        assert r.code == 220, r
        r = s.cmd(("LHLO" if lmtp else "EHLO") + " it.csirtgw.test")
        assert r.code == 250, r
        r = s.cmd(f"MAIL FROM:<{sender}>")
        assert r.code == 250, r
        for rc in rcpts:
            r = s.cmd(f"RCPT TO:<{rc}>")
            assert r.code == 250, (rc, r)
        r = s.cmd("DATA")
        assert r.code == 354, r
        s.send(dot_stuff(raw))
        finals = [s.reply() for _ in (rcpts if lmtp else [0])]
        for f in finals:
            assert f.code == 250, f"end of data: {f!r}"
        s.cmd("QUIT")
        return finals


# ---------------------------------------------------------------------------
# queues, tickets, audit
# ---------------------------------------------------------------------------
def queue_names(state):
    d = os.path.join(state, "queues")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def filed_with(state, token):
    """Every filed message (any queue) whose Subject contains token:
    list of (queue dir name, FiledMessage)."""
    out = []
    for q in queue_names(state):
        for m in h.maildir_messages(state, q):
            if token in m.subject:
                out.append((q, m))
    return out


def wait_filed(state, token, count=1, timeout=FILE_TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        found = filed_with(state, token)
        if len(found) >= count:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} filed message(s) with {token!r}, found "
                                 f"{len(found)} after {timeout}s; spool={h.spool_files(state)}")
        time.sleep(0.1)
    h.wait_spool_drained(state, timeout=30)
    return filed_with(state, token)


def hdr(fm, name):
    """The one value of an X-Csirtgw header (asserts it occurs exactly once)."""
    vals = [re.sub(r"\s+", " ", v).strip() for v in fm.headers(name)]
    if len(vals) != 1:
        raise AssertionError(f"{name}: expected exactly one, got {vals!r} in {fm!r}")
    return vals[0]


def ticket_number(fm):
    v = hdr(fm, "X-Csirtgw-Ticket")
    m = TICKET_RE.match(v)
    if not m:
        raise AssertionError(f"X-Csirtgw-Ticket {v!r} is not 'XYZ-CERT #N'")
    return int(m.group(1))


def disclosure(fm):
    return [x.strip() for x in hdr(fm, "X-Csirtgw-Disclosure").split(",") if x.strip()]


def cli_json(*args):
    cp = h.run_cli(*args)
    if cp.returncode != 0:
        raise AssertionError(f"csirtgw {' '.join(args)} -> exit {cp.returncode}\n{cp.out}")
    try:
        return json.loads(cp.stdout.decode())
    except ValueError as e:
        raise AssertionError(f"csirtgw {' '.join(args)}: not JSON ({e}):\n{cp.out}")


class Triage(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.work = h.mkdtemp("csirtgw-it-tri-")
        cls.state = os.path.join(cls.work, "state")
        cls.keydir = os.path.join(cls.work, "keys")
        os.makedirs(cls.state)
        os.makedirs(cls.keydir)
        cls.daemon = h.Daemon(cls.state).start()
        cls.smtp = cls.daemon.smtp_port
        cls.lmtp = cls.daemon.lmtp_port
        # the reporter: gpg Ed25519/Cv25519, registered for reporter@example.org
        cls.rep = pc.GpgKey(cls.keydir, "reporter", REPORTER_FROM, "future-default", "default")
        pub = os.path.join(cls.keydir, "reporter.asc")
        with open(pub, "wb") as f:
            f.write(cls.rep.export_public())
        cp = h.run_cli("keys", "import", pub, "--email", REPORTER, "--state-dir", cls.state)
        if cp.returncode != 0:
            raise AssertionError(f"keys import failed: {cp.out}")
        cp = h.run_cli("keys", "export-team", "--state-dir", cls.state)
        if cp.returncode != 0 or b"BEGIN PGP PUBLIC KEY BLOCK" not in cp.stdout:
            raise AssertionError(f"keys export-team failed: {cp.out}")
        cls.rep.import_team(cp.stdout)
        cp = h.run_cli("form")
        if cp.returncode != 0:
            raise AssertionError(f"csirtgw form failed: {cp.out}")
        cls.blank_form = cp.stdout.decode()
        cls._first = None

    @classmethod
    def tearDownClass(cls):
        if cls.daemon:
            rc = cls.daemon.terminate()
            cls.daemon.cleanup()
            if rc != 0:
                print(f"daemon exit status {rc}\n{cls.daemon.stderr_tail()}", file=sys.stderr)
        cls.rep.kill_agent()

    # ------------------------------------------------------------ helpers
    def send(self, raw, rcpts=(CERT,), lmtp=False, sender=REPORTER):
        return deliver(self.lmtp if lmtp else self.smtp, raw, rcpts, sender, lmtp)

    def send_one(self, token, raw, **kw):
        """Deliver and wait for exactly one filed copy; returns (queue, msg)."""
        self.send(raw, **kw)
        found = wait_filed(self.state, token)
        self.assertEqual(len(found), 1, f"{token}: filed {len(found)} times: {found}")
        q, fm = found[0]
        self.assertEqual(hdr(fm, "X-Csirtgw-Queue"), q,
                         f"{token}: X-Csirtgw-Queue differs from the Maildir queue")
        return q, fm

    def show(self, n):
        return cli_json("ticket", "show", str(n), "--json", "--state-dir", self.state)

    def tickets(self):
        return cli_json("tickets", "--json", "--state-dir", self.state)

    def fill_form(self, values):
        """The blank form from `csirtgw form` with the first occurrence of each
        'Label:' line filled in (values: label -> text; a list = several lines,
        the following ones indented)."""
        out, done = [], set()
        for line in self.blank_form.splitlines():
            m = re.match(r"^([A-Za-z][^:#]*):\s*$", line)
            if m and m.group(1) in values and m.group(1) not in done:
                done.add(m.group(1))
                v = values[m.group(1)]
                if isinstance(v, (list, tuple)):
                    out.append(f"{m.group(1)}: {v[0]}")
                    out += ["  " + x for x in v[1:]]
                else:
                    out.append(f"{m.group(1)}: {v}")
            else:
                out.append(line)
        missing = set(values) - done
        if missing:
            raise AssertionError(f"labels not in the blank form: {sorted(missing)}")
        return "\n".join(out) + "\n"

    def encrypted_mail(self, token, text, subject, sign=True, mid=None):
        inner = pc.text_entity(text)
        ct = self.rep.encrypt(inner, sign=sign)
        ctype, body = pc.pgp_encrypted(ct)
        return mail(subject, body, mid=mid or f"<{token}@it.csirtgw.test>", ct=ctype)

    def first_report(self):
        """The signed+encrypted team-form report (sent once, shared by tests 1, 2)."""
        cls = type(self)
        if cls._first is None:
            token = tok("form")
            form = self.fill_form({
                "Reporter name": "Rita Reporter",
                "Organisation": "Example University",
                "Reporter e-mail": REPORTER,
                "Reporter phone": "+49 40 1234567",
                "Hostname": "www.example.edu",
                "IP address": "192.0.2.10",
                "Function": "web server",
                "Incident date and time": "2026-11-20 10:00 +01:00",
                "Incident type": "intrusions/system-compromise",
                "Description": ["Unexpected processes on the web server,",
                                "outbound connections at night."],
                "TLP": "RED",
            })
            mid = f"<{token}@it.csirtgw.test>"
            raw = self.encrypted_mail(token, form, f"incident report {token}", sign=True, mid=mid)
            q, fm = self.send_one(token, raw)
            cls._first = dict(token=token, queue=q, fm=fm, mid=mid, n=ticket_number(fm))
        return cls._first

    def plain(self, token, body, subject=None, **kw):
        return mail(subject or f"report {token}", body, mid=kw.pop("mid", f"<{token}@it.csirtgw.test>"), **kw)

    # ------------------------------------------------------------ tests
    def test_1_signed_encrypted_team_form(self):
        f = self.first_report()
        q, fm = f["queue"], f["fm"]
        self.assertEqual(q, "incident-reports")
        self.assertEqual(hdr(fm, "X-Csirtgw-Encryption"), "decrypted")
        self.assertEqual(hdr(fm, "X-Csirtgw-Signature"), "good")
        self.assertEqual(hdr(fm, "X-Csirtgw-Signer"), self.rep.fpr)
        self.assertEqual(hdr(fm, "X-Csirtgw-Sender-Verified"), f"yes; address={REPORTER}")
        self.assertEqual(hdr(fm, "X-Csirtgw-Type"), "intrusions/system-compromise")
        self.assertEqual(hdr(fm, "X-Csirtgw-Constituency"), "yes")
        self.assertEqual(hdr(fm, "X-Csirtgw-TLP"), "RED")
        self.assertEqual(hdr(fm, "X-Csirtgw-Priority"), "3")   # RFC 2350 E 4.1 level 3
        cats = disclosure(fm)
        for c in ("private-site", "contact-information"):
            self.assertIn(c, cats)
        self.assertIn(b"192.0.2.10", fm.body, "the decrypted form is filed")
        n = f["n"]
        listed = [t for t in self.tickets() if t["number"] == n]
        self.assertEqual(len(listed), 1, f"ticket {n} not in `tickets --json`")
        t = listed[0]
        self.assertEqual(t["ticket"], f"{PREFIX} #{n}")
        self.assertEqual((t["queue"], t["type"], t["tlp"], t["constituency"], t["encryption"],
                          t["signature"]),
                         ("incident-reports", "intrusions/system-compromise", "RED", True,
                          "decrypted", "good"))
        s = self.show(n)
        self.assertEqual(len(s["messages"]), 1, s)
        self.assertEqual(s["messages"][0]["spool_id"], fm.spool_id)
        self.assertEqual(s["messages"][0]["message_id"], f["mid"])
        self.assertEqual(s["messages"][0]["role"], "report")
        self.assertEqual(s["state"], "open")

    def test_2_follow_ups_and_external_refs(self):
        f = self.first_report()
        n = f["n"]
        before = len(self.show(n)["messages"])
        # reply with our tag in the Subject (no In-Reply-To)
        t1 = tok("re")
        q1, fm1 = self.send_one(t1, self.plain(
            t1, "Thanks, the host is offline now.\r\n",
            subject=f"Re: [{PREFIX} #{n}] incident report {t1}"))
        self.assertEqual(ticket_number(fm1), n, "subject tag must join the ticket")
        self.assertEqual(q1, f["queue"], "a follow-up is filed with its ticket")
        s = self.show(n)
        self.assertEqual(len(s["messages"]), before + 1, s)
        roles = {m["spool_id"]: m["role"] for m in s["messages"]}
        self.assertEqual(roles.get(fm1.spool_id), "follow-up", s)
        # only In-Reply-To: <first Message-ID>
        t2 = tok("irt")
        q2, fm2 = self.send_one(t2, self.plain(
            t2, "One more log line attached below.\r\n", subject=f"more details {t2}",
            extra=[f"In-Reply-To: {f['mid']}"]))
        self.assertEqual(ticket_number(fm2), n, "In-Reply-To must join the ticket")
        s = self.show(n)
        self.assertEqual(len(s["messages"]), before + 2, s)
        roles = {m["spool_id"]: m["role"] for m in s["messages"]}
        self.assertEqual(roles.get(fm2.spool_id), "follow-up", s)
        # another team's tag on a new report: a new ticket, the tag kept
        t3 = tok("ext")
        q3, fm3 = self.send_one(t3, self.plain(
            t3, "Host 192.0.2.77 is sending spam to our users.\r\n",
            subject=f"[ABC-CSIRT #991] new report {t3}"))
        m3 = ticket_number(fm3)
        self.assertNotEqual(m3, n)
        s3 = self.show(m3)
        self.assertEqual(s3["external_refs"], ["ABC-CSIRT #991"], s3)
        self.assertEqual(len(s3["messages"]), 1, s3)
        self.assertEqual(s3["messages"][0]["role"], "report")
        # our prefix with a number that does not exist: a new ticket, no crash
        t4 = tok("ghost")
        q4, fm4 = self.send_one(t4, self.plain(
            t4, "Re-sending, the old ticket seems lost.\r\n",
            subject=f"Re: [{PREFIX} #987654] {t4}"))
        m4 = ticket_number(fm4)
        self.assertNotIn(m4, (n, m3, 987654))
        self.assertEqual(self.show(m4)["messages"][0]["role"], "report")

    def test_3_outside_constituency(self):
        t = tok("scan")
        q, fm = self.send_one(t, self.plain(
            t, "Hello,\r\nwe see 203.0.113.5 scanning our networks since this morning,\r\n"
               "about 4000 connection attempts per minute.\r\nRegards\r\n"))
        self.assertEqual(q, "coordination")
        self.assertEqual(hdr(fm, "X-Csirtgw-Constituency"), "no")
        self.assertEqual(hdr(fm, "X-Csirtgw-Type"), "information-gathering/scanner")
        self.assertEqual(hdr(fm, "X-Csirtgw-Encryption"), "none")
        self.assertEqual(hdr(fm, "X-Csirtgw-Signature"), "none")
        self.assertEqual(hdr(fm, "X-Csirtgw-Sender-Verified"), "no")
        n = ticket_number(fm)
        self.assertEqual(self.show(n)["queue"], "coordination")

    def test_4_vulnerabilities(self):
        t = tok("cve")
        q, fm = self.send_one(t, self.plain(t, "CVE-2024-3094 in xz on 192.0.2.20\r\n"))
        self.assertEqual(q, "vulnerabilities")
        self.assertIn("vulnerability", disclosure(fm))
        self.assertTrue(hdr(fm, "X-Csirtgw-Type").startswith("vulnerable/"), hdr(fm, "X-Csirtgw-Type"))
        self.assertEqual(hdr(fm, "X-Csirtgw-Constituency"), "yes")
        # any report to vuln@ (nothing vulnerability-like in it), over LMTP
        t2 = tok("vulnintake")
        q2, fm2 = self.send_one(t2, self.plain(
            t2, "Our web shop at 192.0.2.30 shows other customers' orders.\r\n", to=VULN),
            rcpts=(VULN,), lmtp=True)
        self.assertEqual(q2, "vulnerabilities", f"type {hdr(fm2, 'X-Csirtgw-Type')}")
        self.assertEqual(self.show(ticket_number(fm2))["queue"], "vulnerabilities")

    def test_5_resend_and_other_intake(self):
        t = tok("dup")
        raw = self.plain(t, "Host 192.0.2.55 was defaced last night.\r\n")
        q, fm = self.send_one(t, raw)
        n = ticket_number(fm)
        n_tickets = len(self.tickets())
        # the identical bytes again, same envelope: 250, never a second copy/ticket
        self.send(raw)
        h.wait_spool_drained(self.state)
        time.sleep(1.0)
        self.assertEqual(len(filed_with(self.state, t)), 1, "identical resend filed again")
        self.assertEqual(len(self.tickets()), n_tickets, "identical resend made a ticket")
        self.assertEqual(len(self.show(n)["messages"]), 1)
        dups = [r for r in h.audit_rows(self.state, "WHERE event = 'duplicate'")
                if json.loads(r["detail"] or "{}").get("original") == fm.spool_id]
        self.assertEqual(len(dups), 1, "one `duplicate` audit event naming the original")
        # same Message-ID (same bytes) to abuse@ in a separate transaction, over LMTP
        self.send(raw, rcpts=(ABUSE,), lmtp=True)
        found = wait_filed(self.state, t, count=2)
        self.assertEqual(len(found), 2, found)
        other = [(qq, m) for qq, m in found if m.spool_id != fm.spool_id]
        self.assertEqual(len(other), 1)
        q2, fm2 = other[0]
        self.assertEqual(ticket_number(fm2), n, "same Message-ID must join the same ticket")
        self.assertEqual(q2, q, "filed with its ticket")
        self.assertEqual(len(self.tickets()), n_tickets, "no second ticket")
        s = self.show(n)
        self.assertEqual(len(s["messages"]), 2, s)
        self.assertEqual({m["spool_id"]: m["role"] for m in s["messages"]},
                         {fm.spool_id: "report", fm2.spool_id: "follow-up"})
        # and a resend of THAT (abuse@ again) is a duplicate too
        self.send(raw, rcpts=(ABUSE,), lmtp=True)
        h.wait_spool_drained(self.state)
        time.sleep(1.0)
        self.assertEqual(len(filed_with(self.state, t)), 2)
        self.assertEqual(len(self.show(n)["messages"]), 2)

    def test_6_arf_and_xarf(self):
        # RFC 5965 feedback report
        t = tok("arf")
        orig = ("From: Spammer <sales@spam-sender.example>\r\n"
                "To: victim@mail.example.net\r\n"
                f"Subject: Cheap watches {t}\r\n"
                f"Message-ID: <orig-{t}@spam-sender.example>\r\n"
                "Date: Sun, 22 Nov 2026 08:00:00 +0000\r\n\r\n"
                "Buy now.\r\n")
        human = pc.text_entity("This is an email abuse report for an email message received "
                               "from IP 198.51.100.7 on Sun, 22 Nov 2026 08:00:00 +0000.\r\n")
        fb = pc.entity(["Content-Type: message/feedback-report"],
                       "Feedback-Type: abuse\r\n"
                       "User-Agent: SomeGenerator/1.0\r\n"
                       "Version: 1\r\n"
                       "Original-Mail-From: <sales@spam-sender.example>\r\n"
                       "Original-Rcpt-To: <victim@mail.example.net>\r\n"
                       "Arrival-Date: Sun, 22 Nov 2026 08:00:00 +0000\r\n"
                       "Reporting-MTA: dns; mail.example.net\r\n"
                       "Source-IP: 198.51.100.7\r\n"
                       "Incidents: 1\r\n")
        om = pc.entity(["Content-Type: message/rfc822", "Content-Disposition: inline"], orig)
        ctype, body = pc.multipart("report", [human, fb, om], params="report-type=feedback-report",
                                   tag="arf")
        q, fm = self.send_one(t, mail(f"FW: abuse report {t}", body, ct=ctype,
                                      frm="Abuse Desk <abuse@mail.example.net>",
                                      mid=f"<{t}@it.csirtgw.test>", to=ABUSE),
                              rcpts=(ABUSE,), sender="abuse@mail.example.net")
        self.assertEqual(hdr(fm, "X-Csirtgw-Type"), "abusive-content/spam")
        self.assertEqual(hdr(fm, "X-Csirtgw-Constituency"), "yes")
        self.assertEqual(q, "incident-reports")
        self.assertIn("intruder", disclosure(fm))          # arf.source-ip
        # legacy X-ARF (X-XARF: PLAIN, YAML in report.txt)
        t2 = tok("xarf")
        human2 = pc.text_entity("Dear abuse team,\r\nwe observed login attempts on our ssh "
                                "service from a host in your network.\r\n")
        yaml = ("Reported-From: abuse@reporter.example.net\r\n"
                "Category: abuse\r\n"
                "Report-Type: login-attack\r\n"
                "Service: ssh\r\n"
                "Version: 0.2\r\n"
                "User-Agent: fail2ban-xarf 1.0\r\n"
                "Date: 2026-11-22T08:00:00Z\r\n"
                "Source: 203.0.113.9\r\n"
                "Source-Type: ipv4\r\n"
                "Port: 22\r\n"
                "Attachment: text/plain\r\n"
                "Schema-URL: http://www.x-arf.org/schema/abuse_login-attack_0.1.2.json\r\n")
        rep = pc.entity(['Content-Type: text/plain; charset=utf-8; name="report.txt"',
                         "Content-Transfer-Encoding: 7bit",
                         'Content-Disposition: attachment; filename="report.txt"'], yaml)
        logs = pc.entity(['Content-Type: text/plain; charset=utf-8; name="logfile.log"',
                          'Content-Disposition: attachment; filename="logfile.log"'],
                         "2026-11-22T08:00:00Z sshd: Failed password for root from 203.0.113.9\r\n")
        ctype2, body2 = pc.multipart("mixed", [human2, rep, logs], tag="xarf")
        q2, fm2 = self.send_one(t2, mail(f"abuse report about 203.0.113.9 {t2}", body2, ct=ctype2,
                                         frm="Abuse Reporter <abuse@reporter.example.net>",
                                         mid=f"<{t2}@it.csirtgw.test>", to=ABUSE,
                                         extra=["X-XARF: PLAIN"]),
                                rcpts=(ABUSE,), sender="abuse@reporter.example.net")
        self.assertEqual((hdr(fm2, "X-Csirtgw-Type"), hdr(fm2, "X-Csirtgw-Constituency"), q2),
                         ("intrusion-attempts/brute-force", "no", "coordination"),
                         "X-ARF Report-Type login-attack must decide the type "
                         "(the generic 'Category: abuse' maps to spam)")

    def test_7_tlp(self):
        cases = []
        t = tok("tlpclear")
        cases.append((t, self.plain(t, "TLP:CLEAR\r\nHost 192.0.2.41 sends unsolicited mail.\r\n"),
                      "AMBER", "unauthenticated CLEAR may not loosen the default"))
        t = tok("tlpred")
        cases.append((t, self.plain(t, "TLP:RED\r\nHost 192.0.2.42 sends unsolicited mail.\r\n"),
                      "RED", "unauthenticated RED tightens"))
        t = tok("tlpmix")
        cases.append((t, self.encrypted_mail(
            t, "TLP:GREEN\r\nHost 192.0.2.43 sends unsolicited mail.\r\n"
               "Details below are TLP:RED.\r\n", f"report {t}", sign=False),
            "RED", "encrypted GREEN+RED: the strictest wins"))
        t = tok("tlpencclear")
        cases.append((t, self.encrypted_mail(
            t, "TLP:CLEAR\r\nHost 192.0.2.44 sends unsolicited mail.\r\n", f"report {t}", sign=False),
            "CLEAR", "authenticated (decrypted) CLEAR counts"))
        for token, raw, _, _ in cases:
            self.send(raw)
        errors = []
        for token, raw, want, why in cases:
            found = wait_filed(self.state, token)
            self.assertEqual(len(found), 1)
            q, fm = found[0]
            got = hdr(fm, "X-Csirtgw-TLP")
            if got != want:
                errors.append(f"{token}: TLP {got}, expected {want} ({why}); "
                              f"encryption {hdr(fm, 'X-Csirtgw-Encryption')}")
            tl = self.show(ticket_number(fm))["tlp"]
            if tl != want:
                errors.append(f"{token}: ticket tlp {tl}, expected {want}")
        if errors:
            self.fail("\n".join(errors))

    def test_8_triage_cli(self):
        # one ticket each in coordination and vulnerabilities (so that this test
        # also stands alone), and the one the operator works on
        t1, t2 = tok("tricoord"), tok("trivuln")
        self.send(self.plain(t1, "203.0.113.77 keeps scanning our hosts.\r\n"))
        self.send(self.plain(t2, "CVE-2023-4863 affects the image service on 192.0.2.88\r\n"))
        self.assertEqual(wait_filed(self.state, t1)[0][0], "coordination")
        self.assertEqual(wait_filed(self.state, t2)[0][0], "vulnerabilities")
        t = tok("triage")
        q, fm = self.send_one(t, self.plain(t, "Host 192.0.2.66 has a web shell.\r\n"))
        n = ticket_number(fm)
        self.assertEqual(q, "incident-reports")
        seq0 = max(r["seq"] for r in h.audit_rows(self.state))

        # The operator is the OS user; root acting through sudo is SUDO_USER.
        who = "alice" if h.is_root() else pwd.getpwuid(os.getuid()).pw_name

        def act(*args):
            cp = h.run_cli("ticket", *args, "--state-dir", self.state, env={"SUDO_USER": "alice"})
            self.assertEqual(cp.returncode, 0, f"ticket {' '.join(args)}: {cp.out}")
            return self.show(n)

        s = act("take", str(n))
        self.assertEqual((s["state"], s["owner"]), ("taken", who))
        s = act("comment", str(n), "called the admin")
        self.assertEqual([(c["author"], c["text"]) for c in s["comments"]], [(who, "called the admin")])
        s = act("resolve", f"{PREFIX} #{n}")
        self.assertEqual(s["state"], "resolved")
        s = act("reopen", f"#{n}")
        self.assertEqual(s["state"], "open")
        self.assertEqual(len(s["comments"]), 1)
        # unknown ticket: an error, nothing audited
        cp = h.run_cli("ticket", "take", "99999999", "--state-dir", self.state)
        self.assertNotEqual(cp.returncode, 0, cp.out)

        rows = h.audit_rows(self.state, "WHERE seq > ?", (seq0,))
        mine = [r for r in rows if r["event"].startswith("ticket-") and r["event"] != "ticket-created"
                and r["event"] != "ticket-joined"]
        self.assertEqual([(r["event"], r["actor"]) for r in mine],
                         [("ticket-take", who), ("ticket-comment", who),
                          ("ticket-resolve", who), ("ticket-reopen", who)])
        for r in mine:
            self.assertEqual(json.loads(r["detail"]).get("ticket"), n, r)
            self.assertNotIn("called the admin", r["detail"] or "", "comment text in the audit log")
        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertRegex(cp.out, h.INTACT_RE)

        # queues: every routed queue with Maildir and ticket counts
        cp = h.run_cli("queues", "--state-dir", self.state)
        self.assertEqual(cp.returncode, 0, cp.out)
        table = {}
        for line in cp.stdout.decode().splitlines()[1:]:
            parts = line.split()
            if len(parts) == 6:
                table[parts[0]] = [int(x) for x in parts[1:]]
        tickets = self.tickets()
        for name in ("incident-reports", "coordination", "vulnerabilities"):
            self.assertIn(name, table, cp.out)
            new, read, op, taken, resolved = table[name]
            files = len(h.maildir_messages(self.state, name))
            self.assertEqual(new + read, files, f"{name}: {cp.out}")
            self.assertGreater(files, 0)
            in_q = [x for x in tickets if x["queue"] == name]
            self.assertEqual((op, taken, resolved),
                             (sum(x["state"] == "open" for x in in_q),
                              sum(x["state"] == "taken" for x in in_q),
                              sum(x["state"] == "resolved" for x in in_q)), f"{name}: {cp.out}")

        # stats: counts only
        total = len(tickets)
        self.assertGreaterEqual(total, 3)
        outputs = {}
        for by in ("type", "category", "constituency", "month"):
            js = cli_json("stats", "--by", by, "--json", "--state-dir", self.state)
            outputs[f"{by}/json"] = json.dumps(js)
            self.assertEqual(js["total"], total, f"--by {by}: {js}")
            if by == "category":
                self.assertGreaterEqual(sum(js["counts"].values()), total)
            else:
                self.assertEqual(sum(js["counts"].values()), total, f"--by {by}: {js}")
            if by == "type":
                want = {}
                for x in tickets:
                    want[x["type"]] = want.get(x["type"], 0) + 1
                self.assertEqual(js["counts"], want)
            if by == "constituency":
                self.assertEqual(set(js["counts"]) - {"inside", "outside"}, set(), js)
                self.assertEqual(js["counts"].get("outside", 0),
                                 sum(not x["constituency"] for x in tickets))
            cp = h.run_cli("stats", "--by", by, "--csv", "--state-dir", self.state)
            self.assertEqual(cp.returncode, 0, cp.out)
            lines = cp.stdout.decode().splitlines()
            self.assertEqual(lines[0], f"{by},count")
            csv_counts = {l.rsplit(",", 1)[0]: int(l.rsplit(",", 1)[1]) for l in lines[1:] if l}
            self.assertEqual(csv_counts, js["counts"], f"--by {by} csv vs json")
            outputs[f"{by}/csv"] = cp.out
            cp = h.run_cli("stats", "--by", by, "--state-dir", self.state)
            self.assertEqual(cp.returncode, 0, cp.out)
            outputs[f"{by}/text"] = cp.out
        leaks = []
        for k, out in outputs.items():
            for rx in (EMAIL_RE, IPV4_RE, IPV6_RE):
                m = rx.search(out)
                if m:
                    leaks.append(f"{k}: {m.group(0)!r}")
            for s in ("example.edu", "example.org", "example.net", "csirt.example", "alice",
                      "called the admin"):
                if s in out:
                    leaks.append(f"{k}: {s!r}")
        if leaks:
            self.fail("identifying data in stats output:\n" + "\n".join(leaks))
        js = cli_json("stats", "--by", "type", "--json", "--since", "2999-01-01", "--state-dir", self.state)
        self.assertEqual(js["total"], 0, js)
        self.assertEqual(sum(js["counts"].values()), 0, js)
        js = cli_json("stats", "--by", "month", "--json", "--until", "1999-12-31", "--state-dir", self.state)
        self.assertEqual(js["total"], 0, js)

    def test_9_malformed_form(self):
        t = tok("badform")
        form = self.fill_form({
            "Reporter name": "Mallory Misformat",
            "Reporter e-mail": REPORTER,
            "Hostname": "www.example.edu",
            "IP address": "999.1.1.1",
            "Incident date and time": "2026-11-21 09:00 UTC",
            "Incident type": "made-up/nonsense",
            "Description": "Something odd on the host.",
        })
        q, fm = self.send_one(t, self.plain(t, form))
        self.assertNotEqual(q, "quarantine")
        self.assertEqual(q, "incident-reports", f"type {hdr(fm, 'X-Csirtgw-Type')}, "
                                                f"constituency {hdr(fm, 'X-Csirtgw-Constituency')}")
        ticket_number(fm)
        rows = h.audit_rows(self.state, "WHERE event = 'classified' AND spool_id = ?", (fm.spool_id,))
        self.assertEqual(len(rows), 1, rows)
        d = json.loads(rows[0]["detail"])
        self.assertEqual(d.get("format"), "team-form", d)
        fields = {e.get("field") for e in d.get("field_errors", [])}
        self.assertIn("affected-host.ip", fields, d)
        self.assertIn("incident.type", fields, d)
        for value in ("999.1.1.1", "made-up", "Mallory"):
            self.assertNotIn(value, rows[0]["detail"], "field values in the audit log")
        self.assertIn(b"999.1.1.1", fm.body, "the report is filed as sent")
        type(self).malformed = fm

    def test_9b_form_help_text_is_not_report_content(self):
        # The blank form's '#' help lines (which list every RSIT type, e.g.
        # 'fraud/phishing', 'information-gathering/sniffing') are not the
        # reporter's words: they must not decide the type or the priority.
        t = tok("spamform")
        form = self.fill_form({
            "Reporter name": "Sam Sender",
            "Reporter e-mail": REPORTER,
            "IP address": "192.0.2.12",
            "Incident date and time": "2026-11-21 09:00 UTC",
            "Incident type": "abusive-content/spam",
            "Description": "Our mail relay forwards bulk mail.",
        })
        q, fm = self.send_one(t, self.plain(t, form))
        errors = []
        if hdr(fm, "X-Csirtgw-Type") != "abusive-content/spam":
            errors.append(f"valid form: type {hdr(fm, 'X-Csirtgw-Type')}, expected abusive-content/spam")
        # RFC 2350 E 4.1 level 11 (spam); level 7's word "sniffing" is only in the help text
        if hdr(fm, "X-Csirtgw-Priority") != "11":
            errors.append(f"valid spam form: priority {hdr(fm, 'X-Csirtgw-Priority')}, expected 11")
        bad = getattr(type(self), "malformed", None)
        if bad is not None:
            # unknown type, no keyword in the reporter's own text: undetermined, unmatched
            if hdr(bad, "X-Csirtgw-Type") != "other/undetermined":
                errors.append(f"malformed form: type {hdr(bad, 'X-Csirtgw-Type')}, "
                              "expected other/undetermined")
            if hdr(bad, "X-Csirtgw-Priority") != "13":
                errors.append(f"malformed form: priority {hdr(bad, 'X-Csirtgw-Priority')}, expected 13")
        if errors:
            self.fail("\n".join(errors))

    def test_9c_audit_details_carry_no_report_values(self):
        # README: audit details carry ids, sizes and hashes, never message
        # contents (classify_stage: "field values and indicators stay in the
        # message"). No audit detail of a message event (spool_id set) may hold
        # an e-mail or IP address. (key-registered, an operator's action on the
        # key registry, names the bound address by design.)
        self.first_report()
        leaks = []
        for r in h.audit_rows(self.state, "WHERE spool_id IS NOT NULL AND spool_id != ''"):
            d = r["detail"] or ""
            if r["event"].startswith("ack-"):
                # Not the report's: the acknowledgement's own Message-ID
                # (<ack.SPOOLID@listen.hostname>) and the smarthost's reply
                # (which operators need word for word).
                detail = json.loads(d)
                detail.pop("message_id", None)
                detail.pop("reply", None)
                d = json.dumps(detail)
            for rx in (EMAIL_RE, IPV4_RE):
                m = rx.search(d)
                if m:
                    leaks.append(f"seq {r['seq']} {r['event']}: {m.group(0)!r}")
                    break
        if leaks:
            self.fail(f"{len(leaks)} audit events carry addresses:\n" + "\n".join(leaks[:12]))


if __name__ == "__main__":
    h.main()

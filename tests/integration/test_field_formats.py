#!/usr/bin/python3
"""Abuse reports as the field sends them (issue 19), end to end.

One daemon (ephemeral SMTP port, its own state dir, the embedded default
policy). Every report is our own, delivered through the real SMTP listener;
the filed copy is read back from its Maildir queue (X-Csirtgw-* headers) and the
audit log read-only from SQLite (`classified` and `routed` rows).

  test_1  XARF v4 as an application/json attachment, as the JSON body and in
          the legacy X-ARF layout -> the RSIT type of its category/type, the
          reported host deciding the constituency and so the queue
  test_2  content/csam -> abusive-content/violence, priority 1; XARF v3
          Network/ddos -> availability/ddos (not refused)
  test_3  forwarded originals: message/rfc822 and an .eml sent as
          application/octet-stream -> indicators from the forwarded original
          and attachment hashes (counted by origin in `classified`)
  test_4  TLP as people write it: "TLP red", "TLP - RED", "[TLP:RED]" in the
          subject, "TLP: AMBER+STRICT", "tlp:clear" unauthenticated
  test_5  a follow-up filed into its ticket's queue: the `routed` audit event
          names the queue the copy is in

Run:  CSIRTGW_BIN=build/csirtgw /usr/bin/python3 tests/integration/test_field_formats.py
"""
import base64
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

REPORTER = "abuse@reporter.example"
CERT = "cert@csirt.example"
FILE_TIMEOUT = 30.0


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def mail(subject, content_type, body, extra=()):
    hdrs = [f"From: Abuse Desk <{REPORTER}>", f"To: {CERT}", f"Subject: {subject}",
            f"Message-ID: <{h.unique_token('m')}@reporter.example>",
            "Date: Wed, 02 Dec 2026 10:00:00 +0000", "MIME-Version: 1.0"]
    hdrs += list(extra) + [f"Content-Type: {content_type}"]
    return crlf("\n".join(hdrs) + "\n\n" + body)


def v4(category, typ, source, **extra):
    doc = {"xarf_version": "4.0.0", "report_id": "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6",
           "timestamp": "2026-12-02T09:00:00Z",
           "reporter": {"org": "Reporter", "contact": REPORTER, "domain": "reporter.example"},
           "sender": {"org": "Reporter", "contact": REPORTER, "domain": "reporter.example"},
           "source_identifier": source, "source_port": 40000, "category": category, "type": typ,
           "evidence_source": "honeypot",
           "evidence": [{"content_type": "text/plain", "description": "botnet_participation excerpt",
                         "payload": base64.b64encode(b"log line").decode()}]}
    doc.update(extra)
    return json.dumps(doc, indent=1)


def as_attachment(subject, json_text):
    return mail(subject, 'multipart/mixed; boundary="b1"',
                "--b1\nContent-Type: text/plain\n\nOur report is attached.\n"
                '--b1\nContent-Type: application/json; name="report.json"\n'
                'Content-Disposition: attachment; filename="report.json"\n\n'
                + json_text + "\n--b1--\n")


def as_body(subject, json_text):
    return mail(subject, "application/json", json_text + "\n")


def as_xarf_layout(subject, json_text):
    return mail(subject, 'multipart/mixed; boundary="b2"',
                "--b2\nContent-Type: text/plain\n\nThis is an abuse report.\n"
                '--b2\nContent-Type: text/plain; name="report.txt"\n\n' + json_text + "\n--b2--\n",
                extra=("X-XARF: PLAIN",))


ORIGINAL = ("Received: from mx.spam-sender.example (mx.spam-sender.example [198.18.40.2])\n"
            "\tby mx.example.edu; Tue, 1 Dec 2026 10:00:00 +0000\n"
            "From: Lottery <win@spam-sender.example>\n"
            "To: user@example.edu\n"
            "Subject: You won\n"
            "Message-ID: <orig-1@spam-sender.example>\n"
            "MIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="in"\n\n'
            "--in\nContent-Type: text/plain\n\nClaim at http://claim.spam-sender.example/x\n"
            '--in\nContent-Type: application/octet-stream; name="prize.zip"\n'
            "Content-Transfer-Encoding: base64\n\n" + base64.b64encode(b"PK not really").decode() + "\n"
            "--in--\n")


def dot_stuff(raw):
    if not raw.endswith(b"\r\n"):
        raw += b"\r\n"
    return re.sub(rb"(?m)^\.", b"..", raw) + b".\r\n"


def deliver(port, raw):
    with h.RawSession(port, timeout=30) as s:
        assert s.reply().code == 220
        assert s.cmd("EHLO it.csirtgw.test").code == 250
        assert s.cmd(f"MAIL FROM:<{REPORTER}>").code == 250
        assert s.cmd(f"RCPT TO:<{CERT}>").code == 250
        assert s.cmd("DATA").code == 354
        s.send(dot_stuff(raw))
        r = s.reply()
        assert r.code == 250, r
        s.cmd("QUIT")


def queue_of(fm):
    """The queue a filed message is in: DIR/queues/<queue>/<new|cur>/<file>."""
    return os.path.basename(os.path.dirname(os.path.dirname(fm.path)))


def hdr(fm, name):
    return fm.single_header(name)


class FieldFormats(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.work = h.mkdtemp("csirtgw-it-ff-")
        cls.state = os.path.join(cls.work, "state")
        os.makedirs(cls.state)
        cls.daemon = h.Daemon(cls.state, lmtp=None).start()
        cls.smtp = cls.daemon.smtp_port

    @classmethod
    def tearDownClass(cls):
        cls.daemon.terminate()

    def send(self, subject_words, build):
        """Delivers build(subject); returns (queue, filed message, classified, routed)."""
        token = h.unique_token("ff")
        deliver(self.smtp, build(f"{subject_words} {token}"))
        [fm] = h.wait_for_messages(self.state, token, timeout=FILE_TIMEOUT)
        queue = queue_of(fm)
        self.assertEqual(hdr(fm, "X-Csirtgw-Queue"), queue)
        rows = {r["event"]: json.loads(r["detail"] or "{}") for r in
                h.audit_rows(self.state, "WHERE spool_id = ? AND event IN ('classified', 'routed')", (fm.spool_id,))}
        return queue, fm, rows["classified"], rows["routed"]

    def test_1_xarf_v4_three_wrappings(self):
        cases = [
            (as_attachment, v4("content", "phishing", "203.0.113.40"), "fraud/phishing", "coordination", "no"),
            (as_body, v4("connection", "ddos", "192.0.2.44"), "availability/ddos", "incident-reports", "yes"),
            (as_xarf_layout, v4("vulnerability", "cve", "198.51.100.9", cve_id="CVE-2024-3094"),
             "vulnerable/vulnerable-system", "vulnerabilities", "yes"),
            (as_attachment, v4("connection", "login_attack", "mail.example.edu"),
             "intrusion-attempts/brute-force", "incident-reports", "yes"),
            (as_body, v4("messaging", "spam", "203.0.113.41"), "abusive-content/spam", "coordination", "no"),
        ]
        for wrap, doc, rsit, queue, ours in cases:
            with self.subTest(rsit=rsit, wrap=wrap.__name__):
                q, fm, classified, routed = self.send("abuse report", lambda s: wrap(s, doc))
                self.assertEqual(hdr(fm, "X-Csirtgw-Type"), rsit)
                self.assertEqual(hdr(fm, "X-Csirtgw-Constituency"), ours)
                self.assertEqual(q, queue)
                self.assertEqual(routed["queue"], q)
                self.assertEqual(classified["format"], "xarf-v4")
                self.assertEqual(classified["field_errors"], [])

    def test_2_top_priority_and_v3(self):
        q, fm, classified, _ = self.send("report", lambda s: as_attachment(s, v4("content", "csam", "203.0.113.50")))
        self.assertEqual(hdr(fm, "X-Csirtgw-Type"), "abusive-content/violence")
        self.assertEqual(hdr(fm, "X-Csirtgw-Priority"), "1")
        v3 = json.dumps({"Version": "3", "ReporterInfo": {"ReporterOrg": "Reporter"},
                         "Report": {"ReportClass": "Network", "ReportType": "ddos", "Date": "2026-12-02T09:00:00Z",
                                    "Source": {"IP": "203.0.113.51", "Port": 53, "Type": "ip"}}})
        q, fm, classified, _ = self.send("report", lambda s: as_attachment(s, v3))
        self.assertEqual(classified["format"], "xarf-v3")
        self.assertEqual(classified["field_errors"], [])
        self.assertEqual(hdr(fm, "X-Csirtgw-Type"), "availability/ddos")
        self.assertEqual(q, "coordination")

    def test_3_forwarded_originals(self):
        rfc822 = lambda s: mail(s, 'multipart/mixed; boundary="o"',
                                "--o\nContent-Type: text/plain\n\nSpam we got, attached.\n"
                                "--o\nContent-Type: message/rfc822\n\n" + ORIGINAL + "--o--\n")
        eml = base64.encodebytes(crlf(ORIGINAL)).decode()
        octet = lambda s: mail(s, 'multipart/mixed; boundary="o"',
                               "--o\nContent-Type: text/plain\n\nSpam we got, attached.\n"
                               '--o\nContent-Type: application/octet-stream; name="spam.eml"\n'
                               'Content-Disposition: attachment; filename="spam.eml"\n'
                               "Content-Transfer-Encoding: base64\n\n" + eml + "--o--\n")
        for name, build in (("message/rfc822", rfc822), ("octet-stream .eml", octet)):
            with self.subTest(name):
                q, fm, classified, _ = self.send("Fwd: spam", build)
                origins = classified.get("indicator_origins", {})
                self.assertGreaterEqual(origins.get("forwarded-original", 0), 3, classified)  # relay, sender domain, URL
                self.assertGreaterEqual(origins.get("attachment", 0), 3, classified)  # sha256, sha1, md5
                self.assertEqual(hdr(fm, "X-Csirtgw-Type"), "abusive-content/spam")
                # Our own correspondents were no e-mail indicators: no private-user.
                self.assertNotIn("private-user", hdr(fm, "X-Csirtgw-Disclosure"))

    def test_4_tlp_as_written(self):
        cases = [("incident", "This is TLP red, please.\n", "RED"),
                 ("incident", "Classification: TLP - RED\n", "RED"),
                 ("[TLP:RED] incident", "details follow\n", "RED"),
                 ("incident", "TLP: AMBER+STRICT\n", "AMBER+STRICT"),
                 ("incident", "tlp:clear\n", "AMBER")]  # unauthenticated: may only tighten
        for subject, body, tlp in cases:
            with self.subTest(body=body):
                _, fm, _, _ = self.send(subject, lambda s: mail(s, "text/plain", body))
                self.assertEqual(hdr(fm, "X-Csirtgw-TLP"), tlp)

    def test_5_follow_up_routed_where_filed(self):
        q1, fm1, _, _ = self.send("vulnerable host", lambda s: mail(s, "text/plain",
                                                                    "CVE-2024-3094 on 192.0.2.80.\n"))
        self.assertEqual(q1, "vulnerabilities")
        ticket = hdr(fm1, "X-Csirtgw-Ticket")
        # By the rules alone this one goes to coordination (an outside scanner).
        q2, fm2, _, routed = self.send(f"Re: [{ticket}] more",
                                       lambda s: mail(s, "text/plain", "Port scan from 203.0.113.5 as well.\n"))
        self.assertEqual(hdr(fm2, "X-Csirtgw-Ticket"), ticket)
        self.assertEqual(q2, "vulnerabilities")
        self.assertEqual(routed["queue"], q2, routed)
        self.assertEqual(routed.get("rule_queue"), "coordination", routed)


if __name__ == "__main__":
    h.main()

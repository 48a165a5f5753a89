#!/usr/bin/python3
"""Classification on real reports (issue 16), end to end through the listener.

One daemon, the embedded default policy and reporting form (constituency
192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32, csirt.example, example.edu).

  test_1  table of reports, each delivered over SMTP and read back from its
          queue: a form whose labels are written in other spellings
          (INCIDENT-TYPE, reporter_name ...); a multi-valued IP field with one
          bad value (the good ones count, the error names the value's position,
          never the value); a report whose only addresses are the attacker's
          (they decide no constituency); free text outside the constituency
          (the evidence says it came from the free text); a constituent's
          phishing report pointing outside (-> incident-reports, said why)
  test_2  follow-ups to a TLP:RED ticket: an unauthenticated mail from someone
          who is no participant, saying TLP:AMBER, is filed RED with
          Participant: no, audited, and raises the ticket's attention; a
          gpg-signed (PGP/MIME) follow-up from the registered reporter is a
          participant's, filed RED too; `ticket show` shows both

Run:  CSIRTGW_BIN=build/csirtgw /usr/bin/python3 tests/integration/test_real_reports.py
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import openpgp_corpus as pc  # noqa: E402
from test_triage import cli_json, deliver, hdr, mail, ticket_number, tok, wait_filed  # noqa: E402

REPORTER = pc.REPORTER                       # reporter@example.org, key registered
REPORTER_FROM = f"Reporter <{REPORTER}>"
OUTSIDER = "Eve <eve@attacker.example>"
CONSTITUENT = "Bob Student <bob@example.edu>"
FREE_TEXT = "from free-text indicators (no affected-host field)"


def form(*lines):
    return "\n".join(lines) + "\n"


# name, From, body, expected queue, expected X-Csirtgw-* values, expected field errors (classified audit)
CASES = [
    ("folded_labels", REPORTER_FROM,
     form("reporter_name: Rita Reporter", "REPORTER E-MAIL: reporter@example.org",
          "Incident-Date-And-Time: 2026-11-20 10:00 +01:00", "INCIDENT-TYPE: intrusions/system-compromise",
          "affected_hostname: www.example.edu", "tlp: amber"),
     "incident-reports",
     {"Type": "intrusions/system-compromise", "Constituency": "yes",
      "Constituency-Because": "affected www.example.edu", "TLP": "AMBER"},
     []),
    ("multi_valued_ip", REPORTER_FROM,
     form("Reporter name: Rita Reporter", "Reporter e-mail: reporter@example.org",
          "Incident date and time: 2026-11-20 10:00 +01:00", "Incident type: malicious-code/infected-system",
          "Affected IP: 203.0.113.99, 198.51.100.23x, 198.51.100.23,", "   2001:db8:ffff::99"),
     "incident-reports",
     {"Type": "malicious-code/infected-system", "Constituency": "yes",
      "Constituency-Because": "affected 198.51.100.23"},
     [{"field": "affected-host.ip", "error": "value 2 of 4: not an IP address (block 0)"}]),
    ("attacker_only", REPORTER_FROM,
     form("Reporter name: Rita Reporter", "Reporter e-mail: reporter@example.org",
          "Incident date and time: 2026-11-20 10:00 +01:00", "Incident type: intrusion-attempts/brute-force",
          "Attacker IP: 203.0.113.7, 203.0.113.8", "Source of attack: scanner.attacker.example",
          "Description: SSH password guessing from 203.0.113.7 all night."),
     "incident-reports",
     {"Type": "intrusion-attempts/brute-force", "Constituency": "yes",
      "Constituency-Because": "no affected host named (only attack sources): treated as ours"},
     []),
    ("free_text_outside", REPORTER_FROM,
     "Hello,\nhost 203.0.113.50 is scanning the internet, port scan logs attached.\n",
     "coordination",
     {"Type": "information-gathering/scanner", "Constituency": "no",
      "Constituency-Because": f"{FREE_TEXT}: none inside the constituency"},
     []),
    ("constituent_phishing", CONSTITUENT,
     "Hi CERT,\nI got a phishing mail asking for my password; the link goes to\n"
     "https://login-example-edu.attacker.example/owa and the sender was 203.0.113.66.\n",
     "incident-reports",
     {"Type": "fraud/phishing", "Constituency": "no",
      "Constituency-Because": f"{FREE_TEXT}: none inside the constituency",
      "Reporter": "constituent; From domain example.edu is in the constituency"},
     []),
]


class RealReports(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.work = h.mkdtemp("csirtgw-it-real-")
        cls.state = os.path.join(cls.work, "state")
        keydir = os.path.join(cls.work, "keys")
        os.makedirs(cls.state)
        os.makedirs(keydir)
        cls.daemon = h.Daemon(cls.state).start()
        cls.rep = pc.GpgKey(keydir, "reporter", REPORTER_FROM, "future-default", "default")
        pub = os.path.join(keydir, "reporter.asc")
        with open(pub, "wb") as f:
            f.write(cls.rep.export_public())
        cp = h.run_cli("keys", "import", pub, "--email", REPORTER, "--state-dir", cls.state)
        if cp.returncode != 0:
            raise AssertionError(f"keys import failed: {cp.out}")

    @classmethod
    def tearDownClass(cls):
        rc = cls.daemon.terminate()
        cls.daemon.cleanup()
        if rc != 0:
            print(f"daemon exit status {rc}\n{cls.daemon.stderr_tail()}", file=sys.stderr)
        cls.rep.kill_agent()

    def send(self, raw, sender):
        deliver(self.daemon.smtp_port, raw, sender=sender)

    def classified(self, fm):
        rows = h.audit_rows(self.state, "WHERE event = 'classified' AND spool_id = ?", (fm.spool_id,))
        self.assertEqual(len(rows), 1, fm)
        return json.loads(rows[0]["detail"])

    def test_1_classification_cases(self):
        tokens = {}
        for name, frm, body, *_ in CASES:
            t = tok(name)
            tokens[name] = t
            self.send(mail(f"report {t}", body, frm=frm, mid=f"<{t}@it.csirtgw.test>"),
                      sender=frm.split("<")[1].rstrip(">"))
        for name, frm, body, queue, want, errors in CASES:
            with self.subTest(case=name):
                found = wait_filed(self.state, tokens[name])
                self.assertEqual(len(found), 1)
                q, fm = found[0]
                self.assertEqual(q, queue)
                got = {k: hdr(fm, "X-Csirtgw-" + k) for k in want}
                self.assertEqual(got, want)
                if "Reporter" not in want:
                    self.assertEqual(fm.headers("X-Csirtgw-Reporter"), [])
                self.assertEqual(fm.headers("X-Csirtgw-Participant"), [])   # not a follow-up
                detail = self.classified(fm)
                self.assertEqual(detail["field_errors"], errors)
                # the audit says where the constituency came from, never the addresses
                self.assertNotIn("198.51.100", json.dumps(detail))
                self.assertNotIn("example.edu", json.dumps(detail))
                if name == "multi_valued_ip":
                    self.assertIn("private-site", hdr(fm, "X-Csirtgw-Disclosure").split(","))
                if name == "constituent_phishing":
                    self.assertTrue(detail["reporter_constituent"])
                    routed = h.audit_rows(self.state, "WHERE event = 'routed' AND spool_id = ?", (fm.spool_id,))
                    self.assertEqual(json.loads(routed[0]["detail"])["rule"], "reported by a constituent")

    def test_3_html_only_report_is_classified_from_its_text(self):
        # Outlook-style HTML with nothing else: its words decide, not "other/undetermined".
        t = tok("html_only")
        body = ("<html><head><style>p {font-family: Calibri}</style></head><body>"
                "<div>Dear CERT,</div><div>a <b>phishing</b> site imitating our webmail is live at</div>"
                "<div>https://webmail-example-edu.attacker.example/login &ndash; please take it down.</div>"
                "<div>TLP&nbsp;:&nbsp;RED</div></body></html>\n")
        self.send(mail(f"report {t}", body, frm=CONSTITUENT, mid=f"<{t}@it.csirtgw.test>",
                       ct="Content-Type: text/html; charset=utf-8"), sender="bob@example.edu")
        (q, fm), = wait_filed(self.state, t)
        self.assertEqual(hdr(fm, "X-Csirtgw-Type"), "fraud/phishing")
        self.assertEqual(hdr(fm, "X-Csirtgw-TLP"), "RED")
        self.assertEqual(q, "incident-reports")
        detail = self.classified(fm)
        self.assertGreaterEqual(detail["indicators"].get("url", 0), 1, detail)

    def test_2_follow_ups_do_not_relabel_the_ticket(self):
        t = tok("red")
        self.send(mail(f"report {t}", "TLP:RED\nOur web server www.example.edu was compromised.\n",
                       frm=REPORTER_FROM, mid=f"<{t}@it.csirtgw.test>"), REPORTER)
        (_, first), = wait_filed(self.state, t)
        self.assertEqual(hdr(first, "X-Csirtgw-TLP"), "RED")
        n = ticket_number(first)
        tag = f"[XYZ-CERT #{n}]"

        # Each follow-up: name, message, expected Participant, Sender-Verified, attention after it
        outsider_token = tok("outsider")
        outsider = mail(f"Re: {tag} {outsider_token}", "TLP:AMBER\nPlease share this with me.\n",
                        frm=OUTSIDER, mid=f"<{outsider_token}@attacker.example>")
        signed_token = tok("signed")
        part = pc.text_entity("TLP:AMBER\nMore details: the web shell was in /tmp.\n")
        ct, body = pc.pgp_signed(part, self.rep.detach_sign(part))
        signed = mail(f"Re: {tag} {signed_token}", body, frm=REPORTER_FROM, mid=f"<{signed_token}@it.csirtgw.test>",
                      ct=ct)
        rows = [("outsider", outsider_token, outsider, "eve@attacker.example", "no", "no", 1),
                ("signed reporter", signed_token, signed, REPORTER, "yes", f"yes; address={REPORTER}", 1)]
        for name, token, raw, sender, participant, verified, attention in rows:
            with self.subTest(follow_up=name):
                self.send(raw, sender)
                (q, fm), = wait_filed(self.state, token)
                self.assertEqual(ticket_number(fm), n)
                self.assertEqual(hdr(fm, "X-Csirtgw-TLP"), "RED")
                self.assertEqual(hdr(fm, "X-Csirtgw-Participant"), participant)
                self.assertEqual(hdr(fm, "X-Csirtgw-Sender-Verified"), verified)
                joined = h.audit_rows(self.state, "WHERE event = 'ticket-joined' AND spool_id = ?", (fm.spool_id,))
                self.assertEqual(len(joined), 1)
                self.assertEqual(json.loads(joined[0]["detail"])["participant"], participant == "yes")
                attention_rows = h.audit_rows(self.state, "WHERE event = 'attention-raised' AND spool_id = ?",
                                              (fm.spool_id,))
                self.assertEqual(len(attention_rows), 0 if participant == "yes" else 1)
                shown = cli_json("ticket", "show", str(n), "--json", "--state-dir", self.state)
                self.assertEqual(shown["tlp"], "RED")
                self.assertEqual(shown["attention"], attention)
                by_spool = {m["spool_id"]: m for m in shown["messages"]}
                self.assertEqual(by_spool[fm.spool_id]["participant"], participant == "yes")
        text = h.run_cli("ticket", "show", str(n), "--state-dir", self.state)
        self.assertEqual(text.returncode, 0, text.out)
        self.assertIn("attention:", text.out)
        self.assertIn("(not a participant)", text.out)


if __name__ == "__main__":
    h.main()

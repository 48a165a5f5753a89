#!/usr/bin/python3
"""`csirtgw search`, end to end: real reports through the SMTP listener, the
indicators the classify stage extracted stored with each message's ticket,
then found with the CLI across all tickets.

One daemon (ephemeral ports, its own state dir), four reports over SMTP:
  A  free text: 192.0.2.44, hxxp://www.evil-search.example/dl.exe (defanged),
     CVE-2021-44228, phisher@spam-search.example.net
  B  multipart: 192.0.2.99 and cdn.evil-search.example in its text, an
     attachment (application/octet-stream) whose hashes are indicators
  C  a URL carrying terminal escape sequences (ESC ] 0 ; ... BEL) and 203.0.113.77
  D  a follow-up of A ("Re: [XYZ-CERT #A]") naming 192.0.2.44 again

  test_1  an address finds its tickets (A, and D which joined A's ticket)
  test_2  a CIDR block finds every address inside it, nothing outside
  test_3  a domain finds itself and its subdomains, not look-alikes
  test_4  the attachment's SHA-256 and MD5 find B (origin attachment)
  test_5  a CVE id (any case) and an e-mail address find A
  test_6  --json parses: query, hits with ticket, kind, origin, queue, state,
          tlp, when; --kind filters; --limit cuts and says so
  test_7  hostile: the URL with escapes is stored up to the ESC and printed
          without a control byte; a stored value carrying them is printed with
          them made visible (text and JSON); a search value with escapes is
          refused (exit 2) and quoted sanitised
  test_8  bad values and options exit 2 naming the problem

Run:  CSIRTGW_BIN=build/csirtgw /usr/bin/python3 tests/integration/test_search.py
"""
import base64
import hashlib
import json
import os
import re
import smtplib
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

CERT = h.INTAKES[0]
TICKET_RE = re.compile(r"^XYZ-CERT #(\d+)$")
ATTACHMENT = b"MZ\x90\x00 csirtgw search sample \x00\x01\x02\xff" * 40
ESCAPED_URL = "http://esc.search-test.example/a\x1b]0;pwned\x07b/c"


def raw_message(token, body, subject=None, content_type="text/plain; charset=us-ascii"):
    headers = [f"From: Reporter <{h.SENDER}>", f"To: {CERT}",
               f"Subject: {subject or 'incident report ' + token}",
               f"Message-ID: <{token}@it.csirtgw.test>", "Date: Mon, 23 Nov 2026 17:00:00 +0000",
               "MIME-Version: 1.0", f"Content-Type: {content_type}"]
    text = "\r\n".join(headers) + "\r\n\r\n" + body.replace("\r\n", "\n").replace("\n", "\r\n")
    return text.encode("latin-1")


def with_attachment(token, text, data):
    boundary = "=_search_" + token
    encoded = base64.encodebytes(data).decode().replace("\n", "\r\n")
    body = (f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n{text}\r\n"
            f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Disposition: attachment; filename=\"sample.bin\"\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--{boundary}--\r\n")
    return raw_message(token, body, content_type=f'multipart/mixed; boundary="{boundary}"')


def send(port, raw):
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.sendmail(h.SENDER, [CERT], raw)


def search(state, *args, expect=0):
    cp = h.run_cli("search", *args, "--state-dir", state)
    if cp.returncode != expect:
        raise AssertionError(f"csirtgw search {args!r} -> exit {cp.returncode}, expected {expect}\n{cp.out}")
    return cp


def hits(state, value, *args):
    """(ticket number, kind, value, origin) of every hit, from --json."""
    cp = search(state, value, "--json", *args)
    doc = json.loads(cp.stdout.decode())
    return {(int(TICKET_RE.match(x["ticket"]).group(1)), x["kind"], x["value"], x["origin"]) for x in doc["hits"]}


class Search(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.work = h.mkdtemp("csirtgw-it-search-")
        cls.state = os.path.join(cls.work, "state")
        os.makedirs(cls.state)
        cls.daemon = h.Daemon(cls.state).start()
        port = cls.daemon.smtp_port
        tokens = {name: h.unique_token("s" + name) for name in "ABCD"}
        send(port, raw_message(tokens["A"], (
            "Dear CERT,\n\nhost 192.0.2.44 serves malware from hxxp://www.evil-search[.]example/dl.exe\n"
            "and is exploited through cve-2021-44228. The lures came from phisher@spam-search.example.net.\n")))
        send(port, with_attachment(tokens["B"], "Scanning from 192.0.2.99 towards cdn.evil-search.example, "
                                                "sample attached.", ATTACHMENT))
        send(port, raw_message(tokens["C"], f"Open redirect at {ESCAPED_URL} seen from 203.0.113.77.\n"))
        cls.ticket = {}
        for name in "ABC":
            filed = h.wait_for_messages(cls.state, tokens[name], timeout=60)
            cls.ticket[name] = int(TICKET_RE.match(filed[0].single_header("X-Csirtgw-Ticket")).group(1))
        send(port, raw_message(tokens["D"], "Still seen today from 192.0.2.44.\n",
                               subject=f"Re: [XYZ-CERT #{cls.ticket['A']}] incident report {tokens['A']} {tokens['D']}"))
        filed = h.wait_for_messages(cls.state, tokens["D"], timeout=60)
        cls.ticket["D"] = int(TICKET_RE.match(filed[0].single_header("X-Csirtgw-Ticket")).group(1))

    @classmethod
    def tearDownClass(cls):
        cls.daemon.terminate()

    def test_1_address(self):
        a = self.ticket["A"]
        self.assertEqual(self.ticket["D"], a, "the follow-up joined A's ticket")
        found = hits(self.state, "192.0.2.44")
        self.assertEqual({(t, k, v) for t, k, v, _ in found}, {(a, "ip", "192.0.2.44")})
        self.assertEqual(len(json.loads(search(self.state, "192.0.2.44", "--json").stdout)["hits"]), 2,
                         "one hit per message: the report and its follow-up")
        out = search(self.state, "192.0.2.44").stdout.decode()
        self.assertIn(f"XYZ-CERT #{a}", out)
        self.assertIn("report-text", out)
        self.assertEqual(search(self.state, "192.0.2.45").stdout.decode().strip(), "no hits for ip 192.0.2.45")

    def test_2_cidr(self):
        found = {(t, v) for t, k, v, _ in hits(self.state, "192.0.2.0/24")}
        self.assertEqual(found, {(self.ticket["A"], "192.0.2.44"), (self.ticket["B"], "192.0.2.99")})
        self.assertEqual({v for _, _, v, _ in hits(self.state, "192.0.2.64/26")}, {"192.0.2.99"})
        self.assertEqual({v for _, _, v, _ in hits(self.state, "203.0.113.0/24")}, {"203.0.113.77"})
        self.assertEqual(hits(self.state, "198.51.100.0/24"), set())

    def test_3_domain(self):
        found = {(t, k, v) for t, k, v, _ in hits(self.state, "evil-search.example")}
        self.assertEqual(found, {(self.ticket["A"], "domain", "www.evil-search.example"),
                                 (self.ticket["B"], "domain", "cdn.evil-search.example")})
        self.assertEqual({v for _, _, v, _ in hits(self.state, "WWW.evil-search.example")}, {"www.evil-search.example"})
        self.assertEqual(hits(self.state, "l-search.example"), set())
        # The refanged URL is stored whole, and found by a prefix of it.
        self.assertEqual({v for _, _, v, _ in hits(self.state, "http://www.evil-search.example/")},
                         {"http://www.evil-search.example/dl.exe"})
        # An address at the domain is found by the domain.
        self.assertEqual({(k, v) for _, k, v, _ in hits(self.state, "example.net", "--kind", "email")},
                         {("email", "phisher@spam-search.example.net")})

    def test_4_attachment_hashes(self):
        for digest in (hashlib.sha256(ATTACHMENT).hexdigest(), hashlib.md5(ATTACHMENT).hexdigest().upper()):
            with self.subTest(digest=digest):
                found = hits(self.state, digest)
                self.assertEqual(len(found), 1, found)
                ticket, kind, value, origin = found.pop()
                self.assertEqual((ticket, origin, value), (self.ticket["B"], "attachment", digest.lower()))
                self.assertIn(kind, ("sha256", "md5"))

    def test_5_cve_and_email(self):
        self.assertEqual(hits(self.state, "CVE-2021-44228"), {(self.ticket["A"], "cve", "CVE-2021-44228", "report-text")})
        self.assertEqual(hits(self.state, "Phisher@Spam-Search.example.net"),
                         {(self.ticket["A"], "email", "phisher@spam-search.example.net", "report-text")})
        self.assertEqual(hits(self.state, "CVE-2021-44229"), set())

    def test_6_json_kind_limit(self):
        doc = json.loads(search(self.state, "192.0.2.0/24", "--json").stdout)
        self.assertEqual(doc["query"], {"kind": "cidr", "value": "192.0.2.0/24"})
        self.assertFalse(doc["more"])
        for hit in doc["hits"]:
            for key in ("ticket", "number", "value", "kind", "origin", "queue", "state", "tlp", "when", "spool_id"):
                self.assertIn(key, hit)
            self.assertEqual(hit["state"], "open")
            self.assertRegex(hit["when"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
            self.assertTrue(hit["queue"])
            self.assertTrue(hit["tlp"])
        limited = json.loads(search(self.state, "192.0.2.0/24", "--json", "--limit", "1").stdout)
        self.assertEqual(len(limited["hits"]), 1)
        self.assertTrue(limited["more"])
        self.assertIn("raise --limit", search(self.state, "192.0.2.0/24", "--limit", "1").stdout.decode())
        self.assertEqual(hits(self.state, "evil-search.example", "--kind", "email"), set())

    def test_7_hostile(self):
        cp = search(self.state, "http://esc.search-test.example/")
        self.assertNotIn(b"\x1b", cp.stdout)
        self.assertNotIn(b"\x07", cp.stdout)
        self.assertIn(b"http://esc.search-test.example/a", cp.stdout)
        self.assertIn(f"XYZ-CERT #{self.ticket['C']}".encode(), cp.stdout)
        # A stored value carrying the escapes (the extractor ends a URL at a
        # control byte, so it is written here as a future parser might store
        # it): printed with them made visible, in text and in JSON.
        con = sqlite3.connect(os.path.join(self.state, "csirtgw.db"), timeout=30)
        with con:
            con.execute("INSERT INTO indicators (spool_id, ticket, kind, value, origin) VALUES (?,?,?,?,?)",
                        ("search-test-row", self.ticket["C"], "url", ESCAPED_URL, "report-text"))
        con.close()
        for args in ((), ("--json",)):
            cp = search(self.state, "http://esc.search-test.example/a", *args)
            self.assertNotIn(b"\x1b", cp.stdout)
            self.assertNotIn(b"\x07", cp.stdout)
            self.assertIn(b"\\x1b]0;pwned", cp.stdout)
        cp = search(self.state, ESCAPED_URL, expect=2)
        self.assertNotIn(b"\x1b", cp.stdout + cp.stderr)
        self.assertNotIn(b"\x07", cp.stdout + cp.stderr)
        self.assertIn(b"\\x1b", cp.stderr)
        self.assertIn(b"space or control character", cp.stderr)

    def test_8_usage_errors(self):
        for args, says in ((("10.0.0.0/33",), "prefix length must be 0-32"),
                           (("abcdef",), "6 hexadecimal digits are no hash"),
                           (("CVE-2021-x",), "not a CVE id"),
                           (("",), "empty"),
                           (("localhost",), "not an IP address, CIDR block, domain"),
                           (("192.0.2.1", "--kind", "bogus"), "--kind"),
                           (("192.0.2.1", "--limit", "0"), "--limit")):
            with self.subTest(args=args):
                cp = search(self.state, *args, expect=2)
                self.assertIn(says, cp.out)


if __name__ == "__main__":
    h.main()

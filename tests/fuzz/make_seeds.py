#!/usr/bin/env python3
"""Writes the seed corpora under tests/fuzz/corpus/<target>/ (re-runnable; the
files are committed, this only documents and regenerates them). Harnesses that
take an option byte get it prepended here (see each fuzz_<target>.cpp)."""
import os, struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
def crlf(s): return s.replace("\r\n", "\n").replace("\n", "\r\n")
def write(target, name, data):
    d = os.path.join(HERE, "corpus", target); os.makedirs(d, exist_ok=True)
    if isinstance(data, str): data = data.encode()
    open(os.path.join(d, name), "wb").write(data)

# --- protocol_session: options byte, 2-byte split, client stream ----------------
def session(opts, split, stream): return bytes([opts]) + struct.pack("<H", split) + stream.encode("latin-1")
msg = "From: r@example.org\r\nTo: cert@csirt.example\r\nSubject: incident\r\nMessage-ID: <1@example.org>\r\n\r\nHello\r\n..dot-stuffed\r\n.\r\n"
smtp_ok = "EHLO client.example\r\nMAIL FROM:<r@example.org> SIZE=120\r\nRCPT TO:<cert@csirt.example>\r\nDATA\r\n" + msg + "QUIT\r\n"
write("protocol_session", "smtp-basic", session(0, 40, smtp_ok))
write("protocol_session", "smtp-pipelined-two", session(0, 90, "EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<abuse@csirt.example>\r\nRCPT TO:<relay@elsewhere.example>\r\nDATA\r\n" + msg + "RSET\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<vuln@csirt.example>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n"))
write("protocol_session", "lmtp-two-rcpts", session(1, 60, "LHLO c\r\nMAIL FROM:<r@example.org>\r\nRCPT TO:<cert@csirt.example>\r\nRCPT TO:<ABUSE@CSIRT.EXAMPLE>\r\nDATA\r\n" + msg + "QUIT\r\n"))
write("protocol_session", "lmtp-tempfail", session(1 | 4, 10, "LHLO c\r\nMAIL FROM:<r@example.org>\r\nRCPT TO:<cert@csirt.example>\r\nDATA\r\n" + msg))
write("protocol_session", "smuggle-lf-dot-lf", session(0, 70, "EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<cert@csirt.example>\r\nDATA\r\nSubject: x\r\n\r\nbody\n.\nMAIL FROM:<evil@x.example>\r\nRCPT TO:<cert@csirt.example>\r\nDATA\r\nsmuggled\r\n.\r\n"))
write("protocol_session", "smuggle-cr-dot-cr", session(0, 71, "EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<cert@csirt.example>\r\nDATA\r\nbody\r.\rMAIL FROM:<e@x.example>\r\n.\r\n"))
write("protocol_session", "smuggle-lf-in-command", session(0, 5, "EHLO c\nMAIL FROM:<a@b.example>\r\nRCPT TO:<cert@csirt.example>\r\n"))
write("protocol_session", "smuggle-crlf-dot-lf", session(0, 80, "HELO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<cert@csirt.example>\r\nDATA\r\nx\r\n.\nQUIT\r\n.\r\n"))
write("protocol_session", "tight-limits-long-lines", session(8, 30, "EHLO " + "c" * 100 + "\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<cert@csirt.example>\r\nRCPT TO:<abuse@csirt.example>\r\nRCPT TO:<vuln@csirt.example>\r\nRCPT TO:<cert@csirt.example>\r\nDATA\r\n" + "Subject: " + "y" * 120 + "\r\n\r\n" + "z" * 900 + "\r\n.\r\nNOOP\r\nVRFY x\r\nFOO\r\nBAR\r\nBAZ\r\nQUX\r\n"))
write("protocol_session", "nul-and-8bit", session(2, 50, "EHLO c\r\nMAIL FROM:<a@b.example> BODY=8BITMIME\r\nRCPT TO:<cert@csirt.example>\r\nDATA\r\n\xe4\xf6\x00\r\n.\r\nHELP\r\nQUIT\r\n"))
write("protocol_session", "bdat-starttls-auth", session(0, 9, "EHLO c\r\nSTARTTLS\r\nAUTH PLAIN AGFhAGI=\r\nBDAT 5 LAST\r\nhello"))

# --- mime: options byte + message ---------------------------------------------
plain = crlf("From: a@example.org\nTo: cert@csirt.example\nSubject: hi\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nHello =C3=A4 world=\n continued\n")
signed = crlf('From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/signed; micalg=pgp-sha256;\n protocol="application/pgp-signature"; boundary="sig-b"\n\nThis is an OpenPGP/MIME signed message.\n--sig-b\nContent-Type: text/plain; charset=us-ascii\n\nSigned text 192.0.2.7\n\n--sig-b\nContent-Type: application/pgp-signature; name="signature.asc"\n\n-----BEGIN PGP SIGNATURE-----\n\niHUEARYIAB0WIQQ=\n=abcd\n-----END PGP SIGNATURE-----\n--sig-b--\n')
encrypted = crlf('From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted";\n boundary="enc-b"\n\n--enc-b\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n--enc-b\nContent-Type: application/octet-stream; name="encrypted.asc"\n\n-----BEGIN PGP MESSAGE-----\n\nhF4DAAAAAAAAAAASAQdA\n=wxyz\n-----END PGP MESSAGE-----\n--enc-b--\n')
nested = crlf('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=outer\n\n--outer\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\nSGVsbG8gd29ybGQ=\n--outer\nContent-Type: message/rfc822\n\nSubject: inner\nContent-Type: multipart/alternative; boundary="in ner"\n\n--in ner\nContent-Type: text/plain\n\ninner text\n--in ner\nContent-Type: text/html\n\n<p>x</p>\n--in ner--\n--outer--\n')
unclosed = crlf('Content-Type: multipart/mixed; boundary=b\n\npreamble\n--b\n\nno headers\n--b \nContent-Type: text/plain\n\nlast part never closed\n')
deep = "".join(f"Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n" for i in range(40)) + "\r\nleaf\r\n"
for name, m in [("plain-qp", plain), ("pgp-mime-signed", signed), ("pgp-mime-encrypted", encrypted), ("nested-rfc822", nested), ("unclosed-multipart", unclosed), ("deep-40", deep)]:
    write("mime", name, b"\x00" + m.encode())
write("mime", "deep-tight", bytes([1 | (3 << 1) | (7 << 4)]) + deep.encode())
write("mime", "inline-pgp-lf-only", b"\x00" + b"Subject: x\n\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\ntext\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n")

# --- team_form: a filled form (plain text) --------------------------------------
form = """Hello, please find our report below.

# ---- Your contact details ----
Reporter name: Alice Example
Organisation: Example University
Reporter e-mail: Alice <alice@example.edu>
Reporter phone: +49 40 1234567

# ---- Affected host 1 ----
Hostname: www.example.edu
IP address: 192.0.2[.]10
Time zone: UTC
Function: web server
Operating system and version: Debian 12
Software and versions:
    nginx 1.22
    php 8.2
Affected accounts: root, www-data; alice

Hostname: db.example.edu
IP address: 2001:db8::5

Source IP address: 198.51.100.23
Source hostname: evil.example.net

Incident date and time: 2024-05-01 14:30 +02:00
Incident type: brute-force
Description:
  Many failed logins,
  then one success.
Log excerpts:
    May  1 14:30:01 sshd[1]: Failed password for root from 198.51.100.23
    Hostname: not-a-field-because-indented
TLP: AMBER
-- 
Alice
"""
write("team_form", "filled-form", form)
write("team_form", "filled-form-crlf-bullets", crlf("* Reporter name: Bob\n- Reporter e-mail: bob@example.org\n  - IP address: 203.0.113.5\nIncident type: fraud/phishing\nUnknown label: value\nIncident date and time: Mon, 23 Nov 2026 17:06:21 +0000\n"))
write("team_form", "not-a-form", "Hi team,\nwe saw scanning from 192.0.2.1 today.\nRegards: me\n")
write("team_form", "errors", "Reporter e-mail: not an address\nIP address: 999.1.1.1\nIncident type: nonsense\nIncident date and time: yesterday\nReporter phone: call me\nTLP: PURPLE\nHostname: -bad-.example\n")
write("team_form", "blank-form", open("/dev/null").read())

# --- abuse_reports: ARF, X-ARF, XARF v4 -----------------------------------------
arf = crlf("""From: <abusedesk@example.com>
Subject: FW: Earn money
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
     boundary="part1_13d.2e68ed54_boundary"

--part1_13d.2e68ed54_boundary
Content-Type: text/plain; charset="US-ASCII"

This is an email abuse report for an email message received from IP
192.0.2.1 on Thu, 8 Mar 2005 14:00:00 EDT.

--part1_13d.2e68ed54_boundary
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
Original-Mail-From: <somespammer@example.net>
Original-Rcpt-To: <user@example.com>
Original-Rcpt-To: <user2@example.com>
Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT
Source-IP: 192.0.2.1
Authentication-Results: mail.example.com;
               spf=fail smtp.mail=somespammer@example.com
Reported-Domain: example.net
Reported-Uri: http://example.net/earn_money.html
Incidents: 3
Source-Port: 25

--part1_13d.2e68ed54_boundary
Content-Type: message/rfc822
Content-Disposition: inline

From: <somespammer@example.net>
Subject: Earn money
Message-ID: 8787KJKJ3K4J3K4J3K4J3.mail@example.net
Date: Thu, 02 Sep 2004 12:31:03 -0500

Spam Spam Spam
--part1_13d.2e68ed54_boundary--
""")
write("abuse_reports", "arf-rfc5965", arf)
write("abuse_reports", "arf-auth-failure", arf.replace("Feedback-Type: abuse", "Feedback-Type: auth-failure\r\nAuth-Failure: signature\r\nDKIM-Domain: example.net"))
xarf = crlf("""Date: Thu, 05 Feb 2009 14:17:10 +0100
From: Example Abuse <abuse@example.com>
Subject: abuse report about 192.0.2.55
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="Abuse-bc3a"
X-XARF: PLAIN

--Abuse-bc3a
Content-Type: text/plain; charset=utf-8

we detected a login attack (ssh) from 192.0.2.55.

--Abuse-bc3a
Content-Type: text/plain; charset=utf-8; name="report.txt"

---
Reported-From: abuse@example.com
Category: abuse
Report-Type: login-attack
Service: ssh
Version: 0.2
Date: Thu, 05 Feb 2009 14:17:10 +0100
Source: 192.0.2.55
Source-Type: ipv4
Port: 22
Anchors: &a [1, *a]
--Abuse-bc3a
Content-Type: text/plain; name="logfile.log"

2009-02-05 14:15:01 sshd[1234]: Failed password for root from 192.0.2.55 port 40212 ssh2
--Abuse-bc3a--
""")
write("abuse_reports", "x-arf-0.2-yaml", xarf)
xarf4 = crlf("""From: reports@example.com
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="x4"

--x4
Content-Type: text/plain

Please find an abuse report attached (XARF v4).
--x4
Content-Type: application/json; name="xarf.json"

{"Version": "4", "ReporterInfo": {"ReporterOrg": "ExampleOrg", "ReporterOrgEmail": "reports@example.com"},
 "Disclosure": true, "Report": {"ReportClass": "Activity", "ReportType": "LoginAttack",
 "Date": "2018-02-05T14:17:10Z", "SourceIp": "192.0.2.55", "SourcePort": 52212, "Count": 7,
 "Samples": [{"ContentType": "text/plain", "Base64Encoded": false, "Payload": "Failed password"}]}}
--x4--
""")
write("abuse_reports", "xarf-v4-json", xarf4)
write("abuse_reports", "xarf-v4-text-part", crlf('Subject: x\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\neyJWZXJzaW9uIjoiNCIsIlJlcG9ydCI6eyJSZXBvcnRDbGFzcyI6IkNvbnRlbnQifX0=\n'))
# The published XARF v4 format as a JSON body, and a forwarded original as an
# .eml attachment (message evidence: Received relays, sender domain, hashes).
write("abuse_reports", "xarf-v4-official-body", crlf("""Subject: report
Content-Type: application/json

{"xarf_version": "4.0.0", "report_id": "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6",
 "timestamp": "2026-12-02T09:00:00Z", "reporter": {"org": "R", "contact": "a@r.example", "domain": "r.example"},
 "sender": {"org": "R", "contact": "a@r.example", "domain": "r.example"}, "source_identifier": "203.0.113.9",
 "source_port": 4000, "category": "reputation", "type": "blocklist", "threat_type": "command_and_control",
 "tlp": "TLP:AMBER", "evidence": [{"content_type": "text/plain", "payload": "eA==", "hash": "md5:d41d8cd98f00b204e9800998ecf8427e"}]}
"""))
write("abuse_reports", "forwarded-eml-octet-stream", crlf("""From: a@r.example
Subject: Fwd: spam
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="o"

--o
Content-Type: text/plain

TLP - RED. Spam we got.
--o
Content-Type: application/octet-stream; name="spam.eml"
Content-Transfer-Encoding: base64

UmVjZWl2ZWQ6IGZyb20geCAoeCBbMTk4LjE4LjQwLjJdKQ0KRnJvbTogd2luQHNwYW0uZXhhbXBs
ZQ0KQ29udGVudC1UeXBlOiBtZXNzYWdlL3JmYzgyMg0KDQpGcm9tOiBpbm5lckBzcGFtLmV4YW1w
bGUNCg0KaHR0cDovL2NsYWltLnNwYW0uZXhhbXBsZS94DQo=
--o--
"""))

# --- indicators: options byte + text ------------------------------------------
ind = """Phishing at hxxps://login.example[.]com/path?q=1 and hxxp://198.51.100[.]7:8080/x
from 192.0.2[.]1 and 2001:db8::1 (net 203.0.113.0/24), mail: evil [at] example [dot] net,
user{@}bad{.}example, CVE-2024-3094, md5 d41d8cd98f00b204e9800998ecf8427e,
sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709,
sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,
seen 2026-11-23T17:06:21.123+01:00 and Mon, 23 Nov 2026 17:06:21 +0000 and 2026-11-23 17:06 UTC.
fxp://files.example(.)org/a [dot] b http[:]//x[.]example[/]y xn--bcher-kva.example
"""
write("indicators", "defanged-mix", b"\x00" + ind.encode())
write("indicators", "max-3", bytes([1 | (3 << 1)]) + ind.encode())
write("indicators", "dots-and-digits", b"\x00" + b"1.2.3.4.5.6.7.8 ....[.][.][.] 999.999.1.1 ::ffff:192.0.2.1 1::2::3 [::1]")
write("indicators", "timestamps", b"\x00" + b"2026-02-30T25:61:61Z 2026-11-23T17:06:21-14:00 Tue, 1 Jan 2030 00:00:00 -2359 0000-00-00 00:00")

# --- envelope_address: options byte (bit 0 allow <>) + argument -----------------
for i, (opt, a) in enumerate([(1, "<>"), (0, "<>"), (0, "<cert@csirt.example> SIZE=1000 BODY=8BITMIME"),
                              (0, " <a.b+c@sub.example.org>"), (0, '<"quoted"@example.org>'), (0, "<a%b@example.org>"),
                              (0, "<@relay.example:user@example.org>"), (0, "<user@[192.0.2.1]>"),
                              (0, "<user@example.org> smtputf8 ret=hdrs envid=x"), (0, "<a..b@example.org>"),
                              (0, "<user@-bad.example>")]):
    write("envelope_address", f"addr-{i:02d}", bytes([opt]) + a.encode())

# --- config / policy TOML --------------------------------------------------------
write("config", "full", """[team]
name = "Example CERT"
domain = "csirt.example"
key = "0123456789ABCDEF0123456789abcdef01234567"
[listen]
lmtp = "unix:/run/csirtgw/lmtp"
smtp = "127.0.0.1:2525"
hostname = "gw.csirt.example"
user = "csirtgw"
[paths]
state_dir = "/var/lib/csirtgw"
policy = ""
form = ""
[outbound]
smarthost = "localhost:25"
[limits]
command_line = 512
text_line = 1000
header_block = 102400
message_size = 10240000
recipients = 100
bad_commands = 20
connections = 100
idle_timeout = 300
session_deadline = 3600
shutdown_grace = 30
[mime]
depth = 32
parts = 1000
[openpgp]
max_plaintext = 20971520
timeout = 60
agents = 2
[worker]
batch = 64
threads = 0
commit_batch = 32
[[intake]]
name = "cert"
address = "cert@csirt.example"
[[intake]]
name = "abuse"
address = "Abuse@CSIRT.example"
""")
write("config", "empty", "")
write("config", "errors", '[limits]\ntext_line = 99999999\nheader_block = "big"\n[nosuch]\nx = 1\n[listen]\nlmtp = "[::1]:24"\nsmtp = "host"\n[[intake]]\nname = "bad name"\naddress = "<x>"\n')
write("config", "broken-toml", '[team\nname = "x\n')
default_policy = open(os.path.join(ROOT, "schemas", "default-policy.toml"), "rb").read()
write("policy", "default-policy", b"\x00" + default_policy)
write("policy", "small-policy", b"\x00" + b'[tickets]\nprefix = "T"\n[constituency]\nnetworks = ["10.0.0.0/8", "2001:db8::/129", "300.1.1.1/24"]\ndomains = ["Example.ORG"]\n[tlp]\ndefault = "PURPLE"\n[[classify.hint]]\nvalues = ["x"]\ntype = "no/such"\n')
write("policy", "taxonomy-as-input", b"\x01" + open(os.path.join(ROOT, "schemas", "rsit-taxonomy.toml"), "rb").read())
write("policy", "taxonomy-tiny", b"\x01" + b'[classes]\nfraud = ["phishing"]\n')

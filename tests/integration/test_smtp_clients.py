#!/usr/bin/python3
"""Real SMTP/LMTP clients against `csirtgw serve`: smtplib, swaks, raw sockets.

One daemon (fresh state dir) serves the whole class; every test uses its own
unique token (in Subject / Message-ID) to find its messages in the Maildir.
The last test (test_zz_*) stops the daemon and runs `csirtgw audit verify`.
"""
import os
import re
import shutil
import smtplib
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

ENH_RE = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})\b")


def enhanced(reply_text):
    """'5.1.1 unknown user' -> '5.1.1' (or None)."""
    if isinstance(reply_text, bytes):
        reply_text = reply_text.decode("utf-8", "replace")
    m = ENH_RE.match(reply_text.strip())
    return m.group(0) if m else None


class SmtpClients(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.state = h.mkdtemp("csirtgw-it-smtp-")
        cls.daemon = h.Daemon(cls.state).start()
        cls.smtp_port = cls.daemon.smtp_port
        cls.lmtp_port = cls.daemon.lmtp_port
        assert cls.smtp_port and cls.lmtp_port, (cls.daemon.smtp_addr, cls.daemon.lmtp_addr)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.cleanup()

    def setUp(self):
        if not self.daemon.running():
            self.fail("daemon is not running (died in an earlier test?)\n"
                      + self.daemon.stderr_tail())

    def smtp(self):
        s = smtplib.SMTP("127.0.0.1", self.smtp_port, local_hostname="client.example.org",
                         timeout=30)
        code, _ = s.ehlo()
        self.assertEqual(code, 250)
        return s

    def send_ok(self, msg, rcpts, sender=h.SENDER):
        """MAIL/RCPT/DATA step by step, asserting 250 everywhere."""
        with self.smtp() as s:
            code, text = s.mail(sender)
            self.assertEqual(code, 250, text)
            for r in rcpts:
                code, text = s.rcpt(r)
                self.assertEqual(code, 250, f"RCPT {r}: {text}")
            code, text = s.data(msg)
            self.assertEqual(code, 250, text)
            return text

    # ---------------------------------------------------------------- smtplib
    def test_01_smtplib_single_recipient(self):
        tok = h.unique_token("single")
        body = (f"Body {tok}\r\n"
                ".leading dot must survive dot-stuffing\r\n"
                "..two dots\r\n"
                "last line\r\n")
        msg = h.make_message(tok, body=body)
        t0 = int(time.time())
        text = self.send_ok(msg, ["cert@csirt.example"])
        e = enhanced(text)
        self.assertTrue(e is None or e.startswith("2."), text)
        found = h.wait_for_messages(self.state, tok, 1)
        self.assertEqual(len(found), 1, f"filed more than once: {found}")
        m = found[0]
        # Return-Path first, then a Received header added by the gateway
        self.assertEqual(m.first_line, b"Return-Path: <reporter@example.org>")
        # what the gateway prepended: Return-Path, its Received (Delivered-To tolerated)
        # ... and the ticket's tag in the Subject (issue 17): the rest is the sent bytes
        tag = m.header("X-Csirtgw-Ticket")
        self.assertTrue(tag, "filed without a ticket")
        sent = h.crlf_to_lf(msg).replace(b"\nSubject: ", f"\nSubject: [{tag}] ".encode(), 1)
        self.assertTrue(m.raw.endswith(sent), m.raw)
        prefix = m.raw[:len(m.raw) - len(sent)].decode("utf-8", "replace")
        self.assertRegex(prefix, r"(?m)^Received: .*(\n\s.*)*by csirtgw\.localhost",
                         f"no Received: header of the gateway in {prefix!r}")
        # stored with LF line ends, content unchanged (dot-stuffing undone)
        self.assertNotIn(b"\r\n", m.raw)
        self.assertTrue(h.without_ticket_tag(m.raw).endswith(h.crlf_to_lf(msg)),
                        f"filed bytes do not end with the sent message:\n{m.raw[-400:]!r}")
        self.assertIn(b"\n.leading dot must survive dot-stuffing\n..two dots\n", m.raw)
        self.assertEqual(m.message_id, f"<{tok}@it.csirtgw.test>")
        # Maildir name "<epoch>.<spool-id>.<host>"
        self.assertIsNotNone(m.epoch, m.name)
        self.assertLessEqual(abs(m.epoch - t0), 120, m.name)
        self.assertTrue(m.spool_id, m.name)
        self.assertIn(m.subdir, ("new", "cur"))

    def test_02_smtplib_sendmail_multiple_recipients(self):
        tok = h.unique_token("multi")
        rcpts = ["cert@csirt.example", "abuse@csirt.example", "vuln@csirt.example"]
        msg = h.make_message(tok, to=", ".join(rcpts))
        with self.smtp() as s:
            refused = s.sendmail(h.SENDER, rcpts, msg)
        self.assertEqual(refused, {})
        found = h.wait_for_messages(self.state, tok, 1)
        # filed at least once, never more than once per recipient
        self.assertGreaterEqual(len(found), 1)
        self.assertLessEqual(len(found), len(rcpts), found)
        for m in found:
            self.assertEqual(m.first_line, b"Return-Path: <reporter@example.org>")

    def test_03_mixed_recipients_one_refused(self):
        tok = h.unique_token("mixed")
        rcpts = ["cert@csirt.example", "nobody@csirt.example", "abuse@csirt.example"]
        msg = h.make_message(tok)
        with self.smtp() as s:
            refused = s.sendmail(h.SENDER, rcpts, msg)
        self.assertEqual(list(refused), ["nobody@csirt.example"])
        code, text = refused["nobody@csirt.example"]
        self.assertEqual(code, 550)
        self.assertEqual(enhanced(text), "5.1.1", text)
        found = h.wait_for_messages(self.state, tok, 1)
        self.assertLessEqual(len(found), 2, found)

    def test_04_unknown_recipient_550_511(self):
        tok = h.unique_token("unknown")
        with self.smtp() as s:
            code, text = s.mail(h.SENDER)
            self.assertEqual(code, 250, text)
            for bad in ("nobody@csirt.example", "CERTX@csirt.example", "postmaster2@csirt.example"):
                code, text = s.rcpt(bad)
                self.assertEqual(code, 550, f"RCPT {bad}: {code} {text}")
                self.assertEqual(enhanced(text), "5.1.1", text)
            # DATA without any accepted recipient must not be accepted
            code, text = s.docmd("DATA")
            self.assertGreaterEqual(code, 500, f"DATA with no valid RCPT: {code} {text}")
            s.rset()
        with self.smtp() as s:
            with self.assertRaises(smtplib.SMTPRecipientsRefused):
                s.sendmail(h.SENDER, ["nobody@csirt.example"], h.make_message(tok))
        time.sleep(1.0)
        h.wait_spool_drained(self.state)
        self.assertEqual(h.messages_with(self.state, tok), [])

    def test_05_relay_to_other_domain_refused(self):
        tok = h.unique_token("relay")
        attempts = ["victim@other.example",
                    "cert@csirt.example.other.example",
                    "cert%other.example@csirt.example",
                    "other.example!cert@csirt.example",
                    "@csirt.example:victim@other.example"]
        with self.smtp() as s:
            code, text = s.mail(h.SENDER)
            self.assertEqual(code, 250, text)
            for rc in attempts:
                with self.subTest(rcpt=rc):
                    code, text = s.docmd(f"RCPT TO:<{rc}>")
                    self.assertTrue(500 <= code <= 599, f"RCPT {rc} -> {code} {text}")
            code, text = s.docmd("RCPT TO:<victim@other.example>")
            self.assertEqual(code, 550, text)      # contract: any other recipient: 550 5.1.1
        with self.smtp() as s:
            with self.assertRaises(smtplib.SMTPRecipientsRefused):
                s.sendmail(h.SENDER, ["victim@other.example"], h.make_message(tok))
        time.sleep(1.0)
        h.wait_spool_drained(self.state)
        self.assertEqual(h.messages_with(self.state, tok), [])

    # ---------------------------------------------------------------- swaks
    def swaks(self, tok, *extra):
        if not shutil.which("swaks"):
            self.skipTest("swaks not installed")
        argv = ["swaks", "--server", f"127.0.0.1:{self.smtp_port}",
                "--to", "cert@csirt.example", "--from", h.SENDER,
                "--helo", "swaks.example.org",
                "--header", f"Subject: swaks report {tok}",
                "--header", f"Message-Id: <{tok}@swaks.test>",
                "--body", f"swaks body {tok}\n.dotline\nend\n", *extra]
        cp = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            timeout=60)
        out = cp.stdout.decode("utf-8", "replace")
        self.assertEqual(cp.returncode, 0, f"{' '.join(argv)}\n{out}")
        return out

    def test_06_swaks(self):
        tok = h.unique_token("swaks")
        out = self.swaks(tok)
        # the reply to the lone "." that ends DATA is a 250
        self.assertRegex(out, r"(?m)^ -> \.\r?\n<[-~]\s+250 ")
        found = h.wait_for_messages(self.state, tok, 1)
        self.assertEqual(len(found), 1, found)
        self.assertEqual(found[0].first_line, b"Return-Path: <reporter@example.org>")
        self.assertIn(b"\n.dotline\n", found[0].raw)

    def test_07_swaks_pipeline(self):
        tok = h.unique_token("swakspipe")
        out = self.swaks(tok, "--pipeline")
        self.assertNotIn("does not support pipelining", out.lower())
        found = h.wait_for_messages(self.state, tok, 1)
        self.assertEqual(len(found), 1, found)

    # ---------------------------------------------------------------- EHLO
    def test_08_ehlo_extensions(self):
        with self.smtp() as s:
            for ext in ("pipelining", "size", "8bitmime", "enhancedstatuscodes"):
                self.assertTrue(s.has_extn(ext), f"EHLO does not advertise {ext.upper()}: "
                                                 f"{s.esmtp_features}")
            size = s.esmtp_features.get("size", "").strip()
            if size:
                self.assertTrue(size.isdigit() and int(size) > 0, f"SIZE {size!r}")

    def test_09_size_too_big_552(self):
        with h.RawSession(self.smtp_port) as c:
            self.assertEqual(c.reply().code, 220)
            self.assertEqual(c.cmd("EHLO client.example.org").code, 250)
            r = c.cmd(f"MAIL FROM:<{h.SENDER}> SIZE=999999999999")
            self.assertEqual(r.code, 552, r)
            # the session stays usable
            r = c.cmd(f"MAIL FROM:<{h.SENDER}> SIZE=1000")
            self.assertEqual(r.code, 250, r)
            self.assertEqual(c.cmd("QUIT").code, 221)

    def test_10_8bitmime_body(self):
        tok = h.unique_token("8bit")
        body = f"8bit body {tok}: Grüße, naïve café\r\n".encode("utf-8")
        msg = h.make_message(tok, body=body,
                             extra_headers=["Content-Transfer-Encoding: 8bit"]).replace(
            b"charset=us-ascii", b"charset=utf-8")
        with self.smtp() as s:
            refused = s.sendmail(h.SENDER, ["vuln@csirt.example"], msg,
                                 mail_options=["BODY=8BITMIME"])
        self.assertEqual(refused, {})
        found = h.wait_for_messages(self.state, tok, 1)
        self.assertEqual(len(found), 1)
        self.assertIn("Grüße, naïve café".encode("utf-8"), found[0].raw)

    # ---------------------------------------------------------------- LMTP
    def test_11_lmtp_per_recipient_replies(self):
        tok = h.unique_token("lmtp")
        msg = h.make_message(tok)
        with h.RawSession(self.lmtp_port) as c:
            self.assertEqual(c.reply().code, 220)
            r = c.cmd("LHLO mta.example.org")
            self.assertEqual(r.code, 250, r)
            self.assertEqual(c.cmd(f"MAIL FROM:<{h.SENDER}>").code, 250)
            self.assertEqual(c.cmd("RCPT TO:<cert@csirt.example>").code, 250)
            r = c.cmd("RCPT TO:<nobody@csirt.example>")
            self.assertEqual(r.code, 550, r)
            self.assertEqual(enhanced(r.text), "5.1.1", r)
            self.assertEqual(c.cmd("RCPT TO:<abuse@csirt.example>").code, 250)
            self.assertEqual(c.cmd("DATA").code, 354)
            c.send(msg + b".\r\n")
            replies = [c.reply(), c.reply()]
            for r in replies:
                self.assertEqual(r.code, 250, replies)
            # if the replies name the recipients, they must come in RCPT order
            named = [x for x in ("cert@", "abuse@") if any(x in r.text for r in replies)]
            if len(named) == 2:
                self.assertIn("cert@", replies[0].text, replies)
                self.assertIn("abuse@", replies[1].text, replies)
            # exactly two: the next reply is the one for QUIT
            r = c.cmd("QUIT")
            self.assertEqual(r.code, 221, f"a third post-DATA reply? {r}")
        found = h.wait_for_messages(self.state, tok, 1)
        self.assertLessEqual(len(found), 2, found)

    def test_12_lmtp_pipelined_transaction(self):
        tok = h.unique_token("lmtppipe")
        msg = h.make_message(tok)
        with h.RawSession(self.lmtp_port) as c:
            self.assertEqual(c.reply().code, 220)
            r = c.cmd("LHLO mta.example.org")
            self.assertEqual(r.code, 250, r)
            self.assertIn("PIPELINING", [l.split()[0].upper() for l in r.lines if l], r)
            c.send(f"MAIL FROM:<{h.SENDER}>\r\nRCPT TO:<cert@csirt.example>\r\n"
                   "RCPT TO:<nobody@csirt.example>\r\nRCPT TO:<vuln@csirt.example>\r\nDATA\r\n")
            codes = [c.reply().code for _ in range(5)]
            self.assertEqual(codes, [250, 250, 550, 250, 354])
            c.send(msg + b".\r\n")
            post = [c.reply().code, c.reply().code]
            self.assertEqual(post, [250, 250])
            self.assertEqual(c.cmd("QUIT").code, 221)
        h.wait_for_messages(self.state, tok, 1)

    # ---------------------------------------------------------------- smuggling
    def smuggle(self, terminator):
        outer = h.unique_token("outer")
        smug = h.unique_token("smuggled")
        payload = (f"Subject: {outer}\r\nMessage-ID: <{outer}@it>\r\n\r\nhello").encode()
        payload += terminator
        payload += (f"MAIL FROM:<evil@attacker.example>\r\n"
                    f"RCPT TO:<cert@csirt.example>\r\n"
                    f"DATA\r\n"
                    f"From: evil@attacker.example\r\nSubject: {smug}\r\n"
                    f"Message-ID: <{smug}@it>\r\n\r\nsmuggled body\r\n.\r\n").encode()
        replies = []
        before = {m.name for m in h.maildir_messages(self.state)}
        with h.RawSession(self.smtp_port, timeout=5) as c:
            self.assertEqual(c.reply().code, 220)
            self.assertEqual(c.cmd("EHLO client.example.org").code, 250)
            self.assertEqual(c.cmd(f"MAIL FROM:<{h.SENDER}>").code, 250)
            self.assertEqual(c.cmd("RCPT TO:<cert@csirt.example>").code, 250)
            self.assertEqual(c.cmd("DATA").code, 354)
            c.send(payload)
            # collect everything the server says until it closes or goes quiet
            try:
                while True:
                    replies.append(c.reply())
            except (socket.timeout, ConnectionError, OSError, ValueError):
                pass
        time.sleep(1.5)
        h.wait_spool_drained(self.state)
        msgs = [m for m in h.maildir_messages(self.state) if m.name not in before]
        smuggled = [m for m in msgs if smug in m.subject
                    or m.first_line == b"Return-Path: <evil@attacker.example>"]
        outers = [m for m in msgs if outer in m.subject]
        self.assertEqual(smuggled, [], f"smuggled message was filed! replies={replies}")
        self.assertLessEqual(len(outers), 1, outers)
        self.assertLessEqual(sum(1 for r in replies if r.code == 250), 1,
                             f"two 250s after one DATA: {replies}")
        return replies

    def test_13_smuggling_crlf_dot_lf(self):
        replies = self.smuggle(b"\r\n.\n")
        self.assertTrue(replies, "no reply at all after DATA")
        self.assertTrue(500 <= replies[0].code <= 599,
                        f"bare-LF end-of-data must be refused with 5xx: {replies}")

    def test_14_smuggling_variants(self):
        for term in (b"\n.\n", b"\n.\r\n", b"\r.\r\n", b"\r\n.\r"):
            with self.subTest(terminator=term):
                self.smuggle(term)

    # ---------------------------------------------------------------- duplicates
    def test_15_resend_identical_bytes(self):
        tok = h.unique_token("dup")
        msg = h.make_message(tok)
        self.send_ok(msg, ["cert@csirt.example"])
        h.wait_for_messages(self.state, tok, 1)
        self.send_ok(msg, ["cert@csirt.example"])        # identical bytes again: 250
        time.sleep(1.0)
        h.wait_spool_drained(self.state)
        found = h.messages_with(self.state, tok)
        self.assertEqual(len(found), 1, f"resend filed twice: {found}")
        dups = h.audit_rows(self.state, "WHERE event = 'duplicate'")
        self.assertTrue(dups, "no 'duplicate' audit event for the resend")


    # ---------------------------------------------------------------- dedupe key
    def test_16_same_message_id_different_content_is_filed(self):
        tok = h.unique_token("samemid")
        mid = f"<{tok}@it.csirtgw.test>"
        a = h.make_message(tok, body=f"first version {tok}\r\n", message_id=mid)
        b = h.make_message(tok, body=f"second, corrected version {tok}\r\n", message_id=mid)
        self.send_ok(a, ["cert@csirt.example"])
        h.wait_for_messages(self.state, tok, 1)
        self.send_ok(b, ["cert@csirt.example"])
        found = h.wait_for_messages(self.state, tok, 2)
        self.assertEqual(len(found), 2, found)
        bodies = sorted(m.body for m in found)
        self.assertEqual(bodies, sorted([f"first version {tok}\n".encode(),
                                         f"second, corrected version {tok}\n".encode()]))

    # ---------------------------------------------------------------- envelope
    def test_17_null_sender(self):
        tok = h.unique_token("nullsender")
        with self.smtp() as s:
            code, text = s.docmd("MAIL FROM:<>")
            self.assertEqual(code, 250, text)
            code, text = s.rcpt("abuse@csirt.example")
            self.assertEqual(code, 250, text)
            code, text = s.data(h.make_message(tok, sender="MAILER-DAEMON@mx.example.net"))
            self.assertEqual(code, 250, text)
        found = h.wait_for_messages(self.state, tok, 1)
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0].first_line, b"Return-Path: <>")

    def test_18_domain_is_case_insensitive(self):
        tok = h.unique_token("case")
        with self.smtp() as s:
            self.assertEqual(s.mail(h.SENDER)[0], 250)
            code, text = s.rcpt("cert@CSIRT.Example")
            self.assertEqual(code, 250, text)
            code, text = s.data(h.make_message(tok))
            self.assertEqual(code, 250, text)
        self.assertEqual(len(h.wait_for_messages(self.state, tok, 1)), 1)

    # ---------------------------------------------------------------- limits
    def raw_transaction(self, c, rcpt="cert@csirt.example"):
        self.assertEqual(c.reply().code, 220)
        self.assertEqual(c.cmd("EHLO client.example.org").code, 250)
        self.assertEqual(c.cmd(f"MAIL FROM:<{h.SENDER}>").code, 250)
        self.assertEqual(c.cmd(f"RCPT TO:<{rcpt}>").code, 250)
        self.assertEqual(c.cmd("DATA").code, 354)

    def assert_not_filed(self, tok):
        time.sleep(1.0)
        h.wait_spool_drained(self.state)
        self.assertEqual(h.messages_with(self.state, tok), [])

    def test_19_oversized_message_552(self):
        tok = h.unique_token("huge")
        line = ("x" * 76 + "\r\n").encode()
        body = line * (10240000 // len(line) + 2000)          # > message_size default
        msg = h.make_message(tok, body=body)
        self.assertGreater(len(msg), 10240000)
        with h.RawSession(self.smtp_port, timeout=60) as c:
            self.raw_transaction(c)
            c.send(msg + b".\r\n")
            r = c.reply()
            self.assertEqual(r.code, 552, r)
            # the session survives: a normal transaction afterwards works
            ok = h.unique_token("afterhuge")
            self.assertEqual(c.cmd(f"MAIL FROM:<{h.SENDER}>").code, 250)
            self.assertEqual(c.cmd("RCPT TO:<cert@csirt.example>").code, 250)
            self.assertEqual(c.cmd("DATA").code, 354)
            c.send(h.make_message(ok) + b".\r\n")
            self.assertEqual(c.reply().code, 250)
        self.assertEqual(len(h.wait_for_messages(self.state, ok, 1)), 1)
        self.assert_not_filed(tok)

    def test_20_text_line_too_long(self):
        tok = h.unique_token("longline")
        msg = h.make_message(tok, body=("y" * 1500 + "\r\nshort\r\n"))
        with h.RawSession(self.smtp_port) as c:
            self.raw_transaction(c)
            c.send(msg + b".\r\n")
            r = c.reply()
            self.assertTrue(500 <= r.code <= 599, f"1502-octet text line accepted: {r}")
        self.assert_not_filed(tok)

    def test_21_command_line_too_long(self):
        with h.RawSession(self.smtp_port) as c:
            self.assertEqual(c.reply().code, 220)
            self.assertEqual(c.cmd("EHLO client.example.org").code, 250)
            r = c.cmd("MAIL FROM:<" + "a" * 600 + "@example.org>")
            self.assertTrue(500 <= r.code <= 599, f"600-octet command accepted: {r}")
            self.assertEqual(c.cmd("NOOP").code, 250)     # and we are still in sync
            self.assertEqual(c.cmd(f"MAIL FROM:<{h.SENDER}>").code, 250)

    def test_22_header_block_too_big(self):
        tok = h.unique_token("bighdr")
        extra = [f"X-Filler-{i}: {'z' * 90}" for i in range(1200)]      # ~120 kB
        msg = h.make_message(tok, extra_headers=extra)
        with h.RawSession(self.smtp_port) as c:
            self.raw_transaction(c)
            c.send(msg + b".\r\n")
            r = c.reply()
            self.assertEqual(r.code, 552, r)
        self.assert_not_filed(tok)

    def test_23_nul_in_message(self):
        tok = h.unique_token("nul")
        msg = h.make_message(tok, body=b"before\x00after\r\n")
        with h.RawSession(self.smtp_port) as c:
            self.raw_transaction(c)
            c.send(msg + b".\r\n")
            r = c.reply()
            self.assertTrue(500 <= r.code <= 599, f"NUL accepted: {r}")
        self.assert_not_filed(tok)

    def test_24_commands_out_of_order(self):
        with h.RawSession(self.smtp_port) as c:
            self.assertEqual(c.reply().code, 220)
            self.assertEqual(c.cmd(f"MAIL FROM:<{h.SENDER}>").code, 503)   # before EHLO
            self.assertEqual(c.cmd("EHLO client.example.org").code, 250)
            self.assertEqual(c.cmd("RCPT TO:<cert@csirt.example>").code, 503)
            self.assertEqual(c.cmd("DATA").code, 503)
            self.assertEqual(c.cmd(f"MAIL FROM:<{h.SENDER}>").code, 250)
            self.assertEqual(c.cmd(f"MAIL FROM:<{h.SENDER}>").code, 503)   # nested
            self.assertEqual(c.cmd("RSET").code, 250)
            self.assertEqual(c.cmd(f"MAIL FROM:<{h.SENDER}>").code, 250)
            self.assertEqual(c.cmd("QUIT").code, 221)

    # ---------------------------------------------------------------- audit
    def test_zz_audit_verify_after_everything(self):
        h.wait_spool_drained(self.state)
        rc = self.daemon.terminate()
        self.assertEqual(rc, 0, "SIGTERM must give a graceful exit 0\n" + self.daemon.stderr_tail())
        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)
        m = h.INTACT_RE.search(cp.out)
        self.assertTrue(m, cp.out)
        rows = h.audit_rows(self.state)
        self.assertEqual(int(m.group(1)), len(rows), cp.out)
        self.assertEqual(m.group(2), rows[-1]["hash"], cp.out)
        events = {r["event"] for r in rows}
        self.assertTrue({"received", "filed", "duplicate"} <= events, events)


class UnixSocketLmtp(unittest.TestCase):
    """`--lmtp unix:PATH` (how Postfix is usually wired to an LMTP server)."""

    def test_lmtp_over_unix_socket(self):
        state = h.mkdtemp("csirtgw-it-unix-")
        sockdir = h.mkdtemp("csirtgw-it-sock-")
        path = os.path.join(sockdir, "lmtp.sock")
        with h.Daemon(state, lmtp=f"unix:{path}", smtp=None) as d:
            self.assertEqual(d.lmtp_addr, f"unix:{path}")
            self.assertEqual(d.smtp_addr, "off")
            tok = h.unique_token("unix")
            with h.RawSession.unix(path) as c:
                c.deliver(self, "vuln@csirt.example", tok)
            found = h.wait_for_messages(state, tok, 1)
            self.assertEqual(len(found), 1)
            self.assertEqual(d.terminate(), 0, d.stderr_tail())


if __name__ == "__main__":
    h.main()

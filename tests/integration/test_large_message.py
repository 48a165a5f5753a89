#!/usr/bin/python3
"""A 50 MB message streams to the spool and through the filing worker without
being held in memory more than once (issue 7).

One daemon with limits.message_size = 60 MiB receives a 50 MiB message over
SMTP: a short text part plus a base64 attachment of random bytes (what a
reporter's packet capture or disk image looks like). The test checks:
  * the 250 comes, and the message is filed exactly once, intact: the queue file
    is csirtgw's trace and X-Csirtgw-* header lines followed by exactly the sent
    bytes with LF line ends (SHA-256 compared), and the original kept under
    <state>/originals/ is byte-identical to what was sent;
  * the daemon's peak resident set (VmHWM in /proc/PID/status) grows by less
    than 1.5 x the message size from before the delivery to after the filing:
    one copy of the message in memory at most, never two or four.
The measured figures are printed on stderr.

Knobs: CSIRTGW_LARGE_MB (message size in MiB, default 50),
CSIRTGW_LARGE_RSS_FACTOR (allowed growth / size, default 1.5).
"""
import base64
import glob
import hashlib
import os
import smtplib
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

MIB = 1024 * 1024
SIZE_MB = int(os.environ.get("CSIRTGW_LARGE_MB", "50"))
RSS_FACTOR = float(os.environ.get("CSIRTGW_LARGE_RSS_FACTOR", "1.5"))
LIMIT = 60 * MIB


def proc_status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{pid}/status")


def large_message(token, size):
    """A multipart/mixed message of about `size` bytes with CRLF line ends."""
    boundary = f"=-=large-{token}=-="
    head = (f"From: Reporter <{h.SENDER}>\r\n"
            f"To: cert@csirt.example\r\n"
            f"Subject: incident report {token}\r\n"
            f"Message-ID: <{token}@it.csirtgw.test>\r\n"
            "Date: Thu, 23 Nov 2023 17:00:00 +0000\r\n"
            "MIME-Version: 1.0\r\n"
            f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n'
            "\r\n"
            f"--{boundary}\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n"
            "\r\n"
            f"Packet capture of the attack on 192.0.2.17 attached ({token}).\r\n"
            f"--{boundary}\r\n"
            'Content-Type: application/octet-stream; name="capture.pcap"\r\n'
            'Content-Disposition: attachment; filename="capture.pcap"\r\n'
            "Content-Transfer-Encoding: base64\r\n"
            "\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    # base64 lines of 76 characters + CRLF carry 57 bytes each
    lines = max(1, (size - len(head) - len(tail)) // 78)
    payload = os.urandom(lines * 57)
    encoded = base64.encodebytes(payload).replace(b"\n", b"\r\n")  # 76-character lines
    return head + encoded.rstrip(b"\r\n") + tail


class LargeMessage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = h.mkdtemp("csirtgw-it-large-")
        cls.state = os.path.join(cls.tmp, "state")
        config = os.path.join(cls.tmp, "csirtgw.toml")
        with open(config, "w") as f:
            f.write(f"[limits]\nmessage_size = {LIMIT}\n")
        cls.daemon = h.Daemon(cls.state, extra_args=["--config", config]).start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.cleanup()

    def test_50mb_message_held_once(self):
        d = self.daemon
        token = h.unique_token("large")
        # A small message first: the daemon's own start-up allocations (stage
        # set-up, first Maildir, first gpg context) are not the message's.
        warm = h.unique_token("warm")
        with smtplib.SMTP("127.0.0.1", d.smtp_port, timeout=120) as s:
            s.sendmail(h.SENDER, ["cert@csirt.example"], h.make_message(warm))
        h.wait_for_messages(self.state, warm, timeout=120)

        raw = large_message(token, SIZE_MB * MIB)
        size = len(raw)
        sent_sha = hashlib.sha256(raw).hexdigest()
        filed_sha = hashlib.sha256(h.crlf_to_lf(raw)).hexdigest()
        hwm_before = proc_status_kib(d.pid, "VmHWM")
        rss_before = proc_status_kib(d.pid, "VmRSS")

        t0 = time.monotonic()
        with smtplib.SMTP("127.0.0.1", d.smtp_port, timeout=300) as s:
            code, _ = s.ehlo("client.example")
            self.assertEqual(code, 250)
            s.mail(h.SENDER, [f"SIZE={size}"])
            s.rcpt("cert@csirt.example")
            code, text = s.data(raw)
        took_intake = time.monotonic() - t0
        self.assertEqual(code, 250, text)

        filed = h.wait_for_messages(self.state, token, timeout=300)
        took_total = time.monotonic() - t0
        hwm_after = proc_status_kib(d.pid, "VmHWM")
        rss_after = proc_status_kib(d.pid, "VmRSS")
        growth = (hwm_after - hwm_before) * 1024
        print(f"\nlarge message: {size / MIB:.1f} MiB; intake {took_intake:.1f} s, filed after "
              f"{took_total:.1f} s; VmHWM {hwm_before / 1024:.1f} -> {hwm_after / 1024:.1f} MiB "
              f"(+{growth / MIB:.1f} MiB = {growth / size:.2f} x the message); "
              f"VmRSS {rss_before / 1024:.1f} -> {rss_after / 1024:.1f} MiB", file=sys.stderr)

        # filed exactly once, intact
        self.assertEqual(len(filed), 1, [m.path for m in filed])
        data = h.without_ticket_tag(filed[0].raw)  # the tag csirtgw puts in the Subject
        body_start = len(data) - len(raw) + raw.count(b"\r\n")
        self.assertGreaterEqual(body_start, 0)
        prefix, body = data[:body_start], data[body_start:]
        self.assertEqual(hashlib.sha256(body).hexdigest(), filed_sha, "the filed message differs from what was sent")
        for line in prefix.decode("ascii").splitlines():
            self.assertTrue(line.startswith(("Return-Path: ", "Delivered-To: ", "Received: ", "\t", "X-Csirtgw-")),
                            f"unexpected line before the message: {line!r}")
        originals = glob.glob(os.path.join(self.state, "originals", "*", filed[0].spool_id))
        self.assertEqual(len(originals), 1)
        with open(originals[0], "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), sent_sha, "the spool original differs")

        self.assertTrue(d.running(), d.stderr_tail())
        self.assertLess(growth, RSS_FACTOR * size,
                        f"peak RSS grew by {growth / MIB:.1f} MiB for a {size / MIB:.1f} MiB message "
                        f"(limit {RSS_FACTOR} x): the message is held in memory more than once")
        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)


if __name__ == "__main__":
    h.main()

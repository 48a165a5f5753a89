"""Time and connection limits, and the privilege drop, through the real listener.

The protocol limits (line lengths, sizes, recipients, bad commands) are unit
tests of the state machine; these live in the I/O layer and need a server:
  * limits.idle_timeout      -> 421 4.4.2 after a silent client, connection closed
  * limits.session_deadline  -> 421 4.4.2 even for a client that keeps talking
  * limits.connections       -> the connection over the limit gets 421 4.7.0
  * listen.user              -> started as root, the daemon runs as that user and
                                the state directory belongs to it
"""

import os
import pwd
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402


def write_config(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


class SessionLimits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = h.mkdtemp("csirtgw-it-limits-")
        cls.state = os.path.join(cls.tmp, "state")
        config = write_config(os.path.join(cls.tmp, "csirtgw.toml"),
                              "[limits]\nidle_timeout = 1\nsession_deadline = 3\nconnections = 3\n")
        cls.daemon = h.Daemon(cls.state, extra_args=["--config", config])
        cls.daemon.start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.terminate()

    def test_idle_timeout(self):
        with h.RawSession(self.daemon.smtp_port) as s:
            self.assertEqual(s.reply().code, 220)
            self.assertEqual(s.cmd("EHLO client.example").code, 250)
            started = time.monotonic()
            reply = s.reply()          # we stay silent: the server speaks first
            waited = time.monotonic() - started
            self.assertEqual(reply.code, 421)
            self.assertIn("4.4.2", reply.lines[0])
            self.assertGreaterEqual(waited, 0.8)
            self.assertLess(waited, 5.0)
            with self.assertRaises((ConnectionError, OSError)):
                s.cmd("NOOP")
                s.cmd("NOOP")

    def test_session_deadline(self):
        with h.RawSession(self.daemon.smtp_port) as s:
            self.assertEqual(s.reply().code, 220)
            started = time.monotonic()
            reply = None
            while time.monotonic() - started < 10:
                reply = s.cmd("NOOP")   # never idle for long, but the session ages
                if reply.code != 250:
                    break
                time.sleep(0.4)
            self.assertIsNotNone(reply)
            self.assertEqual(reply.code, 421)
            self.assertIn("4.4.2", reply.lines[0])
            self.assertGreaterEqual(time.monotonic() - started, 2.5)

    def test_connection_limit(self):
        open_sessions = []
        try:
            for _ in range(3):
                s = h.RawSession(self.daemon.smtp_port)
                self.assertEqual(s.reply().code, 220)
                open_sessions.append(s)
            with h.RawSession(self.daemon.smtp_port) as extra:
                reply = extra.reply()
                self.assertEqual(reply.code, 421)
                self.assertIn("4.7.0", reply.lines[0])
        finally:
            for s in open_sessions:
                s.close()
        # Once they are gone, a new client is served again.
        deadline = time.monotonic() + 5
        while True:
            with h.RawSession(self.daemon.smtp_port) as s:
                if s.reply().code == 220:
                    break
            self.assertLess(time.monotonic(), deadline, "the limit was not released")
            time.sleep(0.2)


@unittest.skipUnless(os.geteuid() == 0, "needs root to test the privilege drop")
class PrivilegeDrop(unittest.TestCase):
    def test_runs_as_configured_user(self):
        tmp = h.mkdtemp("csirtgw-it-user-")
        os.chmod(tmp, 0o755)  # the unprivileged user must reach its state directory
        state = os.path.join(tmp, "state")
        config = write_config(os.path.join(tmp, "csirtgw.toml"), '[listen]\nuser = "nobody"\n')
        nobody = pwd.getpwnam("nobody")
        daemon = h.Daemon(state, extra_args=["--config", config])
        daemon.start()
        try:
            with open(f"/proc/{daemon.proc.pid}/status") as f:
                uids = next(line for line in f if line.startswith("Uid:")).split()[1:]
            self.assertEqual({int(u) for u in uids}, {nobody.pw_uid}, "real, effective and saved uid")
            self.assertEqual(os.stat(state).st_uid, nobody.pw_uid)
            self.assertEqual(os.stat(os.path.join(state, "csirtgw.db")).st_uid, nobody.pw_uid)
            # and it still works
            with h.RawSession(daemon.smtp_port) as s:
                self.assertEqual(s.reply().code, 220)
                self.assertEqual(s.cmd("EHLO client.example").code, 250)
                self.assertEqual(s.cmd("MAIL FROM:<reporter@example.org>").code, 250)
                self.assertEqual(s.cmd("RCPT TO:<cert@csirt.example>").code, 250)
                self.assertEqual(s.cmd("DATA").code, 354)
                s.send("Subject: as nobody\r\nMessage-ID: <nobody-1@example.org>\r\n\r\nhello\r\n.\r\n")
                self.assertEqual(s.reply().code, 250)
            h.wait_for_messages(state, "as nobody", 1)
        finally:
            self.assertEqual(daemon.terminate(), 0)


if __name__ == "__main__":
    h.main()

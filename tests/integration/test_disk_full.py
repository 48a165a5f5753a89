"""A full disk under the state directory: the MTA gets 451 4.3.0 for what could
not be stored, every message that got a 250 is filed exactly once, nothing
half-written stays behind, and once there is room again the daemon recovers by
itself (the worker retries; the client's retry is accepted).

The state directory is a small tmpfs (root only; skipped otherwise).
"""

import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402


def deliver(port, token, body_size):
    """One SMTP transaction; returns the final reply code (or None if the
    connection broke)."""
    try:
        with h.RawSession(port) as s:
            s.reply()
            s.cmd("EHLO client.example")
            s.cmd("MAIL FROM:<reporter@example.org>")
            s.cmd("RCPT TO:<cert@csirt.example>")
            if s.cmd("DATA").code != 354:
                return None
            body = ("x" * 76 + "\r\n") * (body_size // 78)
            s.send(f"Subject: {token}\r\nMessage-ID: <{token}@example.org>\r\n\r\n{body}.\r\n")
            return s.reply().code
    except (OSError, ConnectionError, ValueError):
        return None


@unittest.skipUnless(os.geteuid() == 0, "needs root to mount a small tmpfs")
class DiskFull(unittest.TestCase):
    def test_full_disk_answers_451_and_recovers(self):
        mnt = h.mkdtemp("csirtgw-it-full-")
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mnt]).returncode != 0:
            self.skipTest("cannot mount a tmpfs here")
        self.addCleanup(subprocess.run, ["umount", "-l", mnt])
        state = os.path.join(mnt, "state")
        daemon = h.Daemon(state)
        daemon.start()
        accepted, refused = [], []
        # Fill the disk with 100 KB messages until the daemon refuses.
        for i in range(200):
            token = f"full-{i:03d}"
            code = deliver(daemon.smtp_port, token, 100_000)
            (accepted if code == 250 else refused).append((token, code))
            if len(refused) >= 3:
                break
        self.assertGreater(len(accepted), 0)
        self.assertGreaterEqual(len(refused), 1, "the disk never filled up")
        for token, code in refused:
            self.assertIn(code, (451, None), f"{token}: a full disk must be a temporary failure")
            self.assertNotEqual(code // 100 if code else 4, 5)
        # Make room, as an operator would: the file system grows.
        subprocess.run(["mount", "-o", "remount,size=64m", mnt], check=True)
        # The MTA retries what got a 4xx: now accepted.
        for token, _ in refused:
            deadline = time.monotonic() + 20
            while deliver(daemon.smtp_port, token, 100_000) != 250:
                self.assertLess(time.monotonic(), deadline, f"{token} still refused after space was freed")
                time.sleep(0.5)
        # Every message is filed exactly once; the spool is empty.
        for token, _ in accepted + refused:
            found = h.wait_for_messages(state, token, 1, timeout=60)
            self.assertEqual(len(found), 1, f"{token} filed {len(found)} times")
        self.assertEqual(h.spool_files(state), {"tmp": [], "ready": []})
        self.assertEqual(daemon.terminate(), 0)
        verdict = h.audit_verify(state)
        self.assertEqual(verdict.returncode, 0, verdict.stdout)
        # The refusals are on record in the log, with the reason: the file system
        # (ENOSPC) or SQLite ("database or disk is full"), whichever hit it first.
        with open(daemon.log_path, errors="replace") as log:
            text = log.read()
        self.assertTrue("No space left on device" in text or "disk is full" in text, text[-2000:])


if __name__ == "__main__":
    h.main()

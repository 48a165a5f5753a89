"""Load: 1,000 idle connections plus slow clients that send one byte every few
seconds must not stop a normal session from completing quickly, and the
daemon's memory stays bounded.
"""

import os
import resource
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

IDLE = 1000
SLOW = 50


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def timed_transaction(port, token):
    """A whole SMTP transaction; returns its duration in seconds."""
    started = time.monotonic()
    with h.RawSession(port) as s:
        assert s.reply().code == 220
        assert s.cmd("EHLO client.example").code == 250
        assert s.cmd("MAIL FROM:<reporter@example.org>").code == 250
        assert s.cmd("RCPT TO:<cert@csirt.example>").code == 250
        assert s.cmd("DATA").code == 354
        s.send(f"Subject: {token}\r\nMessage-ID: <{token}@example.org>\r\n\r\nhello\r\n.\r\n")
        assert s.reply().code == 250
        s.cmd("QUIT")
    return time.monotonic() - started


class Load(unittest.TestCase):
    def test_idle_and_slow_clients_do_not_stall_a_normal_session(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = IDLE + SLOW + 200
        if soft < wanted:
            # Root may raise the hard limit too; anyone else only up to it.
            new_hard = hard if hard == resource.RLIM_INFINITY or hard >= wanted else wanted
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, new_hard))
            except (ValueError, OSError):
                self.skipTest(f"only {hard} file descriptors allowed")
        state = os.path.join(h.mkdtemp("csirtgw-it-load-"), "state")
        daemon = h.Daemon(state)
        daemon.start()
        port = daemon.smtp_port
        baseline = [timed_transaction(port, f"load-base-{i}") for i in range(5)]
        rss_before = rss_kib(daemon.proc.pid)

        idle = []
        for _ in range(IDLE):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            idle.append(s)
        for s in idle[:20]:  # they really are being served: each got its greeting
            self.assertTrue(s.recv(100).startswith(b"220"))

        stop = threading.Event()

        def slow_client():
            # one byte every 2 s: "EHLO slow.example\r\n" takes ~40 s to finish
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                    s.recv(100)
                    for b in b"EHLO slow.example\r\nNOOP\r\n":
                        if stop.wait(2.0):
                            return
                        s.sendall(bytes([b]))
            except OSError:
                pass

        slow = [threading.Thread(target=slow_client, daemon=True) for _ in range(SLOW)]
        for t in slow:
            t.start()
        time.sleep(3)

        try:
            latencies = [timed_transaction(port, f"load-{i}") for i in range(20)]
            rss_loaded = rss_kib(daemon.proc.pid)
        finally:
            stop.set()
            for s in idle:
                s.close()
        latencies.sort()
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        print(f"load: baseline max {max(baseline) * 1000:.1f} ms; under load p50 "
              f"{latencies[len(latencies) // 2] * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max "
              f"{latencies[-1] * 1000:.1f} ms; RSS {rss_before} KiB -> {rss_loaded} KiB with "
              f"{IDLE} idle + {SLOW} slow connections", file=sys.stderr)
        # A whole transaction (connect .. QUIT, with its fsyncs) under 100 ms.
        self.assertLess(p95, 0.100)
        # Bounded memory: a few KiB per open connection on top of the base
        # (measured ~8 KiB: the session's coroutine frame, buffers, timer).
        self.assertLess(rss_loaded - rss_before, (IDLE + SLOW) * 16)
        for i in range(20):
            h.wait_for_messages(state, f"load-{i}", 1)
        self.assertEqual(daemon.terminate(), 0)


if __name__ == "__main__":
    h.main()

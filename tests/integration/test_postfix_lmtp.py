#!/usr/bin/python3
"""A real Postfix 3.x delivering over LMTP to `csirtgw serve`.

  1. 20 messages sent to Postfix's SMTP port all arrive exactly once.
  2. With the daemon stopped, 5 more messages are deferred by Postfix; after the
     daemon is started again on the SAME LMTP port and the queue is flushed, all 5
     arrive exactly once, and Postfix generated no bounce.
  3. One message to cert@, nobody@, abuse@: delivered once over LMTP, exactly
     one bounce (for nobody@ only) comes back to the sender.
  4. Bursts of messages while the daemon is SIGKILLed with LMTP deliveries in
     flight and restarted on the same port: Postfix's retries + the daemon's
     idempotency end with every message filed exactly once, body unchanged.

Needs root (a private Postfix instance); exits 77 (ctest SKIP_RETURN_CODE) otherwise.
"""
import os
import random
import smtplib
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402


def send_via_postfix(port, msgs):
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.example.org", timeout=30) as s:
        for tok, data in msgs:
            refused = s.sendmail(h.SENDER, ["cert@csirt.example"], data)
            assert refused == {}, refused


def count_by_token(state, tokens):
    filed = h.maildir_messages(state)
    counts = {t: 0 for t in tokens}
    for m in filed:
        for t in tokens:
            if t in m.subject:
                counts[t] += 1
    return counts


class PostfixLmtp(unittest.TestCase):

    def setUp(self):
        self.state = h.mkdtemp("csirtgw-it-pf-state-")
        self.daemon = h.Daemon(self.state, smtp=None).start()
        self.assertIsNotNone(self.daemon.lmtp_port, self.daemon.lmtp_addr)
        self.assertEqual(self.daemon.smtp_addr, "off")
        self.pf = h.Postfix(lmtp_port=self.daemon.lmtp_port).start()

    def tearDown(self):
        self.pf.cleanup()
        self.daemon.cleanup()

    def dump_logs(self):
        print("---- postfix maillog (tail) ----\n" + self.pf.log()[-6000:], file=sys.stderr)
        print("---- daemon stderr (tail) ----\n" + self.daemon.stderr_tail(60), file=sys.stderr)

    def test_postfix_to_lmtp_and_deferred_redelivery(self):
        try:
            self._scenario()
        except BaseException:
            self.dump_logs()
            raise

    def wait_all_filed(self, tokens, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            counts = count_by_token(self.state, tokens)
            if all(c >= 1 for c in counts.values()):
                break
            if time.monotonic() > deadline:
                missing = [t for t, c in counts.items() if c == 0]
                self.fail(f"{len(missing)} message(s) never filed: {missing[:5]}\n"
                          f"postfix queue: {self.pf.queue()}\nmaillog tail:\n{self.pf.log()[-3000:]}")
            time.sleep(0.2)
        h.wait_spool_drained(self.state)
        return count_by_token(self.state, tokens)

    def test_postfix_multi_recipient_partial_reject(self):
        try:
            self._partial_reject()
        except BaseException:
            self.dump_logs()
            raise

    def test_postfix_with_daemon_crashes(self):
        try:
            self._crashes()
        except BaseException:
            self.dump_logs()
            raise

    def _crashes(self):
        """Postfix keeps delivering while the daemon is SIGKILLed and restarted on
        the same LMTP port after every burst of 10 messages; Postfix's own retry logic (and the
        daemon's idempotency) must end with every message filed exactly once."""
        n = int(os.environ.get("CSIRTGW_PF_CRASH_MESSAGES", "150"))
        rng = random.Random()
        key = self.daemon.team_key
        lmtp_port = self.daemon.lmtp_port
        msgs = []
        for i in range(n):
            tok = h.unique_token(f"pfk{i:03d}")
            msgs.append((tok, h.make_message(tok, body=f"crash via postfix {i} {tok}\r\n"
                                                        + ("filler " + "f" * 62 + "\r\n")
                                                        * rng.choice((1, 10, 300, 3000)))))
        kills, errors = [0], []

        # Bursts of 10: with the daemon down, hand them to Postfix (they are
        # deferred), start the daemon, flush so Postfix delivers the whole burst
        # at once, and SIGKILL the daemon 0-0.15 s later, i.e. while several
        # LMTP transactions are in flight.
        with smtplib.SMTP("127.0.0.1", self.pf.smtp_port, timeout=30) as s:
            for burst in range(0, n, 10):
                self.daemon.kill9()
                kills[0] += 1
                for tok, data in msgs[burst:burst + 10]:
                    self.assertEqual(s.sendmail(h.SENDER, ["cert@csirt.example"], data), {})
                self.daemon.start()
                if self.daemon.lmtp_port != lmtp_port or self.daemon.team_key != key:
                    errors.append(f"restart changed port/key: {self.daemon.lmtp_addr} "
                                  f"{self.daemon.team_key}")
                self.pf.flush()
                time.sleep(rng.uniform(0.0, 0.15))
        self.assertEqual(errors, [])
        self.assertGreaterEqual(kills[0], 10)
        self.daemon.kill9()                # the last crash, then a clean start
        self.daemon.start()
        # let Postfix retry everything that was deferred
        deadline = time.monotonic() + 150
        while self.pf.queue():
            self.assertLess(time.monotonic(), deadline,
                            f"Postfix queue not empty: {self.pf.queue()[:3]}")
            self.pf.flush()
            time.sleep(2)
        counts = self.wait_all_filed([t for t, _ in msgs], timeout=60)
        dups = {t: c for t, c in counts.items() if c != 1}
        self.assertEqual(dups, {}, "messages not filed exactly once")
        self.assertEqual(len(h.maildir_messages(self.state)), n)
        by_tok = dict(msgs)
        for m in h.maildir_messages(self.state):
            sent = h.crlf_to_lf(by_tok[m.subject.rsplit(" ", 1)[-1]])
            self.assertEqual(m.body, sent.split(b"\n\n", 1)[1], f"body changed: {m.path}")
        self.assertEqual(h.spool_files(self.state), {"tmp": [], "ready": []})
        self.assertEqual(self.pf.outbox_files(), [], "Postfix bounced something")
        log = self.pf.log()
        deferred = log.count("status=deferred")
        after_dot = sum(1 for l in log.splitlines()
                        if "status=deferred" in l and "end of data" in l)
        print(f"postfix crash test: {kills[0]} kills, {deferred} deferrals, "
              f"{after_dot} of them at end of data (resend of possibly committed mail)",
              file=sys.stderr)
        self.assertGreater(deferred, 0, "no delivery was ever interrupted")
        self.assertEqual(self.daemon.terminate(), 0, self.daemon.stderr_tail())
        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)

    def _partial_reject(self):
        """One message to two intakes and one unknown address: Postfix delivers it
        over LMTP, gets one reply per accepted recipient, and bounces only the
        unknown one back to the sender."""
        tok = h.unique_token("pfmulti")
        rcpts = ["cert@csirt.example", "nobody@csirt.example", "abuse@csirt.example"]
        with smtplib.SMTP("127.0.0.1", self.pf.smtp_port, timeout=30) as s:
            # Postfix accepts all three (relay domain; the LMTP server decides)
            self.assertEqual(s.sendmail(h.SENDER, rcpts, h.make_message(tok)), {})
        self.pf.flush()
        self.pf.wait_queue_empty(timeout=60)
        found = h.wait_for_messages(self.state, tok, 1)
        self.assertLessEqual(len(found), 2, found)
        log = self.pf.log()
        for r in ("cert@csirt.example", "abuse@csirt.example"):
            self.assertRegex(log, rf"to=<{r}>.*relay=127\.0\.0\.1\[127\.0\.0\.1\]:{self.daemon.lmtp_port}"
                                  rf".*status=sent")
        self.assertRegex(log, r"to=<nobody@csirt\.example>.*status=bounced.*5\.1\.1")
        # exactly one bounce, to the sender, naming only the unknown recipient
        deadline = time.monotonic() + 30
        while not self.pf.outbox_files() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        bounces = self.pf.outbox_files()
        self.assertEqual(len(bounces), 1, bounces)
        with open(bounces[0], "rb") as f:
            b = f.read()
        self.assertIn(b"nobody@csirt.example", b)
        self.assertNotIn(b"Final-Recipient: rfc822; cert@csirt.example", b)
        self.assertNotIn(b"Final-Recipient: rfc822; abuse@csirt.example", b)

    def _scenario(self):
        # ---- phase 1: 20 messages through Postfix ------------------------
        batch1 = []
        for i in range(20):
            tok = h.unique_token(f"pf{i:02d}")
            batch1.append((tok, h.make_message(tok, body=f"postfix message {i} {tok}\r\n")))
        send_via_postfix(self.pf.smtp_port, batch1)
        self.pf.flush()
        self.pf.wait_queue_empty(timeout=60)
        counts = self.wait_all_filed([t for t, _ in batch1])
        self.assertEqual(sorted(set(counts.values())), [1], f"not exactly once: {counts}")
        # every message went through Postfix (its Received header) and kept its body
        for m in h.maildir_messages(self.state):
            self.assertEqual(m.first_line, b"Return-Path: <reporter@example.org>")
            self.assertIn("pf-it.localhost", " ".join(m.headers("Received")), m.path)
        log = self.pf.log()
        self.assertGreaterEqual(log.count("status=sent"), 20, log[-3000:])

        # ---- phase 2: daemon down -> Postfix defers ---------------------
        lmtp_port = self.daemon.lmtp_port
        rc = self.daemon.terminate()
        self.assertEqual(rc, 0, self.daemon.stderr_tail())
        self.assertFalse(h.port_accepts(lmtp_port), "LMTP port still open after SIGTERM")
        batch2 = []
        for i in range(5):
            tok = h.unique_token(f"pfdef{i}")
            batch2.append((tok, h.make_message(tok, body=f"deferred message {i} {tok}\r\n")))
        send_via_postfix(self.pf.smtp_port, batch2)
        self.pf.flush()
        # Each was tried and failed (a delay reason); with the test's 2 s backoff
        # Postfix keeps moving them between deferred/ and incoming/ for the next
        # try, so which queue each one sits in at a given moment does not matter.
        q = self.pf.wait_queue(
            lambda q: len(q) == 5 and all(r.get("delay_reason") for m in q for r in m.get("recipients", [])),
            timeout=60, what="5 deferred messages")
        self.assertTrue(all(r.get("delay_reason") for m in q for r in m.get("recipients", [])), q)
        self.assertEqual([t for t, c in count_by_token(self.state, [t for t, _ in batch2]).items() if c],
                         [], "filed while the daemon was down?!")

        # ---- phase 3: same LMTP port again, flush, all 5 arrive once ----
        self.daemon.start()
        self.assertEqual(self.daemon.lmtp_port, lmtp_port, "restart did not reuse the LMTP port")
        self.pf.flush()
        self.pf.wait_queue_empty(timeout=90)
        counts = self.wait_all_filed([t for t, _ in batch2])
        self.assertEqual(sorted(set(counts.values())), [1], f"not exactly once: {counts}")
        # and phase-1 messages were not filed again
        counts1 = count_by_token(self.state, [t for t, _ in batch1])
        self.assertEqual(sorted(set(counts1.values())), [1], counts1)
        self.assertEqual(len(h.maildir_messages(self.state)), 25)

        # ---- no bounce was generated; audit chain intact ----------------
        time.sleep(1)
        self.assertEqual(self.pf.outbox_files(), [], "Postfix bounced something")
        self.assertNotIn("status=bounced", self.pf.log())
        rc = self.daemon.terminate()
        self.assertEqual(rc, 0, self.daemon.stderr_tail())
        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertRegex(cp.out, h.INTACT_RE)


if __name__ == "__main__":
    h.main_needing_postfix()

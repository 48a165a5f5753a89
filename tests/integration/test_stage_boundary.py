#!/usr/bin/env python3
"""No mail can stop the gateway (issue 14), against a real daemon.

* FormerDoors: each mail that used to std::terminate the daemon (an invalid
  UTF-8 byte in a JSON body, in an ARF field name, in an X-ARF YAML key; a
  YAML error text cut mid-character; a 64 KiB YAML key; the same JSON inside
  PGP/MIME encryption) is filed, the daemon keeps serving, the audit chain
  verifies. A Message-ID carrying terminal escapes is shown escaped by
  `ticket show`, and `--json` is valid UTF-8.
* Boundary: a step that throws (injected with CSIRTGW_TEST_FAULT, a test-only
  hook) quarantines that message with the step and the exception class, and
  the mail around it is filed as usual.
* CrashLoop: a message that aborts the process on every try is quarantined at
  start-up after openpgp.worker_failures deaths, the others are filed exactly
  once, within seconds; a death during filing files the message once after
  the restart.
"""
import base64
import json
import os
import resource
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import openpgp_corpus as pc  # noqa: E402
from test_faults import (CLIENT_TIMEOUT, EncryptedReports, daemon_log, deliver_until_250,  # noqa: E402
                         filed_once, wait_filed)

# SIGABRT must not leave core files behind (the crash-loop test aborts on purpose).
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def mail(token, content_type, body, extra_headers=()):
    headers = [f"From: Reporter <{h.SENDER}>", "To: cert@csirt.example", f"Subject: door {token}",
               f"Message-ID: <{token}@it.csirtgw.test>", "Date: Thu, 23 Nov 2023 17:00:00 +0000",
               "MIME-Version: 1.0", f"Content-Type: {content_type}"] + list(extra_headers)
    return "\r\n".join(headers).encode() + b"\r\n\r\n" + body


def json_door(token):
    # the 140-octet door: a text/plain JSON object with one invalid byte
    return mail(token, "text/plain", b'{"Version":"4","Report":{"ReportClass":"Abuse\xff"}}\r\n')


def arf_door(token):
    body = (b"--b\r\nContent-Type: text/plain\r\n\r\nabuse report\r\n"
            b"--b\r\nContent-Type: message/feedback-report\r\n\r\n"
            b"Feedback-Type: abuse\r\nUser-Agent: it/1\r\nVersion: 1\r\nSourc\xffe-IP: 192.0.2.7\r\n\r\n"
            b"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: a@example.org\r\n\r\n--b--\r\n")
    return mail(token, 'multipart/report; report-type=feedback-report; boundary="b"', body)


def xarf_door(token, yaml):
    # base64, so that a 64 KiB YAML line passes the SMTP line limit as it would from a real sender
    encoded = base64.encodebytes(yaml).replace(b"\n", b"\r\n")
    body = (b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nabuse report\r\n"
            b"--b\r\nContent-Type: text/plain; charset=utf-8; name=\"report.txt\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + encoded + b"--b--\r\n")
    return mail(token, 'multipart/mixed; boundary="b"', body, ["X-ARF: YES"])


def doors(token):
    big_key = b"? " + "\u00e9".encode() * 40000 + b"\r\n: v\r\n"
    return {
        "json-invalid-byte": json_door(token + "-json"),
        "arf-field-name": arf_door(token + "-arf"),
        "xarf-yaml-key": xarf_door(token + "-yamlkey", b"Reported-From: a@example.org\r\nCateg\xffory: abuse\r\n"),
        "yaml-escape-error": xarf_door(token + "-yamlesc", b'Category: "abuse\\\xc3\xa9"\r\nSource: 192.0.2.8\r\n'),
        "yaml-64k-key": xarf_door(token + "-yamlbig", big_key),
        "nlohmann-parse-error": mail(token + "-parse", "application/json", b'{"Version":"4","Report":{\xc3'),
    }


def ticket_numbers(state):
    cp = h.run_cli("tickets", "--state-dir", state, "--json")
    assert cp.returncode == 0, cp.out
    return [t["number"] for t in json.loads(cp.stdout)]


class FormerDoors(EncryptedReports):
    TMP_PREFIX = "csirtgw-it-boundary-doors-"

    def test_every_door_is_filed_and_the_daemon_serves_on(self):
        d, token = self.daemon, h.unique_token("door")
        messages = doors(token)
        inner = b'Content-Type: text/plain\r\n\r\n{"Version":"4","Report":{"ReportClass":"x\xff"}}\r\n'
        messages["encrypted-json-invalid-byte"] = pc.message(
            token + "-enc", "doors", pc.pgp_encrypted(self.key.encrypt(inner)), from_=f"Reporter <{pc.REPORTER}>")
        pid = d.pid
        for name, raw in messages.items():
            with self.subTest(door=name):
                deliver_until_250(d.smtp_port, raw, time.monotonic() + CLIENT_TIMEOUT)
        tokens = [token + s for s in ("-json", "-arf", "-yamlkey", "-yamlesc", "-yamlbig", "-parse", "-enc")]
        wait_filed(self.state, tokens)
        self.assertTrue(d.running(), d.stderr_tail())
        self.assertEqual(d.pid, pid, "the daemon was restarted")
        filed = filed_once(self, self.state, tokens)
        for t, fm in filed.items():
            self.assertIsNotNone(fm.header("X-Csirtgw-Queue"), t)
        print(f"\nformer doors: {len(filed)} filed: " +
              ", ".join(f"{t.rsplit('-', 1)[1]}->{fm.header('X-Csirtgw-Queue').strip()}" for t, fm in filed.items()),
              file=sys.stderr)
        # every audit detail is valid JSON in valid UTF-8
        for row in h.audit_rows(self.state):
            json.loads(row["detail"])
        self.assertEqual(h.audit_verify(self.state).returncode, 0)
        # and the next ordinary mail goes through
        after = h.unique_token("after")
        deliver_until_250(d.smtp_port, h.make_message(after), time.monotonic() + CLIENT_TIMEOUT)
        wait_filed(self.state, [after])

    def test_terminal_escapes_are_shown_escaped(self):
        token = h.unique_token("esc")
        hostile = f"<\x1b]0;owned\x07\x1b[2J{token}@example.org>"
        raw = h.make_message(token, message_id=hostile)
        deliver_until_250(self.daemon.smtp_port, raw, time.monotonic() + CLIENT_TIMEOUT)
        wait_filed(self.state, [token])
        for number in ticket_numbers(self.state):
            cp = h.run_cli("ticket", "show", str(number), "--state-dir", self.state)
            self.assertEqual(cp.returncode, 0, cp.out)
            self.assertNotIn(b"\x1b", cp.stdout)
            self.assertNotIn(b"\x07", cp.stdout)
            if token.encode() in cp.stdout:
                self.assertIn(b"\\x1b]0;owned\\x07\\x1b[2J", cp.stdout)
            js = h.run_cli("ticket", "show", str(number), "--state-dir", self.state, "--json")
            self.assertEqual(js.returncode, 0, js.out)
            json.loads(js.stdout.decode("utf-8"))  # strict: valid UTF-8
        listing = h.run_cli("tickets", "--state-dir", self.state)
        self.assertNotIn(b"\x1b", listing.stdout)


STEPS = ("stages", "tickets", "acknowledgement", "filing")


class Boundary(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = h.mkdtemp("csirtgw-it-boundary-")
        cls.state = os.path.join(cls.tmp, "state")
        cls.marker = {step: f"FAULT-{step}-{os.getpid()}" for step in STEPS}
        os.environ["CSIRTGW_TEST_FAULT"] = ",".join(f"throw:{s}:{m}" for s, m in cls.marker.items())
        try:
            cls.daemon = h.Daemon(cls.state).start()
        finally:
            del os.environ["CSIRTGW_TEST_FAULT"]

    @classmethod
    def tearDownClass(cls):
        cls.daemon.cleanup()

    def test_a_throwing_step_quarantines_only_its_message(self):
        d = self.daemon
        before, after = h.unique_token("before"), h.unique_token("after")
        tokens = {step: h.unique_token(step) for step in STEPS}
        deliver_until_250(d.smtp_port, h.make_message(before), time.monotonic() + CLIENT_TIMEOUT)
        for step, token in tokens.items():
            body = f"report {token}\r\n{self.marker[step]}\r\n"
            deliver_until_250(d.smtp_port, h.make_message(token, body=body), time.monotonic() + CLIENT_TIMEOUT)
        deliver_until_250(d.smtp_port, h.make_message(after), time.monotonic() + CLIENT_TIMEOUT)
        wait_filed(self.state, [before, after] + list(tokens.values()))
        self.assertTrue(d.running(), d.stderr_tail())
        filed = filed_once(self, self.state, [before, after] + list(tokens.values()))
        for token in (before, after):
            self.assertNotEqual(filed[token].header("X-Csirtgw-Queue").strip(), "quarantine")
            self.assertIsNone(filed[token].header("X-Csirtgw-Quarantine-Reason"))
        quarantined = {r["spool_id"]: json.loads(r["detail"])
                       for r in h.audit_rows(self.state, "WHERE event = 'quarantined'")}
        for step, token in tokens.items():
            with self.subTest(step=step):
                fm = filed[token]
                self.assertEqual(fm.header("X-Csirtgw-Queue").strip(), "quarantine")
                reason = fm.header("X-Csirtgw-Quarantine-Reason").strip()
                self.assertIn("failed with an exception", reason)
                detail = quarantined[fm.spool_id]
                self.assertEqual(detail["exception"], "std::logic_error")
                self.assertNotIn(self.marker[step], json.dumps(detail))  # never the content
                if step in ("stages", "tickets"):
                    self.assertIsNone(fm.header("X-Csirtgw-Ticket"), "a faulted message gets no ticket")
        self.assertEqual(h.audit_rows(self.state, "WHERE event = 'ack-queued' AND spool_id = ?",
                                      (filed[tokens["acknowledgement"]].spool_id,)), [])
        self.assertIn("std::logic_error", daemon_log(d))
        self.assertEqual(h.audit_verify(self.state).returncode, 0)


class CrashLoop(unittest.TestCase):
    """A supervisor like systemd's Restart=on-failure, in a thread."""

    def run_daemon(self, state, config, fault):
        os.environ["CSIRTGW_TEST_FAULT"] = fault
        try:
            daemon = h.Daemon(state, extra_args=["--config", config]).start()
        finally:
            del os.environ["CSIRTGW_TEST_FAULT"]
        return daemon

    def setUp(self):
        self.tmp = h.mkdtemp("csirtgw-it-crashloop-")
        self.state = os.path.join(self.tmp, "state")
        self.config = os.path.join(self.tmp, "csirtgw.toml")
        with open(self.config, "w") as f:
            f.write("[openpgp]\nworker_failures = 3\n[worker]\nthreads = 2\n")

    def supervise(self, daemon, fault, stop, restarts):
        while not stop.is_set():
            if not daemon.running():
                os.environ["CSIRTGW_TEST_FAULT"] = fault
                try:
                    daemon.start()
                    restarts.append(time.monotonic())
                except Exception:  # noqa: BLE001 - try again, like systemd
                    pass
                finally:
                    os.environ.pop("CSIRTGW_TEST_FAULT", None)
            stop.wait(0.05)

    def test_poison_that_aborts_the_process_is_quarantined_at_start_up(self):
        marker = f"ABORT-{os.getpid()}"
        fault = f"abort:stages:{marker}"
        daemon = self.run_daemon(self.state, self.config, fault)
        stop, restarts = threading.Event(), []
        supervisor = threading.Thread(target=self.supervise, args=(daemon, fault, stop, restarts), daemon=True)
        supervisor.start()
        try:
            first = [h.unique_token("first") for _ in range(3)]
            poison = h.unique_token("poison")
            later = [h.unique_token("later") for _ in range(5)]
            t0 = time.monotonic()
            deadline = t0 + 90
            for token in first:
                deliver_until_250(daemon.smtp_port, h.make_message(token), deadline)
            deliver_until_250(daemon.smtp_port, h.make_message(poison, body=f"{poison}\r\n{marker}\r\n"), deadline)
            for token in later:
                deliver_until_250(daemon.smtp_port, h.make_message(token), deadline)
            wait_filed(self.state, first + [poison] + later, timeout=90)
            elapsed = time.monotonic() - t0
        finally:
            stop.set()
            supervisor.join(10)
        try:
            filed = filed_once(self, self.state, first + [poison] + later)
            fm = filed[poison]
            self.assertEqual(fm.header("X-Csirtgw-Queue").strip(), "quarantine")
            self.assertIn("start-up: the process or its OpenPGP worker died 3 times",
                          fm.header("X-Csirtgw-Quarantine-Reason"))
            for token in first + later:
                self.assertNotEqual(filed[token].header("X-Csirtgw-Queue").strip(), "quarantine", token)
            self.assertEqual(len(restarts), 3, "one start per death: three deaths, then the quarantine")
            rows = h.audit_rows(self.state, "WHERE event = 'quarantined'")
            self.assertEqual([r["spool_id"] for r in rows], [fm.spool_id])
            self.assertEqual(h.audit_verify(self.state).returncode, 0)
            self.assertLess(elapsed, 60)
            print(f"\ncrash loop: 3 deaths, poison quarantined, {len(first + later)} others filed once "
                  f"in {elapsed:.1f} s", file=sys.stderr)
        finally:
            daemon.cleanup()

    def test_death_during_filing_files_the_message_once_after_restart(self):
        marker = f"DIE-{os.getpid()}"
        daemon = self.run_daemon(self.state, self.config, f"abort:filing:{marker}")
        try:
            others = [h.unique_token("other") for _ in range(4)]
            victim = h.unique_token("victim")
            deadline = time.monotonic() + 60
            deliver_until_250(daemon.smtp_port, h.make_message(victim, body=f"{victim}\r\n{marker}\r\n"), deadline)
            end = time.monotonic() + 30
            while daemon.running() and time.monotonic() < end:
                time.sleep(0.05)
            self.assertFalse(daemon.running(), "the injected death did not happen")
            t0 = time.monotonic()
            daemon.start()  # without the fault: a plain restart after a crash
            for token in others:
                deliver_until_250(daemon.smtp_port, h.make_message(token), deadline)
            wait_filed(self.state, [victim] + others)
            elapsed = time.monotonic() - t0
            filed = filed_once(self, self.state, [victim] + others)
            self.assertNotEqual(filed[victim].header("X-Csirtgw-Queue").strip(), "quarantine")
            self.assertIn("tried alone", daemon_log(daemon))
            self.assertEqual(h.audit_verify(self.state).returncode, 0)
            self.assertLess(elapsed, 30)
        finally:
            daemon.cleanup()


if __name__ == "__main__":
    h.main()

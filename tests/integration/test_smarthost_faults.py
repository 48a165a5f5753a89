#!/usr/bin/python3
"""The smarthost misbehaves (issue 7 fault injection, issue 5 durability).

A scripted smarthost on 127.0.0.1 — a deliberately hostile peer, which no real
MTA can be made to be on demand — switches between modes while csirtgw sends
acknowledgements to it:

  hang     accepts the connection and never says a word
  refuse   550 to RCPT TO (a permanent refusal)
  tempfail 451 after the final dot (a temporary one)
  accept   takes everything (250), recording each message

In every mode the intake goes on answering 250 at once (acks have their own
thread, and the ack is queued durably before it is sent). Expectations:
  * hang: each attempt ends after outbound.timeout with `ack-deferred` whose
    reply names the timeout; nothing is marked sent; the daemon stays up.
  * tempfail then accept: deferred, then retried with backoff and delivered
    exactly once each (`ack-sent` with the smarthost's 250 line).
  * refuse: `ack-failed` with the 550 reply, the row is `failed`, never retried.
  * the audit chain verifies at the end.

TemplateReload: the acknowledgement template is changed on disk and SIGHUP
sent; the next acknowledgement uses the new text, and a template with an
unknown placeholder is refused on SIGHUP while the previous one stays in force.
"""
import os
import signal
import socket
import sqlite3
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402


class ScriptedSmarthost:
    def __init__(self):
        self.mode = "hang"
        self.received = []          # (mode, data bytes) of every accepted message
        self.connections = 0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cleanup(self):
        self.stopping = True
        self.sock.close()

    def _accept(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn, self.mode), daemon=True).start()

    def _serve(self, conn, mode):
        f = conn.makefile("rb")
        send = lambda text: conn.sendall(text.encode() + b"\r\n")  # noqa: E731
        try:
            if mode == "hang":
                time.sleep(30)
                return
            send("220 scripted ESMTP")
            data = None
            while True:
                line = f.readline(4096)
                if not line:
                    return
                if data is not None:
                    if line == b".\r\n":
                        if mode == "tempfail":
                            send("451 4.3.0 try again later")
                        else:
                            with self.lock:
                                self.received.append(bytes(data))
                            send(f"250 2.0.0 Ok: queued as Q{len(self.received)}")
                        data = None
                    else:
                        data += line
                    continue
                cmd = line.strip().upper()
                if cmd.startswith(b"EHLO"):
                    send("250-scripted")
                    send("250 8BITMIME")
                elif cmd.startswith(b"RCPT") and mode == "refuse":
                    send("550 5.1.1 no such user here")
                elif cmd == b"DATA":
                    data = bytearray()
                    send("354 go ahead")
                elif cmd == b"QUIT":
                    send("221 bye")
                    return
                else:
                    send("250 ok")
        except OSError:
            pass
        finally:
            conn.close()

    def message_ids(self):
        ids = []
        with self.lock:
            for data in self.received:
                for line in data.split(b"\r\n"):
                    if line.lower().startswith(b"message-id:"):
                        ids.append(line.split(b":", 1)[1].strip().decode())
        return ids


def outbound_rows(state):
    con = sqlite3.connect(f"file:{os.path.join(state, 'csirtgw.db')}?mode=ro", uri=True, timeout=30)
    try:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute("SELECT * FROM outbound ORDER BY queued_at, spool_id")]
    finally:
        con.close()


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def log_text(daemon):
    with open(daemon.log_path, errors="replace") as f:
        return f.read()


def deliver(port, sender, token):
    """One report over SMTP; returns (seconds to the 250, reply code)."""
    with h.RawSession(port) as s:
        s.reply()
        s.cmd("EHLO client.example")
        s.cmd(f"MAIL FROM:<{sender}>")
        s.cmd("RCPT TO:<cert@csirt.example>")
        s.cmd("DATA")
        t0 = time.monotonic()
        s.send(h.make_message(token, sender=sender) + b".\r\n")
        reply = s.reply()
        took = time.monotonic() - t0
        s.cmd("QUIT")
    return took, reply.code


class SmarthostFaults(unittest.TestCase):
    def setUp(self):
        self.smarthost = ScriptedSmarthost()
        self.addCleanup(self.smarthost.cleanup)
        self.state = h.mkdtemp("csirtgw-it-smarthost-")
        cfg = os.path.join(self.state, "..", os.path.basename(self.state) + ".toml")
        with open(cfg, "w") as f:
            f.write("[outbound]\ntimeout = 2\nretry_min = 1\nretry_max = 2\n[ack]\nrate_limit = 0\ndomain_rate_limit = 0\n")
        self.addCleanup(lambda: os.path.exists(cfg) and os.remove(cfg))
        self.daemon = h.Daemon(os.path.join(self.state, "state"), extra_args=[
            "--config", cfg, "--smarthost", f"127.0.0.1:{self.smarthost.port}"])
        self.daemon.start()
        self.addCleanup(self.daemon.cleanup)
        self.state = self.daemon.state_dir

    def events(self, event):
        return h.audit_rows(self.state, "WHERE event = ?", (event,))

    def test_hang_then_tempfail_then_accept_then_refuse(self):
        # 1. hang: the intake is not slowed down; every attempt times out.
        senders = [f"reporter{i}@example.org" for i in range(3)]
        for i, sender in enumerate(senders):
            took, code = deliver(self.daemon.smtp_port, sender, h.unique_token(f"hang{i}"))
            self.assertEqual(code, 250)
            self.assertLess(took, 2.0, "the intake waited for the hanging smarthost")
        wait_for(lambda: len(outbound_rows(self.state)) == 3, 30, "3 queued acknowledgements")
        deferred = wait_for(lambda: self.events("ack-deferred"), 30, "an ack-deferred event")
        self.assertIn("timeout", deferred[0]["detail"], deferred[0])
        self.assertTrue(self.daemon.running())
        self.assertFalse(self.events("ack-sent"))
        self.assertTrue(all(r["state"] == "queued" for r in outbound_rows(self.state)))

        # 2. 451 after the data: still deferred, attempts grow.
        self.smarthost.mode = "tempfail"
        wait_for(lambda: any("451" in r["detail"] for r in self.events("ack-deferred")), 30, "a 451 deferral")
        self.assertFalse(self.smarthost.received)

        # 3. accept: every queued ack arrives exactly once.
        self.smarthost.mode = "accept"
        wait_for(lambda: all(r["state"] == "sent" for r in outbound_rows(self.state)), 30, "all acks sent")
        ids = self.smarthost.message_ids()
        self.assertEqual(sorted(ids), sorted(r["message_id"] for r in outbound_rows(self.state)))
        self.assertEqual(len(ids), len(set(ids)), f"an acknowledgement was sent twice: {ids}")
        sent = self.events("ack-sent")
        self.assertEqual(len(sent), 3)
        self.assertTrue(all("250 2.0.0 Ok: queued as" in r["detail"] for r in sent), sent)
        for r in outbound_rows(self.state):
            self.assertGreaterEqual(r["attempts"], 2, r)
            self.assertTrue(os.path.exists(os.path.join(self.state, "outbound", "cur", r["spool_id"])))

        # 4. refuse: one new report, its ack fails at once and is not retried.
        self.smarthost.mode = "refuse"
        deliver(self.daemon.smtp_port, "late@example.org", h.unique_token("refused"))
        failed = wait_for(lambda: self.events("ack-failed"), 30, "an ack-failed event")
        self.assertIn("550 5.1.1", failed[0]["detail"])
        row = [r for r in outbound_rows(self.state) if r["state"] == "failed"]
        self.assertEqual(len(row), 1)
        connections = self.smarthost.connections
        time.sleep(3)  # longer than retry_max: a failed ack is never tried again
        self.assertEqual(self.smarthost.connections, connections)
        self.assertEqual(len(self.smarthost.received), 3)

        rc = self.daemon.terminate()
        self.assertEqual(rc, 0, self.daemon.stderr_tail())
        self.assertIn("intact", h.audit_verify(self.state).out)


class TemplateReload(unittest.TestCase):
    def test_sighup_rereads_the_template(self):
        smarthost = ScriptedSmarthost()
        smarthost.mode = "accept"
        self.addCleanup(smarthost.cleanup)
        base = h.mkdtemp("csirtgw-it-template-")
        template = os.path.join(base, "ack.txt")
        cfg = os.path.join(base, "csirtgw.toml")

        def write_template(subject):
            with open(template, "w") as f:
                f.write(f"Subject: {subject}\n\nTicket {{ticket}} from {{team}}.\n")
        write_template("First words")
        with open(cfg, "w") as f:
            f.write(f'[ack]\nrate_limit = 0\ndomain_rate_limit = 0\ntemplate = "{template}"\n')
        daemon = h.Daemon(os.path.join(base, "state"), extra_args=[
            "--config", cfg, "--smarthost", f"127.0.0.1:{smarthost.port}"])
        daemon.start()
        self.addCleanup(daemon.cleanup)

        def subjects():
            out = []
            with smarthost.lock:
                for data in smarthost.received:
                    for line in data.split(b"\r\n"):
                        if line.startswith(b"Subject:"):
                            out.append(line.decode())
            return out

        def ack_for(sender, token):
            before = len(subjects())
            deliver(daemon.smtp_port, sender, token)
            return wait_for(lambda: subjects()[before:], 30, "an acknowledgement")[0]

        self.assertRegex(ack_for("one@example.org", h.unique_token("t1")), r"^Subject: \[XYZ-CERT #\d+\] First words$")
        write_template("Second words")
        os.kill(daemon.pid, signal.SIGHUP)
        wait_for(lambda: "reloaded configuration" in log_text(daemon), 15, "the reload")
        self.assertRegex(ack_for("two@example.org", h.unique_token("t2")), r"Second words$")
        with open(template, "w") as f:
            f.write("Subject: Re: {subject}\n\nBody\n")
        os.kill(daemon.pid, signal.SIGHUP)
        wait_for(lambda: "{subject}" in log_text(daemon), 15, "the refusal")
        self.assertRegex(ack_for("three@example.org", h.unique_token("t3")), r"Second words$")
        self.assertTrue(daemon.running())


if __name__ == "__main__":
    h.main()

"""Integration-test harness for csirtgw (stdlib only; run with /usr/bin/python3).

What lives here:
  * free_port()                    - an unused 127.0.0.1 TCP port
  * Daemon(state_dir, ...)         - start/kill -9/terminate/restart `csirtgw serve`
  * run_cli(...), audit_verify()   - one-shot subcommands
  * wait_spool_drained(), maildir_messages(), wait_for_messages()
  * make_message(), RawSession     - building mail and speaking SMTP/LMTP by hand
  * Postfix(lmtp_port, ...)        - a private, throwaway Postfix 3.x instance that
                                     relays csirt.example over LMTP to the daemon

Every process started here is registered and killed at interpreter exit (also on
SIGTERM, e.g. a ctest timeout), so a failing test does not leave servers behind.

Environment:
  CSIRTGW_BIN       path of the csirtgw binary (required)
  CSIRTGW_IT_KEEP=1 keep temp dirs (state dirs, logs, postfix dirs) for debugging
"""

import atexit
import email.parser
import email.policy
import glob
import json
import os
import queue
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

DOMAIN = "csirt.example"
INTAKES = ("cert@csirt.example", "abuse@csirt.example", "vuln@csirt.example")
SENDER = "reporter@example.org"

KEEP = os.environ.get("CSIRTGW_IT_KEEP") == "1"


# --------------------------------------------------------------------------
# process registry / cleanup
# --------------------------------------------------------------------------
_live = set()          # objects with a .cleanup() method
_live_lock = threading.Lock()


def _register(obj):
    with _live_lock:
        _live.add(obj)


def _unregister(obj):
    with _live_lock:
        _live.discard(obj)


_tmpdirs = []         # removed after every process is gone


def cleanup_all():
    with _live_lock:
        objs = list(_live)
    for o in objs:
        try:
            o.cleanup()
        except Exception as e:  # pragma: no cover - best effort
            print(f"harness: cleanup of {o!r} failed: {e}", file=sys.stderr)
    if KEEP:
        if _tmpdirs:
            print("harness: kept temp dirs: " + " ".join(_tmpdirs), file=sys.stderr)
        return
    while _tmpdirs:
        shutil.rmtree(_tmpdirs.pop(), ignore_errors=True)


atexit.register(cleanup_all)


def _on_sigterm(signum, frame):
    # turn SIGTERM (ctest timeout) into SystemExit so atexit handlers run
    raise SystemExit(128 + signum)


if threading.current_thread() is threading.main_thread():
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:
        pass


def csirtgw_bin():
    b = os.environ.get("CSIRTGW_BIN")
    if not b:
        raise RuntimeError("CSIRTGW_BIN is not set (path of the csirtgw binary)")
    if not os.access(b, os.X_OK):
        raise RuntimeError(f"CSIRTGW_BIN={b} is not an executable file")
    return b


def require_bin_or_exit():
    """Call from a test module's __main__: fail loudly if the binary is missing."""
    try:
        csirtgw_bin()
    except RuntimeError as e:
        print(f"FATAL: {e}", file=sys.stderr)
        sys.exit(2)


def is_root():
    return os.geteuid() == 0


def mkdtemp(prefix):
    """A temp dir removed at exit (after all registered processes are killed)."""
    d = tempfile.mkdtemp(prefix=prefix)
    _tmpdirs.append(d)
    return d


# --------------------------------------------------------------------------
# ports
# --------------------------------------------------------------------------
def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def port_accepts(port, host="127.0.0.1", timeout=1.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def parse_addr(addr):
    """'127.0.0.1:2424' -> ('127.0.0.1', 2424); 'off' -> None; 'unix:/p' -> ('unix', '/p')."""
    if addr is None or addr == "off":
        return None
    if addr.startswith("unix:"):
        return ("unix", addr[5:])
    host, _, port = addr.rpartition(":")
    return (host.strip("[]"), int(port))


# --------------------------------------------------------------------------
# the daemon
# --------------------------------------------------------------------------
READY_RE = re.compile(r"^ready lmtp=(\S+) smtp=(\S+)\s*$")
TEAMKEY_RE = re.compile(r"^team-key ([0-9A-Fa-f]{40})\s*$")


class DaemonError(AssertionError):
    pass


class Daemon:
    """`csirtgw serve` as a context manager.

        with Daemon(state_dir) as d:
            d.smtp_port, d.lmtp_port, d.team_key
            d.kill9(); d.restart()     # restart reuses the ports bound first
            rc = d.terminate()         # SIGTERM, returns the exit status

    lmtp/smtp: ADDR strings as on the command line ("127.0.0.1:0" = ephemeral,
    None or "" = disabled).  After the first start the actually bound addresses
    are remembered, so restart() binds the SAME ports.
    """

    def __init__(self, state_dir, lmtp="127.0.0.1:0", smtp="127.0.0.1:0",
                 extra_args=(), ready_timeout=60.0, log_dir=None):
        self.state_dir = os.path.abspath(state_dir)
        self.lmtp_arg = "" if lmtp is None else lmtp
        self.smtp_arg = "" if smtp is None else smtp
        self.extra_args = list(extra_args)
        self.ready_timeout = ready_timeout
        self.log_dir = log_dir or mkdtemp("csirtgw-it-log-")
        self.proc = None
        self.starts = 0
        self.team_key = None
        self.lmtp_addr = self.smtp_addr = None
        self.stdout_lines = []
        self._lines = None
        self._reader = None
        self.log_path = None

    # -- properties -------------------------------------------------------
    @property
    def lmtp_port(self):
        a = parse_addr(self.lmtp_addr)
        return a[1] if a and a[0] != "unix" else None

    @property
    def smtp_port(self):
        a = parse_addr(self.smtp_addr)
        return a[1] if a and a[0] != "unix" else None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def __repr__(self):
        return f"<Daemon {self.state_dir} pid={self.pid}>"

    # -- lifecycle --------------------------------------------------------
    def argv(self):
        return [csirtgw_bin(), "serve", "--state-dir", self.state_dir,
                "--lmtp", self.lmtp_arg, "--smtp", self.smtp_arg] + self.extra_args

    def start(self):
        if self.running():
            raise DaemonError("daemon already running")
        self.starts += 1
        self.log_path = os.path.join(self.log_dir, f"daemon-{self.starts:03d}.log")
        logf = open(self.log_path, "wb")
        argv = self.argv()
        try:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=logf, start_new_session=True)
        finally:
            logf.close()
        _register(self)
        self._lines = queue.Queue()
        self.stdout_lines = []
        proc, lines, store = self.proc, self._lines, self.stdout_lines

        def reader():
            for raw in iter(proc.stdout.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                store.append(line)
                lines.put(line)
            proc.stdout.close()
            lines.put(None)
        self._reader = threading.Thread(target=reader, daemon=True)
        self._reader.start()

        deadline = time.monotonic() + self.ready_timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self._fail_start(f"no 'ready' line within {self.ready_timeout:.0f}s")
            try:
                line = self._lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if line is None:
                self.proc.wait(timeout=5)
                self._fail_start(f"daemon exited with status {self.proc.returncode} "
                                 "before printing 'ready'")
            m = TEAMKEY_RE.match(line)
            if m:
                self.team_key = m.group(1)
                continue
            m = READY_RE.match(line)
            if m:
                self.lmtp_addr, self.smtp_addr = m.group(1), m.group(2)
                break
        # remember the bound ports: a restart must use the same ones
        if self.lmtp_arg:
            self.lmtp_arg = self.lmtp_addr
        if self.smtp_arg:
            self.smtp_arg = self.smtp_addr
        return self

    def _fail_start(self, why):
        out = "\n".join(self.stdout_lines[-20:])
        err = self.stderr_tail()
        self._kill_group(signal.SIGKILL)
        raise DaemonError(f"{why}\n  argv: {' '.join(map(repr, self.argv()))}\n"
                          f"  stdout:\n{out}\n  stderr (tail):\n{err}")

    def stderr_tail(self, n=40):
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "rb") as f:
            data = f.read().decode("utf-8", "replace").splitlines()
        return "\n".join(data[-n:])

    def _kill_group(self, sig):
        if not self.proc:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass

    def kill9(self):
        """SIGKILL the daemon (and anything left in its process group)."""
        if not self.proc:
            return None
        self._kill_group(signal.SIGKILL)
        if self._reader:
            self._reader.join(timeout=5)
        return self.proc.returncode

    def terminate(self, timeout=30.0):
        """SIGTERM and wait; returns the exit status (negative = killed by signal).
        If the daemon does not exit within `timeout`, it is SIGKILLed and
        DaemonError is raised."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._kill_group(signal.SIGKILL)
                raise DaemonError(f"daemon did not exit within {timeout}s of SIGTERM\n"
                                  + self.stderr_tail())
        # stragglers in the group (filters, helpers)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self._reader:
            self._reader.join(timeout=5)
        return self.proc.returncode

    def restart(self, kill=False):
        if self.running():
            if kill:
                self.kill9()
            else:
                self.terminate()
        return self.start()

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self._kill_group(signal.SIGKILL)
        elif self.proc:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        # a gpg-agent started for the daemon's GNUPGHOME detaches; stop it by homedir
        gh = os.path.join(self.state_dir, "gnupg")
        if os.path.isdir(gh) and shutil.which("gpgconf"):
            subprocess.run(["gpgconf", "--homedir", gh, "--kill", "all"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=20, check=False)
        _unregister(self)

    def __enter__(self):
        if not self.running():
            self.start()
        return self

    def __exit__(self, *exc):
        self.cleanup()
        return False


# --------------------------------------------------------------------------
# one-shot subcommands
# --------------------------------------------------------------------------
def run_cli(*args, timeout=120, env=None):
    """Run `csirtgw ARGS`; returns CompletedProcess with .out = stdout+stderr (str).
    env: variables added to this process's environment for the command."""
    cp = subprocess.run([csirtgw_bin()] + list(args), stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        timeout=timeout, env=None if env is None else {**os.environ, **env})
    cp.out = (cp.stdout.decode("utf-8", "replace") + cp.stderr.decode("utf-8", "replace"))
    return cp


INTACT_RE = re.compile(r"intact: (\d+) events, head ([0-9a-f]{64})")
BROKEN_RE = re.compile(r"broken: event (\d+): (.+)")


def audit_verify(state_dir):
    return run_cli("audit", "verify", "--state-dir", state_dir)


def audit_rows(state_dir, where="", params=()):
    """Read-only view of the audit table (list of dicts ordered by seq)."""
    db = os.path.join(state_dir, "csirtgw.db")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        con.row_factory = sqlite3.Row
        rows = con.execute(f"SELECT * FROM audit {where} ORDER BY seq", params).fetchall()
        return [dict(r) for r in rows]
    finally:
        con.close()


# --------------------------------------------------------------------------
# spool / Maildir inspection
# --------------------------------------------------------------------------
def spool_files(state_dir):
    out = {}
    for sub in ("tmp", "ready"):
        d = os.path.join(state_dir, "spool", sub)
        out[sub] = sorted(os.listdir(d)) if os.path.isdir(d) else []
    return out


def wait_spool_drained(state_dir, timeout=30.0, settle=0.3):
    """Wait until spool/ready and spool/tmp are empty (twice, `settle` s apart).
    Raises AssertionError with the leftover file names on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        f = spool_files(state_dir)
        if not f["tmp"] and not f["ready"]:
            time.sleep(settle)
            f = spool_files(state_dir)
            if not f["tmp"] and not f["ready"]:
                return True
        if time.monotonic() > deadline:
            raise AssertionError(f"spool not drained after {timeout}s: "
                                 f"tmp={f['tmp'][:10]} ({len(f['tmp'])}) "
                                 f"ready={f['ready'][:10]} ({len(f['ready'])})")
        time.sleep(0.1)


class FiledMessage:
    """One file in a Maildir queue."""

    def __init__(self, path, subdir):
        self.path = path
        self.subdir = subdir
        self.name = os.path.basename(path)
        with open(path, "rb") as f:
            self.raw = f.read()
        self.msg = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(self.raw)

    @property
    def base_name(self):
        return self.name.split(":", 1)[0]       # strip Maildir ":2,FLAGS"

    @property
    def spool_id(self):
        parts = self.base_name.split(".")
        return parts[1] if len(parts) >= 3 else None

    @property
    def epoch(self):
        p = self.base_name.split(".", 1)[0]
        return int(p) if p.isdigit() else None

    @property
    def first_line(self):
        return self.raw.split(b"\n", 1)[0]

    @property
    def body(self):
        """Bytes after the first empty line (header/body separator)."""
        i = self.raw.find(b"\n\n")
        return self.raw[i + 2:] if i >= 0 else b""

    def header(self, name):
        return self.msg.get(name)

    def headers(self, name):
        return self.msg.get_all(name) or []

    def single_header(self, name):
        """The one value of a header (unfolded, blanks collapsed); asserts it
        occurs exactly once (X-Csirtgw-* headers are written once)."""
        values = [re.sub(r"\s+", " ", v).strip() for v in self.headers(name)]
        if len(values) != 1:
            raise AssertionError(f"{name}: expected exactly one, got {values!r} in {self!r}")
        return values[0]

    @property
    def subject(self):
        return self.msg.get("Subject") or ""

    @property
    def message_id(self):
        return (self.msg.get("Message-ID") or "").strip()

    def __repr__(self):
        return f"<FiledMessage {self.subdir}/{self.name} subject={self.subject!r}>"


def queue_names(state_dir):
    qdir = os.path.join(state_dir, "queues")
    return sorted(os.listdir(qdir)) if os.path.isdir(qdir) else []


def maildir_messages(state_dir, queue=None, subdirs=("new", "cur")):
    """Filed messages of one queue, or of every queue when queue is None
    (the policy routes reports to several)."""
    if queue is None:
        return [m for q in queue_names(state_dir) for m in maildir_messages(state_dir, q, subdirs)]
    out = []
    for sub in subdirs:
        d = os.path.join(state_dir, "queues", queue, sub)
        if not os.path.isdir(d):
            continue
        for n in sorted(os.listdir(d)):
            if n.startswith("."):
                continue
            p = os.path.join(d, n)
            try:
                out.append(FiledMessage(p, sub))
            except FileNotFoundError:      # moved new -> cur meanwhile
                continue
    return out


def messages_with(state_dir, token, queue=None):
    """Filed messages whose Subject contains token."""
    return [m for m in maildir_messages(state_dir, queue) if token in m.subject]


def wait_for_messages(state_dir, token, count=1, timeout=30.0, queue=None):
    """Wait until at least `count` messages with `token` in Subject are filed and
    the spool is drained; returns the list (which may be longer than count)."""
    deadline = time.monotonic() + timeout
    while True:
        found = messages_with(state_dir, token, queue)
        if len(found) >= count:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"expected >= {count} filed message(s) with {token!r}, "
                                 f"found {len(found)} after {timeout}s; spool={spool_files(state_dir)}")
        time.sleep(0.1)
    wait_spool_drained(state_dir, timeout=max(5.0, deadline - time.monotonic()))
    return messages_with(state_dir, token, queue)


# --------------------------------------------------------------------------
# building / sending mail
# --------------------------------------------------------------------------
def unique_token(prefix="t"):
    return f"{prefix}-{os.getpid()}-{int(time.time() * 1000)}-{random.getrandbits(40):010x}"


def make_message(token, sender=SENDER, to="cert@csirt.example", body=None,
                 extra_headers=(), message_id=None):
    """RFC 5322 message as bytes with CRLF line ends; Subject and Message-ID carry token."""
    mid = message_id or f"<{token}@it.csirtgw.test>"
    hdrs = [f"From: Reporter <{sender}>",
            f"To: {to}",
            f"Subject: incident report {token}",
            f"Message-ID: {mid}",
            "Date: Thu, 23 Nov 2023 17:00:00 +0000",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=us-ascii"]
    hdrs.extend(extra_headers)
    if body is None:
        body = f"Incident report body for {token}.\r\nSecond line.\r\n"
    return ("\r\n".join(hdrs) + "\r\n\r\n").encode() + (body.encode() if isinstance(body, str) else body)


TICKET_TAG_IN_SUBJECT = re.compile(rb"(?m)^(Subject: )\[[^\]\n]*#\d+\] ")


def without_ticket_tag(raw):
    """Filed bytes without the ticket tag csirtgw puts in the Subject (issue 17),
    for comparing a filed copy with what was sent."""
    return TICKET_TAG_IN_SUBJECT.sub(rb"\1", raw, count=1)


def crlf_to_lf(b):
    return b.replace(b"\r\n", b"\n")


class Reply:
    def __init__(self, code, lines):
        self.code = code
        self.lines = lines            # text after "NNN-" / "NNN "

    @property
    def text(self):
        return "\n".join(self.lines)

    def __repr__(self):
        return f"<Reply {self.code} {self.text!r}>"


class RawSession:
    """A byte-exact SMTP/LMTP client on a plain socket."""

    def __init__(self, port, host="127.0.0.1", timeout=15.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    @classmethod
    def unix(cls, path, timeout=15.0):
        """A session over a unix-domain socket (listen.lmtp = unix:PATH)."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(path)
        session = cls.__new__(cls)
        session.sock, session.buf = s, b""
        return session

    def deliver(self, test, rcpt, token, greeting="LHLO mta.example.org"):
        """One whole transaction of make_message(token) to rcpt, each reply
        asserted on `test` (a unittest.TestCase), then QUIT."""
        test.assertEqual(self.reply().code, 220)
        test.assertEqual(self.cmd(greeting).code, 250)
        test.assertEqual(self.cmd(f"MAIL FROM:<{SENDER}>").code, 250)
        test.assertEqual(self.cmd(f"RCPT TO:<{rcpt}>").code, 250)
        test.assertEqual(self.cmd("DATA").code, 354)
        self.send(make_message(token) + b".\r\n")
        test.assertEqual(self.reply().code, 250)
        test.assertEqual(self.cmd("QUIT").code, 221)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def _line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"connection closed (pending {self.buf!r})")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line.rstrip(b"\r").decode("utf-8", "replace")

    def reply(self):
        lines = []
        while True:
            ln = self._line()
            if len(ln) < 3 or not ln[:3].isdigit():
                raise ValueError(f"malformed reply line {ln!r}")
            lines.append(ln[4:])
            if len(ln) == 3 or ln[3] == " ":
                return Reply(int(ln[:3]), lines)
            if ln[3] != "-":
                raise ValueError(f"malformed reply line {ln!r}")

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()


# --------------------------------------------------------------------------
# a private Postfix instance
# --------------------------------------------------------------------------
POSTFIX = "/usr/sbin/postfix"
POSTQUEUE = "/usr/sbin/postqueue"
POSTCONF = "/usr/sbin/postconf"


def main_needing_postfix():
    """A test module's __main__ when it needs root and Postfix: exit 77 (ctest: skipped) without."""
    require_bin_or_exit()
    if not is_root() or not postfix_available():
        print("SKIP: needs root and Postfix (/usr/sbin/postfix)", file=sys.stderr)
        sys.exit(SKIPPED)
    run_tests()


def postfix_available():
    return all(os.access(p, os.X_OK) for p in (POSTFIX, POSTQUEUE, POSTCONF))


class PostfixError(AssertionError):
    pass


class Postfix:
    """Throwaway Postfix (3.x, Debian) instance, root only.

        with Postfix(lmtp_port=d.lmtp_port) as pf:
            smtplib.SMTP("127.0.0.1", pf.smtp_port) ...
            pf.flush(); pf.wait_queue_empty(30)

    Mail for `domain` (and subdomains) goes over LMTP to 127.0.0.1:lmtp_port;
    every other domain (bounces, acknowledgements) goes into the Maildir
    `<dir>/outbox/` (delivered by virtual(8) as uid/gid 65534).  No chroot,
    no syslog (log file `<dir>/maillog`), loopback only, short retry timers.
    """

    def __init__(self, lmtp_port, domain=DOMAIN, smtp_port=None, base_dir=None,
                 myhostname="pf-it.localhost", extra_main_cf=None):
        self.lmtp_port = int(lmtp_port)
        self.domain = domain
        self.smtp_port = smtp_port or free_port()
        self.dir = os.path.realpath(base_dir or tempfile.mkdtemp(prefix="csirtgw-it-pf-"))
        self.etc = os.path.join(self.dir, "etc")
        self.queue_dir = os.path.join(self.dir, "queue")
        self.data_dir = os.path.join(self.dir, "data")
        self.outbox = os.path.join(self.dir, "outbox")
        self.maillog = os.path.join(self.dir, "maillog")
        self.myhostname = myhostname
        self.extra_main_cf = dict(extra_main_cf or {})
        self.started = False

    def __repr__(self):
        return f"<Postfix {self.dir} smtp={self.smtp_port} lmtp->{self.lmtp_port}>"

    # -- configuration ----------------------------------------------------
    def main_cf(self):
        d, dom, lp = self.dir, self.domain, self.lmtp_port
        conf = {
            "compatibility_level": "3.6",
            "queue_directory": self.queue_dir,
            "data_directory": self.data_dir,
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            # no syslog in here: log to a file (needs the prefix allow-list)
            "maillog_file": self.maillog,
            "maillog_file_prefixes": d,
            "myhostname": self.myhostname,
            "mydomain": "localhost",
            "myorigin": "$myhostname",
            "append_dot_mydomain": "no",
            "biff": "no",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.0/8",
            "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
            "smtpd_peername_lookup": "no",
            # no local delivery; the LMTP domain is a relay domain, not mydestination
            "mydestination": "",
            "local_recipient_maps": "",
            "local_transport": "error:5.1.1 no local delivery in the test instance",
            "alias_maps": "",
            "alias_database": "",
            "relay_domains": dom,
            "relay_recipient_maps": "",
            "transport_maps": (f"inline:{{ {dom}=lmtp:inet:127.0.0.1:{lp}, "
                               f".{dom}=lmtp:inet:127.0.0.1:{lp} }}"),
            # everything else (bounces!) into a catch-all Maildir
            "default_transport": "virtual",
            "virtual_mailbox_domains": "",
            "virtual_mailbox_base": d,
            "virtual_mailbox_maps": "static:outbox/",
            "virtual_uid_maps": "static:65534",
            "virtual_gid_maps": "static:65534",
            "lmtp_lhlo_name": "$myhostname",
            "lmtp_host_lookup": "native",
            "lmtp_connect_timeout": "5s",
            "lmtp_data_done_timeout": "60s",
            "smtp_dns_support_level": "disabled",
            "smtp_host_lookup": "native",
            "queue_run_delay": "2s",
            "minimal_backoff_time": "2s",
            "maximal_backoff_time": "10s",
            "maximal_queue_lifetime": "1h",
            "bounce_queue_lifetime": "1h",
        }
        conf.update(self.extra_main_cf)
        return "".join(f"{k} = {v}\n" for k, v in conf.items())

    def master_cf(self):
        services = [
            (f"127.0.0.1:{self.smtp_port}", "inet", "n", "-", "n", "-", "-", "smtpd"),
            ("pickup", "unix", "n", "-", "n", "60", "1", "pickup"),
            ("cleanup", "unix", "n", "-", "n", "-", "0", "cleanup"),
            ("qmgr", "unix", "n", "-", "n", "300", "1", "qmgr"),
            ("rewrite", "unix", "-", "-", "n", "-", "-", "trivial-rewrite"),
            ("bounce", "unix", "-", "-", "n", "-", "0", "bounce"),
            ("defer", "unix", "-", "-", "n", "-", "0", "bounce"),
            ("trace", "unix", "-", "-", "n", "-", "0", "bounce"),
            ("verify", "unix", "-", "-", "n", "-", "1", "verify"),
            ("flush", "unix", "n", "-", "n", "1000?", "0", "flush"),
            ("proxymap", "unix", "-", "-", "n", "-", "-", "proxymap"),
            ("proxywrite", "unix", "-", "-", "n", "-", "1", "proxymap"),
            ("smtp", "unix", "-", "-", "n", "-", "-", "smtp"),
            ("relay", "unix", "-", "-", "n", "-", "-", "smtp"),
            ("showq", "unix", "n", "-", "n", "-", "-", "showq"),
            ("error", "unix", "-", "-", "n", "-", "-", "error"),
            ("retry", "unix", "-", "-", "n", "-", "-", "error"),
            ("discard", "unix", "-", "-", "n", "-", "-", "discard"),
            ("lmtp", "unix", "-", "-", "n", "-", "-", "lmtp"),
            ("virtual", "unix", "-", "n", "n", "-", "-", "virtual"),
            ("anvil", "unix", "-", "-", "n", "-", "1", "anvil"),
            ("scache", "unix", "-", "-", "n", "-", "1", "scache"),
            ("postlog", "unix-dgram", "n", "-", "n", "-", "1", "postlogd"),
        ]
        return "".join(" ".join(s) + "\n" for s in services)

    def _pf(self, *args, timeout=60, check=True):
        cp = subprocess.run(list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, timeout=timeout)
        out = cp.stdout.decode("utf-8", "replace")
        if check and cp.returncode != 0:
            raise PostfixError(f"{' '.join(args)} -> exit {cp.returncode}\n{out}\n"
                               f"maillog:\n{self.log()[-4000:]}")
        return out

    # -- lifecycle --------------------------------------------------------
    def start(self):
        if not is_root():
            raise PostfixError("a private Postfix instance needs root")
        if port_accepts(self.smtp_port):
            raise PostfixError(f"127.0.0.1:{self.smtp_port} is already in use")
        os.makedirs(self.etc, exist_ok=True)
        os.makedirs(self.queue_dir, exist_ok=True)
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(self.outbox, sub), exist_ok=True)
        for p in (self.dir, self.etc, self.queue_dir):
            os.chmod(p, 0o755)
        os.chown(self.queue_dir, 0, 0)
        for root, dirs, files in os.walk(self.outbox):
            os.chown(root, 65534, 65534)
        open(self.maillog, "a").close()
        with open(os.path.join(self.etc, "main.cf"), "w") as f:
            f.write(self.main_cf())
        with open(os.path.join(self.etc, "master.cf"), "w") as f:
            f.write(self.master_cf())
        os.chmod(os.path.join(self.etc, "main.cf"), 0o644)
        os.chmod(os.path.join(self.etc, "master.cf"), 0o644)
        _register(self)
        self.started = True
        self._pf(POSTFIX, "-c", self.etc, "start", timeout=90)
        # readiness: wait for the 220 banner
        deadline = time.monotonic() + 15
        last = None
        while time.monotonic() < deadline:
            try:
                with RawSession(self.smtp_port, timeout=3) as s:
                    r = s.reply()
                    s.send("QUIT\r\n")
                    if r.code == 220:
                        return self
                    last = r
            except (OSError, ValueError) as e:
                last = e
            time.sleep(0.2)
        raise PostfixError(f"no SMTP banner on 127.0.0.1:{self.smtp_port}: {last}\n"
                           f"{self.log()[-4000:]}")

    def _instance_pids(self):
        """PIDs whose cwd is our queue directory (postfix daemons chdir there)."""
        q = os.path.realpath(self.queue_dir)
        pids = []
        for p in glob.glob("/proc/[0-9]*"):
            try:
                if os.readlink(os.path.join(p, "cwd")) == q:
                    pids.append(int(os.path.basename(p)))
            except OSError:
                continue
        return pids

    def stop(self):
        if not self.started:
            return
        try:
            self._pf(POSTFIX, "-c", self.etc, "stop", timeout=40, check=False)
        except subprocess.TimeoutExpired:
            pass
        for sig in (signal.SIGTERM, signal.SIGTERM, signal.SIGKILL, signal.SIGKILL):
            pids = self._instance_pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            time.sleep(0.5)
        self.started = False

    def cleanup(self):
        self.stop()
        _unregister(self)
        if not KEEP:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()
        return False

    # -- queue ------------------------------------------------------------
    def flush(self):
        self._pf(POSTQUEUE, "-c", self.etc, "-f", timeout=30)

    def queue(self):
        """postqueue -j: list of dicts (one per queued message)."""
        out = self._pf(POSTQUEUE, "-c", self.etc, "-j", timeout=30)
        return [json.loads(l) for l in out.splitlines() if l.strip().startswith("{")]

    def wait_queue(self, predicate, timeout=30.0, what="queue condition"):
        deadline = time.monotonic() + timeout
        while True:
            q = self.queue()
            if predicate(q):
                return q
            if time.monotonic() > deadline:
                raise PostfixError(f"timeout waiting for {what}; queue:\n"
                                   f"{json.dumps(q, indent=1)[:4000]}\n"
                                   f"maillog tail:\n{self.log()[-4000:]}")
            time.sleep(0.3)

    def wait_queue_empty(self, timeout=30.0):
        return self.wait_queue(lambda q: not q, timeout, "empty Postfix queue")

    def log(self):
        try:
            with open(self.maillog, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def outbox_files(self):
        out = []
        for sub in ("new", "cur"):
            d = os.path.join(self.outbox, sub)
            if os.path.isdir(d):
                out += [os.path.join(d, n) for n in os.listdir(d)]
        return out


# --------------------------------------------------------------------------
# unittest helpers
# --------------------------------------------------------------------------
# ctest's SKIP_RETURN_CODE for every integration test (tests/integration/CMakeLists.txt).
SKIPPED = 77


def run_tests():
    """unittest.main(), but a skipped test is not a passed one: exit 1 on any
    failure or error, else SKIPPED (77, ctest reports the test as skipped, not
    passed) when any test was skipped or none ran, else 0. The skipped tests
    and their reasons are printed last, where a CI log reader looks."""
    program = unittest.main(verbosity=2, exit=False)
    result = program.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped or result.testsRun == 0:
        print(f"SKIPPED: {len(result.skipped)} of {result.testsRun} test(s):", file=sys.stderr)
        for test, reason in result.skipped:
            print(f"  {test.id()}: {reason}", file=sys.stderr)
        sys.exit(SKIPPED)
    sys.exit(0)


def main():
    """run_tests() with a check for CSIRTGW_BIN first."""
    require_bin_or_exit()
    run_tests()

#!/usr/bin/python3
"""IMAP as a supported interface (issue 18): the queues served by a real Dovecot
to two staff members, each logged in as themselves, and the gateway's books
staying right whatever their IMAP client (Python's imaplib) does.

Setup (root only; exit 77 without root or /usr/sbin/dovecot):
  * the group csirtgw-staff and two system users in it (csgw-it-alice,
    csgw-it-bob; created here when missing), mapped by a passwd-file to the
    IMAP logins alice and bob, each with their own uid and home;
  * a state directory whose queues/ is setgid to csirtgw-staff (02750), as
    packaging/dovecot/README.md has the administrator make it;
  * Dovecot from packaging/dovecot/csirtgw-queues.conf's settings (its
    mail_location, namespace, INDEX/CONTROL/INBOX in the user's home), on a
    loopback port with its own base_dir and passwd-file auth.

Reports: a plain one and a PGP/MIME one encrypted to the team key with gpg,
whose inner text part is base64 (as some clients send it).

  list        LIST shows the queues and INBOX only; CREATE Trash is refused and
              creates nothing in queues/; no Dovecot file is ever in queues/
  read        SELECT + FETCH the decrypted report; its text is in the Maildir
              file in clear (8bit/7bit, not base64): grep finds the IP
  search      SEARCH BODY <ip> finds the decrypted report, for both users
  counts      `csirtgw queues` FILED counts are the same before and after the
              clients opened and flagged (new/ -> cur/, ":2,F")
  move        bob MOVEs the plain report to another queue folder: `queues
              --scan` moves its ticket there (audit ticket-moved, actor bob)
  expunge     bob expunges the decrypted report: the ticket stays open,
              `queues` counts it MISSING, `ticket refile` restores it (once),
              and alice can SEARCH it again; the store's copy is 0600 in 0700
  audit       `audit verify` intact

Run:  CSIRTGW_BIN=build/csirtgw /usr/bin/python3 tests/integration/test_imap_desk.py
"""
import base64
import grp
import imaplib
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import openpgp_corpus as pc  # noqa: E402

DOVECOT = "/usr/sbin/dovecot"
DOVEADM = "/usr/bin/doveadm"
STAFF_GROUP = "csirtgw-staff"
USERS = {"alice": ("csgw-it-alice", "alice-secret-1"), "bob": ("csgw-it-bob", "bob-secret-2")}
PLAIN_IP = "198.51.100.77"
SECRET_IP = "203.0.113.45"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SNIPPET = os.path.join(REPO, "packaging", "dovecot", "csirtgw-queues.conf")
FILE_TIMEOUT = 60.0


def sh(*argv, check=True):
    # No pipes: dovecot's master keeps whatever it was given open, so reading
    # its output to the end would wait for it to exit.
    return subprocess.run(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, check=check, timeout=60)


def ensure_staff():
    """The staff group and the two system users; returns the users made here."""
    made = []
    try:
        grp.getgrnam(STAFF_GROUP)
    except KeyError:
        sh("groupadd", STAFF_GROUP)
    for system_user, _ in USERS.values():
        try:
            pwd.getpwnam(system_user)
        except KeyError:
            sh("useradd", "-M", "-N", "-g", "users", "-G", STAFF_GROUP, "-s", "/usr/sbin/nologin", system_user)
            made.append(system_user)
        sh("usermod", "-a", "-G", STAFF_GROUP, system_user)
    return made


def snippet_setting(name):
    """A setting of the shipped snippet, so the test runs what is shipped."""
    with open(SNIPPET) as f:
        for line in f:
            m = re.match(rf"^\s*{name}\s*=\s*(.*?)\s*$", line)
            if m:
                return m.group(1)
    raise AssertionError(f"{SNIPPET} has no {name}")


class Dovecot:
    """A private Dovecot: its own config, base_dir, state_dir, log and port."""

    def __init__(self, top, queues_dir, homes):
        self.dir = os.path.join(top, "dovecot")
        os.makedirs(os.path.join(self.dir, "state"))
        self.port = h.free_port()
        self.conf = os.path.join(self.dir, "dovecot.conf")
        self.log = os.path.join(self.dir, "dovecot.log")
        passwd = os.path.join(self.dir, "passwd")
        with open(passwd, "w") as f:
            for login, (system_user, secret) in USERS.items():
                pw = pwd.getpwnam(system_user)
                # userdb_system_groups_user: the mail process gets that user's
                # supplementary groups (csirtgw-staff), as the passwd userdb does.
                f.write(f"{login}:{{PLAIN}}{secret}:{pw.pw_uid}:{pw.pw_gid}::{homes[login]}::"
                        f"userdb_system_groups_user={system_user}\n")
        os.chmod(passwd, 0o640)
        shutil.chown(passwd, group="dovecot")
        location = snippet_setting("mail_location").replace("/var/lib/csirtgw/queues", queues_dir)
        with open(self.conf, "w") as f:
            f.write(f"""
base_dir = {self.dir}/run
state_dir = {self.dir}/state
log_path = {self.log}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 100
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%n {passwd}
}}
mail_location = {location}
namespace csirtgw {{
  inbox = yes
  separator = {snippet_setting("separator")}
  prefix =
}}
""")

    def start(self):
        sh(DOVECOT, "-c", self.conf)
        deadline = time.monotonic() + 20
        while not h.port_accepts(self.port):
            if time.monotonic() > deadline:
                raise AssertionError("dovecot did not listen:\n" + self.log_tail())
            time.sleep(0.1)
        return self

    def stop(self):
        sh(DOVEADM, "-c", self.conf, "stop", check=False)

    def log_tail(self):
        try:
            with open(self.log) as f:
                return "".join(f.readlines()[-30:])
        except OSError:
            return "(no log)"

    def login(self, who):
        m = imaplib.IMAP4("127.0.0.1", self.port)
        typ, _ = m.login(who, USERS[who][1])
        assert typ == "OK", typ
        return m


def ok(result):
    typ, data = result
    assert typ == "OK", (typ, data)
    return data


def folder_names(listing):
    names = []
    for line in listing:
        m = re.match(rb'^\([^)]*\) "[^"]*" (.+)$', line)
        names.append(m.group(1).decode().strip('"'))
    return sorted(names)


def queues_table(state):
    cp = h.run_cli("queues", "--state-dir", state)
    assert cp.returncode == 0, cp.out
    table = {}
    for line in cp.stdout.decode().splitlines()[1:]:
        parts = line.split()
        table[parts[0]] = [int(x) for x in parts[1:]]
    return table


def tickets(state):
    cp = h.run_cli("tickets", "--json", "--state-dir", state)
    assert cp.returncode == 0, cp.out
    return json.loads(cp.stdout)


class ImapDesk(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.made_users = ensure_staff()
        cls.top = h.mkdtemp("csirtgw-it-imap-")
        os.chmod(cls.top, 0o711)  # staff traverse it to the state dir, nothing more
        cls.state = os.path.join(cls.top, "state")
        queues = os.path.join(cls.state, "queues")
        os.makedirs(queues)
        # What the administrator does once (packaging/dovecot/README.md).
        shutil.chown(cls.state, group=STAFF_GROUP)
        os.chmod(cls.state, 0o750)
        shutil.chown(queues, group=STAFF_GROUP)
        os.chmod(queues, 0o2750)
        cls.homes = {}
        for login, (system_user, _) in USERS.items():
            home = os.path.join(cls.top, "home-" + login)
            os.makedirs(home)
            shutil.chown(home, user=system_user)
            os.chmod(home, 0o700)
            cls.homes[login] = home
        cls.daemon = h.Daemon(cls.state).start()
        cls.dovecot = None
        cls.send_reports()
        cls.dovecot = Dovecot(cls.top, queues, cls.homes).start()

    @classmethod
    def tearDownClass(cls):
        if cls.dovecot:
            cls.dovecot.stop()
        cls.daemon.cleanup()
        for user in cls.made_users:
            sh("userdel", user, check=False)

    @classmethod
    def send_reports(cls):
        cp = h.run_cli("keys", "export-team", "--state-dir", cls.state)
        assert cp.returncode == 0 and b"BEGIN PGP PUBLIC KEY BLOCK" in cp.stdout, cp.out
        keydir = os.path.join(cls.top, "keys")
        os.makedirs(keydir)
        reporter = pc.GpgKey(keydir, "reporter", f"Reporter <{pc.REPORTER}>", "future-default", "default")
        reporter.import_team(cp.stdout)
        cls.plain_token = h.unique_token("imapplain")
        plain = h.make_message(cls.plain_token, body=f"Brute force from {PLAIN_IP} against our ssh.\r\n")
        # The decrypted entity's text part is base64, as some clients send it.
        text = f"Confidential: host {SECRET_IP} is part of a botnet.\r\nRegards\r\n"
        inner = pc.entity(["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"],
                          base64.encodebytes(text.encode()).decode())
        cls.secret_token = h.unique_token("imapsecret")
        armored = reporter.encrypt(inner).decode()
        encrypted = pc.message(cls.secret_token, "imap", pc.pgp_encrypted(armored), from_=f"<{pc.REPORTER}>")
        port = cls.daemon.smtp_port
        for raw in (plain, encrypted):
            with h.RawSession(port, timeout=30) as s:
                assert s.reply().code == 220
                for line in ("EHLO it.csirtgw.test", f"MAIL FROM:<{pc.REPORTER}>", "RCPT TO:<cert@csirt.example>"):
                    r = s.cmd(line)
                    assert r.code == 250, (line, r)
                r = s.cmd("DATA")
                assert r.code == 354, r
                s.send(raw + b".\r\n")
                assert s.reply().code == 250
        cls.plain = h.wait_for_messages(cls.state, cls.plain_token, timeout=FILE_TIMEOUT)[0]
        cls.secret = h.wait_for_messages(cls.state, cls.secret_token, timeout=FILE_TIMEOUT)[0]
        cls.plain_queue = cls.plain.path.split(os.sep)[-3]
        cls.secret_queue = cls.secret.path.split(os.sep)[-3]

    def ticket_of(self, token):
        for t in tickets(self.state):
            cp = h.run_cli("ticket", "show", str(t["number"]), "--json", "--state-dir", self.state)
            shown = json.loads(cp.stdout)
            for m in shown["messages"]:
                if token in m["message_id"]:
                    return shown
        raise AssertionError(f"no ticket for {token}")

    def find_uid(self, m, token):
        data = ok(m.uid("SEARCH", None, "SUBJECT", token))
        uids = data[0].split()
        self.assertEqual(len(uids), 1, (token, data))
        return uids[0]

    def no_dovecot_files(self):
        queues = os.path.join(self.state, "queues")
        for root, dirs, files in os.walk(queues):
            for name in files + dirs:
                self.assertFalse(name.startswith("dovecot"), os.path.join(root, name))
        self.assertFalse({"cur", "new", "tmp", "Trash", "INBOX"} & set(os.listdir(queues)), os.listdir(queues))

    def test_1_list_read_search_flag(self):
        before = queues_table(self.state)
        self.assertTrue(os.path.exists(self.secret.path))
        with open(self.secret.path, "rb") as f:
            filed = f.read()
        # Filed readable: the decrypted text is in clear, not base64.
        self.assertIn(SECRET_IP.encode(), filed)
        self.assertIn(b"X-Csirtgw-Encryption: decrypted", filed)
        self.assertNotIn(b"Content-Transfer-Encoding: base64", filed)

        for who in ("alice", "bob"):
            m = self.dovecot.login(who)
            try:
                names = folder_names(ok(m.list()))
                queues = sorted(n for n in os.listdir(os.path.join(self.state, "queues")))
                self.assertEqual(names, sorted(queues + ["INBOX"]), names)
                self.assertEqual(int(ok(m.select("INBOX"))[0]), 0)
                ok(m.select(self.secret_queue))
                uid = self.find_uid(m, self.secret_token)
                body = ok(m.uid("FETCH", uid, "(BODY.PEEK[])"))[0][1]
                self.assertIn(SECRET_IP.encode(), body)
                self.assertEqual(ok(m.uid("SEARCH", None, "BODY", SECRET_IP))[0].split(), [uid])
                ok(m.uid("STORE", uid, "+FLAGS", "(\\Flagged \\Seen)"))
                ok(m.select(self.plain_queue))
                self.assertEqual(len(ok(m.uid("SEARCH", None, "BODY", PLAIN_IP))[0].split()), 1)
                # A new folder is no queue, and it cannot even be made.
                typ, data = m.create("Trash")
                self.assertEqual(typ, "NO", data)
            finally:
                m.logout()
        self.no_dovecot_files()
        # The client moved the files to cur/ and flagged them; the counts are the store's.
        flagged = [n for n in os.listdir(os.path.join(self.state, "queues", self.secret_queue, "cur"))
                   if self.secret.spool_id in n]
        self.assertEqual(len(flagged), 1, flagged)
        self.assertRegex(flagged[0], r":2,F?S?$|:2,FS$")
        self.assertEqual(queues_table(self.state), before)
        self.assertEqual(before[self.secret_queue][1], 0)  # nothing missing

    def test_2_move_moves_the_ticket(self):
        target = "incident-reports" if self.plain_queue != "incident-reports" else "coordination"
        ticket = self.ticket_of(self.plain_token)
        self.assertEqual(ticket["queue"], self.plain_queue)
        m = self.dovecot.login("bob")
        try:
            ok(m.select(self.plain_queue))
            uid = self.find_uid(m, self.plain_token)
            ok(m.uid("MOVE", uid, target))
        finally:
            m.logout()
        seq0 = max(r["seq"] for r in h.audit_rows(self.state))
        cp = h.run_cli("queues", "--scan", "--as", USERS["bob"][0], "--state-dir", self.state)
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertIn(f"moved: {self.plain.spool_id} {self.plain_queue} -> {target}", cp.out)
        self.assertEqual(self.ticket_of(self.plain_token)["queue"], target)
        rows = h.audit_rows(self.state, "WHERE seq > ?", (seq0,))
        moved = [r for r in rows if r["event"] == "ticket-moved"]
        self.assertEqual(len(moved), 1, rows)
        self.assertEqual(moved[0]["actor"], USERS["bob"][0])
        self.assertEqual(json.loads(moved[0]["detail"])["to"], target)
        # A second scan finds nothing more.
        cp = h.run_cli("queues", "--scan", "--state-dir", self.state)
        self.assertNotIn("moved:", cp.out)
        self.assertEqual(queues_table(self.state)[target][0] >= 1, True)

    def test_3_expunge_then_refile(self):
        ticket = self.ticket_of(self.secret_token)
        m = self.dovecot.login("bob")
        try:
            ok(m.select(self.secret_queue))
            uid = self.find_uid(m, self.secret_token)
            ok(m.uid("STORE", uid, "+FLAGS", "(\\Deleted)"))
            ok(m.expunge())
        finally:
            m.logout()
        self.assertEqual(h.messages_with(self.state, self.secret_token), [])
        cp = h.run_cli("queues", "--scan", "--state-dir", self.state)
        self.assertIn(f"missing: {self.secret.spool_id}", cp.out)
        self.assertEqual(queues_table(self.state)[ticket["queue"]][1], 1)
        self.assertEqual(self.ticket_of(self.secret_token)["state"], "open")  # an expunge closes nothing
        # The store's private copy is what refile restores from.
        filed_dir = os.path.join(self.state, "filed")
        self.assertEqual(stat.S_IMODE(os.stat(filed_dir).st_mode), 0o700)
        copies = [n for n in os.listdir(os.path.join(filed_dir, "new")) if self.secret.spool_id in n]
        self.assertEqual(len(copies), 1)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(filed_dir, "new", copies[0])).st_mode), 0o600)

        cp = h.run_cli("ticket", "refile", str(ticket["number"]), "--as", USERS["alice"][0], "--state-dir", self.state)
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertIn(f"restored: {self.secret.spool_id}", cp.out)
        back = h.messages_with(self.state, self.secret_token)
        self.assertEqual(len(back), 1)
        with open(back[0].path, "rb") as f:
            self.assertIn(SECRET_IP.encode(), f.read())
        cp = h.run_cli("ticket", "refile", str(ticket["number"]), "--state-dir", self.state)
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertIn("0 restored", cp.out)
        self.assertEqual(len(h.messages_with(self.state, self.secret_token)), 1)
        self.assertEqual(queues_table(self.state)[ticket["queue"]][1], 0)
        m = self.dovecot.login("alice")
        try:
            ok(m.select(ticket["queue"]))
            self.assertEqual(len(ok(m.uid("SEARCH", None, "BODY", SECRET_IP))[0].split()), 1)
        finally:
            m.logout()
        refiles = [r for r in h.audit_rows(self.state) if r["event"] == "ticket-refile"]
        self.assertEqual([r["actor"] for r in refiles][-2:][0], USERS["alice"][0])

    def test_4_audit_intact(self):
        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertRegex(cp.out, h.INTACT_RE)


if __name__ == "__main__":
    h.require_bin_or_exit()
    if not h.is_root() or not os.access(DOVECOT, os.X_OK):
        print("SKIP: needs root and Dovecot (/usr/sbin/dovecot, Debian package dovecot-imapd)", file=sys.stderr)
        sys.exit(h.SKIPPED)
    h.run_tests()

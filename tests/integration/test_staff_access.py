#!/usr/bin/env python3
"""Many staff (project issue 18): analysts run the triage CLI as themselves.

The daemon shares its store with paths.staff_group; each analyst, a member of
that group logged in as themselves, lists and takes tickets beside the running
daemon, and is recorded as their OS user, never a typed name. Root only (it
creates a group and three users, removed afterwards); exits 77 otherwise.

  * test_members_work_beside_the_daemon: a member lists and takes a ticket,
    the audit records the OS user; another member cannot take it without
    stealing; the daemon files the next message; the chain verifies.
  * test_non_member_is_told_why: a user outside the group gets the file and
    the setting named, not SQLite's "unable to open database file".
  * test_as_is_root_only: --as from a member is a usage error (2); root may
    act for an existing account, never for a name that is no account.
  * test_config_is_found: with no --config, CSIRTGW_CONFIG names the file.
  * test_store_stays_shared_after_stop: the WAL files persist, so members
    still read the store when the daemon is stopped.
"""
import grp
import json
import os
import shutil
import smtplib
import stat
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

GROUP = "cgwstafftest"
MEMBERS = ("cgwalice", "cgwbob")
OUTSIDER = "cgweve"


def sh(*argv):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class StaffAccess(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cleanup_accounts()
        sh("groupadd", GROUP)
        for user in MEMBERS:
            sh("useradd", "-M", "-N", "-G", GROUP, "-s", "/usr/sbin/nologin", user)
        sh("useradd", "-M", "-N", "-s", "/usr/sbin/nologin", OUTSIDER)
        # Everyone must reach the binary and the configuration: the checkout may
        # sit under /root, which only root can search.
        cls.base = h.mkdtemp("staff-access")
        os.chmod(cls.base, 0o755)
        cls.bin = os.path.join(cls.base, "csirtgw")
        shutil.copy2(h.csirtgw_bin(), cls.bin)
        os.chmod(cls.bin, 0o755)
        cls.state = os.path.join(cls.base, "state")
        cls.config = os.path.join(cls.base, "csirtgw.conf")
        with open(cls.config, "w") as f:
            f.write(f'[paths]\nstate_dir = "{cls.state}"\nstaff_group = "{GROUP}"\n'
                    '[outbound]\nsmarthost = ""\n')
        os.chmod(cls.config, 0o644)
        cls.daemon = h.Daemon(cls.state, extra_args=["--config", cls.config])
        cls.daemon.start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.cleanup()
        cls.cleanup_accounts()

    @staticmethod
    def cleanup_accounts():
        for user in MEMBERS + (OUTSIDER,):
            subprocess.run(["userdel", user], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["groupdel", GROUP], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def as_user(self, user, *args, env=None, config=True):
        argv = ["runuser", "-u", user, "--", "env", "-i", "PATH=/usr/bin:/bin"]
        argv += [f"{k}={v}" for k, v in (env or {}).items()]
        argv += [self.bin, *args] + (["--config", self.config] if config else [])
        cp = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            timeout=60, cwd="/")
        cp.out = cp.stdout.decode("utf-8", "replace") + cp.stderr.decode("utf-8", "replace")
        return cp

    def file_report(self):
        token = h.unique_token("staff")
        with smtplib.SMTP("127.0.0.1", self.daemon.smtp_port, timeout=30) as smtp:
            smtp.sendmail("reporter@example.org", ["cert@csirt.example"],
                          h.make_message(token, body="Host 192.0.2.77 was compromised.\r\n"))
        filed = h.wait_for_messages(self.state, token, timeout=60)
        tag = filed[0].header("X-Csirtgw-Ticket")  # "XYZ-CERT #12"
        self.assertIn("#", tag or "", "filed without a ticket")
        return int(tag.rsplit("#", 1)[1])

    def test_members_work_beside_the_daemon(self):
        number = self.file_report()
        st = os.stat(self.state)
        self.assertEqual(grp.getgrgid(st.st_gid).gr_name, GROUP)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o750)
        for name in ("csirtgw.db", "csirtgw.db-wal", "csirtgw.db-shm"):
            fst = os.stat(os.path.join(self.state, name))
            self.assertEqual((grp.getgrgid(fst.st_gid).gr_name, stat.S_IMODE(fst.st_mode)), (GROUP, 0o660), name)

        cp = self.as_user("cgwalice", "tickets", "--json")
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertIn(number, [t["number"] for t in json.loads(cp.stdout)])
        cp = self.as_user("cgwalice", "ticket", "take", str(number))
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertIn("by cgwalice", cp.out)
        cp = self.as_user("cgwbob", "ticket", "take", str(number))
        self.assertNotEqual(cp.returncode, 0, cp.out)
        self.assertIn("cgwalice", cp.out)
        cp = self.as_user("cgwbob", "ticket", "comment", str(number), "looked at it")
        self.assertEqual(cp.returncode, 0, cp.out)

        rows = h.audit_rows(self.state, "WHERE event IN ('ticket-take', 'ticket-comment')")
        self.assertEqual([(r["event"], r["actor"]) for r in rows if json.loads(r["detail"]).get("ticket") == number],
                         [("ticket-take", "cgwalice"), ("ticket-comment", "cgwbob")])
        # The daemon goes on writing the store the analysts wrote.
        self.file_report()
        cp = h.run_cli("audit", "verify", "--config", self.config)
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertRegex(cp.out, h.INTACT_RE)

    def test_non_member_is_told_why(self):
        self.file_report()
        cp = self.as_user(OUTSIDER, "tickets")
        self.assertNotEqual(cp.returncode, 0, cp.out)
        self.assertIn("csirtgw.db", cp.out)
        self.assertIn("staff_group", cp.out)
        self.assertNotIn("unable to open database file", cp.out)

    def test_as_is_root_only(self):
        number = self.file_report()
        cp = self.as_user("cgwalice", "ticket", "comment", str(number), "x", "--as", "cgwbob")
        self.assertEqual(cp.returncode, 2, cp.out)
        self.assertIn("--as is for root only; you are recorded as cgwalice", cp.out)
        cp = h.run_cli("ticket", "comment", str(number), "for alice", "--as", "nosuchuser-cgw",
                       "--config", self.config)
        self.assertEqual(cp.returncode, 2, cp.out)
        self.assertIn('no such user account "nosuchuser-cgw"', cp.out)
        cp = h.run_cli("ticket", "comment", str(number), "for alice", "--as", "cgwalice", "--config", self.config)
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertIn("by cgwalice", cp.out)

    def test_config_is_found(self):
        number = self.file_report()
        cp = self.as_user("cgwbob", "tickets", "--json", env={"CSIRTGW_CONFIG": self.config}, config=False)
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertIn(number, [t["number"] for t in json.loads(cp.stdout)])

    def test_store_stays_shared_after_stop(self):
        number = self.file_report()
        self.assertEqual(self.daemon.terminate(), 0)
        try:
            for name in ("csirtgw.db-wal", "csirtgw.db-shm"):
                self.assertTrue(os.path.exists(os.path.join(self.state, name)), name)
            cp = self.as_user("cgwbob", "tickets", "--json")
            self.assertEqual(cp.returncode, 0, cp.out)
            self.assertIn(number, [t["number"] for t in json.loads(cp.stdout)])
        finally:
            self.daemon.start()


if __name__ == "__main__":
    if not h.is_root():
        print("SKIP: needs root (creates a group and users)", file=sys.stderr)
        sys.exit(h.SKIPPED)
    h.main()

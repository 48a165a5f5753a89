#!/usr/bin/python3
"""The privilege drop from a checkout nobody else can reach (project issue 20).

`bash packaging/setup.sh test` from a clone in /root (0700) once failed: the
daemon, started as root with listen.user set, dropped privileges and only then
looked for csirtgw-openpgp-worker under /root/…/build/. Here the built
binaries are copied into a fresh 0700 directory, the daemon is started from
there (binary and working directory) as root with listen.user = nobody, and:

  * test_files_messages_as_nobody: it runs as nobody, files a plain report
    (its acknowledgement is signed by an OpenPGP worker) and an encrypted one
    (decrypted by a worker), and after every worker is killed, another
    encrypted one (the workers are started again, as nobody, from the file
    opened before the drop);
  * test_refuses_unreachable_paths: with the configuration file and the state
    directory inside the 0700 directory, serve refuses to start and
    check-config fails, each naming the directory in the way.

Root only: exits 77 (ctest: skipped) otherwise.
"""

import os
import pwd
import shutil
import signal
import subprocess
import smtplib
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import openpgp_corpus as pc  # noqa: E402

FILE_TIMEOUT = 60.0


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def worker_pids(daemon_pid):
    """The daemon's csirtgw-openpgp-worker children (comm is cut to 15 characters)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as f:
                comm = f.read().strip()
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rpartition(")")[2].split()
        except OSError:
            continue
        if comm.startswith("csirtgw-openpg") and int(fields[1]) == daemon_pid and fields[0] != "Z":
            pids.append(int(entry))
    return pids


def uids_of(pid):
    with open(f"/proc/{pid}/status") as f:
        return {int(u) for u in next(line for line in f if line.startswith("Uid:")).split()[1:]}


class PrivateCheckout(unittest.TestCase):
    """The binaries in <0700 dir>/build/, as in a clone under /root."""

    @classmethod
    def setUpClass(cls):
        cls.nobody = pwd.getpwnam("nobody")
        cls.private = h.mkdtemp("csirtgw-it-private-")
        os.chmod(cls.private, 0o700)
        build = os.path.join(cls.private, "build")
        os.makedirs(build)
        built = os.path.dirname(os.path.abspath(h.csirtgw_bin()))
        for name in ("csirtgw", "csirtgw-openpgp-worker"):
            shutil.copy2(os.path.join(built, name), os.path.join(build, name))
        cls.bin = os.path.join(build, "csirtgw")
        # Everything the harness starts now runs this copy, from in there.
        cls.saved_bin, cls.saved_cwd = os.environ["CSIRTGW_BIN"], os.getcwd()
        os.environ["CSIRTGW_BIN"] = cls.bin
        os.chdir(cls.private)
        # Where the user can reach: the state directory and the configuration.
        cls.public = h.mkdtemp("csirtgw-it-public-")
        os.chmod(cls.public, 0o755)

    @classmethod
    def tearDownClass(cls):
        os.chdir(cls.saved_cwd)
        os.environ["CSIRTGW_BIN"] = cls.saved_bin

    def test_files_messages_as_nobody(self):
        state = os.path.join(self.public, "state")
        config = write(os.path.join(self.public, "csirtgw.toml"),
                       '[listen]\nuser = "nobody"\n[outbound]\nsmarthost = ""\n')
        d = h.Daemon(state, lmtp=None, extra_args=["--config", config]).start()
        self.addCleanup(d.cleanup)
        self.assertEqual(uids_of(d.pid), {self.nobody.pw_uid}, "real, effective and saved uid")

        # The reporter's keyring learns the team key from the team's own home
        # (read as nobody: root must leave no files of its own in there).
        exported = subprocess.run(
            ["gpg", "--homedir", os.path.join(state, "gnupg"), "--batch", "--armor", "--export", d.team_key],
            user=self.nobody.pw_uid, group=self.nobody.pw_gid, env={"PATH": os.environ["PATH"]},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True, timeout=60).stdout
        self.assertIn(b"BEGIN PGP PUBLIC KEY BLOCK", exported)
        keys = h.mkdtemp("csirtgw-it-private-keys-")
        reporter = pc.GpgKey(keys, "reporter", f"Reporter <{pc.REPORTER}>", "future-default", "default")
        self.addCleanup(reporter.kill_agent)
        reporter.import_team(exported)

        def encrypted(token):
            armored = reporter.encrypt(pc.report_text(token, f"secret-{token}").encode())
            return pc.message(token, "private", pc.pgp_encrypted(armored), from_=f"Reporter <{pc.REPORTER}>")

        def send(raw):
            with smtplib.SMTP("127.0.0.1", d.smtp_port, timeout=30) as s:
                s.sendmail(pc.REPORTER, ["cert@csirt.example"], raw)

        def decrypted(token):
            filed = h.wait_for_messages(state, token, 1, timeout=FILE_TIMEOUT)[0]
            self.assertEqual((filed.header("X-Csirtgw-Encryption") or "").strip(), "decrypted",
                             f"{token}: {filed.header('X-Csirtgw-Crypto-Reason')}\n{d.stderr_tail()}")
            self.assertIn(f"secret-{token}".encode(), filed.raw)

        plain = h.unique_token("plain")
        send(h.make_message(plain))
        filed = h.wait_for_messages(state, plain, 1, timeout=FILE_TIMEOUT)[0]
        # Filing a new ticket queues its acknowledgement, signed by a worker.
        queued = h.audit_rows(state, "WHERE event = 'ack-queued' AND spool_id = ?", (filed.spool_id,))
        self.assertEqual(len(queued), 1, d.stderr_tail())

        first = h.unique_token("enc")
        send(encrypted(first))
        decrypted(first)

        workers = worker_pids(d.pid)
        self.assertNotEqual(workers, [], "no csirtgw-openpgp-worker under the daemon")
        for pid in workers:
            self.assertEqual(uids_of(pid), {self.nobody.pw_uid})
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0")[0].decode()
            self.assertEqual(argv0, os.path.join(self.private, "build", "csirtgw-openpgp-worker"))
            os.kill(pid, signal.SIGKILL)
        # Started again, as nobody, though nobody cannot search the way to the file.
        again = h.unique_token("enc-again")
        send(encrypted(again))
        decrypted(again)
        h.wait_spool_drained(state)
        self.assertEqual(d.terminate(), 0)

    def test_refuses_unreachable_paths(self):
        # The state directory and the configuration file inside the 0700 tree.
        state = os.path.join(self.private, "var")
        config = write(os.path.join(self.private, "csirtgw.toml"),
                       f'[listen]\nuser = "nobody"\n[paths]\nstate_dir = "{state}"\n')
        blocked = f"{self.private} is 0700 (root:root): user nobody cannot search it"

        cp = h.run_cli("check-config", config)
        self.assertEqual(cp.returncode, 1, cp.out)
        self.assertIn(f"{config}: listen.user nobody: configuration file {config}: {blocked}", cp.out)
        self.assertIn(f"{config}: listen.user nobody: paths.state_dir {state}: {blocked}", cp.out)
        self.assertNotIn("config ok", cp.out)
        # Away from where it will be used (the build's own check): no such check.
        cp = h.run_cli("check-config", "--no-access-check", config)
        self.assertEqual(cp.returncode, 0, cp.out)

        cp = subprocess.run([self.bin, "serve", "--config", config, "--lmtp", "", "--smtp", "127.0.0.1:0"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=60)
        err = cp.stderr.decode("utf-8", "replace")
        self.assertEqual(cp.returncode, 1, err)
        self.assertNotIn(b"ready", cp.stdout)
        self.assertIn(f"configuration file {config}: {blocked}", err)
        self.assertIn(f"paths.state_dir {state}: {blocked}", err)

        # Reachable again: the same configuration passes.
        os.chmod(self.private, 0o711)
        try:
            cp = h.run_cli("check-config", config)
        finally:
            os.chmod(self.private, 0o700)
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertIn("config ok", cp.out)


if __name__ == "__main__":
    h.require_bin_or_exit()
    if not h.is_root():
        print("skipped: the privilege drop needs root", file=sys.stderr)
        sys.exit(77)
    h.run_tests()

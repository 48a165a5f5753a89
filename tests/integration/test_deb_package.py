#!/usr/bin/python3
"""The Debian package, built, checked, installed, used and purged.

  1. packaging/build-deb.sh builds the .deb from a copy of this tree.
  2. lintian reports no error (E:); warnings are printed, not failed.
  3. `apt-get install ./csirtgw_*.deb` installs it: the binary, the generated
     /etc/csirtgw/csirtgw.conf (which `check-config` accepts), the man pages,
     the schema files, the systemd unit, and the csirtgw system user owning
     /var/lib/csirtgw. The unit's `systemd-analyze security` rating is printed.
  4. The installed binary, as the csirtgw user with the packaged configuration,
     serves LMTP on a unix socket (mode 0660) in a temp dir; one message
     delivered over it is answered 250 and filed in <state>/queues/*/new/;
     SIGTERM stops it with status 0.
  5. `apt-get purge` removes the package again (and the csirtgw user, if this
     test created it), leaving the machine as it was.

Needs root (installs a package); prints SKIP and exits 77 (ctest
SKIP_RETURN_CODE) otherwise. Takes 4-8 minutes on 2 cores (the build).
"""
import glob
import grp
import json
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD_DEB = os.path.join(TOP, "packaging", "build-deb.sh")
BIN = "/usr/sbin/csirtgw"
WORKER = "/usr/libexec/csirtgw/csirtgw-openpgp-worker"
CONF = "/etc/csirtgw/csirtgw.conf"
UNIT = "/lib/systemd/system/csirtgw.service"
APT_ENV = dict(os.environ, DEBIAN_FRONTEND="noninteractive")


def run(argv, timeout=600, env=None):
    cp = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT, timeout=timeout, env=env)
    cp.out = cp.stdout.decode("utf-8", "replace")
    return cp


def package_installed():
    cp = run(["dpkg-query", "-W", "-f=${Status}", "csirtgw"])
    return cp.returncode == 0 and "install ok installed" in cp.out


def openpgp_workers(daemon_pid):
    """The pids of the daemon's child processes that run the OpenPGP worker."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rpartition(")")[2].split()
            with open(f"/proc/{entry}/comm") as f:
                comm = f.read().strip()
        except (OSError, ValueError):
            continue
        if entry.isdigit() and int(fields[1]) == daemon_pid and comm.startswith("csirtgw-openpg"):
            pids.append(int(entry))
    return pids


def user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


class InstalledDaemon(h.Daemon):
    """The installed binary as the csirtgw user with the packaged configuration."""

    def argv(self):
        return ["setpriv", "--reuid=csirtgw", "--regid=csirtgw", "--init-groups", "--",
                "env", f"HOME={self.state_dir}", BIN, "serve", "--config", CONF,
                "--state-dir", self.state_dir, "--lmtp", self.lmtp_arg, "--smtp", self.smtp_arg]


class DebPackage(unittest.TestCase):
    def test_build_lint_install_serve_purge(self):
        started = time.monotonic()
        self.assertFalse(package_installed(),
                         "csirtgw is already installed as a package; this test would remove it")
        user_existed = user_exists("csirtgw")
        staff_group_existed = bool(run(["getent", "group", "csirtgw-staff"]).out.strip())
        out = h.mkdtemp("csirtgw-it-deb-")

        # 1. build ------------------------------------------------------------
        t = time.monotonic()
        cp = run(["bash", BUILD_DEB, out], timeout=1800)
        self.assertEqual(cp.returncode, 0, "build-deb.sh failed:\n" + cp.out[-6000:])
        debs = [d for d in glob.glob(os.path.join(out, "csirtgw_*.deb"))]
        self.assertEqual(len(debs), 1, os.listdir(out))
        deb = debs[0]
        print(f"built {os.path.basename(deb)} in {time.monotonic() - t:.0f}s", flush=True)

        # 2. lintian ----------------------------------------------------------
        cp = run(["lintian", "--info", deb], timeout=600)
        print("lintian:\n" + (cp.out.strip() or "(nothing)"), flush=True)
        errors = [ln for ln in cp.out.splitlines() if ln.startswith("E:")]
        self.assertEqual(errors, [], "lintian errors")

        # 3. install ----------------------------------------------------------
        try:
            cp = run(["apt-get", "install", "-y", "-q", "--no-install-recommends", deb],
                     timeout=600, env=APT_ENV)
            self.assertEqual(cp.returncode, 0, "apt-get install failed:\n" + cp.out[-4000:])
            self.check_installed_files()
            self.print_security_rating()
            cp = run([BIN, "check-config", CONF])
            self.assertEqual(cp.returncode, 0, cp.out)
            self.assertIn("config ok", cp.out)

            # 4. serve ------------------------------------------------------
            self.serve_one_message()
        finally:
            # 5. purge ------------------------------------------------------
            cp = run(["apt-get", "purge", "-y", "-q", "csirtgw"], timeout=600, env=APT_ENV)
            if not user_existed and user_exists("csirtgw"):
                run(["deluser", "--system", "csirtgw"])
                run(["delgroup", "--system", "csirtgw"])
            if not staff_group_existed:
                run(["delgroup", "--system", "csirtgw-staff"])
        self.assertEqual(cp.returncode, 0, "apt-get purge failed:\n" + cp.out[-4000:])
        self.assertFalse(package_installed())
        for path in (BIN, CONF, "/etc/csirtgw", UNIT):
            self.assertFalse(os.path.exists(path), f"{path} left after purge")
        print(f"deb_package: {time.monotonic() - started:.0f}s in all", flush=True)

    def check_installed_files(self):
        for path in (BIN, CONF, UNIT, WORKER, "/usr/share/man/man8/csirtgw.8.gz",
                     "/usr/share/man/man5/csirtgw.conf.5.gz",
                     "/usr/share/csirtgw/default-policy.toml",
                     "/usr/share/csirtgw/reporting-form.toml",
                     "/usr/share/csirtgw/rsit-taxonomy.toml"):
            self.assertTrue(os.path.exists(path), f"{path} not installed")
        pw = pwd.getpwnam("csirtgw")
        self.assertEqual(pw.pw_dir, "/var/lib/csirtgw")
        self.assertLess(pw.pw_uid, 1000, "csirtgw is not a system user")
        st = os.stat("/var/lib/csirtgw")
        self.assertEqual(st.st_uid, pw.pw_uid, "/var/lib/csirtgw is not owned by csirtgw")
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o750)
        # The configuration file is a generated, commented template with the
        # package's choices set; every setting appears in it.
        with open(CONF) as f:
            text = f.read()
        for line in ('lmtp = "unix:/run/csirtgw/lmtp.sock"', 'state_dir = "/var/lib/csirtgw"',
                     'smtp = ""', "#message_size = 10240000"):
            self.assertIn(line, text.splitlines())
        conffiles = run(["dpkg-query", "-W", "-f=${Conffiles}", "csirtgw"]).out
        self.assertIn(CONF, conffiles)
        man = run(["man", "-l", "/usr/share/man/man5/csirtgw.conf.5.gz"],
                  env=dict(os.environ, MANWIDTH="100"))
        if man.returncode == 0:
            self.assertIn("message_size", man.out)

    def print_security_rating(self):
        # packaging/setup.sh installs systemd: a missing tool is a broken set-up, not a skip.
        self.assertTrue(shutil.which("systemd-analyze"), "systemd-analyze not installed (package systemd)")
        cp = run(["systemd-analyze", "verify", UNIT])
        bad = [ln for ln in cp.out.splitlines()
               if "csirtgw" in ln and "man " not in ln and "Command 'man" not in ln]
        self.assertEqual(bad, [], "systemd-analyze verify:\n" + cp.out)
        cp = run(["systemd-analyze", "security", "--offline=true", UNIT])
        m = re.search(r"Overall exposure level for \S+: ([\d.]+) (\w+)", cp.out)
        self.assertIsNotNone(m, cp.out[-2000:])
        print(f"systemd-analyze security: {m.group(1)} {m.group(2)}", flush=True)
        self.assertLessEqual(float(m.group(1)), 4.9, "the unit is rated worse than OK")

    def serve_one_message(self):
        base = h.mkdtemp("csirtgw-it-deb-run-")
        os.chmod(base, 0o755)
        state = os.path.join(base, "state")
        sockdir = os.path.join(base, "run")
        for d in (state, sockdir):
            os.mkdir(d, 0o750)
            shutil.chown(d, "csirtgw", "csirtgw")
        path = os.path.join(sockdir, "lmtp.sock")
        with InstalledDaemon(state, lmtp=f"unix:{path}", smtp=None) as d:
            self.assertEqual(d.lmtp_addr, f"unix:{path}")
            st = os.stat(path)
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)
            self.assertEqual(st.st_uid, pwd.getpwnam("csirtgw").pw_uid)
            tok = h.unique_token("deb")
            with h.RawSession.unix(path) as c:
                c.deliver(self, "cert@csirt.example", tok)
            found = h.wait_for_messages(state, tok, 1)
            self.assertEqual(len(found), 1)
            self.assertEqual(found[0].subdir, "new")
            self.assertTrue(glob.glob(os.path.join(state, "queues", "*", "new", "*")))
            # The installed daemon found its OpenPGP workers in libexec and
            # started them as its own user.
            workers = openpgp_workers(d.proc.pid)
            self.assertTrue(workers, "no csirtgw-openpgp-worker runs under the installed daemon")
            for pid in workers:
                self.assertEqual(os.readlink(f"/proc/{pid}/exe"), WORKER)
                with open(f"/proc/{pid}/status") as f:
                    uids = next(ln for ln in f if ln.startswith("Uid:")).split()[1:]
                self.assertEqual({int(u) for u in uids}, {pwd.getpwnam("csirtgw").pw_uid})
            self.staff_member_reads_tickets(state)
            self.assertEqual(d.terminate(), 0, d.stderr_tail())

    def staff_member_reads_tickets(self, state):
        # Issue 18: the CLI finds /etc/csirtgw/csirtgw.conf by itself, and a member
        # of csirtgw-staff reads (and writes) the store the service shares.
        cp = run([BIN, "check-config", "--no-access-check"])
        self.assertIn(f"config ok: {CONF}", cp.out)
        self.assertIn("csirtgw", grp.getgrnam("csirtgw-staff").gr_mem, "the daemon's user is not in csirtgw-staff")
        user = "cgwdebstaff"
        run(["useradd", "-M", "-N", "-G", "csirtgw-staff", "-s", "/usr/sbin/nologin", user])
        try:
            cp = run(["runuser", "-u", user, "--", BIN, "tickets", "--json", "--state-dir", state])
            self.assertEqual(cp.returncode, 0, cp.out)
            self.assertEqual(len(json.loads(cp.stdout)), 1, cp.out)
            cp = run(["runuser", "-u", user, "--", BIN, "ticket", "take", "1", "--state-dir", state])
            self.assertEqual(cp.returncode, 0, cp.out)
            self.assertIn(f"by {user}", cp.out)
        finally:
            run(["userdel", user])


if __name__ == "__main__":
    if not h.is_root():
        print("SKIP: needs root (installs and purges the csirtgw package)", file=sys.stderr)
        sys.exit(h.SKIPPED)
    h.main()

#!/usr/bin/env python3
"""The command line refuses what it cannot mean: a usage error names the option
and exits 2 (never prints nothing and exits 0, as `tickets --state closed` and
`stats --since garbage` once did); --help and --version exit 0.

Runs the real binary; no daemon needed (the state directory is a fresh one,
made by `audit verify`).
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402


class UsageErrors(unittest.TestCase):
    def setUp(self):
        self.state = h.mkdtemp("cli-usage")

    def refused(self, *args, says):
        cp = h.run_cli(*args)
        self.assertEqual(cp.returncode, 2, f"{args}: exit {cp.returncode}\n{cp.out}")
        self.assertIn(says, cp.out, f"{args}: the reason is not named:\n{cp.out}")
        self.assertEqual(cp.stdout, b"", f"{args}: a refusal printed results:\n{cp.out}")

    def test_unknown_values_are_refused_with_the_option_named(self):
        cases = [
            (("tickets", "--state", "closed"), "--state: closed not in {open,taken,resolved,rejected,merged}"),
            (("stats", "--since", "garbage"), '--since: expected a date as YYYY-MM-DD, got "garbage"'),
            (("stats", "--until", "2026-13-01"), "--until: no such day: 2026-13-01"),
            (("stats", "--since", "2025-02-29"), "--since: no such day: 2025-02-29"),
            (("stats", "--since", "2026-1-01"), "--since: expected a date as YYYY-MM-DD"),
            (("stats", "--by", "owner"), "--by: owner not in"),
            (("man", "7"), "SECTION: 7 not in"),
            (("no-such-command",), "no-such-command"),
        ]
        for args, says in cases:
            with self.subTest(args=args):
                self.refused(*args, "--state-dir", self.state, says=says) if args[0] in ("tickets", "stats") \
                    else self.refused(*args, says=says)

    def test_valid_dates_are_taken(self):
        # A leap day is a day; the empty store answers with an empty table.
        h.run_cli("audit", "verify", "--state-dir", self.state)  # creates the store
        cp = h.run_cli("stats", "--since", "2024-02-29", "--until", "2026-12-31", "--state-dir", self.state)
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertIn("total", cp.out)

    def test_version_and_help_exit_zero(self):
        cp = h.run_cli("--version")
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertRegex(cp.stdout.decode(), r"^csirtgw \d+\.\d+\.\d+\n$")
        cp = h.run_cli("--help")
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertIn("serve", cp.out)


if __name__ == "__main__":
    h.main()

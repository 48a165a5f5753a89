#!/usr/bin/env python3
"""The ticket desk (issue 18) through the real daemon and CLI: reports filed over
SMTP by the listener open tickets; `tickets` shows TICKET, AGE, PRI, TLP, STATE,
OWNER, QUEUE, REPORTER and SUBJECT (a hostile Subject sanitised) and filters by
each (a bad filter value exits 2 naming the option); `take` refuses another
analyst's ticket without --steal (the old --force still works, hidden);
`ticket merge` moves a duplicate into the ticket that goes on and its
follow-ups join that ticket; `ticket link` shows both ways; a peer CERT's
follow-up with their tag joins the ticket that recorded it; `ticket reject`
takes a bounce out of the listing and out of `stats`, which reports time to
first response and to resolution by type and month. Every action is audited
and the chain stays intact.
"""
import json
import os
import smtplib
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

COLUMNS = ["TICKET", "AGE", "PRI", "TLP", "STATE", "OWNER", "QUEUE", "REPORTER", "SUBJECT"]


class TicketDesk(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.work = h.mkdtemp("csirtgw-it-desk-")
        cls.state = os.path.join(cls.work, "state")
        os.makedirs(cls.state)
        cls.daemon = h.Daemon(cls.state).start()
        cls.tok = h.unique_token("desk")
        cls.numbers = {}
        reports = {
            "one": ("alice@example.net", f"desk {cls.tok} one: phishing page at our bank", ()),
            "two": ("bob@example.org", f"desk {cls.tok} two: the same phishing page", ()),
            "evil": ("mallory@example.net", f"\x1b]0;owned\x07\x1b[2J desk {cls.tok} evil", ()),
            "bounce": ("mailer-daemon@example.com", f"desk {cls.tok} bounce: Undelivered Mail", ()),
            "peer": ("cert@abc.example", f"[ABC-CSIRT #991] desk {cls.tok} peer: scanning", ()),
        }
        for name, (sender, subject, extra) in reports.items():
            cls.send(sender, subject, f"<{name}.{cls.tok}@it.example>", extra)
        for name in reports:
            cls.numbers[name] = cls.ticket_of(f"desk {cls.tok} {name}")

    @classmethod
    def tearDownClass(cls):
        rc = cls.daemon.terminate()
        cls.daemon.cleanup()
        if rc != 0:
            print(f"daemon exit status {rc}\n{cls.daemon.stderr_tail()}", file=sys.stderr)

    # ------------------------------------------------------------ helpers
    @classmethod
    def send(cls, sender, subject, message_id, extra=()):
        hdrs = [f"From: <{sender}>", "To: cert@csirt.example", f"Subject: {subject}",
                f"Message-ID: {message_id}", "Date: Thu, 03 Dec 2026 17:00:00 +0000",
                "MIME-Version: 1.0", "Content-Type: text/plain; charset=us-ascii", *extra]
        body = "A phishing page at http://bank-login.example.net/ asks for passwords.\r\n"
        raw = ("\r\n".join(hdrs) + "\r\n\r\n" + body).encode("latin-1")
        with smtplib.SMTP("127.0.0.1", cls.daemon.smtp_port, timeout=30) as s:
            s.sendmail(sender, ["cert@csirt.example"], raw)

    @classmethod
    def filed_ticket(cls, token_text, count=1):
        found = h.wait_for_messages(cls.state, token_text, count=count)
        ticket = found[-1].single_header("X-Csirtgw-Ticket")
        return int(ticket.rsplit("#", 1)[1])

    @classmethod
    def ticket_of(cls, token_text):
        return cls.filed_ticket(token_text)

    def cli(self, *args, rc=0):
        # The operator is the OS user: the analysts here are root acting
        # through sudo for them (SUDO_USER), as `--as` needs real accounts.
        args, env = list(args), {}
        if "--as" in args:
            i = args.index("--as")
            env["SUDO_USER"] = args[i + 1]
            del args[i:i + 2]
        cp = h.run_cli(*args, "--state-dir", self.state, env=env)
        self.assertEqual(cp.returncode, rc, f"csirtgw {' '.join(args)}: exit {cp.returncode}\n{cp.out}")
        return cp

    def cli_json(self, *args):
        return json.loads(self.cli(*args).stdout.decode("utf-8"))

    def listed(self, *filters):
        return {t["number"] for t in self.cli_json("tickets", "--json", *filters)}

    def show(self, n):
        return self.cli_json("ticket", "show", str(n), "--json")

    def mine(self):
        return set(self.numbers.values())

    # ------------------------------------------------------------ tests
    def test_1_columns_and_sanitised_subject(self):
        cp = self.cli("tickets")
        lines = cp.stdout.decode("utf-8").splitlines()
        self.assertEqual(lines[0].split(), COLUMNS)
        self.assertNotIn(b"\x1b", cp.stdout)
        self.assertNotIn(b"\x07", cp.stdout)
        rows = {int(line.split()[1].lstrip("#")): line for line in lines[1:]}
        one = rows[self.numbers["one"]]
        self.assertIn("alice@example.net", one)
        self.assertIn(f"desk {self.tok} one", one)
        self.assertIn(" open ", one)
        self.assertIn("\\x1b]0;owned\\x07", rows[self.numbers["evil"]])
        js = {t["number"]: t for t in self.cli_json("tickets", "--json")}
        t = js[self.numbers["one"]]
        for key in ("ticket", "age_seconds", "priority", "tlp", "state", "owner", "queue", "reporter", "subject",
                    "due_at", "overdue"):
            self.assertIn(key, t)
        self.assertEqual(t["reporter"], "alice@example.net")
        self.assertTrue(t["subject"].startswith(f"desk {self.tok} one"), t)
        self.assertRegex(t["due_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertFalse(t["overdue"])
        self.assertNotIn("\x1b", js[self.numbers["evil"]]["subject"])

    def test_2_filters(self):
        one = self.show(self.numbers["one"])
        pri, tlp, queue = one["priority"], one["tlp"], one["queue"]
        self.assertIn(self.numbers["one"], self.listed("--priority", str(pri)))
        self.assertIn(self.numbers["one"], self.listed("--priority", f"1-{pri}"))
        if pri > 1:
            self.assertNotIn(self.numbers["one"], self.listed("--priority", f"1-{pri - 1}"))
        self.assertIn(self.numbers["one"], self.listed("--tlp", tlp.lower()))
        other = "RED" if tlp != "RED" else "CLEAR"
        self.assertNotIn(self.numbers["one"], self.listed("--tlp", other))
        self.assertIn(self.numbers["one"], self.listed("--queue", queue))
        self.assertNotIn(self.numbers["one"], self.listed("--queue", "no-such-queue"))
        self.assertIn(self.numbers["one"], self.listed("--owner", "none"))
        self.assertIn(self.numbers["one"], self.listed("--state", "open"))
        self.assertEqual(self.listed("--reporter", "ALICE@example.net") & self.mine(), {self.numbers["one"]})
        self.assertEqual(self.listed("--subject", f"DESK {self.tok} ONE") & self.mine(), {self.numbers["one"]})
        self.assertEqual(self.listed("--subject", "owned") & self.mine(), {self.numbers["evil"]})
        self.assertEqual(self.listed("--older-than", "1w") & self.mine(), set())
        time.sleep(1.1)
        self.assertIn(self.numbers["one"], self.listed("--older-than", "1s"))
        # Due in hours by default: nothing overdue. With every priority due at
        # once (tickets.due_hours = "1000:0"), unanswered open tickets are.
        self.assertEqual(self.listed("--overdue") & self.mine(), set())
        conf = os.path.join(self.work, "due-now.toml")
        with open(conf, "w") as f:
            f.write('[tickets]\ndue_hours = "1000:0"\n')
        overdue = self.listed("--overdue", "--config", conf)
        self.assertIn(self.numbers["evil"], overdue)
        cp = self.cli("tickets", "--config", conf)
        self.assertRegex(cp.stdout.decode(), rf"#{self.numbers['evil']}\s+\S+!\s")

    def test_3_bad_filter_values_exit_2_naming_the_option(self):
        for args, says in [
            (("--priority", "0"), "--priority"), (("--priority", "5-2"), "--priority"),
            (("--priority", "high"), "--priority"), (("--tlp", "PURPLE"), "--tlp"),
            (("--older-than", "3x"), "--older-than"), (("--older-than", "-2h"), "--older-than"),
            (("--owner", ""), "--owner"), (("--state", "closed"), "--state"),
            (("--reporter", ""), "--reporter"), (("--subject", ""), "--subject"),
        ]:
            with self.subTest(args=args):
                cp = self.cli("tickets", *args, rc=2)
                self.assertIn(says, cp.out)
                self.assertEqual(cp.stdout, b"")
        conf = os.path.join(self.work, "bad-due.toml")
        with open(conf, "w") as f:
            f.write('[tickets]\ndue_hours = "5:8, 2:4"\n')
        cp = h.run_cli("check-config", "--no-access-check", conf)
        self.assertEqual(cp.returncode, 1, cp.out)
        self.assertIn("tickets.due_hours", cp.out)

    def test_4_take_needs_steal(self):
        n = str(self.numbers["evil"])
        self.cli("ticket", "take", n, "--as", "alice")
        cp = self.cli("ticket", "take", n, "--as", "bob", rc=1)
        self.assertIn("taken by alice; take it over with --steal", cp.out)
        self.assertEqual(self.show(n)["owner"], "alice")
        self.cli("ticket", "take", n, "--as", "bob", "--steal")
        self.assertEqual(self.show(n)["owner"], "bob")
        self.cli("ticket", "take", n, "--as", "carol", "--force")  # the old name, for scripts
        self.assertEqual(self.show(n)["owner"], "carol")
        helptext = h.run_cli("ticket", "take", "--help").out
        self.assertIn("--steal", helptext)
        self.assertNotIn("--force", helptext)
        self.assertIn(int(n), self.listed("--owner", "carol"))
        self.assertNotIn(int(n), self.listed("--owner", "none"))
        self.assertTrue(self.show(n)["first_response_at"])

    def test_5_merge_and_follow_up_to_the_merged_ticket(self):
        a, b = self.numbers["one"], self.numbers["two"]
        cp = self.cli("ticket", "merge", str(a), str(a), rc=1)
        self.assertIn("itself", cp.out)
        self.cli("ticket", "comment", str(b), "same kit", "--as", "alice")
        self.cli("ticket", "merge", str(a), str(b), "--as", "alice")
        merged = self.show(b)
        self.assertEqual(merged["state"], "merged")
        self.assertEqual(merged["merged_into"], f"XYZ-CERT #{a}")
        self.assertEqual(merged["messages"], [])
        kept = self.show(a)
        self.assertEqual(len(kept["messages"]), 2)
        self.assertEqual([c["text"] for c in kept["comments"]], ["same kit"])
        cp = self.cli("ticket", "merge", str(self.numbers["peer"]), str(b), rc=1)
        self.assertIn("already merged", cp.out)
        self.assertNotIn(b, self.listed())
        self.assertIn(b, self.listed("--state", "merged"))
        # bob answers on the ticket number he was given: it lands in A
        self.send("bob@example.org", f"Re: [XYZ-CERT #{b}] desk {self.tok} two-followup", f"<f2.{self.tok}@it.example>")
        self.assertEqual(self.filed_ticket(f"desk {self.tok} two-followup"), a)
        self.send("bob@example.org", f"Re: desk {self.tok} reply-followup", f"<f3.{self.tok}@it.example>",
                  (f"In-Reply-To: <two.{self.tok}@it.example>",))
        self.assertEqual(self.filed_ticket(f"desk {self.tok} reply-followup"), a)
        self.assertEqual(len(self.show(a)["messages"]), 4)
        events = [json.loads(r["detail"]) for r in h.audit_rows(self.state, "WHERE event = 'ticket-merge'")]
        self.assertIn({"ticket": a, "merged": b}, [{"ticket": e["ticket"], "merged": e["merged"]} for e in events])

    def test_6_link_both_ways(self):
        a, b = self.numbers["evil"], self.numbers["peer"]
        self.cli("ticket", "link", str(a), f"XYZ-CERT #{b}", "--as", "alice")
        self.assertEqual(self.show(a)["links"], [f"XYZ-CERT #{b}"])
        self.assertEqual(self.show(b)["links"], [f"XYZ-CERT #{a}"])
        self.assertIn(f"linked:       XYZ-CERT #{a}", self.cli("ticket", "show", str(b)).stdout.decode())
        cp = self.cli("ticket", "link", str(b), str(a), rc=1)
        self.assertIn("already linked", cp.out)
        self.cli("ticket", "unlink", str(b), str(a), "--as", "alice")
        self.assertEqual(self.show(a)["links"], [])
        self.cli("ticket", "link", str(a), "notanumber", rc=1)
        events = [r["event"] for r in h.audit_rows(self.state, "WHERE event LIKE 'ticket-%link'")]
        self.assertEqual(events, ["ticket-link", "ticket-unlink"])

    def test_7_peer_tag_joins_its_ticket(self):
        n = self.numbers["peer"]
        self.assertIn("ABC-CSIRT #991", self.show(n)["external_refs"])
        self.send("cert@abc.example", f"Re: [ABC-CSIRT #991] desk {self.tok} peer-update",
                  f"<p2.{self.tok}@it.example>")
        self.assertEqual(self.filed_ticket(f"desk {self.tok} peer-update"), n)
        joined = [json.loads(r["detail"]) for r in h.audit_rows(self.state, "WHERE event = 'ticket-joined'")]
        self.assertTrue(any(j.get("joined_by") == "external reference ABC-CSIRT #991" for j in joined), joined)

    def test_8_reject_and_stats(self):
        n = self.numbers["bounce"]
        cp = self.cli("ticket", "reject", str(n), rc=2)  # REASON is required
        self.cli("ticket", "reject", str(n), "a bounce, not an incident", "--as", "alice")
        t = self.show(n)
        self.assertEqual((t["state"], t["reject_reason"]), ("rejected", "a bounce, not an incident"))
        self.assertNotIn(n, self.listed())
        self.assertIn(n, self.listed("--state", "rejected"))
        self.assertIn(n, self.listed("--all"))
        cp = self.cli("ticket", "reject", str(n), "again", rc=1)
        self.assertIn("it is rejected", cp.out)
        resolved = self.numbers["peer"]
        self.cli("ticket", "resolve", str(resolved), "--as", "alice")

        every = self.cli_json("tickets", "--json", "--all")
        counted = [x for x in every if x["state"] not in ("rejected", "merged")]
        stats = self.cli_json("stats", "--by", "type", "--json")
        self.assertEqual(stats["total"], len(counted))
        self.assertEqual(sum(stats["counts"].values()), len(counted))
        timings = stats["timings"]
        for group in ("by_type", "by_month"):
            self.assertTrue(timings[group], timings)
            for key, value in timings[group].items():
                for what in ("first_response", "resolution"):
                    self.assertEqual(set(value[what]), {"count", "median_seconds", "p90_seconds"})
        answered = [x for x in counted if x["first_response_at"]]
        self.assertEqual(timings["all"]["first_response"]["count"], len(answered))
        self.assertGreaterEqual(timings["all"]["resolution"]["count"], 1)
        self.assertLessEqual(timings["all"]["first_response"]["median_seconds"],
                             timings["all"]["first_response"]["p90_seconds"])
        month = every[0]["created_at"][:7]
        self.assertIn(month, timings["by_month"])
        text = self.cli("stats").stdout.decode()
        self.assertIn("TIMINGS BY TYPE", text)
        self.assertIn("TIMINGS BY MONTH", text)
        self.assertNotIn("example", text)
        events = [r["event"] for r in h.audit_rows(self.state, "WHERE event = 'ticket-reject'")]
        self.assertEqual(events, ["ticket-reject"])

    def test_9_audit_chain_intact(self):
        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertRegex(cp.out, h.INTACT_RE)


if __name__ == "__main__":
    if not h.is_root():
        print("SKIP: the analysts are root acting for them through SUDO_USER: needs root", file=sys.stderr)
        sys.exit(h.SKIPPED)
    h.main()

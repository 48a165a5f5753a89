#!/usr/bin/python3
"""`csirtgw audit verify` detects tampering with the hash-chained audit table.

A state dir with a few deliveries (received + filed + duplicate events) is made
once; each tampering is applied with python's sqlite3 to a fresh copy of it and
`audit verify --state-dir COPY` must exit 1 naming an event; the untouched copy
must verify (exit 0, `intact: N events, head <hash>` matching the table).

AnchoredTamper: the attacker who rewrites a row AND hashes every later row and
the head again with the real recipe (audit_row_hash below, the same as
daemon/store/audit_log.cpp's) gets past plain `audit verify` -- the test proves it --
but not past `audit verify --anchors`, which holds the chain to the heads the
running daemon signed with the team key into audit-anchors.asc.
"""
import hashlib
import os
import re
import shutil
import smtplib
import sqlite3
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

COLUMNS = ("at", "event", "spool_id", "actor", "detail", "prev_hash", "hash")

ANCHORED_INTACT_RE = re.compile(r"^intact: (\d+) events, head ([0-9a-f]{64}), (\d+) anchors verified$", re.M)
REWRITTEN_RE = re.compile(
    r"^broken: anchor (\d+) \(seq (\d+), signed (\S+)\): event (\d+) has hash ([0-9a-f]{64}), "
    r"anchored ([0-9a-f]{64}) \u2014 rows rewritten after the anchor$", re.M)
CUT_RE = re.compile(
    r"^broken: anchor (\d+) \(seq (\d+), signed (\S+)\): the chain ends at seq (\d+), "
    r"anchor (\d+) names seq (\d+) \u2014 rows deleted from the end$", re.M)
ANCHOR_RECORD_RE = re.compile(
    r"^csirtgw-audit-anchor: 1\nseq: (\d+)\nhead: ([0-9a-f]{64})\n"
    r"signed-at: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)\nkey: ([0-9A-F]{40})\n"
    r"-----BEGIN PGP SIGNATURE-----\n.*?\n-----END PGP SIGNATURE-----\n", re.M | re.S)


def audit_row_hash(prev_hash, seq, at, event, spool_id, actor, detail):
    """daemon/store/audit_log.cpp's audit_row_hash(): SHA-256 over the fields, each
    as "<octets>:<bytes>;", after the version tag and the previous hash."""
    h = hashlib.sha256()
    for field in ("csirtgw-audit-v1", prev_hash, str(seq), at, event, spool_id, actor, detail):
        b = (field or "").encode("utf-8")
        h.update(str(len(b)).encode("ascii") + b":" + b + b";")
    return h.hexdigest()


def rewrite_and_rechain(con, seq, detail='{"forged":true}'):
    """Edit event `seq`, then hash it and every later event again with the real
    recipe and move the head: what someone with write access to the file can do.
    Returns {seq: new hash}."""
    con.execute("UPDATE audit SET detail = ? WHERE seq = ?", (detail, seq))
    rows = con.execute("SELECT seq, at, event, spool_id, actor, detail, prev_hash FROM audit"
                       " WHERE seq >= ? ORDER BY seq", (seq,)).fetchall()
    prev = rows[0][6]
    new = {}
    for r_seq, at, event, spool_id, actor, r_detail, _ in rows:
        h = audit_row_hash(prev, r_seq, at, event, spool_id, actor, r_detail)
        con.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, h, r_seq))
        new[r_seq] = prev = h
    con.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (rows[-1][0], prev))
    return new


def anchors_in(path):
    """The records of an anchors file: list of dicts (seq, head, signed_at, key)."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="ascii") as f:
        text = f.read()
    return [{"seq": int(m.group(1)), "head": m.group(2), "signed_at": m.group(3), "key": m.group(4)}
            for m in ANCHOR_RECORD_RE.finditer(text)]


class StateCopies:
    """Copies of the base state directory (cls.work, cls.base, cls.n) to tamper with."""

    def copy(self):
        type(self).n += 1
        dst = os.path.join(self.work, f"copy{self.n:02d}")
        shutil.copytree(self.base, dst, symlinks=True)
        return dst

    def altered_copy(self, sql_fn):
        """A copy with sql_fn(con) applied and committed: (dir, sql_fn's result)."""
        dst = self.copy()
        con = sqlite3.connect(os.path.join(dst, "csirtgw.db"))
        try:
            result = sql_fn(con)
            con.commit()
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()
        return dst, result


class AuditTamper(StateCopies, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.work = h.mkdtemp("csirtgw-it-audit-")
        cls.base = os.path.join(cls.work, "base")
        os.makedirs(cls.base)
        d = h.Daemon(cls.base).start()
        try:
            toks = []
            with smtplib.SMTP("127.0.0.1", d.smtp_port, timeout=30) as s:
                for i, rcpt in enumerate(["cert@csirt.example", "abuse@csirt.example",
                                          "vuln@csirt.example", "cert@csirt.example"]):
                    tok = h.unique_token(f"audit{i}")
                    toks.append(tok)
                    assert s.sendmail(h.SENDER, [rcpt], h.make_message(tok)) == {}
                # an identical resend -> 'duplicate' event
                assert s.sendmail(h.SENDER, ["cert@csirt.example"],
                                  h.make_message(toks[0])) == {}
            for tok in toks:
                h.wait_for_messages(cls.base, tok, 1)
            h.wait_spool_drained(cls.base)
            rc = d.terminate()
            assert rc == 0, f"SIGTERM exit status {rc}\n{d.stderr_tail()}"
        finally:
            d.cleanup()
        cls.rows = h.audit_rows(cls.base)
        assert len(cls.rows) >= 6, f"expected >= 6 audit events, got {len(cls.rows)}"
        cls.n = 0

    def tamper(self, sql_fn):
        """Copy the state dir, run sql_fn(con) on the copy, return (dir, verify result)."""
        dst, _ = self.altered_copy(sql_fn)
        return dst, h.audit_verify(dst)

    def assertBroken(self, cp, seqs=None):
        self.assertEqual(cp.returncode, 1, f"tampering not detected:\n{cp.out}")
        m = h.BROKEN_RE.search(cp.out)
        self.assertTrue(m, f"output does not name an event:\n{cp.out}")
        self.assertNotRegex(cp.out, h.INTACT_RE)
        seq = int(m.group(1))
        if seqs is not None:
            self.assertIn(seq, seqs, f"named event {seq}, expected one of {seqs}:\n{cp.out}")
        return seq

    @property
    def seqs(self):
        return [r["seq"] for r in self.rows]

    def middle(self):
        return self.seqs[len(self.seqs) // 2]

    # ------------------------------------------------------------------
    def test_00_untouched_copy_verifies(self):
        dst = self.copy()
        cp = h.audit_verify(dst)
        self.assertEqual(cp.returncode, 0, cp.out)
        m = h.INTACT_RE.search(cp.out)
        self.assertTrue(m, cp.out)
        self.assertEqual(int(m.group(1)), len(self.rows))
        self.assertEqual(m.group(2), self.rows[-1]["hash"])
        con = sqlite3.connect(f"file:{os.path.join(dst, 'csirtgw.db')}?mode=ro", uri=True)
        try:
            head = con.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
        finally:
            con.close()
        self.assertEqual(head, (self.rows[-1]["seq"], self.rows[-1]["hash"]))
        # the chain links as documented
        for prev, cur in zip(self.rows, self.rows[1:]):
            self.assertEqual(cur["prev_hash"], prev["hash"], cur)
        self.assertEqual(len({r["hash"] for r in self.rows}), len(self.rows))
        events = {r["event"] for r in self.rows}
        self.assertTrue({"received", "filed", "duplicate"} <= events, events)

    def test_01_update_detail(self):
        k = self.middle()
        _, cp = self.tamper(lambda c: c.execute(
            "UPDATE audit SET detail = COALESCE(detail, '') || ' tampered' WHERE seq = ?", (k,)))
        self.assertBroken(cp, [k])

    def test_02_update_event(self):
        k = next(r["seq"] for r in self.rows if r["event"] == "received")
        _, cp = self.tamper(lambda c: c.execute(
            "UPDATE audit SET event = 'duplicate' WHERE seq = ?", (k,)))
        self.assertBroken(cp, [k])

    def test_03_update_other_fields(self):
        k = self.middle()
        for col, expr in (("at", "'1999-01-01T00:00:00Z'"),
                          ("spool_id", "COALESCE(spool_id, '') || 'X'"),
                          ("actor", "COALESCE(actor, '') || 'X'")):
            with self.subTest(column=col):
                _, cp = self.tamper(lambda c: c.execute(
                    f"UPDATE audit SET {col} = {expr} WHERE seq = ?", (k,)))
                self.assertBroken(cp, [k])

    def test_04_update_with_recomputed_sha256(self):
        # attacker rewrites detail AND stores a fresh sha256 in hash: still broken
        k = self.middle()

        def fn(c):
            c.execute("UPDATE audit SET detail = 'forged detail' WHERE seq = ?", (k,))
            c.execute("UPDATE audit SET hash = ? WHERE seq = ?",
                      (hashlib.sha256(b"forged detail").hexdigest(), k))
        _, cp = self.tamper(fn)
        self.assertBroken(cp, [k, k + 1])

    def test_05_delete_middle_row(self):
        k = self.middle()
        _, cp = self.tamper(lambda c: c.execute("DELETE FROM audit WHERE seq = ?", (k,)))
        self.assertBroken(cp, [k, k + 1])

    def test_06_delete_first_row(self):
        k = self.seqs[0]
        _, cp = self.tamper(lambda c: c.execute("DELETE FROM audit WHERE seq = ?", (k,)))
        self.assertBroken(cp, [k, k + 1])

    def test_07_delete_last_row(self):
        k = self.seqs[-1]
        _, cp = self.tamper(lambda c: c.execute("DELETE FROM audit WHERE seq = ?", (k,)))
        self.assertBroken(cp, [k, k - 1])

    def test_08_swap_rows_reorder(self):
        a, b = self.seqs[1], self.seqs[2]

        def swap(c, cols):
            ra = c.execute(f"SELECT {','.join(cols)} FROM audit WHERE seq = ?", (a,)).fetchone()
            rb = c.execute(f"SELECT {','.join(cols)} FROM audit WHERE seq = ?", (b,)).fetchone()
            sets = ",".join(f"{col} = ?" for col in cols)
            c.execute(f"UPDATE audit SET {sets} WHERE seq = ?", (*rb, a))
            c.execute(f"UPDATE audit SET {sets} WHERE seq = ?", (*ra, b))
        with self.subTest("swap whole rows incl. hashes"):
            _, cp = self.tamper(lambda c: swap(c, COLUMNS))
            self.assertBroken(cp, [a, b, b + 1])
        with self.subTest("swap contents, keep hash columns"):
            _, cp = self.tamper(lambda c: swap(c, COLUMNS[:5]))
            self.assertBroken(cp, [a, b])

    def test_09_insert_forged_row_at_end(self):
        last = self.rows[-1]
        k = last["seq"] + 1
        fake = hashlib.sha256(f"{last['hash']}forged".encode()).hexdigest()
        row = (k, last["at"], "filed", last["spool_id"], "attacker", "forged entry",
               last["hash"], fake)

        def ins(c):
            c.execute("INSERT INTO audit (seq, at, event, spool_id, actor, detail, prev_hash, hash)"
                      " VALUES (?,?,?,?,?,?,?,?)", row)
        with self.subTest("row only"):
            _, cp = self.tamper(ins)
            self.assertBroken(cp, [k - 1, k])

        def ins_head(c):
            ins(c)
            c.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (k, fake))
        with self.subTest("row and audit_head"):
            _, cp = self.tamper(ins_head)
            self.assertBroken(cp, [k])

    def test_10_insert_copied_row(self):
        # replay: append an exact copy of an existing row's contents+hashes
        src = self.rows[1]
        k = self.rows[-1]["seq"] + 1

        def ins(c):
            c.execute("INSERT INTO audit (seq, at, event, spool_id, actor, detail, prev_hash, hash)"
                      " VALUES (?,?,?,?,?,?,?,?)", (k, *(src[col] for col in COLUMNS)))
            c.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (k, src["hash"]))
        _, cp = self.tamper(ins)
        self.assertBroken(cp, [k])

    def test_11_head_mismatch(self):
        _, cp = self.tamper(lambda c: c.execute(
            "UPDATE audit_head SET hash = ? WHERE id = 1", ("0" * 64,)))
        self.assertEqual(cp.returncode, 1, cp.out)
        self.assertRegex(cp.out, r"broken: ")



class AnchoredTamper(StateCopies, unittest.TestCase):
    """A daemon anchoring every second: anchors while it runs and at SIGTERM."""

    @classmethod
    def setUpClass(cls):
        cls.work = h.mkdtemp("csirtgw-it-anchor-")
        cls.base = os.path.join(cls.work, "base")
        os.makedirs(cls.base)
        config = os.path.join(cls.work, "csirtgw.conf")
        with open(config, "w") as f:
            f.write("[audit]\nanchor_interval = 1\n")
        cls.anchors_file = os.path.join(cls.base, "audit-anchors.asc")
        # No smarthost: no ack-deferred events arriving on their own.
        d = h.Daemon(cls.base, extra_args=["--config", config, "--smarthost", ""]).start()
        cls.team_key = d.team_key
        try:
            cls.running_anchors = []
            for batch in range(2):
                toks = []
                with smtplib.SMTP("127.0.0.1", d.smtp_port, timeout=30) as s:
                    for i in range(2):
                        tok = h.unique_token(f"anchor{batch}{i}")
                        toks.append(tok)
                        assert s.sendmail(h.SENDER, ["cert@csirt.example"], h.make_message(tok)) == {}
                for tok in toks:
                    h.wait_for_messages(cls.base, tok, 1)
                h.wait_spool_drained(cls.base)
                # The running daemon anchors the new head within the interval.
                deadline = time.monotonic() + 30
                while True:
                    head = h.audit_rows(cls.base)[-1]
                    anchors = anchors_in(cls.anchors_file)
                    if anchors and anchors[-1]["seq"] == head["seq"]:
                        break
                    assert time.monotonic() < deadline, \
                        f"no anchor of seq {head['seq']} while running: {anchors}\n{d.stderr_tail()}"
                    time.sleep(0.2)
                cls.running_anchors = anchors
            rc = d.terminate()
            assert rc == 0, f"SIGTERM exit status {rc}\n{d.stderr_tail()}"
            with open(d.log_path, encoding="utf-8", errors="replace") as f:
                cls.log = f.read()
        finally:
            d.cleanup()
        cls.rows = h.audit_rows(cls.base)
        cls.anchors = anchors_in(cls.anchors_file)
        cls.n = 0

    def tamper(self, sql_fn):
        """A copy with sql_fn(con) applied: (dir, sql_fn's result)."""
        return self.altered_copy(sql_fn)

    def verify_anchored(self, state_dir, anchors=None):
        return h.run_cli("audit", "verify", "--state-dir", state_dir, "--anchors",
                         anchors or os.path.join(state_dir, "audit-anchors.asc"))

    def anchor_at_or_after(self, seq):
        """(K, anchor): the first anchor (1-based) whose seq covers event `seq`."""
        return next((k, a) for k, a in enumerate(self.anchors, 1) if a["seq"] >= seq)

    # ------------------------------------------------------------------
    def test_00_anchors_while_running_and_at_shutdown(self):
        self.assertGreaterEqual(len(self.running_anchors), 2, self.running_anchors)
        seqs = [a["seq"] for a in self.anchors]
        self.assertEqual(seqs, sorted(set(seqs)), "one anchor per head, in order")
        # the running anchors are still there, unchanged, and the last anchor is the final head
        self.assertEqual(self.anchors[:len(self.running_anchors)], self.running_anchors)
        self.assertEqual(self.anchors[-1]["seq"], self.rows[-1]["seq"])
        self.assertEqual(self.anchors[-1]["head"], self.rows[-1]["hash"])
        by_seq = {r["seq"]: r["hash"] for r in self.rows}
        for a in self.anchors:
            self.assertEqual(a["head"], by_seq[a["seq"]], a)
            self.assertEqual(a["key"], self.team_key.upper(), a)
        self.assertRegex(self.log, r"anchored the audit chain at seq \d+")
        dst = self.copy()
        cp = self.verify_anchored(dst)
        self.assertEqual(cp.returncode, 0, cp.out)
        # verifying needs no gpg-agent, and leaves none behind in the daemon's home
        self.assertEqual([f for f in os.listdir(os.path.join(dst, "gnupg")) if f.startswith("S.")], [])
        m = ANCHORED_INTACT_RE.search(cp.out)
        self.assertTrue(m, cp.out)
        self.assertEqual((int(m.group(1)), m.group(2), int(m.group(3))),
                         (len(self.rows), self.rows[-1]["hash"], len(self.anchors)))

    def test_01_recipe_matches_the_daemon(self):
        # every stored hash recomputed with the Python recipe
        prev = "0" * 64
        for r in self.rows:
            self.assertEqual(r["prev_hash"], prev, r)
            self.assertEqual(audit_row_hash(prev, r["seq"], r["at"], r["event"], r["spool_id"],
                                            r["actor"], r["detail"]), r["hash"], r)
            prev = r["hash"]

    def test_02_rewritten_and_rechained_before_the_first_anchor(self):
        k = self.rows[1]["seq"]
        self.check_rewrite(k)

    def test_03_rewritten_and_rechained_between_anchors(self):
        k = self.anchors[0]["seq"] + 1
        self.assertLessEqual(k, self.anchors[-1]["seq"])
        self.check_rewrite(k)

    def check_rewrite(self, k):
        dst, new = self.tamper(lambda c: rewrite_and_rechain(c, k))
        # the forgery is good enough for the chain alone: the recipe is the real one
        cp = h.audit_verify(dst)
        self.assertEqual(cp.returncode, 0, f"recomputed chain does not verify (wrong recipe?):\n{cp.out}")
        m = h.INTACT_RE.search(cp.out)
        self.assertTrue(m, cp.out)
        self.assertEqual(m.group(2), new[max(new)])
        self.assertNotEqual(m.group(2), self.rows[-1]["hash"])
        # ... but not for the anchors
        cp = self.verify_anchored(dst)
        self.assertEqual(cp.returncode, 1, f"rewrite not caught by the anchors:\n{cp.out}")
        m = REWRITTEN_RE.search(cp.out)
        self.assertTrue(m, cp.out)
        K, anchor = self.anchor_at_or_after(k)
        S = anchor["seq"]
        self.assertEqual(m.groups(), (str(K), str(S), anchor["signed_at"], str(S), new[S], anchor["head"]))

    def test_04_rows_cut_from_the_end(self):
        last = self.anchors[-1]
        keep = self.rows[-3]["seq"]

        def cut(c):
            c.execute("DELETE FROM audit WHERE seq > ?", (keep,))
            c.execute("UPDATE audit_head SET seq = ?, hash = (SELECT hash FROM audit WHERE seq = ?)"
                      " WHERE id = 1", (keep, keep))
        dst, _ = self.tamper(cut)
        self.assertEqual(h.audit_verify(dst).returncode, 0)  # the chain alone is content
        cp = self.verify_anchored(dst)
        self.assertEqual(cp.returncode, 1, cp.out)
        m = CUT_RE.search(cp.out)
        self.assertTrue(m, cp.out)
        K = next(k for k, a in enumerate(self.anchors, 1) if a["seq"] > keep)
        a = self.anchors[K - 1]
        self.assertEqual(m.groups(), (str(K), str(a["seq"]), a["signed_at"], str(keep), str(K), str(a["seq"])))
        self.assertLessEqual(a["seq"], last["seq"])

    def test_05_anchor_file_edited(self):
        dst = self.copy()
        path = os.path.join(dst, "audit-anchors.asc")
        with open(path) as f:
            text = f.read()
        first = self.anchors[0]
        with self.subTest("head of anchor 1 changed"):
            forged = os.path.join(dst, "forged-head.asc")
            with open(forged, "w") as f:
                f.write(text.replace(f"head: {first['head']}", "head: " + "e" * 64, 1))
            cp = self.verify_anchored(dst, forged)
            self.assertEqual(cp.returncode, 1, cp.out)
            self.assertRegex(cp.out, r"(?m)^broken: anchor 1: bad signature \(")
        with self.subTest("an anchor cut short"):
            torn = os.path.join(dst, "torn.asc")
            with open(torn, "w") as f:
                f.write(text + text[:60])
            cp = self.verify_anchored(dst, torn)
            self.assertEqual(cp.returncode, 1, cp.out)
            self.assertRegex(cp.out, rf"(?m)^broken: anchor {len(self.anchors) + 1} \(line \d+\): incomplete")
        with self.subTest("no such file"):
            cp = self.verify_anchored(dst, os.path.join(dst, "missing.asc"))
            self.assertEqual(cp.returncode, 2, cp.out)

    def test_06_torn_tail_dropped_at_start(self):
        dst = self.copy()
        path = os.path.join(dst, "audit-anchors.asc")
        with open(path) as f:
            text = f.read()
        with open(path, "a") as f:
            f.write("csirtgw-audit-anchor: 1\nseq: 9")
        self.assertEqual(self.verify_anchored(dst).returncode, 1)
        d = h.Daemon(dst, extra_args=["--smarthost", ""]).start()
        try:
            rc = d.terminate()
            self.assertEqual(rc, 0, d.stderr_tail())
            with open(d.log_path, encoding="utf-8", errors="replace") as f:
                log = f.read()
        finally:
            d.cleanup()
        self.assertIn("dropped an incomplete last record", log)
        with open(path) as f:
            after = f.read()
        self.assertTrue(after.startswith(text), "records before the torn one are untouched")
        cp = self.verify_anchored(dst)
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertRegex(cp.out, ANCHORED_INTACT_RE)

    def test_07_daemon_started_on_a_rewritten_chain(self):
        # The daemon says so at start-up; the anchor it then signs for the
        # forged head hides nothing: the earlier anchors still disagree.
        k = self.anchors[0]["seq"]
        dst, new = self.tamper(lambda c: rewrite_and_rechain(c, k))
        d = h.Daemon(dst, extra_args=["--smarthost", ""]).start()
        try:
            rc = d.terminate()
            self.assertEqual(rc, 0, d.stderr_tail())
            with open(d.log_path, encoding="utf-8", errors="replace") as f:
                log = f.read()
        finally:
            d.cleanup()
        self.assertRegex(log, rf"error \[audit\] event {self.anchors[-1]['seq']} has hash "
                              rf"{new[self.anchors[-1]['seq']]} but the last anchor in \S+ names "
                              rf"{self.anchors[-1]['head']}: the chain was rewritten")
        anchors = anchors_in(os.path.join(dst, "audit-anchors.asc"))
        self.assertEqual(anchors[:len(self.anchors)], self.anchors)
        cp = self.verify_anchored(dst)
        self.assertEqual(cp.returncode, 1, cp.out)
        m = REWRITTEN_RE.search(cp.out)
        self.assertTrue(m, cp.out)
        self.assertEqual(m.group(1), "1")


if __name__ == "__main__":
    h.main()

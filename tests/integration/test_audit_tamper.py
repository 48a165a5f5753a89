#!/usr/bin/python3
"""`csirtgw audit verify` detects tampering with the hash-chained audit table.

A state dir with a few deliveries (received + filed + duplicate events) is made
once; each tampering is applied with python's sqlite3 to a fresh copy of it and
`audit verify --state-dir COPY` must exit 1 naming an event; the untouched copy
must verify (exit 0, `intact: N events, head <hash>` matching the table).
"""
import hashlib
import os
import shutil
import smtplib
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

COLUMNS = ("at", "event", "spool_id", "actor", "detail", "prev_hash", "hash")


class AuditTamper(unittest.TestCase):

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

    def copy(self):
        type(self).n += 1
        dst = os.path.join(self.work, f"copy{self.n:02d}")
        shutil.copytree(self.base, dst, symlinks=True)
        return dst

    def tamper(self, sql_fn):
        """Copy the state dir, run sql_fn(con) on the copy, return (dir, verify result)."""
        dst = self.copy()
        con = sqlite3.connect(os.path.join(dst, "csirtgw.db"))
        try:
            sql_fn(con)
            con.commit()
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()
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


if __name__ == "__main__":
    h.main()

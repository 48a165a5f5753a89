#!/usr/bin/python3
"""Trust signals (issue 16), end to end: what staff see about who sent a report.

One daemon; reporters' keys made with gpg and sq (openpgp_corpus.GpgKey/SqKey),
registered with `keys import FILE --email ADDR --org ORG`; every message goes
through the SMTP listener and is read back from the Maildir queues, the ticket
store (`ticket show`) and the audit log. Per class, gpg- and sq-made mail:

  verified      signed by a registered key -> X-Csirtgw-Sender-Verified: yes;
                address=<the bound From address>; org="<the registry's org>",
                and `ticket show` names them too
  two_sigs      one good signature and one bad (over other bytes) in one
                application/pgp-signature -> Signature: bad; claimed-issuer=<the
                bad one's issuer> (bad); Signer = the GOOD one's key; not verified
  replay        a good signature made 30 days ago (gpg --faked-system-time, sq
                sign --time) resent now with a new Date/Subject/Message-ID ->
                good, not verified, X-Csirtgw-Verification-Reason, audited; one
                made 2 days ago under a Date of now -> not verified (Date)
  protected     a signed part with its own Subject (RFC 9788 protected headers)
                that differs from the outer one -> X-Csirtgw-Header-Mismatch:
                Subject, still verified; a signed From that differs -> not verified
  merged        PGP/MIME signed+encrypted with inner From/To/Subject/Date/
                Message-ID/MIME-Version (outer Subject "...") -> the filed copy has
                each of them once, the signed ones as X-Csirtgw-Protected-*
  signed_only   `gpg --sign --armor` and `sq sign` (an inline PGP MESSAGE that is
                signed, not encrypted) -> verified, the literal text filed
  html          inline armor inside Outlook-style HTML (<div> per line, &#43;,
                &nbsp;, quoted-printable) -> decrypted; damaged -> failed,
                quarantined, "inline OpenPGP in HTML could not be recovered"

TeamKey (no daemon): a team key protected by a passphrase, expired, revoked,
sign-only and encrypt-only, each made with gpg, is refused by `keys import
--secret`, `check-config` and `serve` (exit non-zero, the reason and the key's
fingerprint and user id); a usable one passes all three.

Run:  CSIRTGW_BIN=build/csirtgw /usr/bin/python3 tests/integration/test_trust_signals.py
"""
import concurrent.futures
import email.utils
import json
import os
import quopri
import re
import smtplib
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import openpgp_corpus as pc  # noqa: E402

FILE_TIMEOUT = 60.0
DAY = 86400
SHOWN_ONCE = ("From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
              "Content-Transfer-Encoding", "Sender", "Reply-To")

REP, REP_ORG = "reporter@example.org", "Reporter Org"
SQ, SQ_ORG = "sq-reporter@example.net", "Sequoia Users"
OLD, OLD_ORG = "old@example.org", "Old Org"
SQOLD, SQOLD_ORG = "sq-old@example.net", "Old Sq Org"
ATT = "attacker@evil.example"


def now_date(offset=0):
    return email.utils.formatdate(time.time() + offset, usegmt=True)


def mail(token, frm, ct_body, subject=None, date=None, extra=()):
    """Outer headers (Date now unless given) + the entity."""
    ct, body = ct_body
    hdrs = [f"From: {frm}", f"To: {pc.INTAKE}", f"Subject: {subject or 'trust ' + token}",
            f"Message-ID: <{token}@it.csirtgw.test>", f"Date: {date or now_date()}", "MIME-Version: 1.0"]
    return pc.crlf("\r\n".join(hdrs + list(extra) + [ct]) + "\r\n\r\n") + body


def text_part(token, extra_headers=()):
    return pc.text_entity(pc.report_text(token, "not-secret"), extra_headers)


def outlook_html(armor):
    """Inline armor as Outlook sends it: a <div> per line, '+' as &#43;, empty lines as &nbsp;."""
    lines = []
    for line in pc.lf(armor).decode().split("\n"):
        line = line.replace("+", "&#43;")
        lines.append(f'<div><span style="font-family:Consolas">{line or "&nbsp;"}</span></div>')
    html = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
            "<style>div {margin:0}</style></head><body>\r\n" + "\r\n".join(lines) +
            "\r\n<div>&nbsp;</div></body></html>\r\n")
    qp = quopri.encodestring(html.encode()).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return ("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable", qp)


def damage(armor):
    """One base64 character changed in the middle of the armor (the checksum line kept)."""
    lines = pc.lf(armor).split(b"\n")
    data = [i for i, l in enumerate(lines) if len(l) == 64]
    i = data[len(data) // 2]
    line = bytearray(lines[i])
    line[10] = ord("B") if line[10] != ord("B") else ord("C")
    lines[i] = bytes(line)
    return b"\n".join(lines)


def two_signatures(part, good, bad_signer):
    """One application/pgp-signature with a good signature and one over other bytes (BAD)."""
    s1 = pc.dearmor(good.detach_sign(part))
    s2 = pc.dearmor(bad_signer.detach_sign(part + b"X"))
    return pc.pgp_signed(part, pc.armor(s1 + s2, "SIGNATURE"))


def first_word(value):
    return value.split(";")[0].strip() if value else value


def top_header_names(raw):
    """Field names of the filed copy's top header block, in order."""
    head = raw.split(b"\n\n", 1)[0].decode("utf-8", "replace")
    return [line.split(":", 1)[0] for line in head.split("\n") if line and line[0] not in " \t" and ":" in line]


class TrustSignals(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.work = h.mkdtemp("csirtgw-it-trust-")
        cls.state = os.path.join(cls.work, "state")
        keydir = os.path.join(cls.work, "keys")
        os.makedirs(keydir)
        then = int(time.time()) - 60 * DAY
        specs = {
            "rep": lambda: pc.GpgKey(keydir, "rep", f"Reporter <{REP}>", "future-default", "default"),
            "att": lambda: pc.GpgKey(keydir, "att", f"Attacker <{ATT}>", "future-default", "default"),
            # made 60 days ago, so that it can sign as of a month ago
            "old": lambda: pc.GpgKey(keydir, "old", f"Old <{OLD}>", "future-default", "default",
                                     faked_time=then),
            "sq": lambda: pc.SqKey(keydir, "sq", f"<{SQ}>"),
            "sqold": lambda: pc.SqKey(keydir, "sqold", f"<{SQOLD}>", created=then),
        }
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(specs)) as ex:
            futures = {n: ex.submit(f) for n, f in specs.items()}
            cls.daemon = h.Daemon(cls.state).start()
            cls.keys = {n: f.result() for n, f in futures.items()}
        cls.keys["old"].faked_time = None       # each signature below names its own time
        team_pub = h.run_cli("keys", "export-team", "--state-dir", cls.state).stdout
        cls.imports = {}
        for name, address, org in (("rep", REP, REP_ORG), ("sq", SQ, SQ_ORG), ("old", OLD, OLD_ORG),
                                   ("sqold", SQOLD, SQOLD_ORG), ("att", ATT, "Evil Inc")):
            k = cls.keys[name]
            k.import_team(team_pub)
            f = os.path.join(keydir, f"{name}.asc")
            with open(f, "wb") as fh:
                fh.write(k.export_public())
            cls.imports[name] = h.run_cli("keys", "import", f, "--email", address, "--org", org,
                                          "--state-dir", cls.state)
        cls.cases = {}
        cls._build()
        with smtplib.SMTP("127.0.0.1", cls.daemon.smtp_port, timeout=60) as s:
            for name, (token, raw, env_from) in cls.cases.items():
                s.sendmail(env_from, [pc.INTAKE], raw)
        cls.copies = cls._wait_filed()

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "daemon", None) is not None:
            cls.daemon.cleanup()
        for k in getattr(cls, "keys", {}).values():
            k.kill_agent()

    # ------------------------------------------------------------ the mail
    @classmethod
    def add(cls, name, token, raw, env_from):
        cls.cases[name] = (token, raw, env_from)

    @classmethod
    def _build(cls):
        rep, att, old, sq, sqold = (cls.keys[n] for n in ("rep", "att", "old", "sq", "sqold"))
        for variant, k, frm in (("gpg", rep, f"Reporter <{REP}>"), ("sq", sq, f"<{SQ}>")):
            t = h.unique_token(f"verified-{variant}")
            part = text_part(t)
            cls.add(f"verified_{variant}", t, mail(t, frm, pc.pgp_signed(part, k.detach_sign(part))), k.email)

            # one good signature and one bad one (the attacker's, over other bytes)
            t = h.unique_token(f"twosigs-{variant}")
            part = text_part(t)
            cls.add(f"two_sigs_{variant}", t, mail(t, frm, two_signatures(part, k, att)), k.email)

            # protected headers (Thunderbird: protected-headers="v1" on the signed part)
            for what, inner_from, inner_subject in (("subject", frm, "the signed subject"),
                                                    ("from", f"Attacker <{ATT}>", None)):
                t = h.unique_token(f"prot{what}-{variant}")
                date = now_date()
                subject = inner_subject or f"trust {t}"
                part = pc.entity(['Content-Type: text/plain; charset=us-ascii; protected-headers="v1"',
                                  f"From: {inner_from}", f"To: {pc.INTAKE}", f"Subject: {subject}",
                                  f"Date: {date}", f"Message-ID: <{t}@it.csirtgw.test>",
                                  "Content-Transfer-Encoding: 7bit"], pc.report_text(t, "not-secret"))
                cls.add(f"protected_{what}_{variant}", t,
                        mail(t, frm, pc.pgp_signed(part, k.detach_sign(part)), date=date), k.email)

            # signed+encrypted, the real headers inside, the outer Subject obscured
            t = h.unique_token(f"merged-{variant}")
            secret = f"SECRET-{t}"
            # One Date inside and out: two clock readings around a slow
            # encryption can fall in different seconds (a mismatch).
            merged_date = now_date()
            inner = pc.entity(['Content-Type: text/plain; charset=us-ascii; protected-headers="v1"',
                               f"From: {frm}", f"To: {pc.INTAKE}", f"Subject: the real subject {t}",
                               f"Date: {merged_date}", f"Message-ID: <{t}@it.csirtgw.test>", "MIME-Version: 1.0",
                               "Content-Transfer-Encoding: 7bit"], pc.report_text(t, secret))
            cls.add(f"merged_{variant}", t, mail(t, frm, pc.pgp_encrypted(k.encrypt(inner, sign=True)), subject="...",
                                                 date=merged_date), k.email)

            # signed, not encrypted: an inline PGP MESSAGE
            t = h.unique_token(f"signedonly-{variant}")
            text = pc.crlf(pc.report_text(t, "signed-only-text"))
            armored = (rep.gpg("--local-user", rep.fpr, "--armor", "--sign", data=text).stdout if k is rep
                       else pc.run([pc.SQ, "sign", "--signer-key", k.keyfile], data=text).stdout)
            assert b"-----BEGIN PGP MESSAGE-----" in armored
            cls.add(f"signed_only_{variant}", t, mail(t, frm, pc.text_ct_body(armored)), k.email)

            # inline armor in Outlook HTML
            for what in ("ok", "damaged"):
                t = h.unique_token(f"html{what}-{variant}")
                ct = k.encrypt(pc.crlf(pc.report_text(t, f"HTML-SECRET-{t}")))
                cls.add(f"html_{what}_{variant}", t,
                        mail(t, frm, outlook_html(ct if what == "ok" else damage(ct))), k.email)

        # replays: gpg --faked-system-time, sq sign --time
        def gpg_signed_at(part, seconds_ago):
            when = str(int(time.time()) - seconds_ago)
            return old.gpg("--faked-system-time", when, "--ignore-time-conflict", "--local-user", old.fpr,
                           "--armor", "--detach-sign", data=part).stdout

        def sq_signed_at(part, seconds_ago):
            when = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() - seconds_ago))
            return pc.run([pc.SQ, "sign", "--detached", "--time", when, "--signer-key", sqold.keyfile],
                          data=part).stdout

        for variant, signed_at, frm, address in (("gpg", gpg_signed_at, f"Old <{OLD}>", OLD),
                                                 ("sq", sq_signed_at, f"<{SQOLD}>", SQOLD)):
            for what, age in (("month", 30 * DAY), ("days", 2 * DAY)):
                t = h.unique_token(f"replay{what}-{variant}")
                part = text_part(t)
                cls.add(f"replay_{what}_{variant}", t, mail(t, frm, pc.pgp_signed(part, signed_at(part, age))), address)

    @classmethod
    def _wait_filed(cls):
        want = {f"<{t}@it.csirtgw.test>": name for name, (t, _, _) in cls.cases.items()}
        deadline = time.monotonic() + FILE_TIMEOUT
        found = {}
        while time.monotonic() < deadline:
            found = {}
            for q in h.queue_names(cls.state):
                for m in h.maildir_messages(cls.state, q):
                    if m.message_id in want:
                        m.queue = q
                        found.setdefault(want[m.message_id], []).append(m)
            if len(found) == len(want):
                break
            time.sleep(0.3)
        h.wait_spool_drained(cls.state, timeout=30)
        return found

    # ------------------------------------------------------------ helpers
    def filed(self, name):
        copies = self.copies.get(name, [])
        self.assertEqual(len(copies), 1, f"{name}: filed {len(copies)} times")
        return copies[0]

    def one(self, fm, name):
        values = [re.sub(r"\s+", " ", v).strip() for v in fm.headers(name)]
        self.assertLessEqual(len(values), 1, f"{name} more than once: {values}")
        return values[0] if values else None

    def ticket_show(self, fm):
        ticket = self.one(fm, "X-Csirtgw-Ticket")
        self.assertIsNotNone(ticket, "no ticket")
        number = ticket.rsplit("#", 1)[1].rstrip("]")
        as_json = h.run_cli("ticket", "show", number, "--json", "--state-dir", self.state)
        as_text = h.run_cli("ticket", "show", number, "--state-dir", self.state)
        self.assertEqual(as_json.returncode, 0, as_json.out)
        self.assertEqual(as_text.returncode, 0, as_text.out)
        return json.loads(as_json.stdout), as_text.stdout.decode()

    # ------------------------------------------------------------ the tests
    def test_0_keys_imported(self):
        self.assertEqual({n: cp.returncode for n, cp in self.imports.items()},
                         {n: 0 for n in self.imports}, {n: cp.out for n, cp in self.imports.items()})

    def test_verified_names_address_and_org(self):
        for variant, address, org, k in (("gpg", REP, REP_ORG, self.keys["rep"]), ("sq", SQ, SQ_ORG, self.keys["sq"])):
            with self.subTest(variant):
                fm = self.filed(f"verified_{variant}")
                self.assertEqual(self.one(fm, "X-Csirtgw-Signature"), "good")
                self.assertEqual(self.one(fm, "X-Csirtgw-Signer"), k.fpr)
                self.assertEqual(self.one(fm, "X-Csirtgw-Sender-Verified"), f'yes; address={address}; org="{org}"')
                self.assertIsNone(self.one(fm, "X-Csirtgw-Verification-Reason"))
                shown, text = self.ticket_show(fm)
                self.assertEqual((shown["verified_address"], shown["verified_org"]), (address, org))
                self.assertEqual((shown["messages"][0]["verified_address"], shown["messages"][0]["verified_org"]),
                                 (address, org))
                self.assertIn(f"verified:     {address} ({org})", text)
                self.assertIn(f"verified={address} ({org})", text)

    def test_two_signatures_signer_is_the_good_one(self):
        att = self.keys["att"]
        for variant, k in (("gpg", self.keys["rep"]), ("sq", self.keys["sq"])):
            with self.subTest(variant):
                fm = self.filed(f"two_sigs_{variant}")
                sig = self.one(fm, "X-Csirtgw-Signature")
                self.assertEqual(first_word(sig), "bad")
                # the bad signature's issuer: claimed only (the attacker's key signs with its primary)
                self.assertIn(f"; claimed-issuer={att.fpr} (bad)", sig)
                self.assertEqual(self.one(fm, "X-Csirtgw-Signer"), k.fpr)
                self.assertEqual(self.one(fm, "X-Csirtgw-Sender-Verified"), "no")
                self.assertEqual(fm.queue, "quarantine")  # the default policy's route for bad signatures
                shown, text = self.ticket_show(fm) if self.one(fm, "X-Csirtgw-Ticket") else ({}, "")
                if shown:
                    self.assertEqual(shown["verified_address"], "")
                    self.assertIn("verified:     no", text)

    def test_replayed_signature_is_not_verified(self):
        for variant, signer in (("gpg", self.keys["old"].fpr), ("sq", self.keys["sqold"].fpr)):
            with self.subTest(f"{variant}: signed a month ago"):
                fm = self.filed(f"replay_month_{variant}")
                self.assertEqual(self.one(fm, "X-Csirtgw-Signature"), "good")
                self.assertEqual(self.one(fm, "X-Csirtgw-Signer"), signer)
                self.assertEqual(self.one(fm, "X-Csirtgw-Sender-Verified"), "no")
                reason = self.one(fm, "X-Csirtgw-Verification-Reason") or ""
                self.assertRegex(reason, r"^the signature was made \S+Z, (29|30) days before the message arrived "
                                         r"\(more than openpgp.signature_max_age, 7 days\)")
                events = h.audit_rows(self.state, "WHERE spool_id = ? AND event = 'openpgp'", (fm.spool_id,))
                self.assertEqual(len(events), 1)
                detail = json.loads(events[0]["detail"])
                self.assertFalse(detail["sender_verified"])
                self.assertIn("openpgp.signature_max_age", detail["verification_reason"])
            with self.subTest(f"{variant}: signed 2 days ago, Date now"):
                fm = self.filed(f"replay_days_{variant}")
                self.assertEqual(self.one(fm, "X-Csirtgw-Signature"), "good")
                self.assertEqual(self.one(fm, "X-Csirtgw-Sender-Verified"), "no")
                self.assertRegex(self.one(fm, "X-Csirtgw-Verification-Reason") or "",
                                 r"^the message's Date \(\S+\) is (2 days|4[78] hours) after the signature was made")

    def test_protected_headers_compared(self):
        for variant in ("gpg", "sq"):
            with self.subTest(f"{variant}: the signed Subject differs"):
                fm = self.filed(f"protected_subject_{variant}")
                self.assertEqual(self.one(fm, "X-Csirtgw-Header-Mismatch"), "Subject")
                self.assertEqual(self.one(fm, "X-Csirtgw-Protected-Headers"), "authenticated")
                self.assertEqual(self.one(fm, "X-Csirtgw-Protected-Subject"), "the signed subject")
                self.assertEqual(first_word(self.one(fm, "X-Csirtgw-Sender-Verified")), "yes")
            with self.subTest(f"{variant}: the signed From differs"):
                fm = self.filed(f"protected_from_{variant}")
                self.assertEqual(self.one(fm, "X-Csirtgw-Header-Mismatch"), "From")
                self.assertEqual(self.one(fm, "X-Csirtgw-Sender-Verified"), "no")
                self.assertEqual(self.one(fm, "X-Csirtgw-Verification-Reason"),
                                 "the signed From differs from the outer From")
                self.assertEqual(self.one(fm, "X-Csirtgw-Protected-From"), f"Attacker <{ATT}>")

    def test_merged_copy_has_one_of_each_field(self):
        for variant in ("gpg", "sq"):
            with self.subTest(variant):
                fm = self.filed(f"merged_{variant}")
                token = self.cases[f"merged_{variant}"][0]
                self.assertEqual(self.one(fm, "X-Csirtgw-Encryption"), "decrypted")
                names = [n.lower() for n in top_header_names(fm.raw)]
                twice = [n for n in SHOWN_ONCE if names.count(n.lower()) > 1]
                self.assertEqual(twice, [], f"fields twice in the filed copy: {names}")
                # the outer one, as delivered, after the ticket's tag (filed copies carry it)
                self.assertRegex(fm.subject, r"^\[XYZ-CERT #\d+\] \.\.\.$")
                self.assertEqual(self.one(fm, "X-Csirtgw-Protected-Subject"), f"the real subject {token}")
                self.assertEqual(self.one(fm, "X-Csirtgw-Protected-Headers"), "authenticated")
                self.assertIsNone(self.one(fm, "X-Csirtgw-Header-Mismatch"))  # "..." is the obscured Subject
                self.assertEqual(self.one(fm, "X-Csirtgw-Sender-Verified").split(";")[0], "yes")
                self.assertIn(f"SECRET-{token}".encode(), fm.raw)
                self.assertEqual(fm.msg.get_content_type(), "text/plain")

    def test_signed_only_inline_is_verified_and_filed_as_text(self):
        for variant, k in (("gpg", self.keys["rep"]), ("sq", self.keys["sq"])):
            with self.subTest(variant):
                fm = self.filed(f"signed_only_{variant}")
                self.assertNotEqual(fm.queue, "quarantine")
                self.assertEqual(self.one(fm, "X-Csirtgw-Encryption"), "none")
                self.assertEqual(self.one(fm, "X-Csirtgw-Signature"), "good")
                self.assertEqual(self.one(fm, "X-Csirtgw-Signer"), k.fpr)
                self.assertEqual(first_word(self.one(fm, "X-Csirtgw-Sender-Verified")), "yes")
                self.assertIsNone(self.one(fm, "X-Csirtgw-Crypto-Reason"))
                self.assertIn(b"signed-only-text", fm.raw)
                self.assertNotIn(b"BEGIN PGP MESSAGE", fm.raw)

    def test_inline_pgp_in_html(self):
        for variant in ("gpg", "sq"):
            with self.subTest(f"{variant}: recovered"):
                fm = self.filed(f"html_ok_{variant}")
                token = self.cases[f"html_ok_{variant}"][0]
                self.assertEqual(self.one(fm, "X-Csirtgw-Encryption"), "decrypted")
                self.assertNotEqual(fm.queue, "quarantine")
                self.assertIn(f"HTML-SECRET-{token}".encode(), fm.raw)
                self.assertEqual(fm.msg.get_content_type(), "text/plain")
            with self.subTest(f"{variant}: damaged"):
                fm = self.filed(f"html_damaged_{variant}")
                token = self.cases[f"html_damaged_{variant}"][0]
                self.assertEqual(self.one(fm, "X-Csirtgw-Encryption"), "failed")
                self.assertEqual(fm.queue, "quarantine")
                self.assertTrue((self.one(fm, "X-Csirtgw-Crypto-Reason") or "").startswith(
                    "inline OpenPGP in HTML could not be recovered"), self.one(fm, "X-Csirtgw-Crypto-Reason"))
                self.assertNotIn(f"HTML-SECRET-{token}".encode(), fm.raw)

    def test_z_audit_verifies(self):
        cp = h.audit_verify(self.state)
        self.assertEqual(cp.returncode, 0, cp.out)


# --------------------------------------------------------------------------
# the team key, before any mail
# --------------------------------------------------------------------------
def gpg(home, *args, passphrase="", faked=None, data=None):
    argv = ["gpg", "--homedir", home, "--batch", "--no-tty", "--quiet", "--pinentry-mode", "loopback",
            "--passphrase", passphrase, "--no-permission-warning"]
    if faked:
        argv += ["--faked-system-time", str(faked), "--ignore-time-conflict"]
    return pc.run(argv + list(args), data=data)


def make_team_key(parent, kind):
    """(home, fingerprint, user id, secret key file) of a key of `kind`."""
    home = pc.new_homedir(parent, f"team-{kind}")
    uid = f"Team {kind} <{kind}@team.example>"
    passphrase = "secret" if kind == "passphrase" else ""
    if kind == "expired":
        gpg(home, "--quick-gen-key", uid, "future-default", "default", "1d", faked=int(time.time()) - 30 * DAY)
    elif kind == "sign-only":
        gpg(home, "--quick-gen-key", uid, "ed25519", "sign", "never")
    elif kind == "encrypt-only":
        gpg(home, "--quick-gen-key", uid, "ed25519", "cert", "never")
    else:
        gpg(home, "--quick-gen-key", uid, "future-default", "default", "never", passphrase=passphrase)
    cols = gpg(home, "--with-colons", "--list-keys").stdout.decode()
    fpr = re.search(r"(?m)^fpr:+([0-9A-F]{40}):", cols).group(1)
    if kind == "encrypt-only":
        gpg(home, "--quick-add-key", fpr, "cv25519", "encr", "never")
    if kind == "revoked":
        with open(os.path.join(home, "openpgp-revocs.d", fpr + ".rev"), "rb") as f:
            gpg(home, "--import", data=f.read().replace(b":-----BEGIN", b"-----BEGIN"))
    secret = gpg(home, "--armor", "--export-secret-keys", fpr, passphrase=passphrase).stdout
    path = os.path.join(parent, f"team-{kind}.asc")
    with open(path, "wb") as f:
        f.write(secret)
    return home, fpr, uid, path, passphrase


class TeamKey(unittest.TestCase):
    """Each kind of unusable team key is refused before mail arrives."""

    REASONS = {
        "passphrase": "is protected by a passphrase",
        "expired": "expired on ",
        "revoked": "is revoked",
        "sign-only": "has no usable encryption (sub)key",
        "encrypt-only": "has no usable signing (sub)key",
    }

    @classmethod
    def setUpClass(cls):
        cls.work = h.mkdtemp("csirtgw-it-teamkey-")
        kinds = list(cls.REASONS) + ["usable"]
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(kinds)) as ex:
            cls.keys = dict(zip(kinds, ex.map(lambda k: make_team_key(cls.work, k), kinds)))

    def state_with(self, kind):
        """A state directory whose GnuPG home holds the key (as if put there by hand), and its config."""
        home, fpr, uid, path, passphrase = self.keys[kind]
        state = os.path.join(self.work, f"state-{kind}")
        gnupg = os.path.join(state, "gnupg")
        os.makedirs(gnupg, mode=0o700)
        pc._homedirs.append(gnupg)
        with open(path, "rb") as f:
            gpg(gnupg, "--import", data=f.read(), passphrase=passphrase)
        config = os.path.join(self.work, f"{kind}.toml")
        with open(config, "w") as f:
            f.write(f'[team]\nkey = "{fpr}"\n[paths]\nstate_dir = "{state}"\n')
        return state, config

    def serve(self, config):
        cp = subprocess.run([h.csirtgw_bin(), "serve", "--config", config, "--lmtp", "", "--smtp", "127.0.0.1:0"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        return cp.returncode, cp.stdout.decode(), cp.stderr.decode("utf-8", "replace")

    def test_unusable_keys_are_refused(self):
        for kind, reason in self.REASONS.items():
            home, fpr, uid, path, _ = self.keys[kind]
            named = f'team key {fpr} "{uid}": '
            with self.subTest(f"{kind}: keys import --secret"):
                state = os.path.join(self.work, f"import-{kind}")
                os.makedirs(state)
                cp = h.run_cli("keys", "import", "--secret", path, "--state-dir", state)
                pc._homedirs.append(os.path.join(state, "gnupg"))
                self.assertNotEqual(cp.returncode, 0, cp.out)
                self.assertIn(named, cp.out)
                self.assertIn(reason, cp.out)
                self.assertIn("nothing imported", cp.out)
                self.assertEqual(os.listdir(os.path.join(state, "gnupg", "private-keys-v1.d"))
                                 if os.path.isdir(os.path.join(state, "gnupg", "private-keys-v1.d")) else [], [])
            state, config = self.state_with(kind)
            with self.subTest(f"{kind}: check-config"):
                cp = h.run_cli("check-config", config)
                self.assertEqual(cp.returncode, 1, cp.out)
                self.assertIn(f"{config}: team.key: {named}", cp.out)
                self.assertIn(reason, cp.out)
                self.assertNotIn("config ok", cp.out)
            with self.subTest(f"{kind}: serve"):
                rc, out, err = self.serve(config)
                self.assertNotEqual(rc, 0, err)
                self.assertNotIn("ready", out)
                self.assertIn(named, err)
                self.assertIn(reason, err)

    def test_usable_key_passes(self):
        home, fpr, uid, path, _ = self.keys["usable"]
        state = os.path.join(self.work, "import-usable")
        os.makedirs(state)
        cp = h.run_cli("keys", "import", "--secret", path, "--state-dir", state)
        pc._homedirs.append(os.path.join(state, "gnupg"))
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertIn(f"imported secret key {fpr}: signs and decrypts", cp.out)
        config = os.path.join(self.work, "usable.toml")
        with open(config, "w") as f:
            f.write(f'[team]\nkey = "{fpr}"\n[paths]\nstate_dir = "{state}"\n')
        cp = h.run_cli("check-config", config)
        self.assertEqual(cp.returncode, 0, cp.out)
        self.assertIn(f"team key {fpr} signs and decrypts", cp.out)
        self.assertIn("config ok", cp.out)
        d = h.Daemon(state, extra_args=["--config", config]).start()
        try:
            self.assertEqual(d.team_key.upper(), fpr)
        finally:
            self.assertEqual(d.terminate(), 0)
            d.cleanup()


if __name__ == "__main__":
    h.main()

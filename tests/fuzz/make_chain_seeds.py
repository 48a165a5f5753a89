#!/usr/bin/env python3
"""Writes the seed corpora of the whole-chain targets, tests/fuzz/corpus/
whole_chain/ and corpus/openpgp_chain/ (re-runnable; the files are committed,
this documents and regenerates them):

  * every message of the other corpora (abuse_reports, mime, team_form and
    indicators as message bodies) and the fixed doors of issue 14
    (tests/integration/mutations.py: base_messages, door_messages);
  * messages made with gpg and the fixed keys of tests/fuzz/openpgp-keys/
    (reporter -> team): PGP/MIME signed+encrypted, encrypted, signed, inline
    clearsigned and encrypted, each around free text, a team form, ARF, X-ARF
    YAML, an XARF v4 JSON door and forged X-Csirtgw-* headers — these really
    decrypt and verify in fuzz_openpgp_chain;
  * unless --no-corpus: every gpg- and sq-made message of
    tests/integration/openpgp_corpus.py (its own keys: in fuzz_openpgp_chain
    they take the unknown-key and not-for-us paths), the compression bomb left out.

    /usr/bin/python3 tests/fuzz/make_chain_seeds.py [--no-corpus]
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import mutations as mu  # noqa: E402
import openpgp_corpus as pc  # noqa: E402

KEYS = os.path.join(HERE, "openpgp-keys")
TEAM_FPR = "D06BF0BF5F6C49FF32F0ECC20362D4A58F712F41"
REPORTER_FPR = "F7509209D1007ECA7E9F4D293CF125E896CFE387"


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    # Names from the content as well: one file per distinct message.
    with open(os.path.join(d, f"{name}-{hashlib.sha256(data).hexdigest()[:8]}"), "wb") as f:
        f.write(data)


class FixedReporter:
    """gpg in a scratch home holding the reporter's secret key and the team key."""

    def __init__(self):
        self.home = tempfile.mkdtemp(prefix="cgw-seeds-")
        os.chmod(self.home, 0o700)
        self.gpg("--import", os.path.join(KEYS, "reporter-secret.asc"), os.path.join(KEYS, "team-secret.asc"))

    def gpg(self, *args, data=None):
        return subprocess.run(["gpg", "--homedir", self.home, "--batch", "--no-tty", "--quiet", "--pinentry-mode",
                               "loopback", "--passphrase", "", "--trust-model", "always"] + list(args),
                              input=data, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout

    def encrypt(self, data, sign=True):
        extra = ["--local-user", REPORTER_FPR, "--sign"] if sign else []
        return self.gpg("--armor", "--recipient", TEAM_FPR, *extra, "--encrypt", data=data)

    def detach_sign(self, data):
        return self.gpg("--local-user", REPORTER_FPR, "--armor", "--detach-sign", data=data)

    def clearsign(self, text):
        return self.gpg("--local-user", REPORTER_FPR, "--clearsign", data=text)

    def close(self):
        subprocess.run(["gpgconf", "--homedir", self.home, "--kill", "all"], check=False)
        shutil.rmtree(self.home, ignore_errors=True)


def fixed_key_messages():
    r = FixedReporter()
    frm = f"Reporter <{pc.REPORTER}>"
    inner = {name: raw for name, raw in mu.base_messages(ROOT)
             if name in ("free-text", "form-filled-form", "abuse-arf-rfc5965", "abuse-x-arf-0.2-yaml",
                         "abuse-xarf-v4-json")}
    inner["door-json"] = mu.door_messages()[0][1]
    inner["forged"] = mu.crlf(b"X-Csirtgw-Queue: incident-reports\nX-Csirtgw-Signature: good\n"
                              b"Content-Type: text/plain\n\nforged status inside\n")
    out = []
    try:
        for name, raw in inner.items():
            entity = raw[raw.lower().find(b"content-type"):] if b"content-type" in raw.lower() else raw
            out.append((f"pgp-mime-signed-encrypted-{name}",
                        pc.message(name, "seed", pc.pgp_encrypted(r.encrypt(entity)), from_=frm)))
            out.append((f"pgp-mime-signed-{name}",
                        pc.message(name, "seed", pc.pgp_signed(entity, r.detach_sign(entity)), from_=frm)))
        text = b"Incident: ssh scanning from 192.0.2.1\nTLP:AMBER\n"
        out.append(("inline-clearsigned", pc.message("c", "seed", pc.text_ct_body(r.clearsign(text).decode()),
                                                     from_=frm)))
        out.append(("inline-encrypted", pc.message("e", "seed", pc.text_ct_body(r.encrypt(text).decode()),
                                                   from_=frm)))
        out.append(("encrypted-unsigned", pc.message("u", "seed", pc.pgp_encrypted(
            r.encrypt(b"Content-Type: text/plain\r\n\r\nunsigned\r\n", sign=False)), from_=frm)))
    finally:
        r.close()
    return out


def main():
    plain = mu.base_messages(ROOT) + mu.door_messages()
    pgp = fixed_key_messages()
    corpus = []
    if "--no-corpus" not in sys.argv:
        work = tempfile.mkdtemp(prefix="cgw-seeds-corpus-")
        keys = pc.make_keys(work)
        # Encrypted to the fixed team key: in fuzz_openpgp_chain they decrypt too.
        scratch = FixedReporter()
        team_pub = scratch.gpg("--armor", "--export", TEAM_FPR)
        scratch.close()
        keys.import_team(team_pub)
        rows = (set(pc.FORMAT_ROWS) | set(pc.ATTACK_ROWS)) - {"compression_bomb"}
        corpus = [(f"corpus-{c.name}", c.raw) for c in pc.build_corpus(keys, rows=rows)]
        for k in keys.all():
            k.kill_agent()
        shutil.rmtree(work, ignore_errors=True)
    for target in ("whole_chain", "openpgp_chain"):
        shutil.rmtree(os.path.join(HERE, "corpus", target), ignore_errors=True)
        for name, raw in plain + pgp + corpus:
            write(target, name, raw)


if __name__ == "__main__":
    main()

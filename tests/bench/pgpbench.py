#!/usr/bin/python3
"""OpenPGP helpers for tests/bench/bench_crypto.sh (Python 3 stdlib + gpg).

Subcommands
  genkey HOMEDIR ALGO UID [--encr-subkey] [--export-secret F] [--export-public F]
        make a passphrase-less key in HOMEDIR (ALGO: rsa3072 | ed25519); with
        --encr-subkey add an encryption subkey (rsa3072 resp. cv25519).
        Prints the primary fingerprint.
  messages HOMEDIR SIGNER_FPR TEAM_FPR OUTDIR [--count K] [--size B] [--jobs J]
        write K PGP/MIME (RFC 3156) messages OUTDIR/msg/NNNNN.eml and their
        ciphertexts OUTDIR/ct/NNNNN.asc: the inner entity is a text/plain
        report of B octets (headers included), signed by SIGNER_FPR and
        encrypted to TEAM_FPR in one OpenPGP message (gpg --sign --encrypt,
        default compression), each with its own Message-ID.
  check-filed STATE_DIR EXPECTED
        read the outcome headers of every filed message (queues/*/{new,cur})
        and print key=value counts; exit 0 only if EXPECTED messages are in
        the incoming queue with Encryption: decrypted, Signature: good and
        Sender-Verified: yes, and nothing is in quarantine.
  agent-pid HOMEDIR
        print the pid of the gpg-agent serving HOMEDIR (or nothing)
"""

import argparse
import concurrent.futures
import os
import random
import subprocess
import sys
import time

GPG = os.environ.get("GPG", "gpg")
REPORTER = "reporter@reporter.example"
RCPT = "cert@csirt.example"


def gpg(homedir, *args, data=None, check=True):
    argv = [GPG, "--homedir", homedir, "--batch", "--no-tty", "--quiet",
            "--pinentry-mode", "loopback", "--passphrase", "", *args]
    p = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {p.returncode}: {p.stderr.decode(errors='replace')[-500:]}")
    return p


def primary_fpr(homedir, secret=True):
    out = gpg(homedir, "--with-colons", "--list-secret-keys" if secret else "--list-keys").stdout.decode()
    fprs, want = [], False
    for ln in out.splitlines():
        f = ln.split(":")
        if f[0] in ("sec", "pub"):
            want = True
        elif f[0] == "fpr" and want:
            fprs.append(f[9])
            want = False
        elif f[0] in ("ssb", "sub"):
            want = False
    return fprs


def cmd_genkey(a):
    os.makedirs(a.homedir, mode=0o700, exist_ok=True)
    os.chmod(a.homedir, 0o700)
    before = set(primary_fpr(a.homedir))
    gpg(a.homedir, "--quick-gen-key", a.uid, a.algo, "sign,cert", "never")
    new = [f for f in primary_fpr(a.homedir) if f not in before]
    if len(new) != 1:
        raise RuntimeError(f"expected one new key, found {new}")
    fpr = new[0]
    if a.encr_subkey:
        sub = "cv25519" if a.algo == "ed25519" else a.algo
        gpg(a.homedir, "--quick-add-key", fpr, sub, "encr", "never")
    if a.export_public:
        with open(a.export_public, "wb") as f:
            f.write(gpg(a.homedir, "--armor", "--export", fpr).stdout)
    if a.export_secret:
        with open(a.export_secret, "wb") as f:
            f.write(gpg(a.homedir, "--armor", "--export-secret-keys", fpr).stdout)
    print(fpr)
    return 0


def report_text(rng, n, size, header_len):
    """Incident-report-like lines (timestamps, addresses, hashes): compresses
    roughly like real log excerpts, unlike a run of 'X's."""
    out, total = [], header_len
    i = 0
    while total < size:
        i += 1
        ln = (f"{1714557600 + n * 1000 + i} 203.0.{rng.randrange(256)}.{rng.randrange(256)}:"
              f"{rng.randrange(1024, 65536)} -> 198.51.100.{rng.randrange(256)}:443 "
              f"sha256={rng.getrandbits(256):064x}")
        ln = ln[: max(0, size - total - 2)]
        out.append(ln + "\r\n")
        total += len(ln) + 2
    return "".join(out)


def cmd_messages(a):
    for sub in ("msg", "ct"):
        os.makedirs(os.path.join(a.outdir, sub), exist_ok=True)
    tag = f"{os.getpid():x}.{random.getrandbits(32):08x}"

    def one(n):
        rng = random.Random(n * 7919 + 17)
        inner_hdr = ("Content-Type: text/plain; charset=us-ascii\r\n"
                     "Content-Transfer-Encoding: 7bit\r\n\r\n")
        inner = (inner_hdr + report_text(rng, n, a.size, len(inner_hdr))).encode()
        ct = gpg(a.homedir, "--trust-model", "always", "--armor", "--local-user", a.signer,
                 "--recipient", a.team, "--sign", "--encrypt", data=inner).stdout
        with open(os.path.join(a.outdir, "ct", f"{n:05d}.asc"), "wb") as f:
            f.write(ct)
        b = f"bench{n:05d}{tag.replace('.', '')}"
        date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
        hdr = (f"From: Bench Reporter <{a.sender}>\r\n"
               f"To: <{a.rcpt}>\r\n"
               f"Date: {date}\r\n"
               f"Message-ID: <{tag}.{n}@reporter.example>\r\n"
               f"Subject: encrypted report {n}\r\n"
               f"MIME-Version: 1.0\r\n"
               f"Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\";\r\n"
               f" boundary=\"{b}\"\r\n\r\n"
               f"This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n"
               f"--{b}\r\n"
               f"Content-Type: application/pgp-encrypted\r\n"
               f"Content-Description: PGP/MIME version identification\r\n\r\n"
               f"Version: 1\r\n\r\n"
               f"--{b}\r\n"
               f"Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n"
               f"Content-Description: OpenPGP encrypted message\r\n"
               f"Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n").encode()
        body = ct.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        msg = hdr + body + f"\r\n--{b}--\r\n".encode()
        with open(os.path.join(a.outdir, "msg", f"{n:05d}.eml"), "wb") as f:
            f.write(msg)
        return len(inner), len(ct), len(msg)

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        sizes = list(ex.map(one, range(1, a.count + 1)))
    el = time.monotonic() - t0
    n = len(sizes)
    print(f"gen_count={n}")
    print(f"gen_s={el:.2f}")
    print(f"gen_plain_bytes_avg={sum(s[0] for s in sizes) / n:.0f}")
    print(f"gen_ct_bytes_avg={sum(s[1] for s in sizes) / n:.0f}")
    print(f"gen_msg_bytes_avg={sum(s[2] for s in sizes) / n:.0f}")
    return 0


def outcome_headers(path):
    want = ("x-csirtgw-queue", "x-csirtgw-encryption", "x-csirtgw-signature", "x-csirtgw-sender-verified",
            "x-csirtgw-crypto-reason")
    got = {}
    with open(path, "rb") as f:
        data = f.read(256 * 1024)
    head = data.split(b"\n\n", 1)[0].decode("utf-8", "replace")
    for ln in head.split("\n"):
        k, _, v = ln.partition(":")
        k = k.strip().lower()
        if k in want and k not in got:
            got[k] = v.strip()
    return got


def cmd_check_filed(a):
    counts = {}
    reasons = {}
    total = {"incoming": 0, "quarantine": 0, "other": 0}
    good = 0
    qroot = os.path.join(a.state_dir, "queues")
    for q in sorted(os.listdir(qroot)) if os.path.isdir(qroot) else []:
        for sub in ("new", "cur"):
            d = os.path.join(qroot, q, sub)
            if not os.path.isdir(d):
                continue
            for name in os.listdir(d):
                h = outcome_headers(os.path.join(d, name))
                # "incoming" = any queue but quarantine (the policy routes them)
                q = "incoming" if q != "quarantine" else q
                total[q] += 1
                # the word only: "yes; address=...; org=...", "bad; claimed-issuer=..."
                key = (q, h.get("x-csirtgw-encryption", "-"), h.get("x-csirtgw-signature", "-").split(";")[0],
                       h.get("x-csirtgw-sender-verified", "-").split(";")[0])
                counts[key] = counts.get(key, 0) + 1
                if "x-csirtgw-crypto-reason" in h:
                    r = h["x-csirtgw-crypto-reason"]
                    reasons[r] = reasons.get(r, 0) + 1
                if key == ("incoming", "decrypted", "good", "yes"):
                    good += 1
    print(f"filed_incoming={total['incoming']}")
    print(f"filed_quarantine={total['quarantine']}")
    print(f"filed_decrypted_good_verified={good}")
    outcomes = "; ".join(f"{q}/enc={e}/sig={s}/verified={v}: {n}" for (q, e, s, v), n in sorted(counts.items()))
    print(f"filed_outcomes={outcomes}")
    if reasons:
        print("filed_reasons=" + "; ".join(f"{r}: {n}" for r, n in sorted(reasons.items())))
    ok = good == a.expected and total["quarantine"] == 0 and total["incoming"] == a.expected
    print(f"filed_check_ok={1 if ok else 0}")
    return 0 if ok else 1


def cmd_agent_pid(a):
    home = os.path.realpath(a.homedir)
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if not argv or not argv[0].endswith(b"gpg-agent"):
            continue
        args = [x.decode(errors="replace") for x in argv]
        if "--homedir" in args:
            i = args.index("--homedir")
            if i + 1 < len(args) and os.path.realpath(args[i + 1]) == home:
                print(pid)
                return 0
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sp = ap.add_subparsers(dest="cmd", required=True)
    x = sp.add_parser("genkey")
    x.add_argument("homedir")
    x.add_argument("algo", choices=("rsa3072", "ed25519"))
    x.add_argument("uid")
    x.add_argument("--encr-subkey", action="store_true")
    x.add_argument("--export-secret")
    x.add_argument("--export-public")
    x.set_defaults(fn=cmd_genkey)
    x = sp.add_parser("messages")
    x.add_argument("homedir")
    x.add_argument("signer")
    x.add_argument("team")
    x.add_argument("outdir")
    x.add_argument("--count", type=int, default=300)
    x.add_argument("--size", type=int, default=4096)
    x.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    x.add_argument("--sender", default=REPORTER)
    x.add_argument("--rcpt", default=RCPT)
    x.set_defaults(fn=cmd_messages)
    x = sp.add_parser("check-filed")
    x.add_argument("state_dir")
    x.add_argument("expected", type=int)
    x.set_defaults(fn=cmd_check_filed)
    x = sp.add_parser("agent-pid")
    x.add_argument("homedir")
    x.set_defaults(fn=cmd_agent_pid)
    a = ap.parse_args()
    sys.exit(a.fn(a) or 0)


if __name__ == "__main__":
    main()

"""Seeded mutations of real mail, for the black-box run (test_mutation_run.py).

What lives here:
  * base_messages(root, pgp_cases) - the test suite's real mail: free text, team
                                     forms, ARF, X-ARF (YAML), XARF v4 (JSON), the
                                     MIME seeds of tests/fuzz/corpus, and the gpg/sq
                                     messages openpgp_corpus.py built
  * MUTATIONS                      - the table of operators: name -> function
                                     (rng, message bytes, bases) -> bytes
  * mutated_messages(...)          - N messages, each one base + 1..3 operators,
                                     every choice from one random.Random(seed)
  * door_messages()                - fixed cases: the issue-14 doors, by hand
  * canonical(raw), as_wire(raw)   - CRLF only (as spooled); and dot-stuffed for DATA

Every operator is deterministic given the generator's state; the only other
input is the base set (the OpenPGP messages hold fresh ciphertext each run:
keys and session keys are made at test time, the mutation choices are not).
Each message carries a first header line `X-Mutation: <n> <base> <ops>` so that
a spooled file names what was done to it, and no two messages are identical
(identical ones would be answered as resends and filed once).
"""

import base64
import glob
import os
import random

CRLF = b"\r\n"

# Invalid or cut UTF-8, each a door candidate of issue 14.
BAD_UTF8 = [b"\xff", b"\xfe", b"\x80", b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98", b"\xc0\xaf", b"\xc0\x80",
            b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xc3\x28", b"\xe2\x28\xa1"]
MULTIBYTE = ["\u00e4", "\u20ac", "\U0001f600", "\u202e", "\ufeff"]
YAML_ESCAPES = [b'"\\q"', b'"\\x"', b'"\\xZZ"', b'"\\u12"', b'"\\U0011FFFF"', b'"\\ud800"', b'"\\\xff"', b'"\\',
                b"'unterminated", b"!!binary \xff", b"? \xff\n: v", b"&a [*a, *b]"]


def crlf(b):
    return b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _header_and_body(raw):
    i = raw.find(b"\r\n\r\n")
    return (raw, b"") if i < 0 else (raw[:i + 2], raw[i + 4:])


def _plain(subject, body, extra=b""):
    return crlf(b"From: Reporter <reporter@example.org>\nTo: cert@csirt.example\nSubject: " + subject +
                b"\nMessage-ID: <" + subject.replace(b" ", b"-") + b"@example.org>\nMIME-Version: 1.0\n" + extra +
                b"Content-Type: text/plain; charset=utf-8\n\n") + crlf(body)


def base_messages(root, pgp_cases=()):
    """(name, bytes) pairs: every real mail the test suite has, CRLF."""
    fuzz = os.path.join(root, "tests", "fuzz", "corpus")
    out = [("free-text", _plain(b"scanning", b"Hi team,\nwe saw ssh scanning from 192.0.2.1 and 2001:db8::7 "
                                b"at 2026-11-20T10:00:00Z, see hxxp://evil[.]example/x and CVE-2024-3094.\n"))]
    for path in sorted(glob.glob(os.path.join(fuzz, "team_form", "*"))):
        out.append(("form-" + os.path.basename(path), _plain(b"team form", _read(path))))
    for path in sorted(glob.glob(os.path.join(fuzz, "abuse_reports", "*"))):
        out.append(("abuse-" + os.path.basename(path), crlf(_read(path))))
    for path in sorted(glob.glob(os.path.join(fuzz, "mime", "*"))):
        out.append(("mime-" + os.path.basename(path), crlf(_read(path)[1:])))  # [0]: the harness's option byte
    for path in sorted(glob.glob(os.path.join(fuzz, "indicators", "*"))):
        out.append(("indicators-" + os.path.basename(path), _plain(b"indicators", _read(path)[1:])))
    for case in pgp_cases:
        out.append(("pgp-" + case.name, crlf(case.raw)))
    return [(n, m) for n, m in out if m]


# --------------------------------------------------------------------------
# the operators: (rng, message, bases) -> message
# --------------------------------------------------------------------------
def flip_bytes(rng, m, bases):
    b = bytearray(m)
    for _ in range(rng.randint(1, 8)):
        if b:
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    return bytes(b)


def insert_invalid_utf8(rng, m, bases):
    b = bytearray(m)
    for _ in range(rng.randint(1, 3)):
        pos = rng.randrange(len(b) + 1)
        b[pos:pos] = rng.choice(BAD_UTF8)
    return bytes(b)


def invalid_in_field_name(rng, m, bases):
    """An invalid byte inside a header-like field name (ARF feedback fields,
    X-ARF YAML keys, form labels): anywhere a line has 'Name:'."""
    lines = m.split(CRLF)
    named = [i for i, ln in enumerate(lines) if b":" in ln[:60] and ln[:1] not in (b" ", b"\t")]
    if not named:
        return insert_invalid_utf8(rng, m, bases)
    for i in rng.sample(named, min(len(named), rng.randint(1, 3))):
        colon = lines[i].index(b":")
        at = rng.randrange(colon + 1)
        lines[i] = lines[i][:at] + rng.choice(BAD_UTF8) + lines[i][at:]
    return CRLF.join(lines)


def truncate(rng, m, bases):
    return m[:rng.randrange(len(m) + 1)]


def truncate_mid_multibyte(rng, m, bases):
    """A multi-byte character put in, the message cut inside it."""
    pos = rng.randrange(len(m) + 1)
    ch = rng.choice(MULTIBYTE).encode()
    return m[:pos] + ch[:rng.randint(1, len(ch) - 1)]


def splice(rng, m, bases):
    other = rng.choice(bases)[1]
    return m[:rng.randrange(len(m) + 1)] + other[rng.randrange(len(other) + 1):]


def duplicate_headers(rng, m, bases):
    head, body = _header_and_body(m)
    lines = [ln for ln in head.split(CRLF) if ln]
    if not lines:
        return m
    extra = [rng.choice(lines) for _ in range(rng.randint(1, 6))]
    extra += rng.sample([b"X-Csirtgw-Queue: incident-reports", b"X-Csirtgw-Signature: good",
                         b"x-csirtgw-sender-verified: yes", b"X-CSIRTGW-TLP: CLEAR",
                         b"Content-Type: multipart/mixed; boundary=\"dup\"", b"MIME-Version: 1.0"],
                        rng.randint(0, 3))
    for ln in extra:
        lines.insert(rng.randrange(len(lines) + 1), ln)
    return CRLF.join(lines) + CRLF + CRLF + body


def deep_nesting(rng, m, bases):
    depth = rng.choice([30, 31, 32, 33, 40, 200, 900])
    head, body = _header_and_body(m)
    keep = [ln for ln in head.split(CRLF) if ln and not ln.lower().startswith((b"content-", b"mime-"))]
    out = CRLF.join(keep) + CRLF + b"MIME-Version: 1.0" + CRLF
    for i in range(depth):
        out += b"Content-Type: multipart/mixed; boundary=\"n%d\"" % i + CRLF + CRLF + b"--n%d" % i + CRLF
    out += b"Content-Type: text/plain" + CRLF + CRLF + body
    for i in reversed(range(depth)):
        out += CRLF + b"--n%d--" % i + CRLF
    return out


def yaml_escape(rng, m, bases):
    """An X-ARF YAML part whose value or key is a broken escape (yaml-cpp's
    error text quotes it and may cut a multi-byte character)."""
    esc = rng.choice(YAML_ESCAPES)
    around = rng.choice(MULTIBYTE).encode() * rng.randint(0, 40)
    yaml = (b"---\r\nReported-From: abuse@example.com\r\nCategory: abuse\r\nReport-Type: login-attack\r\n"
            b"Source: 192.0.2.55\r\nSource-Type: ipv4\r\nService: " + around + esc + around + b"\r\n")
    if rng.random() < 0.5:
        yaml += esc + b": key\r\n"
    return _xarf_message(yaml, rng)


def huge_yaml_key(rng, m, bases):
    """A YAML complex key of about 64 KiB of multi-byte characters, so that a
    cap at 64 KiB cuts inside one: either a plain scalar folded over lines
    shorter than the intake's line limit (8bit), or one line in base64."""
    ch = rng.choice(MULTIBYTE)
    chars = (65536 + rng.randint(-8, 8)) // len(ch.encode()) + rng.randint(0, 8)
    head = b"---\nCategory: abuse\nReport-Type: login-attack\nSource: 192.0.2.55\n"
    if rng.random() < 0.5:
        lines = [(ch * 200).encode() for _ in range(chars // 200)] + [(ch * (chars % 200 or 1)).encode()]
        indent = b"\n  " if rng.random() < 0.5 else b"\n    "
        yaml = head + b"? " + indent.join(lines) + b"\n: value\n"
        return _xarf_message(yaml, rng)
    key = (ch * chars).encode()
    shape = rng.randrange(3)
    if shape == 0:
        yaml = head + b"? " + key + b"\n: value\n"
    elif shape == 1:
        yaml = head + b"? [source-" + key + b"]\n: value\n"
    else:
        yaml = head + b"Details:\n  ? " + key + b"\n  : value\n"
    return _xarf_message(yaml, rng, encoding="base64")


def _xarf_message(yaml, rng, encoding="8bit"):
    payload = base64.encodebytes(yaml).replace(b"\n", CRLF) if encoding == "base64" else yaml
    return crlf(b"From: Abuse <abuse@example.com>\nTo: abuse@csirt.example\nSubject: abuse report\n"
                b"MIME-Version: 1.0\nX-XARF: PLAIN\nContent-Type: multipart/mixed; boundary=\"xa\"\n\n"
                b"--xa\nContent-Type: text/plain; charset=utf-8\n\nlogin attack from 192.0.2.55\n"
                b"--xa\nContent-Type: text/plain; charset=utf-8; name=\"report.txt\"\n"
                b"Content-Transfer-Encoding: " + encoding.encode() + b"\n\n") + payload + crlf(b"\n--xa--\n")


def json_invalid(rng, m, bases):
    """A text/plain or application/json body that is an XARF v4 object with an
    invalid byte in a key, a value, or where the parser stops (its error text)."""
    bad = rng.choice(BAD_UTF8)
    shapes = [b'{"Version":"4","Report":{"' + bad + b'":1}}',
              b'{"Version":"4","Report":{"ReportClass":"Activity","SourceIp":"192.0.2.' + bad + b'"}}',
              b'{"Version":"4","Report":{"ReportClass":' + bad + b'}}',
              b'{"Version":"4",' + bad * rng.randint(1, 4) + b'"Report":{}}',
              b'{"' + bad + b'": {"' + bad + b'": ["' + bad + b'"]}}',
              b'{"Version":"4","Report":{"Samples":[{"Payload":"' + rng.choice(MULTIBYTE).encode()[:1] + b'"}]}']
    body = rng.choice(shapes)
    if rng.random() < 0.5:
        return _plain(b"json report", body)
    return crlf(b"From: reports@example.com\nTo: abuse@csirt.example\nSubject: xarf\nMIME-Version: 1.0\n"
                b"Content-Type: multipart/mixed; boundary=\"x4\"\n\n--x4\nContent-Type: text/plain\n\nreport\n"
                b"--x4\nContent-Type: application/json; name=\"xarf.json\"\n\n") + body + crlf(b"\n--x4--\n")


def reencode_body(rng, m, bases):
    """The body in base64 or quoted-printable, so any byte survives the line limit."""
    head, body = _header_and_body(m)
    lines = [ln for ln in head.split(CRLF) if ln and not ln.lower().startswith(b"content-transfer-encoding")]
    if rng.random() < 0.5:
        enc, body = b"base64", base64.encodebytes(body).replace(b"\n", CRLF)
    else:
        enc = b"quoted-printable"
        body = b"".join(b"=%02X" % c if c > 126 or c == 61 or rng.random() < 0.05 else bytes([c]) for c in body)
        body = CRLF.join(body[i:i + 72] + b"=" for i in range(0, len(body), 72))
    return CRLF.join(lines + [b"Content-Transfer-Encoding: " + enc]) + CRLF + CRLF + body


MUTATIONS = {
    "flip": flip_bytes,
    "invalid-utf8": insert_invalid_utf8,
    "field-name-utf8": invalid_in_field_name,
    "truncate": truncate,
    "truncate-multibyte": truncate_mid_multibyte,
    "splice": splice,
    "dup-headers": duplicate_headers,
    "deep-nesting": deep_nesting,
    "yaml-escape": yaml_escape,
    "huge-yaml-key": huge_yaml_key,
    "json-invalid": json_invalid,
    "reencode": reencode_body,
}
# Operators that make a whole new message: used alone, not stacked.
FRESH = ("yaml-escape", "huge-yaml-key", "json-invalid")


def label(n, base, ops):
    return b"X-Mutation: %d %s %s" % (n, base.encode(), "+".join(ops).encode()) + CRLF


def mutated_messages(seed, count, bases, only=None):
    """[(label text, bytes)] — message n is base + 1..3 operators, all chosen by
    one random.Random(seed): the same seed gives the same list for the same bases."""
    rng = random.Random(seed)
    names = [n for n in MUTATIONS if not only or n in only]
    out = []
    for n in range(count):
        base_name, m = rng.choice(bases)
        first = rng.choice(names)
        ops = [first] if first in FRESH else [first] + rng.sample(
            [x for x in names if x not in FRESH], rng.choice([0, 0, 1, 2]) if len(names) > 3 else 0)
        for op in ops:
            m = MUTATIONS[op](rng, m, bases)
        tag = label(n, base_name, ops)
        out.append((tag.decode("latin-1").strip(), tag + m))
    return out


def door_messages():
    """The doors of issue 14, fixed: (name, bytes). The first is the 140-octet
    text/plain mail whose body is a JSON object with one invalid byte."""
    head = b"From: a@example.org\r\nSubject: x\r\nContent-Type: text/plain\r\n\r\n"
    json = b'{"Version":"4","Report":{"ReportClass":"Activity","x":"\xff"}}'
    door = head + json[:-2] + b" " * (140 - len(head) - len(json) - 2) + json[-2:] + CRLF  # padded to 140
    assert len(door) == 140, len(door)
    out = [("door-140-octet-json", door)]
    rng = random.Random(14)
    out.append(("door-arf-field-name", invalid_in_field_name(rng, crlf(
        b"From: a@example.org\nSubject: arf\nMIME-Version: 1.0\n"
        b"Content-Type: multipart/report; report-type=feedback-report; boundary=\"r\"\n\n--r\n"
        b"Content-Type: text/plain\n\nabuse\n--r\nContent-Type: message/feedback-report\n\n"
        b"Feedback-Type: abuse\nUser-Agent: x/1\nVersion: 1\nSource-IP: 192.0.2.1\n--r--\n"), [])))
    out.append(("door-xarf-yaml-key", _xarf_message(b"---\nCategory: abuse\nSource: 192.0.2.55\n\xff\xfe: 1\n", rng)))
    out.append(("door-yaml-escape-cut", _xarf_message(
        b"---\nCategory: abuse\nService: " + "\u00e4".encode() * 30 + b'"\\q' + "\u20ac".encode() * 30 + b'"\n', rng)))
    out.append(("door-yaml-key-64k", huge_yaml_key(rng, b"", [])))
    # Found by fuzz_whole_chain: a first line starting with white space read
    # as a continuation of csirtgw's last status field.
    out.append(("door-folded-first-line", b"\tRED\r\nFrom: a@example.org\r\nSubject: folded\r\n\r\nbody\r\n"))
    out.append(("door-json-parse-error", _plain(b"json", b'{"Version":"4","Report":{"a":1,\xe2\x82}}')))
    return out


def canonical(raw):
    """The message as the daemon spools it: bare CR and LF made CRLF (a bare
    one would end the session, 521), ended with CRLF."""
    b = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")
    return b if b.endswith(CRLF) else b + CRLF


def as_wire(raw):
    """What DATA carries: canonical(raw), dot-stuffed (the terminator follows)."""
    b = canonical(raw)
    if b.startswith(b"."):
        b = b"." + b
    return b.replace(b"\r\n.", b"\r\n..")

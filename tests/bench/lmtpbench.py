#!/usr/bin/python3
"""Helper for tests/bench/bench.sh (Python 3 stdlib only).

Subcommands
  freeport                      print a free loopback TCP port
  wait-port HOST:PORT [SECS]    wait until something accepts TCP connections
  drain STATE_DIR EXPECTED T0_NS [SECS]
                                wait until spool/ready and spool/tmp are empty and
                                the Maildir queues/*/{new,cur} hold >=
                                EXPECTED files; print key=value lines incl.
                                drain_ns (time since T0_NS, an epoch in ns)
  latency HOST:PORT [opts]      closed-loop LMTP/SMTP load generator that times
                                every transaction's end-of-DATA -> 250 reply
                                (--files DIR: send these prepared messages)
  idle HOST:PORT --pid PID [opts]
                                open N connections that greet (LHLO) and idle,
                                then read the daemon's VmRSS
  proc PID                      print VmRSS/VmHWM/Threads/fds of PID
  report RESULTS_FILE           print the summary table from key=value lines
  report-crypto RESULTS_FILE    the table of one bench_crypto.sh run
  summary [--plain F] [--crypto F]...
                                one combined table over several runs (report.sh)
"""

import argparse
import os
import random
import select
import socket
import sys
import threading
import time


# ---------------------------------------------------------------- helpers

def parse_addr(s):
    if s.startswith("unix:"):
        return ("unix", s[5:])
    host, _, port = s.rpartition(":")
    return ("inet", (host or "127.0.0.1", int(port)))


def connect(addr, timeout=30.0):
    kind, a = addr
    if kind == "unix":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(timeout)
    s.connect(a)
    return s


class Reader:
    """Minimal buffered reply reader (multi-line replies: 'NNN-' ... 'NNN ')."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def line(self):
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                ln, self.buf = self.buf[: i + 1], self.buf[i + 1:]
                return ln
            d = self.sock.recv(65536)
            if not d:
                raise ConnectionError("connection closed by server")
            self.buf += d

    def reply(self):
        lines = []
        while True:
            ln = self.line()
            lines.append(ln)
            if len(ln) < 4 or ln[3:4] != b"-":
                break
        code = int(lines[0][:3]) if lines[0][:3].isdigit() else 0
        return code, b"".join(lines)


def proc_status(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for ln in f:
                k, _, v = ln.partition(":")
                if k in ("VmRSS", "VmHWM", "Threads"):
                    out[k] = int(v.split()[0])
        out["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
        # utime, stime are fields 14, 15 (1-based) -> index 11, 12 after ')'
        out["cpu_s"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        # cutime + cstime: children that were waited for (e.g. the gpg
        # processes GPGME runs)
        out["cpu_children_s"] = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        pass
    if out:
        out["workers_cpu_s"] = children_cpu(pid)
    return out


def children_cpu(pid):
    """utime+stime of the live direct children (csirtgw's OpenPGP workers):
    their own CPU, as the loop's cpu_self_s is its own."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == int(pid):  # field 4, ppid
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def pct(sorted_vals, p):
    """Nearest-rank percentile."""
    if not sorted_vals:
        return float("nan")
    k = max(1, int(-(-p * len(sorted_vals) // 100)))  # ceil(p*n/100)
    return sorted_vals[min(k, len(sorted_vals)) - 1]


# ---------------------------------------------------------------- freeport / wait-port

def cmd_freeport(_a):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def cmd_wait_port(a):
    addr = parse_addr(a.addr)
    deadline = time.monotonic() + a.secs
    while time.monotonic() < deadline:
        try:
            s = connect(addr, 1.0)
            s.close()
            return 0
        except OSError:
            time.sleep(0.05)
    print(f"wait-port: nothing listening on {a.addr} after {a.secs}s", file=sys.stderr)
    return 1


# ---------------------------------------------------------------- drain

def count_dir(path):
    try:
        with os.scandir(path) as it:
            return sum(1 for _ in it)
    except FileNotFoundError:
        return 0


def cmd_drain(a):
    sd = a.state_dir
    ready, tmp = os.path.join(sd, "spool/ready"), os.path.join(sd, "spool/tmp")
    qroot = os.path.join(sd, "queues")

    def filed_count():
        # every queue: the policy routes reports to several
        names = os.listdir(qroot) if os.path.isdir(qroot) else []
        return sum(count_dir(os.path.join(qroot, q, sub)) for q in names for sub in ("new", "cur"))

    deadline = time.monotonic() + a.secs
    filed, last_filed, empty_since = 0, -1, None
    while True:
        now = time.time_ns()
        r, t = count_dir(ready), count_dir(tmp)
        if r == 0 and t == 0:
            filed = filed_count()
            if filed >= a.expected:
                print(f"drain_ok=1\ndrain_ns={now - a.t0_ns}\nfiled_total={filed}")
                return 0
            # Every 250 was given before we started, so an empty spool with
            # too few files that stays so for `settle` s will not improve.
            if filed != last_filed:
                last_filed, empty_since = filed, time.monotonic()
            elif time.monotonic() - empty_since > a.settle:
                print(f"drain_ok=0\ndrain_ns={now - a.t0_ns}\nfiled_total={filed}\n"
                      f"left_ready=0\nleft_tmp=0\nmissing={a.expected - filed}")
                return 1
        else:
            last_filed, empty_since = -1, None
        if time.monotonic() > deadline:
            filed = filed_count()
            print(f"drain_ok=0\ndrain_ns={now - a.t0_ns}\nfiled_total={filed}\n"
                  f"left_ready={r}\nleft_tmp={t}")
            return 1
        time.sleep(a.poll)


# ---------------------------------------------------------------- latency load generator

def make_body(size):
    """~size octets of payload in 80-octet CRLF lines (like smtp-source -l)."""
    out, n, i = [], 0, 0
    while n < size:
        i += 1
        ln = (str(i % 10) + "X" * 77)[: max(0, size - n - 2)]
        out.append(ln + "\r\n")
        n += len(ln) + 2
    return "".join(out)


def tag_message_id(data, tag):
    """The message with TAG added to its Message-ID ("<a@b>" -> "<a.TAG@b>"),
    so that the same file sent again is a new message, not a duplicate. Only
    the header section is looked at; PGP/MIME signs the inner entity, not it."""
    head, sep, body = data.partition(b"\n\n")
    lines = head.split(b"\n")
    for i, ln in enumerate(lines):
        if ln.lower().startswith(b"message-id:") and b"@" in ln:
            lines[i] = ln.replace(b"@", b"." + tag.encode() + b"@", 1)
            break
    return b"\n".join(lines) + sep + body


def load_messages(directory, id_tag=None):
    """Every regular file in DIRECTORY (sorted) as ready-to-send DATA: CRLF
    line ends, dot-stuffed, terminated by CRLF.CRLF; with ID_TAG, each
    Message-ID tagged (tag_message_id)."""
    out = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            data = f.read().replace(b"\r\n", b"\n")
        if id_tag:
            data = tag_message_id(data, id_tag)
        data = data.replace(b"\n", b"\r\n")
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        lines = data.split(b"\r\n")
        data = b"\r\n".join(b"." + ln if ln.startswith(b".") else ln for ln in lines)
        out.append(data + b".\r\n")
    return out


def cmd_latency(a):
    addr = parse_addr(a.addr)
    files = load_messages(a.files, a.id_tag) if a.files else None
    if files is not None:
        if not files:
            print(f"latency: no files in {a.files}", file=sys.stderr)
            return 1
        a.messages = len(files)
    body = make_body(a.size).encode()
    greet_cmd = b"LHLO" if a.lmtp else b"EHLO"
    lock = threading.Lock()
    state = {"left": a.messages}
    lat_ns = []          # end-of-DATA -> 250, ns
    txn_ns = []          # full transaction (connect .. 250), ns
    errors = []
    tag = f"{os.getpid():x}.{random.getrandbits(32):08x}"

    def claim():
        with lock:
            if state["left"] <= 0:
                return None
            state["left"] -= 1
            return a.messages - state["left"]

    def expect(rd, want, what):
        code, text = rd.reply()
        if code != want:
            raise RuntimeError(f"{what}: expected {want}, got {text[:200]!r}")
        return text

    def worker(wid):
        my_lat, my_txn, sock, rd = [], [], None, None
        try:
            while True:
                n = claim()
                if n is None:
                    break
                t_start = time.perf_counter_ns()
                try:
                    if sock is None:
                        sock = connect(addr, a.timeout)
                        rd = Reader(sock)
                        expect(rd, 220, "greeting")
                        sock.sendall(greet_cmd + b" bench.example\r\n")
                        expect(rd, 250, greet_cmd.decode())
                    sock.sendall(b"MAIL FROM:<" + a.sender.encode() + b">\r\n")
                    expect(rd, 250, "MAIL")
                    sock.sendall(b"RCPT TO:<" + a.rcpt.encode() + b">\r\n")
                    expect(rd, 250, "RCPT")
                    sock.sendall(b"DATA\r\n")
                    expect(rd, 354, "DATA")
                    if files is not None:
                        msg = files[n - 1]
                    else:
                        hdr = (f"From: <bench@sender.example>\r\n"
                               f"To: <{a.rcpt}>\r\n"
                               f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\n"
                               f"Message-Id: <{tag}.{wid}.{n}@bench.example>\r\n"
                               f"Subject: bench {n}\r\n\r\n").encode()
                        msg = hdr + body + b".\r\n"
                    t0 = time.perf_counter_ns()
                    sock.sendall(msg)
                    code, text = rd.reply()
                    t1 = time.perf_counter_ns()
                    if code != 250:
                        raise RuntimeError(f"end-of-DATA: got {text[:200]!r}")
                    my_lat.append(t1 - t0)
                    my_txn.append(t1 - t_start)
                    if not a.reuse:
                        sock.sendall(b"QUIT\r\n")
                        try:
                            rd.reply()
                        except (OSError, ConnectionError):
                            pass
                        sock.close()
                        sock = None
                except (OSError, RuntimeError, ConnectionError, ValueError) as e:
                    with lock:
                        errors.append(f"msg {n}: {e}")
                    if sock is not None:
                        sock.close()
                        sock = None
        finally:
            if sock is not None:
                try:
                    sock.sendall(b"QUIT\r\n")
                except OSError:
                    pass
                sock.close()
            with lock:
                lat_ns.extend(my_lat)
                txn_ns.extend(my_txn)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(a.sessions)]
    w0 = time.perf_counter_ns()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    w1 = time.perf_counter_ns()

    lat = sorted(lat_ns)
    txn = sorted(txn_ns)
    el = (w1 - w0) / 1e9
    ms = lambda v: v / 1e6  # noqa: E731
    p = a.prefix
    print(f"{p}ok={len(lat)}")
    print(f"{p}errors={len(errors)}")
    print(f"{p}elapsed_s={el:.3f}")
    print(f"{p}rate={len(lat) / el if el > 0 else 0:.1f}")
    for name, q in (("p50", 50), ("p90", 90), ("p99", 99)):
        print(f"{p}{name}_ms={ms(pct(lat, q)):.3f}")
    print(f"{p}max_ms={ms(lat[-1]) if lat else float('nan'):.3f}")
    print(f"{p}txn_p50_ms={ms(pct(txn, 50)):.3f}")
    print(f"{p}txn_p99_ms={ms(pct(txn, 99)):.3f}")
    for e in errors[:5]:
        print(f"latency: {e}", file=sys.stderr)
    if a.raw:
        with open(a.raw, "w") as f:
            f.write("\n".join(str(v) for v in lat_ns) + "\n")
    return 0 if not errors else 1


# ---------------------------------------------------------------- idle connections

def cmd_idle(a):
    addr = parse_addr(a.addr)
    greet_cmd = b"LHLO" if a.lmtp else b"EHLO"
    p = a.prefix
    time.sleep(a.settle)
    before = proc_status(a.pid)
    socks, failed = [], []
    t0 = time.perf_counter()
    for i in range(a.count):
        try:
            s = connect(addr, a.timeout)
            rd = Reader(s)
            code, text = rd.reply()
            if code != 220:
                raise RuntimeError(f"greeting {text[:100]!r}")
            s.sendall(greet_cmd + b" idle%d.bench.example\r\n" % i)
            code, text = rd.reply()
            if code != 250:
                raise RuntimeError(f"LHLO {text[:100]!r}")
            socks.append(s)
        except (OSError, RuntimeError, ConnectionError) as e:
            failed.append(f"conn {i}: {e}")
    t_open = time.perf_counter() - t0
    time.sleep(a.settle)
    during = proc_status(a.pid)
    # every idle socket must still be open: readable now means EOF or an
    # unsolicited reply (e.g. 421) -- both count as "dropped".
    dropped = 0
    for s in socks:
        r, _, _ = select.select([s], [], [], 0)
        if r:
            dropped += 1
    # the daemon must still serve while the idle connections are open
    served = 0
    try:
        s = connect(addr, a.timeout)
        rd = Reader(s)
        if rd.reply()[0] == 220:
            s.sendall(greet_cmd + b" probe.bench.example\r\n")
            served = 1 if rd.reply()[0] == 250 else 0
        s.close()
    except (OSError, ConnectionError):
        served = 0
    for s in socks:
        try:
            s.sendall(b"QUIT\r\n")
        except OSError:
            pass
        s.close()
    time.sleep(a.settle)
    after = proc_status(a.pid)
    print(f"{p}open={len(socks)}")
    print(f"{p}failed={len(failed)}")
    print(f"{p}dropped={dropped}")
    print(f"{p}served_while_idle={served}")
    print(f"{p}open_s={t_open:.3f}")
    for tag, st in (("before", before), ("during", during), ("after", after)):
        for k in ("VmRSS", "VmHWM", "Threads", "fds"):
            if k in st:
                print(f"{p}{tag}_{k}={st[k]}")
    for e in failed[:5]:
        print(f"idle: {e}", file=sys.stderr)
    return 0 if not failed and not dropped else 1


def cmd_sysstat(a):
    with open("/proc/loadavg") as f:
        la = f.read().split()
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
        # forks (processes and threads) and context switches since boot
        counters = dict(line.split()[:2] for line in f if line.startswith(("processes ", "ctxt ")))
    idle = cpu[3] + (cpu[4] if len(cpu) > 4 else 0)      # idle + iowait
    hz = os.sysconf("SC_CLK_TCK")
    print(f"{a.prefix}loadavg1={la[0]}")
    print(f"{a.prefix}cpu_total_s={sum(cpu[:8]) / hz:.2f}")
    print(f"{a.prefix}cpu_idle_s={idle / hz:.2f}")
    print(f"{a.prefix}ncpu={os.cpu_count()}")
    print(f"{a.prefix}forks={counters.get('processes', 0)}")
    print(f"{a.prefix}ctxt={counters.get('ctxt', 0)}")
    return 0


def _cpu_idle():
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    return sum(cpu[:8]), cpu[3] + cpu[4]


def cmd_wait_quiet(a):
    """Wait (up to max_wait s) for a window of `window` s with CPUs >= idle% idle."""
    deadline = time.monotonic() + a.max_wait
    while True:
        t0, i0 = _cpu_idle()
        time.sleep(a.window)
        t1, i1 = _cpu_idle()
        idle = (i1 - i0) / max(1, t1 - t0)
        if idle >= a.idle:
            print(f"quiet_idle={idle:.2f}")
            return 0
        if time.monotonic() > deadline:
            print(f"quiet_idle={idle:.2f}")
            return 1


def cmd_proc(a):
    st = proc_status(a.pid)
    for k, v in st.items():
        print(f"{a.prefix}{k}={v}")
    return 0 if st else 1


# ---------------------------------------------------------------- report

def cmd_report(a):
    r = {}
    with open(a.results) as f:
        for ln in f:
            ln = ln.strip()
            if ln and not ln.startswith("#") and "=" in ln:
                k, _, v = ln.partition("=")
                r[k] = v

    def f(k):
        try:
            return float(r[k])
        except (KeyError, ValueError):
            return None

    def fmt(v, spec, dash="-"):
        return dash if v is None or v != v else format(v, spec)

    def mib(kb):
        return None if kb is None else kb / 1024.0

    sink_src = f("sink_src_rate")
    sink_lat = f("sink_lat_rate")
    peak = mib(f("gw_final_VmHWM"))
    idle = mib(f("idle_during_VmRSS"))

    rows = [
        # workload, rate, ratio base, p50, p99, show rss?
        ("smtp-source -> smtp-sink -L (baseline)", sink_src, sink_src, None, None, False),
        ("smtp-source -> csirtgw: accepted (250s)", f("gw_src_rate"), sink_src, None, None, True),
        ("smtp-source -> csirtgw: filed durably", f("gw_src_filed_rate"), sink_src, None, None, True),
        ("latency client -> smtp-sink -L", sink_lat, sink_lat, f("sink_lat_p50_ms"), f("sink_lat_p99_ms"), False),
        ("latency client -> csirtgw: accepted", f("gw_lat_rate"), sink_lat, f("gw_lat_p50_ms"), f("gw_lat_p99_ms"), True),
        ("latency client -> csirtgw: filed durably", f("gw_lat_filed_rate"), sink_lat, None, None, True),
    ]
    hdr = ("workload", "msgs/s", "vs sink", "p50 ms", "p99 ms", "peak RSS", "RSS 200 idle")
    w = (42, 9, 8, 8, 8, 10, 13)
    line = "  ".join(h.ljust(w[0]) if i == 0 else h.rjust(w[i]) for i, h in enumerate(hdr))
    print()
    print(f"csirtgw benchmark  ({r.get('msgs', '?')} msgs x {r.get('size', '?')} B, "
          f"{r.get('sessions', '?')} sessions, LMTP, rcpt {r.get('rcpt', '?')})")
    print(line)
    print("-" * len(line))
    for name, rate, base, p50, p99, rss in rows:
        ratio = rate / base if (rate is not None and base) else None
        cells = [name.ljust(w[0]), fmt(rate, ".0f").rjust(w[1]),
                 fmt(ratio, ".3f").rjust(w[2]), fmt(p50, ".2f").rjust(w[3]),
                 fmt(p99, ".2f").rjust(w[4]),
                 (fmt(peak, ".1f") + " MiB" if rss and peak is not None else "-").rjust(w[5]),
                 (fmt(idle, ".1f") + " MiB" if rss and idle is not None else "-").rjust(w[6])]
        print("  ".join(cells))
    print("-" * len(line))
    print(f"latency (end-of-DATA -> 250), ms      p50      p90      p99      max   (n, errors)")
    for who, pre in (("smtp-sink", "sink_lat_"), ("csirtgw", "gw_lat_")):
        print(f"  latency client -> {who:<12}   " + "".join(
            fmt(f(pre + k), "8.2f").rjust(9) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms"))
            + f"   ({r.get(pre + 'ok', '?')}, {r.get(pre + 'errors', '?')})")
    b, d = f("idle_before_VmRSS"), f("idle_during_VmRSS")
    per = (d - b) / max(1.0, f("idle_open") or 1) if (b is not None and d is not None) else None
    print(f"RSS: start {fmt(mib(f('gw_start_VmRSS')), '.1f')} MiB, "
          f"peak (VmHWM) {fmt(peak, '.1f')} MiB, "
          f"before idle {fmt(mib(b), '.1f')} MiB, "
          f"with {r.get('idle_open', '?')} idle {fmt(mib(d), '.1f')} MiB "
          f"(+{fmt(per, '.1f')} KiB/conn), "
          f"threads {r.get('idle_before_Threads', '?')} -> {r.get('idle_during_Threads', '?')}, "
          f"fds {r.get('idle_before_fds', '?')} -> {r.get('idle_during_fds', '?')}")
    c0, c1, c2 = f("gw_start_cpu_s"), f("gw_after_src_cpu_s"), f("gw_final_cpu_s")
    if c0 is not None and c1 is not None and f("gw_src_msgs"):
        print(f"daemon CPU: {1000 * (c1 - c0) / f('gw_src_msgs'):.3f} ms/msg during smtp-source pass "
              f"(incl. filing), {c2 - c0 if c2 is not None else float('nan'):.2f} s total; "
              f"VmHWM after smtp-source pass {fmt(mib(f('gw_after_src_VmHWM')), '.1f')} MiB")
    src = (f"{r.get('gw_src_msgs', '?')} sent in" if r.get("gw_src_rc", "0") == "0"
           else f"FAILED (exit {r.get('gw_src_rc')}) after")
    print(f"smtp-source -> csirtgw: {src} "
          f"{fmt(f('gw_src_accept_s'), '.2f')} s, last filed at {fmt(f('gw_src_filed_s'), '.2f')} s; "
          f"Maildir holds {r.get('filed_total', '?')} (expected {r.get('expected_total', '?')}); "
          f"startup {fmt(f('gw_startup_s'), '.2f')} s; SIGTERM exit {r.get('gw_exit', '?')} "
          f"in {fmt(f('gw_stop_s'), '.2f')} s; audit: {r.get('audit', '?')}")
    t0, t1 = f("sys0_cpu_total_s"), f("sys1_cpu_total_s")
    if t0 is not None and t1 is not None and t1 > t0:
        busy = 1 - (f("sys1_cpu_idle_s") - f("sys0_cpu_idle_s")) / (t1 - t0)
        gw = (c2 - c0) if (c0 is not None and c2 is not None) else None
        print(f"machine: {r.get('sys0_ncpu', '?')} CPUs, load average {r.get('sys0_loadavg1', '?')} at start / "
              f"{r.get('sys1_loadavg1', '?')} at end; CPUs busy {100 * busy:.0f}% during the csirtgw phases "
              f"(csirtgw itself {fmt(100 * gw / (t1 - t0) if gw is not None else None, '.0f')}% of all CPU time); "
              f"smtp-sink runs (msgs/s): {r.get('sink_src_runs', '?')}")
    notes = r.get("notes")
    if notes:
        print("NOTES: " + notes)
    return 0


# ---------------------------------------------------------------- combined table

def read_results(path):
    r = {}
    with open(path) as f:
        for ln in f:
            ln = ln.strip()
            if ln and not ln.startswith("#") and "=" in ln:
                k, _, v = ln.partition("=")
                r[k] = v
    return r


def _num(r, k):
    try:
        v = float(r[k])
        return v if v == v else None
    except (KeyError, ValueError):
        return None


def summary_rows(plain, cryptos):
    """(workload, msgs/s, ceiling label, ratio, p50, p99, peak RSS MiB) rows."""
    rows = []
    if plain is not None:
        f = lambda k: _num(plain, k)  # noqa: E731
        peak = f("gw_final_VmHWM")
        peak = peak / 1024 if peak is not None else None
        sink, sinkl = f("sink_src_rate"), f("sink_lat_rate")
        ratio = lambda v, b: v / b if (v is not None and b) else None  # noqa: E731
        rows += [
            ("plain: smtp-source -> smtp-sink (ceiling)", sink, "-", None, None, None, None),
            ("plain: smtp-source -> csirtgw, accepted", f("gw_src_rate"), "sink", ratio(f("gw_src_rate"), sink),
             None, None, peak),
            ("plain: smtp-source -> csirtgw, filed", f("gw_src_filed_rate"), "sink",
             ratio(f("gw_src_filed_rate"), sink), None, None, peak),
            ("plain: latency client -> smtp-sink (ceiling)", sinkl, "-", None, f("sink_lat_p50_ms"),
             f("sink_lat_p99_ms"), None),
            ("plain: latency client -> csirtgw, accepted", f("gw_lat_rate"), "sink(lat)",
             ratio(f("gw_lat_rate"), sinkl), f("gw_lat_p50_ms"), f("gw_lat_p99_ms"), peak),
            ("plain: latency client -> csirtgw, filed", f("gw_lat_filed_rate"), "sink(lat)",
             ratio(f("gw_lat_filed_rate"), sinkl), None, None, peak),
        ]
    for r in cryptos:
        f = lambda k, r=r: _num(r, k)  # noqa: E731
        algo = r.get("algo", "?")
        th = r.get("threads", "?")
        peak = f("gw_final_VmHWM")
        peak = peak / 1024 if peak is not None else None
        loop = f("loop_rate")
        e2e = f("e2e_filed_rate")
        rows += [
            (f"{algo}: GPGME decrypt+verify loop, {th} thr", f("loopdv_rate"), "-", None, None, None, None),
            (f"{algo}: GPGME loop + ack sign+encrypt (ceiling)", loop, "-", None, None, None, None),
            (f"{algo}: LMTP -> csirtgw, filed end to end", e2e, "loop",
             f("ratio") if f("ratio") is not None else (e2e / loop if (e2e is not None and loop) else None),
             f("e2e_p50_ms"), f("e2e_p99_ms"), peak),
            (f"{algo}: LMTP -> csirtgw, accepted (250s)", f("e2e_rate"), "-", None, None, None, peak),
        ]
    return rows


def print_rows(rows):
    hdr = ("workload", "msgs/s", "ceiling", "ratio", "p50 ms", "p99 ms", "peak RSS")
    w = (50, 8, 9, 6, 8, 8, 10)
    fmt = lambda v, spec: "-" if v is None else format(v, spec)  # noqa: E731
    line = "  ".join(h.ljust(w[0]) if i == 0 else h.rjust(w[i]) for i, h in enumerate(hdr))
    print(line)
    print("-" * len(line))
    for name, rate, base, ratio, p50, p99, rss in rows:
        print("  ".join([name.ljust(w[0]), fmt(rate, ".1f").rjust(w[1]), base.rjust(w[2]),
                         fmt(ratio, ".3f").rjust(w[3]), fmt(p50, ".2f").rjust(w[4]), fmt(p99, ".2f").rjust(w[5]),
                         ("-" if rss is None else f"{rss:.1f} MiB").rjust(w[6])]))
    print("-" * len(line))


def crypto_details(r):
    f = lambda k: _num(r, k)  # noqa: E731
    out = []
    out.append(f"  {r.get('algo')}: team key {r.get('team_algo', '?')}, {r.get('msgs')} messages "
               f"(inner {r.get('gen_plain_bytes_avg')} B, ciphertext {r.get('gen_ct_bytes_avg')} B, "
               f"on the wire {r.get('gen_msg_bytes_avg')} B), {r.get('sessions')} sessions, "
               f"worker.threads {r.get('threads')}")
    c0, c1 = f("gw_start_cpu_s"), f("gw_final_cpu_s")
    n = f("e2e_total_ok") or f("e2e_ok")  # every round's messages
    cpu = f"{1000 * (c1 - c0) / n:.2f} ms/msg" if (c0 is not None and c1 is not None and n) else "?"
    w0, w1 = f("gw_start_workers_cpu_s"), f("gw_final_workers_cpu_s")
    workers = f"{1000 * (w1 - w0) / n:.2f}" if (w0 is not None and w1 is not None and n) else "?"
    pc = lambda v: "?" if v is None else f"{100 * v:.0f}%"  # noqa: E731
    agent = f("agent_VmHWM")

    def busy(a, b):
        ta, tb = f(f"{a}_cpu_total_s"), f(f"{b}_cpu_total_s")
        if ta is None or tb is None or tb <= ta:
            return "?"
        return pc(1 - (f(f"{b}_cpu_idle_s") - f(f"{a}_cpu_idle_s")) / (tb - ta))

    def per_msg(cpu_s, count):
        return "?" if cpu_s is None or not count else f"{1000 * cpu_s / count:.2f}"

    def churn(a, b, count):  # processes+threads created and context switches, per message
        fa, fb, ca, cb = f(f"{a}_forks"), f(f"{b}_forks"), f(f"{a}_ctxt"), f(f"{b}_ctxt")
        if None in (fa, fb, ca, cb) or not count:
            return "forks/msg ?"
        return f"forks/msg {(fb - fa) / count:.1f}, context switches/msg {(cb - ca) / count:.0f}"

    agent_cpu = None
    if f("agent_cpu_s") is not None and f("agent_start_cpu_s") is not None:
        agent_cpu = f("agent_cpu_s") - f("agent_start_cpu_s")
    # GPGME double-forks gpg, so no process is charged for the gpg processes'
    # CPU: these figures are the daemon (with its OpenPGP worker processes;
    # resp. the loop) itself and its gpg-agent.
    n_loop = f("loop_ok")
    n_loop_all = f("loop_all_ok") or n_loop  # every loop run used the one agent
    if r.get("rounds_detail"):
        out.append(f"    rounds (filed end to end / loop = ratio; the table shows the medians): "
                   f"{r.get('rounds_detail')}")
    out.append(f"    e2e (round 1): {r.get('e2e_ok')} accepted in {r.get('e2e_elapsed_s')} s, last filed at "
               f"{r.get('e2e_filed_s')} s; CPU ms/msg (all rounds): daemon {cpu.replace(' ms/msg', '')}, its OpenPGP workers {workers}, its gpg-agent "
               f"{per_msg(agent_cpu, n)} (gpg processes not counted); CPUs busy {busy('sys0', 'sys1')} "
               f"(load avg {r.get('sys0_loadavg1', '?')} -> {r.get('sys1_loadavg1', '?')}); "
               f"{churn('sys0', 'sys1', f('e2e_ok'))}; daemon VmHWM "
               f"{fmt_mib(f('gw_final_VmHWM'))}, gpg-agent VmHWM {fmt_mib(agent)}; "
               f"outcomes: {r.get('filed_outcomes', '?')}")
    out.append(f"    loop (round 1): {r.get('loop_ok')} ok / {r.get('loop_errors')} errors in {r.get('loop_elapsed_s')} s, "
               f"{r.get('loop_ms_per_op')} ms wall per operation per thread; CPU ms/msg: loop "
               f"{per_msg(f('loop_cpu_self_s'), n_loop)}, its gpg-agent {per_msg(f('loopagent_cpu_s'), n_loop_all)}; "
               f"CPUs busy {busy('sys2', 'sys3')} (load avg {r.get('sys2_loadavg1', '?')} -> "
               f"{r.get('sys3_loadavg1', '?')}); {churn('sys2', 'sys3', n_loop)}; SIGTERM exit {r.get('gw_exit')}; audit: {r.get('audit')}")
    if r.get("notes"):
        out.append(f"    NOTES: {r['notes']}")
    return out


def fmt_mib(kb):
    return "?" if kb is None else f"{kb / 1024:.1f} MiB"


def cmd_report_crypto(a):
    r = read_results(a.results)
    print()
    print(f"csirtgw encrypted benchmark ({r.get('algo')}; signed+encrypted PGP/MIME, LMTP)")
    print_rows(summary_rows(None, [r]))
    for ln in crypto_details(r):
        print(ln)
    return 0


def cmd_summary(a):
    plain = read_results(a.plain) if a.plain else None
    cryptos = [read_results(c) for c in a.crypto or []]
    print()
    print("csirtgw benchmark summary: ratio = msgs/s / the ceiling measured in the same run "
          "(sink = smtp-sink, loop = plain GPGME loop doing the same gpg work: decrypt+verify, then sign+encrypt "
          "the ack); p50/p99 = end-of-DATA -> 250")
    print_rows(summary_rows(plain, cryptos))
    if plain is not None:
        notes = plain.get("notes")
        print(f"  plain: {plain.get('msgs')} msgs x {plain.get('size')} B, {plain.get('sessions')} sessions; "
              f"RSS with {plain.get('idle_open', '?')} idle connections {fmt_mib(_num(plain, 'idle_during_VmRSS'))}; "
              f"Maildir {plain.get('filed_total')} (expected {plain.get('expected_total')}); "
              f"audit: {plain.get('audit')}" + (f"; NOTES: {notes}" if notes else ""))
    for r in cryptos:
        for ln in crypto_details(r):
            print(ln)
    for r in cryptos:
        ratio = _num(r, "ratio")
        share = _num(r, "ack_share")
        print(f"  {r.get('algo')}: acknowledgements sent {r.get('acks_sent', '?')}, encrypted "
              f"{r.get('acks_encrypted', '?')}; the ack's share of the gpg work per message: "
              + ("?" if share is None else f"{100 * share:.0f}%"))
        print(f"  goal (issue): {r.get('algo')} filed end to end >= 0.9 x GPGME loop: "
              + ("not measured" if ratio is None else f"{'met' if ratio >= 0.9 else 'MISSED'} ({ratio:.3f})"))
    return 0


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sp = ap.add_subparsers(dest="cmd", required=True)

    sp.add_parser("freeport").set_defaults(fn=cmd_freeport)

    x = sp.add_parser("wait-port")
    x.add_argument("addr")
    x.add_argument("secs", type=float, nargs="?", default=10.0)
    x.set_defaults(fn=cmd_wait_port)

    x = sp.add_parser("drain")
    x.add_argument("state_dir")
    x.add_argument("expected", type=int)
    x.add_argument("t0_ns", type=int)
    x.add_argument("secs", type=float, nargs="?", default=600.0)
    x.add_argument("--poll", type=float, default=0.01)
    x.add_argument("--settle", type=float, default=3.0,
                   help="give up when the spool stays empty this long with too few files filed")
    x.set_defaults(fn=cmd_drain)

    x = sp.add_parser("latency")
    x.add_argument("addr")
    x.add_argument("--sessions", type=int, default=10)
    x.add_argument("--messages", type=int, default=5000)
    x.add_argument("--size", type=int, default=4096)
    x.add_argument("--rcpt", default="cert@csirt.example")
    x.add_argument("--sender", default="bench@sender.example", help="the envelope sender (MAIL FROM)")
    x.add_argument("--smtp", dest="lmtp", action="store_false", help="speak SMTP (EHLO) instead of LMTP")
    x.add_argument("--reuse", action="store_true", help="keep sessions open between messages")
    x.add_argument("--timeout", type=float, default=60.0)
    x.add_argument("--raw", help="write every latency (ns) to this file")
    x.add_argument("--files", metavar="DIR",
                   help="send every file in DIR once (sorted; CRLF, dot-stuffed) instead of "
                        "--messages generated messages of --size octets")
    x.add_argument("--id-tag", help="with --files: add this to every Message-ID (a round's messages are new ones)")
    x.add_argument("--prefix", default="")
    x.set_defaults(fn=cmd_latency, lmtp=True)

    x = sp.add_parser("idle")
    x.add_argument("addr")
    x.add_argument("--pid", type=int, required=True)
    x.add_argument("--count", type=int, default=200)
    x.add_argument("--settle", type=float, default=1.0)
    x.add_argument("--smtp", dest="lmtp", action="store_false")
    x.add_argument("--timeout", type=float, default=30.0)
    x.add_argument("--prefix", default="")
    x.set_defaults(fn=cmd_idle, lmtp=True)

    x = sp.add_parser("proc")
    x.add_argument("pid", type=int)
    x.add_argument("--prefix", default="")
    x.set_defaults(fn=cmd_proc)

    x = sp.add_parser("sysstat")
    x.add_argument("--prefix", default="")
    x.set_defaults(fn=cmd_sysstat)

    x = sp.add_parser("wait-quiet")
    x.add_argument("--max-wait", type=float, default=120.0)
    x.add_argument("--window", type=float, default=3.0)
    x.add_argument("--idle", type=float, default=0.85)
    x.set_defaults(fn=cmd_wait_quiet)

    x = sp.add_parser("report")
    x.add_argument("results")
    x.set_defaults(fn=cmd_report)

    x = sp.add_parser("report-crypto")
    x.add_argument("results")
    x.set_defaults(fn=cmd_report_crypto)

    x = sp.add_parser("summary")
    x.add_argument("--plain", help="results.env of bench.sh")
    x.add_argument("--crypto", action="append", help="results.env of bench_crypto.sh (repeatable)")
    x.set_defaults(fn=cmd_summary)

    a = ap.parse_args()
    sys.exit(a.fn(a) or 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/startstop.sh - how long lden takes to start and to stop with 1, 5
# and all catalog events, against perf stat and bpftrace attaching the
# same tracepoints (issue 18).
#
# Usage (as root):   bench/startstop.sh BUILDDIR
#                    REPS=3 bench/startstop.sh .        (quick)
#
# Per trial, from spawning the tracer:
#   ready   its events are live: lden's header line ("lden: visualizing"),
#           printed once the events are enabled; perf stat's ack on its
#           control fifo after 'enable'; bpftrace: its tracepoints' perf
#           events open (as many anon_inode:[perf_event] fds beyond its
#           per-CPU output buffers, the ones in its epoll set, as
#           tracepoints)
#   first   lden only: its first JSON line (the first values)
#   stop    from SIGINT to the process's exit (waitpid)
# Tracers, each on the same events: lden visualize --no-dashboard -o json
# [-e LIST] (sized events sampled, the others counted), perf stat -a -e TP
# ... (the tracepoints those events use here, from the catalog), bpftrace
# with one probe on those tracepoints counting into a map.  Sets of
# events: 1 (task.create), 5 (task.create, task.exec, sys.open,
# memory.alloc, network.tcp_send), all.  Each repetition runs every
# tracer and set in an order rotated by one; the series runs twice: quiet,
# then loaded (LOAD_PROCS busy loops, one per CPU by default, alongside).
# Before each trial the script waits for any lden-close process (what is
# left of an lden that exited: the kernel's teardown of its perf events)
# to finish, at most 10 s, and reports how long lden's took.
#
# Knobs [defaults]: REPS [7], LOAD_PROCS [nproc], SETS ["1 5 all"],
# TRACERS ["lden perf-stat bpftrace"], LDEN [BUILDDIR/src/lden],
# LDEN_BASE [none]: another lden binary (main's), tracer "lden-base", run
# interleaved with "lden" for a same-run comparison,
# IDLE [0]: seconds; instead of the start/stop series, each lden binary
# runs visualize with every event, and after 5 s its threads' CPU time
# (schedstat) and context switches (wakeups) are summed over IDLE
# seconds, the script itself sleeping meanwhile; REPS times, interleaved.
# Needs root, perf (linux-perf), bpftrace, python3.

set -u
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=${1:-}
[ -n "$BUILDDIR" ] || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
LDEN=${LDEN:-$BUILDDIR/src/lden}
[ -x "$LDEN" ] || { echo "startstop.sh: no $LDEN (run make first)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "startstop.sh: run as root" >&2; exit 1; }
export LDEN REPS=${REPS:-7} LOAD_PROCS=${LOAD_PROCS:-$(nproc)}
export SETS=${SETS:-"1 5 all"} TRACERS=${TRACERS:-"lden perf-stat bpftrace"}
export LDEN_BASE=${LDEN_BASE:-} IDLE=${IDLE:-0}
export CATALOG=${CATALOG:-$BENCH_DIR/../kprobe_events}

exec python3 - <<'EOF'
import os, signal, subprocess, sys, tempfile, time

LDEN = os.environ["LDEN"]; REPS = int(os.environ["REPS"])
LOAD = int(os.environ["LOAD_PROCS"]); SETS = os.environ["SETS"].split()
TRACERS = os.environ["TRACERS"].split(); CATALOG = os.environ["CATALOG"]
T = "/sys/kernel/tracing"
NCPU = os.cpu_count()
BASE = os.environ.get("LDEN_BASE", ""); IDLE = float(os.environ.get("IDLE", "0"))
BIN = {"lden": LDEN, "lden-base": BASE}
FIVE = ["task.create", "task.exec", "sys.open", "memory.alloc", "network.tcp_send"]

def log(*a): print(*a, file=sys.stderr, flush=True)

# the tracepoints of each catalog event that exist here
tps = {}
cur = None
for f in sorted(os.listdir(CATALOG)):
    if not f.endswith(".events"): continue
    for line in open(os.path.join(CATALOG, f)):
        w = line.split()
        if not w or w[0].startswith("#"): continue
        if w[0] == "event": cur = w[1]; tps[cur] = []
        # a tracepoint SYSTEM:NAME (not "also kretprobe ...")
        elif w[0] in ("tracepoint", "also") and cur and ":" in w[1]:
            s, n = w[1].split(":")
            if os.path.exists(f"{T}/events/{s}/{n}/id") and w[1] not in tps[cur]:
                tps[cur].append(w[1])
every = sorted(e for e in tps if tps[e])
def events(setname):
    return {"1": ["task.create"], "5": FIVE, "all": every}[setname]
def tracepoints(evs):
    out = []
    for e in evs:
        for tp in tps[e]:
            if tp not in out: out.append(tp)
    return out

def perf_fds(pid):
    n = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == "anon_inode:[perf_event]": n += 1
            except OSError: pass
    except OSError: pass
    return n

def epoll_fds(pid):
    n = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fdinfo"):
            try: n += open(f"/proc/{pid}/fdinfo/{fd}").read().count("tfd:")
            except OSError: pass
    except OSError: pass
    return n

def reapers():
    # alive ones: an exited one stays a zombie until its new parent
    # (init, here) reaps it
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                st = open(f"/proc/{p}/stat").read()
                if st[st.index("(") + 1:st.rindex(")")] == "lden-close" and \
                   st[st.rindex(")") + 2] != "Z":
                    out.append(p)
            except (OSError, ValueError): pass
    return out

def wait_reapers(limit=10.0):
    t0 = time.monotonic()
    while reapers() and time.monotonic() - t0 < limit: time.sleep(0.005)
    return time.monotonic() - t0

def readline_until(f, pred, deadline):
    buf = b""
    while time.monotonic() < deadline:
        line = f.readline()
        if not line: return None
        if pred(line): return time.monotonic()
    return None

def trial(tracer, setname, tmp):
    evs = events(setname); tpl = tracepoints(evs)
    ready = first = None
    if tracer in BIN:
        cmd = [BIN[tracer], "visualize", "--no-dashboard", "-o", "json"]
        if setname != "all": cmd += ["-e", ",".join(evs)]
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ready = readline_until(p.stderr, lambda l: l.startswith(b"lden: visualizing"), t0 + 30)
        first = readline_until(p.stdout, lambda l: l.startswith(b"{"), t0 + 30)
    elif tracer == "perf-stat":
        ctl, ack = os.path.join(tmp, "ctl"), os.path.join(tmp, "ack")
        for x in (ctl, ack):
            if os.path.exists(x): os.unlink(x)
            os.mkfifo(x)
        cmd = ["perf", "stat", "-D", "-1", f"--control=fifo:{ctl},{ack}", "-a", "-x,", "-o", os.path.join(tmp, "stat.csv")]
        for tp in tpl: cmd += ["-e", tp]
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cfd = os.open(ctl, os.O_RDWR); afd = os.open(ack, os.O_RDWR)
        os.write(cfd, b"enable\n")
        got = b""
        import select
        while time.monotonic() < t0 + 30 and b"ack" not in got:
            r, _, _ = select.select([afd], [], [], 0.5)
            if r: got += os.read(afd, 16)
        ready = time.monotonic() if b"ack" in got else None
        os.close(cfd); os.close(afd)
    else:
        prog = ",".join("tracepoint:" + tp for tp in tpl) + " { @ = count(); }"
        t0 = time.monotonic()
        p = subprocess.Popen(["bpftrace", "-e", prog], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # its tracepoints' perf fds: those beyond its output buffers,
        # which are in its epoll set ("tfd:" lines of the epoll's fdinfo)
        while time.monotonic() < t0 + 60:
            if perf_fds(p.pid) - epoll_fds(p.pid) >= len(tpl): ready = time.monotonic(); break
            if p.poll() is not None: break
            time.sleep(0.002)
    time.sleep(0.3)
    # a SIGINT that comes before the tracer handles it may be lost
    # (bpftrace ignores it for a while after attaching): sent again every
    # second, the stop time counted from the last one
    while True:
        ts = time.monotonic()
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=1.0)
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() - t0 > 120:
                p.kill(); p.wait(); break
    if p.stdout: p.stdout.read()
    stop = time.monotonic() - ts
    reap = wait_reapers() if tracer in BIN else 0.0
    ms = lambda x: None if x is None else (x - t0) * 1000
    return ms(ready), ms(first), stop * 1000, reap * 1000

def series(name, tmp):
    rows = {}
    combos = [(t, s) for s in SETS for t in TRACERS]
    for rep in range(REPS):
        k = rep % len(combos)
        for t, s in combos[k:] + combos[:k]:
            wait_reapers()
            r = trial(t, s, tmp)
            rows.setdefault((t, s), []).append(r)
            log(f"{name} rep {rep + 1}: {t:9s} {s:3s} ready {r[0]} first {r[1]} stop {r[2]:.1f} reaper {r[3]:.0f}")
    return rows

def med(v):
    v = sorted(x for x in v if x is not None)
    if not v: return None
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2

def report(name, rows):
    print(f"\n--- {name}: medians over {REPS} reps [min-max], ms ---")
    print(f"{'tracer':10s} {'events':>6s} {'tps':>4s} {'ready':>20s} {'first value':>20s} {'stop (SIGINT->exit)':>22s} {'lden-close':>10s}")
    f = lambda v: "-" if med(v) is None else f"{med(v):7.1f} [{min(x for x in v if x is not None):.0f}-{max(x for x in v if x is not None):.0f}]"
    for s in SETS:
        for t in TRACERS:
            r = rows.get((t, s))
            if not r: continue
            print(f"{t:10s} {s:>6s} {len(tracepoints(events(s))):4d} {f([x[0] for x in r]):>20s} {f([x[1] for x in r]) if t in BIN else '-':>20s} {f([x[2] for x in r]):>22s} {f([x[3] for x in r]) if t in BIN else '-':>10s}")

def task_stats(pid):
    # (CPU ns, context switches) summed over the process's threads
    ns = cs = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            ns += int(open(f"/proc/{pid}/task/{t}/schedstat").read().split()[0])
            for line in open(f"/proc/{pid}/task/{t}/status"):
                if "ctxt_switches" in line:
                    cs += int(line.split()[-1])
        except (OSError, ValueError, IndexError): pass
    return ns, cs

def idle_series():
    rows = {}
    names = [n for n in ("lden", "lden-base") if BIN.get(n)]
    for rep in range(REPS):
        for name in names[rep % len(names):] + names[:rep % len(names)]:
            p = subprocess.Popen([BIN[name], "visualize", "--no-dashboard", "-o", "json"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(5)
            la0 = open("/proc/loadavg").read().split()[0]
            n0, c0 = task_stats(p.pid); t0 = time.monotonic()
            time.sleep(IDLE)
            n1, c1 = task_stats(p.pid); dt = time.monotonic() - t0
            p.send_signal(signal.SIGINT); p.wait(); wait_reapers()
            r = (100 * (n1 - n0) / 1e9 / dt, (c1 - c0) / dt)
            rows.setdefault(name, []).append(r)
            log(f"idle rep {rep + 1}: {name:9s} cpu {r[0]:.3f}% wakeups/s {r[1]:.1f} (load {la0})")
    print(f"\n--- idle: visualize with all events, {IDLE:g} s from 5 s after start, medians over {REPS} reps [min-max] ---")
    print(f"{'binary':10s} {'CPU % of one':>22s} {'wakeups/s':>22s}")
    for name, r in rows.items():
        g = lambda v: f"{med(v):8.3f} [{min(v):.3f}-{max(v):.3f}]"
        print(f"{name:10s} {g([x[0] for x in r]):>22s} {g([x[1] for x in r]):>22s}")

tmp = tempfile.mkdtemp(prefix="lden-startstop.")
print(f"=== lden start/stop: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, {os.uname().release}, {NCPU} CPUs ===")
print(f"lden: {LDEN}; perf: {subprocess.run(['perf', '--version'], capture_output=True, text=True).stdout.strip()}; bpftrace: {subprocess.run(['bpftrace', '--version'], capture_output=True, text=True).stdout.strip()}")
print(f"events: 1 = task.create; 5 = {', '.join(FIVE)}; all = {len(every)} events")
print(f"loadavg at start: {open('/proc/loadavg').read().split()[:3]}")
if IDLE > 0:
    idle_series()
    print(f"loadavg at end: {open('/proc/loadavg').read().split()[:3]}")
    sys.exit(0)
quiet = series("quiet", tmp)
load = [subprocess.Popen(["sh", "-c", "while :; do :; done"]) for _ in range(LOAD)]
try:
    loaded = series("loaded", tmp)
finally:
    for p in load: p.kill(); p.wait()
print(f"loadavg at end: {open('/proc/loadavg').read().split()[:3]}")
report("quiet", quiet)
report(f"loaded ({LOAD} busy loops)", loaded)
EOF

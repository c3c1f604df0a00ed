#!/usr/bin/env python3
# io-follow.py OUT [FIFO]: (after 20 bytes from FIFO, one at a time)
# known writes to /dev/null from the process, a thread,
# a child process and the child's thread, then a thread whose id is one
# an exited child had (where the kernel hands it out again); the ids to
# OUT as "role pid tid" lines (tests/cli/test-io-follow.sh); last, a
# thread other than the leader execs a program that writes 7777 bytes (it
# takes the process's id).
import glob
import os
import sys
import threading
import time

out = open(sys.argv[1], "w")
fd = os.open("/dev/null", os.O_WRONLY)
if len(sys.argv) > 2:
    with open(sys.argv[2], "rb", buffering=0) as go:
        for _ in range(20):
            go.read(1)


def note(role):
    out.write("%s %d %d\n" % (role, os.getpid(), threading.get_native_id()))
    out.flush()


def write(n, role):
    note(role)
    os.write(fd, b"x" * n)


write(1111, "main")
t = threading.Thread(target=write, args=(2222, "thread"))
t.start()
t.join()
pid = os.fork()
if pid == 0:
    write(3333, "child")
    t = threading.Thread(target=write, args=(4444, "child-thread"))
    t.start()
    t.join()
    os._exit(0)
os.waitpid(pid, 0)
# a child that exits at once, its id handed to a thread of this process
# (ns_last_pid: the next id the kernel gives), as often as it must
for _ in range(20):
    gone = os.fork()
    if gone == 0:
        os._exit(0)
    os.waitpid(gone, 0)
    # lden's instance (the ftrace ring) drops the id from its filter only
    # when the kernel frees the task, an RCU grace period later: a task
    # given the id before then would be dropped with it (ids wrap around
    # that fast only when forced, as here)
    for f in glob.glob("/sys/kernel/tracing/instances/lden_*_%d/set_event_pid"
                       % os.getppid()):
        for _ in range(500):
            with open(f) as p:
                if str(gone) not in p.read().split():
                    break
            time.sleep(0.01)
    try:
        with open("/proc/sys/kernel/ns_last_pid", "w") as f:
            f.write(str(gone - 1))
    except OSError:
        break
    got = []
    t = threading.Thread(target=lambda: got.append(threading.get_native_id()) or
                         (got[0] == gone and write(6666, "reused")))
    t.start()
    t.join()
    if got and got[0] == gone:
        out.write("gone %d %d\n" % (gone, gone))
        break
out.write("exec %d %d\n" % (os.getpid(), os.getpid()))
out.close()
prog = "import os; os.write(os.open('/dev/null', os.O_WRONLY), b'e' * 7777)"
t = threading.Thread(target=os.execv,
                     args=(sys.executable, [sys.executable, "-c", prog]))
t.start()
t.join()

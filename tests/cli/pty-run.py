# pty-run.py SECONDS OUT CMD [ARGS]: runs CMD as a terminal's job would
# be: in a session of its own whose controlling terminal is a new pty, CMD
# in its foreground process group (so that a process of another group
# that reads it gets SIGTTIN).  CMD's pid goes to OUT.pid, what it writes
# to the terminal to OUT.  Exits with CMD's status (128 + N for signal N);
# when CMD has not ended within SECONDS: SIGTERM to it, SIGKILL 10 s
# later, "pty-run: timeout" on stderr and status 124.
import os
import pty
import select
import signal
import sys
import time

timeout = float(sys.argv[1])
out = open(sys.argv[2], "wb")
pid, fd = pty.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[3], sys.argv[3:])
    finally:
        os._exit(127)
with open(sys.argv[2] + ".pid", "w") as f:
    f.write("%d\n" % pid)
deadline = time.monotonic() + timeout
timed_out = False
status = None
while status is None:
    r, _, _ = select.select([fd], [], [], 0.05)
    if r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        out.write(data)
        out.flush()
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        status = st
        break
    if not timed_out and time.monotonic() > deadline:
        timed_out = True
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
    elif timed_out and time.monotonic() > deadline:
        os.kill(pid, signal.SIGKILL)
        deadline = float("inf")
while True:
    r, _, _ = select.select([fd], [], [], 0)
    if not r:
        break
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    out.write(data)
out.close()
if timed_out:
    sys.stderr.write("pty-run: timeout\n")
    sys.exit(124)
if os.WIFEXITED(status):
    sys.exit(os.WEXITSTATUS(status))
sys.exit(128 + os.WTERMSIG(status))

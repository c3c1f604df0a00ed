#!/usr/bin/env python3
# fd-swap.py FILE [GATE FD]: a thread reads a pipe's read end R (blocks);
# once it sleeps in the read, the main thread closes R, opens FILE (given
# R's number: the lowest free) and writes 77 bytes into the pipe.
# With GATE and FD: R is fd FD (eventfds fill the numbers below it: a
# number no file of the run had before; eventfd2 and pipe2 are not traced
# by lden io); FILE is kept across exec; GATE is made after the swap, and
# the program stays until GATE is removed (20 s at most).
import os, sys, threading, time

gate = sys.argv[2] if len(sys.argv) > 3 else None
if gate:
    keep = []
    while not keep or keep[-1] < int(sys.argv[3]) - 1:
        keep.append(os.eventfd(0))
        if keep[-1] > int(sys.argv[3]) - 1:
            sys.exit(3)
r, w = os.pipe()
tid = []

def reader():
    tid.append(threading.get_native_id())
    os.read(r, 100)

t = threading.Thread(target=reader)
t.start()

def sleeping():
    with open("/proc/self/task/%d/stat" % tid[0]) as f:
        return f.read().rsplit(")", 1)[1].split()[0] == "S"

deadline = time.monotonic() + 20
while not tid or not sleeping():
    if time.monotonic() > deadline:
        sys.exit(3)
    time.sleep(0.001)
os.close(r)
fd = os.open(sys.argv[1], os.O_RDONLY)
if gate:
    # kept across exec: lden, behind, may yet apply the program's own
    # exec (older) to what it reads now, and drop a close-on-exec fd
    os.set_inheritable(fd, True)
    open(gate, "w").close()
os.write(w, b"p" * 77)
t.join()
deadline = time.monotonic() + 20
while gate and os.path.exists(gate) and time.monotonic() < deadline:
    time.sleep(0.001)

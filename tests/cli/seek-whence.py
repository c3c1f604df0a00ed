# A workload for the size-overflow tests: prints "ready PID", waits for a
# line on stdin, calls lseek(fd, 0, W) on /dev/null once for each W given
# (a whence the kernel refuses is still one syscalls:sys_enter_lseek
# record, whose 'whence' field is W), prints "done", and stays until stdin
# closes.
import os
import sys

fd = os.open("/dev/null", os.O_RDONLY)
whences = [int(a) for a in sys.argv[1:]]
print("ready %d" % os.getpid(), flush=True)
sys.stdin.readline()
for w in whences:
    try:
        os.lseek(fd, 0, w)
    except OSError:
        pass
print("done", flush=True)
while sys.stdin.readline():
    pass

# A process whose getppid(2) calls test-pid-threads.sh knows: threads
# alive from the start make 100, 50 and 25 calls, IDLE more make none;
# once released ("go" on stdin), a thread created then makes 10 and a
# child process 7.  Prints "ready" and its threads' ids, then "done".
import os
import sys
import threading

idle = int(sys.argv[1]) if len(sys.argv) > 1 else 0
go = threading.Event()


def calls(n):
    go.wait()
    for _ in range(n):
        os.getppid()


alive = [threading.Thread(target=calls, args=(n,)) for n in (100, 50, 25)]
alive += [threading.Thread(target=calls, args=(0,)) for _ in range(idle)]
for t in alive:
    t.start()
print("tids", " ".join(str(t.native_id) for t in alive[:3]), flush=True)
print("ready", flush=True)
sys.stdin.readline()
go.set()
for t in alive:
    t.join()
later = threading.Thread(target=lambda: [os.getppid() for _ in range(10)])
later.start()
later.join()
child = os.fork()
if child == 0:
    for _ in range(7):
        os.getppid()
    os._exit(0)
os.waitpid(child, 0)
print("done", flush=True)
sys.stdin.readline()

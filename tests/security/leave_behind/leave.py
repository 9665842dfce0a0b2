# attack: leave something behind for the next submission graded by the same worker (warm kernels)
import ctypes
import difflib
import os
import socket
import sys
import time

import ipykernel

SECRET = "LEFT-BEHIND-" + "7e1d" * 4
blob = (SECRET * 1000).encode()  # kept in this process's memory
PLACES = ["/tmp", "/dev/shm", os.path.expanduser("~"), "/run", "/home", "/dev", "/var/tmp"]
for path in [f"{place}/odtb-left" for place in PLACES]:
    try:
        with open(path, "w") as f:
            f.write(SECRET)
        print("wrote", path)
    except Exception as e:
        print("blocked", path, type(e).__name__)
if os.fork() == 0:  # a daemon that outlives the kernel: setsid, double fork, an abstract socket, the secret
    os.setsid()
    if os.fork() == 0:
        s = socket.socket(socket.AF_UNIX)
        s.bind("\0odtb-left")
        s.listen(1)
        while True:
            c, _ = s.accept()
            c.sendall(blob[:64])
            c.close()
    os._exit(0)
time.sleep(0.3)
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
shmid = libc.shmget(0x0D7B0D7B, 4096, 0o1666)  # SysV shared memory outlives its creator
if shmid >= 0:
    ctypes.memmove(libc.shmat(shmid, None, 0), SECRET.encode(), len(SECRET))
print("shm", shmid)
difflib.get_close_matches = lambda *a, **k: [SECRET]  # a module the template has imported
ipykernel.odtb_left = SECRET
for module in (difflib, ipykernel):
    try:
        with open(module.__file__, "a") as f:
            f.write("\n# " + SECRET)
        print("ATTACK-SUCCEEDED module file written", module.__file__)
    except Exception as e:
        print("blocked module file", type(e).__name__)
sys.stdout.flush()

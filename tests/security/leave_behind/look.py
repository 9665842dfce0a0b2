# attack: find what the previous submission left behind (files, processes, sockets, shared memory,
# modules changed in memory) and read its memory, from the next kernel of the same worker; and reach
# the template through the namespace's reaper (its memory, its pipes)
import ctypes
import difflib
import os
import socket

import ipykernel

MARK = "LEFT-BEHIND-"
found = []
PLACES = ["/tmp", "/dev/shm", os.path.expanduser("~"), "/run", "/home", "/dev", "/var/tmp"]
for path in [f"{place}/odtb-left" for place in PLACES]:
    if os.path.exists(path):
        found.append("file " + path)
try:
    s = socket.socket(socket.AF_UNIX)
    s.connect("\0odtb-left")
    found.append("socket " + s.recv(64).decode())
except OSError:
    pass
libc = ctypes.CDLL(None, use_errno=True)
if libc.shmget(0x0D7B0D7B, 0, 0) >= 0:
    found.append("shared memory")
if difflib.get_close_matches("abc", ["abc"]) != ["abc"] or hasattr(ipykernel, "odtb_left"):
    found.append("module changed in memory")
for name in (difflib.__file__, ipykernel.__file__):
    if MARK in open(name).read():
        found.append("module file " + name)
for what, path in (("open files", "/proc/1/fd"), ("memory", "/proc/1/mem")):  # PID 1: the namespace's reaper
    try:
        if what == "memory":
            open(path, "rb").close()
        else:
            os.listdir(path)
        found.append(f"the reaper's {what} (a copy of the template, with its pipes)")
    except OSError:
        pass
seen = 0
for pid in [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]:
    seen += 1
    try:
        cmdline = open(f"/proc/{pid}/cmdline", "rb").read()
        maps = open(f"/proc/{pid}/maps").read().splitlines()
        mem = open(f"/proc/{pid}/mem", "rb")
    except OSError:
        continue
    for line in maps:
        lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
        if "r" not in line.split()[1] or hi - lo > 64 << 20:
            continue
        try:
            mem.seek(lo)
            if (MARK + "7e1d").encode() in mem.read(hi - lo):
                found.append(f"memory of process {pid}")
                break
        except (OSError, ValueError, OverflowError):
            pass
for what in found:
    print("ATTACK-SUCCEEDED left behind:", what)
print(f"LOOKED processes={seen} found={len(found)}")

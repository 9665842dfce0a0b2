"""The warm kernel template: runs INSIDE the grading sandbox and forks one fresh kernel per submission.

Started by grader.warm under bubblewrap (same binds, limits and anonymous uid as a cold kernel), it
imports what the assignment's source notebooks import (trusted course content, never anything of a
trainee) and the kernel machinery, then waits for requests on stdin, one JSON line each:

    {"fork": "<submission dir>", "ckan_port": 0, "cpu": SECONDS}
    {"kill": PID}

For each ``fork`` it answers ``{"pid": PID}`` and, when that kernel has ended, ``{"exited": PID,
"status": N}``. A forked kernel never shares anything with the template or with another
submission's kernel:

- the child enters new user, mount, IPC, PID and network namespaces of its own (nested in the
  sandbox's; it gains capabilities only inside them and drops every one of them before any
  submission code runs); a kernel that may read CKAN reaches it, as a cold one does, through the
  relay: a listener on 127.0.0.1 inside its own network namespace forwards to a Unix socket in its
  submission directory (grader.relay's trusted half serves it);
- it gets a fresh ``/tmp``, ``/run`` and ``/dev/shm``, its own ``/proc``, and of the spool only its
  own submission directory (the other submissions' directories are covered); everything else it
  sees is read-only (the template's ``/home`` and ``/dev`` are mounted read-only);
- its first process is a reaper (PID 1 of the new PID namespace): when the kernel ends, or the
  template kills the child, the namespace ends and with it every process the submission started;
- memory is the template's, copied on write: whatever the submission changes (a module, a global)
  is gone with its process, and the template itself never runs submission code nor holds anything of
  a trainee (a request names only a numbered folder; the kernel reads its environment from that
  folder); the reaper and relay (copies of the template) are not readable by the kernel, and a child
  keeps none of the template's pipes.

Like grader.relay's launcher, this file runs with ``python -I -c`` inside the sandbox, where the
project is not mounted: it imports nothing of the project.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import importlib
import json
import os
import resource
import select
import signal
import socket
import struct
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 2, 4, 8, 4096, 8192, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_DUMPABLE = 1, 24, 4
CAP_LAST = 63
SANDBOX_HOME = "/home/sandbox"
ENV_FILE = "kernel-env.json"  # grader.warm writes it into the submission's folder

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    fs = fstype.encode() if fstype else None
    _check(_libc.mount(source.encode(), target.encode(), fs, flags, data.encode() if data else None), f"mount {target}")


def _drop_capabilities() -> None:
    """No capability left, in any set, for this process and everything it starts."""
    for cap in range(CAP_LAST + 1):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == errno.EINVAL:
            break  # past the kernel's last capability
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable (two words each): all empty
    _check(_libc.capset(header, data), "capset")


def _loopback_up() -> None:
    """Bring ``lo`` up in a new network namespace (the relay listens on 127.0.0.1 there)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifreq = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(s, 0x8913, ifreq))[1]  # SIOCGIFFLAGS
        fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", flags | 0x1))  # SIOCSIFFLAGS, IFF_UP


def _only_fds(keep: int) -> None:
    """In a forked child: stdin and stdout on /dev/null (not the template's request and answer pipes, which a
    kernel could otherwise reach through /proc), stderr kept (the grading log), every other fd closed but
    ``keep``."""
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    for fd in [int(n) for n in os.listdir("/proc/self/fd")]:
        if fd > 2 and fd != keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _isolate(sub: str, spool: str) -> None:
    """In the forked child: new namespaces, fresh /tmp and /dev/shm, only ``sub`` of the spool visible."""
    uid, gid = os.getuid(), os.getgid()
    _libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # the template is not (so its /proc files are root's); a child
    # must be, to write its own uid_map; the template stays unreadable to it
    flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET
    _check(_libc.unshare(flags), "unshare")
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1\n")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{gid} {gid} 1\n")
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700,size=256m")
    if os.path.isdir("/dev/shm"):
        _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700,size=64m")
    keep = "/tmp/.submission"
    os.mkdir(keep)
    _mount(sub, keep, None, MS_BIND | MS_REC)
    # a fresh /run covers the spool (the other submissions) and whatever an earlier kernel could write there
    _mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
    os.makedirs(sub, mode=0o700)
    _mount(keep, sub, None, MS_MOVE)
    os.rmdir(keep)
    _mount(os.path.join(sub, "work"), SANDBOX_HOME, None, MS_BIND | MS_REC)
    _loopback_up()


def _reaper(kernel_pid: int) -> None:
    """PID 1 of the submission's namespace: reap everything, end (and so end them all) with the kernel."""
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(0)
        if pid == kernel_pid:
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _run_kernel(sub: str, home: str = SANDBOX_HOME) -> None:
    """The kernel itself, in this process (the template's imports are already here). Its environment comes from
    the submission's folder (``kernel-env.json``, written by the trusted side), not through the template."""
    os.closerange(3, 65536)
    env_file = os.path.join(sub, ENV_FILE)
    with open(env_file, encoding="utf-8") as f:
        env = json.load(f)
    os.unlink(env_file)
    os.environ.clear()
    os.environ.update(env)
    os.chdir(home)
    sys.path.insert(0, "")  # as `python -m ipykernel_launcher` run in the notebook's folder
    sys.argv = ["ipykernel_launcher", "-f", os.path.join(sub, "connection.json")]
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    # a forked process starts with its template's random state: Python's random reseeds itself after a fork,
    # NumPy's global generator does not (every kernel would draw the same numbers)
    if "numpy.random" in sys.modules:
        sys.modules["numpy.random"].seed()
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(sys.argv[1:])
    app.start()
    os._exit(0)


def _relay(port: int, sock_path: str) -> None:
    """Inside the namespace: 127.0.0.1:``port`` → the submission's Unix socket (grader.relay's launcher)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(8)
    if os.fork() == 0:
        import threading

        def pipe(src: socket.socket, dst: socket.socket) -> None:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

        def handle(conn: socket.socket) -> None:
            try:
                up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                up.connect(sock_path)
            except OSError:
                conn.close()
                return
            back = threading.Thread(target=pipe, args=(up, conn), daemon=True)
            back.start()
            pipe(conn, up)
            back.join()
            conn.close()
            up.close()

        while True:
            conn, _ = listener.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()
    listener.close()


def _child(request: dict, spool: str, alive_r: int, plain: bool = False) -> None:
    """The forked child: isolate, then become the reaper of a new PID namespace whose PID 2 is the kernel.
    ``plain`` (benchmarks only, the template not in a sandbox either): no isolation, the kernel at once."""
    sub = os.path.realpath(request["fork"])
    if os.path.dirname(sub) != spool:
        os._exit(97)
    cpu = int(request.get("cpu") or 60)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))  # the kernel's own (the template has none)
    if plain:
        _run_kernel(sub, home=os.path.join(sub, "work"))
    _isolate(sub, spool)
    reaper = os.fork()  # PID 1 of the new PID namespace
    if reaper:
        _, status = os.waitpid(reaper, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if select.select([alive_r], [], [], 0)[0]:  # the template's end closed: it is gone, go too
        os._exit(98)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _drop_capabilities()
    # this reaper (and the relay) are copies of the template: no process of the submission may read them
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    if request.get("ckan_port"):
        _relay(int(request["ckan_port"]), os.path.join(sub, "ckan.sock"))
    kernel = os.fork()
    if kernel == 0:
        _libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # the kernel's own /proc/self is its own again
        _run_kernel(sub)
    _reaper(kernel)


def _preload(modules: list[str]) -> list[str]:
    """Import what the course's notebooks import; a module missing from the environment is skipped."""
    done = []
    for name in modules:
        try:
            importlib.import_module(name)
            done.append(name)
        except Exception:  # noqa: BLE001 - an optional warm-up, never a failure of the template
            pass
    return done


def _rehearse() -> list[str]:
    """The modules a kernel imports while it starts (its shell, debugger, history...): found by starting
    one in a throw-away child (its own folder in the template's /tmp, never answered) and listing what
    it imported."""
    before = set(sys.modules)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            from jupyter_client.connect import write_connection_file

            folder = "/tmp/rehearsal"
            os.makedirs(folder, exist_ok=True)
            os.chdir(folder)
            connection, _ = write_connection_file(
                os.path.join(folder, "connection.json"), transport="ipc", ip=os.path.join(folder, "k")
            )
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 1)
            from ipykernel.kernelapp import IPKernelApp

            IPKernelApp.instance().initialize(["-f", connection])
            os.write(w, json.dumps(sorted(set(sys.modules) - before)).encode())
        finally:
            os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 1 << 20):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    import shutil

    shutil.rmtree("/tmp/rehearsal", ignore_errors=True)
    try:
        return [m for m in json.loads(data) if not m.startswith("__")]
    except ValueError:
        return []


def _probe() -> str:
    """'' when a child can be isolated here (nested namespaces allowed), else why not: the trusted side
    then grades with cold kernels instead of forking kernels that could not be isolated."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            uid, gid = os.getuid(), os.getgid()
            _libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
            _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET), "unshare")
            with open("/proc/self/setgroups", "w") as f:
                f.write("deny")
            with open("/proc/self/uid_map", "w") as f:
                f.write(f"{uid} {uid} 1\n")
            with open("/proc/self/gid_map", "w") as f:
                f.write(f"{gid} {gid} 1\n")
            _mount("none", "/", None, MS_REC | MS_PRIVATE)
            _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m")
            _loopback_up()
            inner = os.fork()
            if inner == 0:
                _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
                _drop_capabilities()
                os._exit(0)
            _, status = os.waitpid(inner, 0)
            os.write(w, b"" if status == 0 else b"proc/capabilities")
        except BaseException as e:  # noqa: BLE001 - reported to the trusted side
            os.write(w, f"{type(e).__name__}: {e}".encode())
        os._exit(0)
    os.close(w)
    why = b""
    while chunk := os.read(r, 4096):
        why += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return why.decode(errors="replace")


def serve(spool: str, modules: list[str], plain: bool = False) -> None:
    """Preload, say ready, then fork kernels on request until stdin closes."""
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # no other process of this uid may read the template's memory
    loaded = _preload(["ipykernel.kernelapp", "ipykernel.ipkernel", *modules])
    _preload(_rehearse())
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    why = "" if plain else _probe()
    if why:
        out.write(json.dumps({"unavailable": why}) + "\n")
        return
    out.write(json.dumps({"ready": loaded}) + "\n")
    alive_r, alive_w = os.pipe()  # children watch the read end: EOF means the template died
    children: set[int] = set()
    buf = b""
    while True:
        ready = select.select([0], [], [], 0.05)[0]
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            children.discard(pid)
            out.write(json.dumps({"exited": pid, "status": os.waitstatus_to_exitcode(status)}) + "\n")
        if not ready:
            continue
        chunk = os.read(0, 65536)
        if not chunk:
            for pid in children:
                os.kill(pid, signal.SIGKILL)
            return
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            request = json.loads(line)
            if "kill" in request:
                if request["kill"] in children:
                    os.kill(request["kill"], signal.SIGKILL)
                continue
            pid = os.fork()
            if pid == 0:
                try:
                    _only_fds(alive_r)
                    _child(request, spool, alive_r, plain)
                except BaseException as e:  # noqa: BLE001 - reported on stderr, the child ends
                    print(f"warm kernel: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
                os._exit(99)
            children.add(pid)
            out.write(json.dumps({"pid": pid}) + "\n")


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    serve(sys.argv[2], json.loads(sys.argv[3]), plain=sys.argv[4:5] == ["--plain"])

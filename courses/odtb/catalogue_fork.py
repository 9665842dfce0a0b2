"""Run one wrong-answer catalogue file from prepared processes: the notebook prefix once, one fork per entry.

The per-entry-kernel path (``catalogue._verdicts``) starts a Jupyter kernel for every entry and re-runs the
notebook up to the question each time (imports of pandas and matplotlib, CKAN reads). Here one process (spawned
fresh, so it starts with no threads) runs the instructor's notebook in IPython's ``InteractiveShell`` — the
shell a kernel wraps — cell by cell. When it reaches a question's answer cell it forks one child per entry:
the child gets a copy of the process state and of the working folder exactly as a fresh run of the prefix
leaves them, runs the entry's code in place of the answer cell, the cells up to the tests cell and the same
verdict cells as the kernel path, sends the verdicts through a pipe and exits. The parent never runs entry
code, so nothing an entry changes (a DataFrame mutated in place, a file written) reaches the next one; after
the entries it runs the instructor's answer and goes on to the next question.

What a kernel does that matters here is reproduced: the inline matplotlib backend (figures rendered and closed
after each cell), the trainees' IPython extension, ``display()``, an error as ``"Name: message"`` taken where
ipykernel takes it (``_showtraceback``), a kernel's cell file names (a SyntaxError quotes them), 120 s per cell
(a cell past it stops the entry, as nbclient does); a child's leftover processes are killed with it.
Kept-alive HTTP connections (ckanapi's session) are dropped before forking, so no two children share a socket.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import sys
import time
from pathlib import Path

from catalogue import KINDS, LENIENT, STRICT, load, split_tests

CELL_TIMEOUT = 120  # seconds per cell, as the kernel path's nbclient timeout
INLINE = "module://matplotlib_inline.backend_inline"


class _CellTimeout(BaseException):
    """Raised by SIGALRM inside a cell that ran past CELL_TIMEOUT (BaseException: ``except Exception`` in a cell
    does not swallow it)."""


def _plan(payload: dict) -> tuple[dict, Path, str, list[dict], list[tuple[int, dict, str, dict]]]:
    """(catalogue data, module folder, notebook name, code cells, entries as (index, question, kind, entry))."""
    import nbformat

    data = load(Path(payload["catalogue"]))
    module_dir = Path(payload["source"]) / data["module"]
    nb_name = data.get("notebook") or next(module_dir.glob("kadai_*.ipynb")).name
    nb = nbformat.read(module_dir / nb_name, as_version=4)
    cells = [
        {"id": c.metadata.get("nbgrader", {}).get("grade_id"), "source": c.source}
        for c in nb.cells
        if c.cell_type == "code"
    ]
    ids = [c["id"] for c in cells]
    for q in data["questions"]:
        if q["answer"] not in ids or q["tests"] not in ids:
            raise ValueError(f"no cell {q['answer']!r} or {q['tests']!r} in the notebook")
        if ids.index(q["answer"]) > ids.index(q["tests"]):
            raise ValueError(f"answer cell {q['answer']!r} comes after its tests cell {q['tests']!r}")
    entries = [(q, kind, e) for q in data["questions"] for kind in KINDS for e in q.get(kind) or []]
    return data, module_dir, nb_name, cells, [(n, *entry) for n, entry in enumerate(entries)]


def _base(data: dict, q: dict, kind: str, entry: dict) -> dict:
    return {
        "module": data["module"],
        "answer": q["answer"],
        "tests": q["tests"],
        "kind": kind,
        "name": entry["name"],
        "why": entry["why"],
        "crashes": bool(entry.get("crashes")),
    }


def _stopped(result: dict, why: str) -> dict:
    result.update(setup_error=f"execution stopped: {why}", answer_error=None, self_error=None, hidden_error=None)
    return {**result, "self_ok": False, "hidden_ok": False}


def child_run(payload: dict) -> dict:
    """Runner command ``catalogue`` (hub venv): every entry of one catalogue file, from one prepared process."""
    import multiprocessing

    data, _, _, _, entries = _plan(payload)  # a malformed file fails here, before any process starts
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads, nothing of this process
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_serve, args=(payload, send))
    proc.start()
    send.close()
    results: dict[int, dict] = {}
    try:
        # the server enforces the time limits itself; this only catches a server that stopped answering
        while len(results) < len(entries) and receive.poll(CELL_TIMEOUT * 10):
            n, result = receive.recv()
            if n < 0:
                raise RuntimeError(f"the catalogue's notebook process failed:\n{result}")
            results[n] = result
    except EOFError:
        pass
    finally:
        proc.join(timeout=30)
        if proc.is_alive():
            proc.kill()
            proc.join()
    for n, q, kind, entry in entries:
        if n not in results:
            why = f"the notebook process ended early (exit code {proc.exitcode}) or stopped answering"
            results[n] = _stopped(_base(data, q, kind, entry), why)
    return {"results": [results[n] for n, *_ in entries]}


# --- the prepared process ---------------------------------------------------------------------------------


class _Shell:
    """IPython's InteractiveShell set up like a trainee's kernel; ``run`` gives a cell's first error or None."""

    def __init__(self):
        os.environ.setdefault("MPLBACKEND", INLINE)  # what ipykernel sets before the first cell
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.enabled = False  # no history thread and no SQLite file: the process forks
        try:  # a kernel's cell file names ("<hash>.py"): a SyntaxError's message quotes them
            from ipykernel.compiler import XCachingCompiler

            config.InteractiveShell.compiler_class = XCachingCompiler
        except ImportError:
            pass
        self.shell = InteractiveShell.instance(config=config)
        try:  # loaded in every trainee kernel (etc/ipython/ipython_kernel_config.py); changes only the display
            self.shell.extension_manager.load_extension("odtbcheck.ipython")
        except Exception:  # noqa: BLE001, S110 - an environment without it runs the same checks
            pass
        self.errors: list[str] = []
        shown = self.shell._showtraceback

        def _showtraceback(etype, evalue, stb):
            # where ipykernel builds the error output nbclient records (ename, evalue)
            self.errors.append(f"{etype.__name__}: {evalue}"[:600])
            return shown(etype, evalue, stb)

        self.shell._showtraceback = _showtraceback

    def run(self, source: str) -> str | None:
        """Run one cell; its first error as 'Name: message', or None. Raises _CellTimeout past CELL_TIMEOUT."""
        self.errors.clear()
        fired = []

        def on_alarm(signum, frame):
            fired.append(signum)
            raise _CellTimeout(f"CellTimeoutError: a cell ran longer than {CELL_TIMEOUT} s")

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(CELL_TIMEOUT)
        try:
            self.shell.run_cell(source, store_history=True)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        if fired:
            raise _CellTimeout(f"CellTimeoutError: a cell ran longer than {CELL_TIMEOUT} s")
        return self.errors[0] if self.errors else None


def _quiet() -> None:
    """Cell output goes nowhere (as a kernel's, which nbclient keeps and nobody reads); stdin is closed."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def _drop_connections() -> None:
    """Close every pooled HTTP connection (ckanapi keeps a session): a fork must not share a live socket."""
    import gc

    urllib3 = sys.modules.get("urllib3")
    if urllib3 is None:
        return
    for obj in gc.get_objects():
        if isinstance(obj, urllib3.PoolManager):
            obj.clear()


def _serve(payload: dict, conn) -> None:
    """The prepared process: the notebook cell by cell, a fork per entry at each answer cell."""
    try:
        _serve_entries(payload, conn)
    except BaseException:  # noqa: BLE001 - a fault of the harness itself: the runner raises it
        import traceback

        conn.send((-1, traceback.format_exc()))
    conn.close()


def _serve_entries(payload: dict, conn) -> None:
    """Each entry's result sent as (entry index, result dict) as soon as it is known."""
    data, module_dir, _, cells, entries = _plan(payload)
    workroot = Path(payload["workdir"])
    prefix_dir = workroot / f"{data['module']}-prefix"
    shutil.copytree(module_dir, prefix_dir)
    os.chdir(prefix_dir)
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [str(prefix_dir)] + [p for p in sys.path if p not in ("", here)]  # a kernel's sys.path[0]
    _quiet()
    shell = _Shell()
    ids = [c["id"] for c in cells]
    errors: dict[int, str] = {}  # code cell index -> its error (instructor's cells only)
    done, stopped = 0, None
    # two children per CPU: much of an entry's time is waiting for CKAN (datastore reads, usage counts)
    workers = 2 * max(1, len(os.sched_getaffinity(0)))
    for a in sorted({ids.index(q["answer"]) for _, q, _, _ in entries}):
        while stopped is None and done < a:
            try:
                error = shell.run(cells[done]["source"])
            except _CellTimeout as exc:
                stopped = str(exc)
                break
            if error:
                errors[done] = error
            done += 1
        group = [e for e in entries if ids.index(e[1]["answer"]) == a]
        if stopped is not None:
            for n, q, kind, entry in group:
                conn.send((n, _stopped(_base(data, q, kind, entry), stopped)))
            continue
        before = [errors[i] for i in sorted(errors) if i < a]
        _drop_connections()
        alone = any(q.get("sequential") for _, q, _, _ in group)
        for n, verdicts in _fork_all(shell, cells, ids, group, workroot, data["module"], 1 if alone else workers):
            _, q, kind, entry = entries[n]
            result = _base(data, q, kind, entry)
            if "stopped" in verdicts:
                conn.send((n, _stopped(result, verdicts["stopped"])))
                continue
            result["setup_error"] = before[0] if before else None
            result.update(verdicts)
            result["self_ok"] = result["self_error"] is None
            result["hidden_ok"] = verdicts["has_hidden"] and result["hidden_error"] is None
            del result["has_hidden"]
            conn.send((n, result))
    os.chdir(workroot)
    shutil.rmtree(prefix_dir, ignore_errors=True)


def _fork_all(shell: _Shell, cells, ids, group, workroot: Path, module: str, limit: int):
    """Fork a child per entry of ``group`` (at most ``limit`` at a time); yield (entry index, verdicts)."""
    pending = list(group)
    running: dict[int, dict] = {}  # pid -> {"n", "fd", "buf", "deadline", "work"}
    selector = selectors.DefaultSelector()
    while pending or running:
        while pending and len(running) < limit:
            n, q, _, entry = pending.pop(0)
            a, t = ids.index(q["answer"]), ids.index(q["tests"])
            work = workroot / f"{module}-{n:03d}"
            shutil.copytree(Path.cwd(), work)  # the folder as the prefix left it, before any child runs
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: never returns
                selector.close()
                os.close(read)
                _child(shell, cells, a, t, entry["code"], work, write)
            os.close(write)
            # the child runs at most every cell after the prefix plus the verdict cells, each with its own limit
            deadline = time.monotonic() + CELL_TIMEOUT * (t - a + 6) + 30
            running[pid] = {"n": n, "fd": read, "buf": b"", "deadline": deadline, "work": work}
            selector.register(read, selectors.EVENT_READ, pid)
        wait = max(0.0, min(r["deadline"] for r in running.values()) - time.monotonic())
        for key, _ in selector.select(timeout=wait):
            job = running[key.data]
            chunk = os.read(job["fd"], 65536)
            if chunk:
                job["buf"] += chunk
                continue
            selector.unregister(job["fd"])
            yield job["n"], _reap(key.data, running.pop(key.data), killed=False)
        now = time.monotonic()
        for pid in [p for p, r in running.items() if r["deadline"] <= now]:
            job = running.pop(pid)
            selector.unregister(job["fd"])
            yield job["n"], _reap(pid, job, killed=True)
    selector.close()


def _reap(pid: int, job: dict, killed: bool) -> dict:
    """Wait for (or kill) a child and read its verdicts; remove its folder."""
    try:
        # its own process group (not yet reaped, so the id is still its own): anything it started goes too, as
        # when a kernel is shut down; a child that already finished is a zombie and not affected
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    _, status = os.waitpid(pid, 0)
    os.close(job["fd"])
    shutil.rmtree(job["work"], ignore_errors=True)
    if killed:
        return {"stopped": "TimeoutError: the entry did not finish in time (its process was killed)"}
    try:
        return json.loads(job["buf"].decode("utf-8"))
    except ValueError:
        return {"stopped": f"DeadKernelError: the entry's process ended without verdicts (wait status {status})"}


def _child(shell: _Shell, cells, a: int, t: int, code: str, work: Path, write: int) -> None:
    """In the forked child: the entry in place of the answer cell, the cells up to the tests, both verdicts."""
    status = 0
    try:
        os.setpgid(0, 0)
        os.chdir(work)
        released, visible, hidden = split_tests(cells[t]["source"])
        try:
            verdicts = {"answer_error": shell.run(code)}
            for i in range(a + 1, t):
                shell.run(cells[i]["source"])
            verdicts["self_error"] = shell.run(released)
            for source in (LENIENT, visible, STRICT):
                shell.run(source)
            verdicts["hidden_error"] = shell.run(hidden) if hidden else "no hidden tests"
            verdicts["has_hidden"] = bool(hidden)
        except _CellTimeout as exc:
            verdicts = {"stopped": str(exc)}
        out = json.dumps(verdicts).encode("utf-8")
        while out:
            out = out[os.write(write, out) :]
    except BaseException:  # noqa: BLE001 - the parent reports a child that sent nothing
        status = 1
    finally:
        os._exit(status)

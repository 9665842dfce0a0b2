"""Execute the wrong-answer catalogue (``catalogue/kadai_NN.yaml``) against the instructor's notebooks.

For every entry, the entry's code replaces the question's answer cell (other questions keep the instructor's
solution) and the notebook runs, in a state equal to a fresh run, up to that question's tests cell (later cells
are not needed). Two verdicts are taken there:

- **self-check**: the tests cell as the trainee sees it (hidden tests stripped, as nbgrader releases it);
- **hidden tests**: the hidden block alone, run after the visible lines were replayed with a
  non-failing ``check`` (so the variables they define exist). What nbgrader grades is the whole
  cell, i.e. it passes only when both verdicts pass.

A wrong answer must fail both; a right variant must pass both. The format is in catalogue/README.md.

Two ways to run, same verdicts (``run(..., kernels=True)`` selects the second, to check the first against it):

- default (``catalogue_fork.py``): one prepared process runs the notebook once and forks a child per entry at
  the question's answer cell (the child runs the entry, the parent never does);
- ``kernels=True``: ONE fresh Jupyter kernel per entry, re-running the notebook from the top (nbclient,
  its own copy of the module's folder) — slow, but exactly what a trainee's kernel does.

Parent side (tests, the CLI below): ``load``, ``run``, ``problems``, ``figures``; it starts the hub
venv's Python through ``runner.py catalogue`` (nbclient and IPython live there). Run by hand:

    python3 courses/odtb/catalogue.py courses/odtb/catalogue/kadai_02.yaml   # needs CKAN_URL (and a token for 01)
    python3 courses/odtb/catalogue.py --kernels courses/odtb/catalogue/kadai_02.yaml   # one kernel per entry
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "catalogue"
SOURCE = HERE / "source"
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n(.*?)^[ \t]*### END HIDDEN TESTS[ \t]*\n?", re.M | re.S)
KINDS = ("wrong", "right")


def files() -> list[Path]:
    """Every catalogue file, in course order."""
    return sorted(CATALOGUE.glob("kadai_*.yaml"))


def load(path: Path) -> dict:
    """Read and validate one catalogue file (raises ValueError naming what is malformed)."""
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    where = Path(path).name
    if not isinstance(data, dict) or not isinstance(data.get("module"), str) or not data.get("questions"):
        raise ValueError(f"{where}: needs 'module' and a non-empty 'questions' list")
    for q in data["questions"]:
        for key in ("answer", "tests"):
            if not isinstance(q.get(key), str):
                raise ValueError(f"{where}: every question needs '{key}' (a grade id)")
        names = set()
        for kind in KINDS:
            for e in q.get(kind) or []:
                if not all(isinstance(e.get(k), str) and e[k].strip() for k in ("name", "why", "code")):
                    raise ValueError(f"{where} {q['answer']}: every {kind} entry needs name, why and code")
                if e["name"] in names:
                    raise ValueError(f"{where} {q['answer']}: entry name {e['name']!r} is used twice")
                names.add(e["name"])
    return data


def split_tests(source: str) -> tuple[str, str, str]:
    """A tests cell's (self-check as released, visible lines before the hidden block, hidden block)."""
    match = HIDDEN.search(source)
    if match is None:
        return source, source, ""
    return source[: match.start()] + source[match.end() :], source[: match.start()], match.group(1)


def run(
    path: Path,
    workdir: Path,
    env: dict | None = None,
    source: Path = SOURCE,
    timeout: float = 1800,
    kernels: bool = False,
) -> list[dict]:
    """Execute every entry of the catalogue file ``path``; one result dict per entry (see ``_verdicts``).

    ``kernels=True``: one fresh Jupyter kernel per entry (the slow reference path) instead of forks of a
    prepared process."""
    import runner

    payload = {"catalogue": str(Path(path).resolve()), "workdir": str(workdir), "source": str(source)}
    payload["kernels"] = kernels
    return runner.run_catalogue(payload, env, timeout)["results"]


def problems(results: list[dict]) -> list[str]:
    """What is wrong with a catalogue run: wrong answers let through, right variants refused, set-up errors."""
    out = []
    for r in results:
        label = f"{r['module']} {r['answer']} {r['kind']}:{r['name']} ({r['why']})"
        if r.get("setup_error"):
            out.append(f"{label}: the notebook failed before the answer cell: {r['setup_error']}")
            continue
        if r["kind"] == "wrong":
            if r["answer_error"] and not r.get("crashes"):
                out.append(f"{label}: its own cell raised ({r['answer_error']}); make it run or mark it crashes: true")
            if r["self_ok"]:
                out.append(f"{label}: the self-check ({r['tests']}, hidden tests stripped) accepts this wrong answer")
            if r["hidden_ok"]:
                out.append(f"{label}: the hidden tests of {r['tests']} accept this wrong answer")
        else:
            if r["answer_error"]:
                out.append(f"{label}: the right variant raises in its own cell: {r['answer_error']}")
            if not r["self_ok"]:
                out.append(f"{label}: the self-check {r['tests']} refuses this right variant: {r['self_error']}")
            if not r["hidden_ok"]:
                out.append(f"{label}: the hidden tests of {r['tests']} refuse this right variant: {r['hidden_error']}")
    return out


def figures(results: list[dict]) -> dict[str, tuple[int, int]]:
    """{"self": (wrong rejected, wrong total), "hidden": (…), "right": (right accepted, right total)}."""
    wrong = [r for r in results if r["kind"] == "wrong" and not r.get("setup_error")]
    right = [r for r in results if r["kind"] == "right" and not r.get("setup_error")]
    return {
        "self": (sum(not r["self_ok"] for r in wrong), len(wrong)),
        "hidden": (sum(not r["hidden_ok"] for r in wrong), len(wrong)),
        "right": (sum(r["self_ok"] and r["hidden_ok"] and not r["answer_error"] for r in right), len(right)),
    }


def figure_line(results: list[dict]) -> str:
    f = figures(results)
    return (
        f"wrong answers rejected by the self-check alone: {f['self'][0]} / {f['self'][1]}; "
        f"by hidden tests: {f['hidden'][0]} / {f['hidden'][1]}; "
        f"right variants accepted: {f['right'][0]} / {f['right'][1]}"
    )


# --- child side (hub venv: nbformat, nbclient, IPython, PyYAML) -------------------------------------------

# The visible lines replayed without failing: both the plain check(...) and the course package's q.check()
LENIENT = """_catalogue_strict_check, check = check, (lambda *args, **kwargs: None)
try:
    from odtbcheck.questions import Question as _CatalogueQuestion
except ImportError:
    _CatalogueQuestion = None
else:
    _catalogue_strict_q, _CatalogueQuestion.check = _CatalogueQuestion.check, (lambda *args, **kwargs: None)"""
STRICT = """check = _catalogue_strict_check
if _CatalogueQuestion is not None:
    _CatalogueQuestion.check = _catalogue_strict_q"""


def _variant(nb, answer: str, tests: str, code: str):
    """The notebook cut after the tests cell, the answer replaced, the two verdict cells appended.

    Returns (notebook, index of the answer cell, of the self-check cell, of the hidden cell, whether the
    tests cell has hidden tests). Markdown cells are dropped (nothing to execute)."""
    import nbformat

    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    if answer not in ids or tests not in ids:
        raise ValueError(f"no cell {answer!r} or {tests!r} in the notebook")
    a, t = ids.index(answer), ids.index(tests)
    if a > t:
        raise ValueError(f"answer cell {answer!r} comes after its tests cell {tests!r}")
    cells = [c for c in nb.cells[:t] if c.cell_type == "code"]
    a_new = [c.metadata.get("nbgrader", {}).get("grade_id") for c in cells].index(answer)
    cells[a_new] = nbformat.v4.new_code_cell(code)
    released, visible, hidden = split_tests(nb.cells[t].source)
    extra = [released, LENIENT, visible, STRICT, hidden or "pass"]
    out = nbformat.v4.new_notebook(metadata=nb.metadata)
    out.cells = [*cells, *(nbformat.v4.new_code_cell(s) for s in extra)]
    n = len(cells)
    return out, a_new, n, n + 4, bool(hidden)


def _error(cell) -> str | None:
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            return f"{o.get('ename')}: {o.get('evalue')}"[:600]
    return None


def _verdicts(nb_path: Path, data: dict, q: dict, kind: str, entry: dict, workdir: Path) -> dict:
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    result = {
        "module": data["module"],
        "answer": q["answer"],
        "tests": q["tests"],
        "kind": kind,
        "name": entry["name"],
        "why": entry["why"],
        "crashes": bool(entry.get("crashes")),
    }
    for attempt in range(2):
        nb, a, s, h, has_hidden = _variant(nbformat.read(nb_path, as_version=4), q["answer"], q["tests"], entry["code"])
        # the kernel talks over Unix sockets in this entry's own folder: with TCP, kernels started at the same
        # moment by the parallel workers can pick the same free port, and one of them dies before it replies
        km = KernelManager(kernel_name="python3", transport="ipc", ip=str(workdir / "kernel"))
        client = NotebookClient(
            nb, km=km, timeout=120, allow_errors=True, resources={"metadata": {"path": str(workdir)}}
        )
        try:
            client.execute()
            break
        except Exception as exc:  # a timeout or a dead kernel: report it, keep going with the next entry
            # a kernel that died before it ever answered never saw the notebook: start one more, once
            if attempt == 0 and "before replying to kernel_info" in str(exc):
                continue
            result.update(setup_error=f"execution stopped: {type(exc).__name__}: {str(exc)[:400]}")
            result.update(answer_error=None, self_error=None, hidden_error=None, self_ok=False, hidden_ok=False)
            return result
        finally:
            # nbclient leaves a kernel it was handed (km=) running: each entry's kernel would live on, holding its
            # memory, until the pool worker exits (up to 45 kernels per catalogue file)
            if km.has_kernel:
                km.shutdown_kernel(now=True)
    before = [e for e in (_error(c) for c in nb.cells[:a]) if e]
    result["setup_error"] = before[0] if before else None
    result["answer_error"] = _error(nb.cells[a])
    result["self_error"] = _error(nb.cells[s])
    result["hidden_error"] = _error(nb.cells[h]) if has_hidden else "no hidden tests"
    result["self_ok"] = result["self_error"] is None
    result["hidden_ok"] = has_hidden and result["hidden_error"] is None
    return result


def _one(args: tuple) -> dict:
    """One entry in its own fresh copy of the module's folder (files one variant writes never leak)."""
    import shutil

    module_dir, nb_name, data, q, kind, entry, work = args
    shutil.copytree(module_dir, work)
    try:
        return _verdicts(work / nb_name, data, q, kind, entry, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def child_run(payload: dict) -> dict:
    """Runner command ``catalogue`` (hub venv): every entry of one catalogue file, by forks of a prepared
    process (``catalogue_fork``) or, with ``payload["kernels"]``, one kernel per entry (``kernel_run``)."""
    if payload.get("kernels"):
        return kernel_run(payload)
    import catalogue_fork

    return catalogue_fork.child_run(payload)


def kernel_run(payload: dict) -> dict:
    """Every entry of one catalogue file in its own fresh kernel, as many at once as there are CPUs (most of
    the time goes to kernels starting and re-running the notebook up to the question)."""
    import multiprocessing
    import os

    data = load(Path(payload["catalogue"]))
    module_dir = Path(payload["source"]) / data["module"]
    nb_name = data.get("notebook") or next(module_dir.glob("kadai_*.ipynb")).name
    entries = [(q, kind, e) for q in data["questions"] for kind in KINDS for e in q.get(kind) or []]
    jobs = [
        (module_dir, nb_name, data, q, kind, entry, Path(payload["workdir"]) / f"{data['module']}-{n:03d}")
        for n, (q, kind, entry) in enumerate(entries)
    ]
    # a question marked sequential writes to the catalogue (every entry publishes the same dataset): its entries
    # run one after another, or one entry's check would read what another just published
    alone = [i for i, (q, _, _) in enumerate(entries) if q.get("sequential")]
    together = [i for i in range(len(jobs)) if i not in set(alone)]
    results: dict[int, dict] = {}
    workers = max(1, min(len(together), os.cpu_count() or 1))
    if workers > 1:
        # processes, not threads: each nbclient runs its own event loop; "spawn" keeps no state from this process
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            results.update(zip(together, pool.map(_one, [jobs[i] for i in together], chunksize=1), strict=True))
    else:
        results.update((i, _one(jobs[i])) for i in together)
    results.update((i, _one(jobs[i])) for i in alone)
    return {"results": [results[i] for i in range(len(jobs))]}


def main(argv: list[str] | None = None) -> int:
    import tempfile

    args = list(argv if argv is not None else sys.argv[1:])
    kernels = "--kernels" in args
    paths = [Path(p) for p in args if p != "--kernels"] or files()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths:
            results += run(path, Path(tmp), kernels=kernels)
    for line in problems(results):
        print("✗", line)
    print(figure_line(results))
    print(json.dumps(figures(results)))
    return 1 if problems(results) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main())

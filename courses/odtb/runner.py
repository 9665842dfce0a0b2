"""Execute and autograde the course notebooks with the hub's Python (used by the tests and the benchmark).

The parent side (any Python ≥ 3.11, stdlib only) starts the hub venv's interpreter on this same
file; the child side (``python runner.py execute|grade <json>``) uses nbclient / nbgrader there
and prints one JSON document. Nothing here talks to CKAN itself: notebooks get ``CKAN_URL`` and
``CKAN_API_TOKEN`` from the environment the caller passes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
HUB_PYTHON = Path(os.environ.get("TESTBED_HUB_PYTHON", "/opt/testbed/venvs/hub/bin/python"))
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def modules() -> list[str]:
    """Assignment folder names, in course order."""
    return sorted(p.name for p in SOURCE.iterdir() if p.is_dir())


def lessons(module: str) -> list[Path]:
    return sorted((SOURCE / module).glob("kyozai_*.ipynb"))


def assignment(module: str) -> Path:
    return next((SOURCE / module).glob("kadai_*.ipynb"))


def _child(command: str, payload: dict, env: dict | None, timeout: float) -> dict:
    run_env = {**os.environ, **(env or {})}
    run_env.pop("PYTHONPATH", None)
    # nbgrader runs `alembic` and kernels start `python`: both must come from the hub venv
    run_env["PATH"] = f"{HUB_PYTHON.parent}:{run_env.get('PATH', '/usr/bin:/bin')}"
    proc = subprocess.run(
        [str(HUB_PYTHON), str(Path(__file__).resolve()), command, json.dumps(payload)],
        capture_output=True,
        text=True,
        env=run_env,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"runner {command} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def execute(notebooks: list[Path], workdir: Path, env: dict | None = None, timeout: float = 600) -> list[dict]:
    """Run each notebook top to bottom in a copy of its folder under ``workdir``.

    Returns one {"notebook", "seconds", "error", "outputs"} per notebook; ``outputs`` holds the
    stream and error texts (for checking warnings such as missing glyphs).
    """
    jobs = []
    for nb in notebooks:
        dest = workdir / nb.parent.name
        if not dest.exists():
            shutil.copytree(nb.parent, dest)
        jobs.append(str(dest / nb.name))
    return _child("execute", {"notebooks": jobs}, env, timeout)["results"]


def prepare_course(root: Path, module_names: list[str]) -> None:
    """A temporary nbgrader course ``odtb`` at ``root`` holding the given assignments (not yet generated)."""
    root.mkdir(parents=True, exist_ok=True)
    for name in module_names:
        shutil.copytree(SOURCE / name, root / "source" / name, dirs_exist_ok=True)


def submit(root: Path, module: str, student: str, kind: str, replace: dict[str, str] | None = None) -> None:
    """Place a submission: ``kind`` 'solution' (instructor version), 'blank' (released) or 'wrong'
    (instructor version with the answer cells named in ``replace`` rewritten)."""
    base = root / ("release" if kind == "blank" else "source") / module
    dest = root / "submitted" / student / module
    shutil.copytree(base, dest, dirs_exist_ok=True)
    for nb_path in dest.glob("kadai_*.ipynb"):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if replace and grade_id in replace:
                cell["source"] = replace[grade_id]
        nb_path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    (dest / "timestamp.txt").write_text("2026-01-01 00:00:00.000000 UTC")


def run_catalogue(payload: dict, env: dict | None = None, timeout: float = 1800) -> dict:
    """Execute one wrong-answer catalogue file (see catalogue.py); ``payload`` holds its paths."""
    return _child("catalogue", payload, env, timeout)


def generate(root: Path, module_names: list[str], timeout: float = 300) -> dict:
    return _child("generate", {"root": str(root), "modules": module_names}, None, timeout)


def autograde(root: Path, student: str, module_names: list[str], env: dict | None = None, timeout: float = 600) -> dict:
    """Autograde ``student``'s submissions; return {module: {"log", "returncode", "grades", "feedback"}}."""
    payload = {"root": str(root), "student": student, "modules": module_names}
    return _child("grade", payload, env, timeout)


# --- child side (runs in the hub venv) ---------------------------------------------------------


def _texts(nb) -> list[str]:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                out.append(o.get("text", ""))
            elif o.get("output_type") == "error":
                out.append(f"{o.get('ename')}: {o.get('evalue')}")
    return out


def _child_execute(payload: dict) -> dict:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    results = []
    for path in payload["notebooks"]:
        nb = nbformat.read(path, as_version=4)
        started = time.monotonic()
        error = None
        resources = {"metadata": {"path": str(Path(path).parent)}}
        client = NotebookClient(nb, timeout=120, kernel_name="python3", resources=resources)
        try:
            client.execute()
        except CellExecutionError as exc:
            error = str(exc)[-3000:]
        nbformat.write(nb, path)
        results.append(
            {"notebook": path, "seconds": round(time.monotonic() - started, 2), "error": error, "outputs": _texts(nb)}
        )
    return {"results": results}


def _api(root: str):
    """nbgrader's Python API for the temporary course at ``root`` (one process, no CLI start-up per call)."""
    import functools

    import nbgrader.api
    from nbgrader.apps import NbGraderAPI
    from nbgrader.auth import Authenticator, NoAuthPlugin
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    # every Gradebook() runs `alembic heads` in a subprocess (≈1 s); the answer never changes here
    if not hasattr(nbgrader.api.get_alembic_version, "cache_info"):
        nbgrader.api.get_alembic_version = functools.lru_cache(maxsize=None)(nbgrader.api.get_alembic_version)
    config = Config()
    config.CourseDirectory.root = root
    config.CourseDirectory.course_id = "odtb"
    config.ExecutePreprocessor.timeout = 120
    # Kernels talk over Unix sockets in this course's own folder: graders run side by side, and TCP ports picked
    # "free" by one could be taken by a kernel another starts at the same moment ("Kernel died before replying").
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(Path(root) / "kernel")
    os.chdir(root)
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, authenticator=Authenticator(plugin_class=NoAuthPlugin), config=config)


def _child_generate(payload: dict) -> dict:
    api = _api(payload["root"])
    logs = {}
    for module in payload["modules"]:
        result = api.generate_assignment(module, force=True)
        if not result["success"]:
            detail = (result.get("error") or "") + (result.get("log") or "")[-3000:]
            raise SystemExit(f"generate_assignment {module} failed:\n{detail}")
        logs[module] = result["log"][-2000:]
    return {"logs": logs}


def _child_catalogue(payload: dict) -> dict:
    sys.path.insert(0, str(HERE))
    import catalogue

    return catalogue.child_run(payload)


def _child_grade(payload: dict) -> dict:
    import nbformat
    from nbgrader.api import Gradebook

    root, student = payload["root"], payload["student"]
    out = {}
    api = _api(root)
    for module in payload["modules"]:
        result = api.autograde(module, student, force=True, create=True)
        grades, feedback = [], []
        with Gradebook(api.coursedir.db_url) as gb:  # nbgrader's own default place
            try:
                submission = gb.find_submission(module, student)
            except Exception:
                submission = None
            for nb in submission.notebooks if submission else []:
                for g in nb.grades:
                    grades.append(
                        {
                            "name": g.name,
                            "score": g.score,
                            "auto_score": g.auto_score,
                            "max_score": g.max_score,
                            "needs_manual_grade": g.needs_manual_grade,
                            "cell_type": g.cell.cell_type,
                        }
                    )
        for path in (Path(root) / "autograded" / student / module).glob("kadai_*.ipynb"):
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("grade") and cell.cell_type == "code":
                    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
                    for o in errors:
                        feedback.append({"grade_id": meta["grade_id"], "text": f"{o.get('ename')}: {o.get('evalue')}"})
        log = (result.get("error") or "") + (result.get("log") or "")
        out[module] = {
            "returncode": 0 if result["success"] else 1,
            "log": log[-3000:],
            "grades": grades,
            "feedback": feedback,
        }
    return out


if __name__ == "__main__":
    command, raw = sys.argv[1], sys.argv[2]
    handler = {
        "execute": _child_execute,
        "generate": _child_generate,
        "grade": _child_grade,
        "catalogue": _child_catalogue,
    }[command]
    print(json.dumps(handler(json.loads(raw)), ensure_ascii=False))

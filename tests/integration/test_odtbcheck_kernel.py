"""The course's check package as ./testbed up installs it: in a real kernel of the trainees' environment
(the hub venv) a failed check is the Japanese box with the cell still failing, common errors get the Japanese
explanation above the original text, and a real nbgrader autograde scores a wrong answer 0 and a right one
in full while the autograded notebook shows the box, not a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "courses" / "odtb"))

import runner  # noqa: E402

pytestmark = pytest.mark.integration

# Runs in the hub venv: executes each cell in one fresh kernel, prints {status, ename, traceback} per cell.
KERNEL_CHILD = """
import json, re, sys
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="python3")
out = []
try:
    for code in json.loads(sys.argv[1]):
        hook = lambda m: out.append(m) if m["msg_type"] == "error" else None
        reply = kc.execute_interactive(code, timeout=60, output_hook=hook)
        err = out.pop() if out and reply["content"]["status"] == "error" else None
        text = "\\n".join(err["content"]["traceback"]) if err else ""
        print(json.dumps({"status": reply["content"]["status"], "ename": err["content"]["ename"] if err else None,
                          "text": re.sub(r"\\x1b\\[[0-9;]*m", "", text)}, ensure_ascii=False))
finally:
    kc.stop_channels(); km.shutdown_kernel(now=True)
"""


def _run_cells(cells: list[str]) -> list[dict]:
    proc = subprocess.run(
        [str(runner.HUB_PYTHON), "-c", KERNEL_CHILD, json.dumps(cells)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": f"{runner.HUB_PYTHON.parent}:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def test_failed_check_is_a_box_and_the_cell_still_fails():
    """In a real kernel, is a failed check's reply status 'error' (what autograde counts) with an AssertionError
    rendered as the Japanese box and no traceback, and does a passing check succeed quietly?"""
    setup = "import pandas as pd\nfrom odtbcheck import check\ntotal = pd.Series([190, 200]).mean()"
    fails = "check(total == 390, '平均になっています。', '足し合わせます。')"
    passes = "check(lambda: pd.Series([190, 200]).sum() == 390, 'x', 'y')"
    ok, failed, passed = _run_cells([setup, fails, passes])
    assert ok["status"] == "ok"
    assert failed["status"] == "error" and failed["ename"] == "AssertionError"
    assert (
        "【どこが違うか】平均になっています。" in failed["text"]
        and "【直し方のヒント】足し合わせます。" in failed["text"]
    )
    assert "Traceback" not in failed["text"] and "File " not in failed["text"] and "check(" not in failed["text"]
    assert passed["status"] == "ok"


def test_common_errors_get_japanese_explanations_above_the_original():
    """In a real kernel, do a typo, a wrong column, a missing (), a full-width bracket and a Shift_JIS file get
    the Japanese explanation first, with Python's own error text still below?"""
    cells = [
        "import io\nimport pandas as pd\ntable = pd.DataFrame({'名称': ['a'], '人口': [1]})",
        "tabel",
        "table['人 口']",
        "table.sum['人口']",
        "x = （1）",
        "pd.read_csv(io.BytesIO('名称\\n北山'.encode('cp932')))",
    ]
    setup, name, key, method, full_width, encoding = _run_cells(cells)
    assert setup["status"] == "ok"
    expected = [
        (name, "近い名前があります：table", "NameError: name 'tabel' is not defined"),
        (key, "この表の列名：「名称」、「人口」", "KeyError: '人 口'"),
        (method, "() の付け忘れ", "TypeError: 'method' object is not subscriptable"),
        (full_width, "全角の記号 （ を半角の ( に", "SyntaxError: invalid character"),
        (encoding, 'encoding="cp932"', "UnicodeDecodeError"),
    ]
    for result, explanation, original in expected:
        assert result["status"] == "error"
        text = result["text"]
        assert explanation in text, text
        assert original in text, text
        assert text.index("よくある原因") < text.index(explanation) < text.index(original)


def test_kadai_00_questions_with_pandas_and_numpy():
    """Do 課題0's checks accept numpy integers and rows in any order, and name > vs >=, == and a mask?"""
    cells = [
        "import pandas as pd, numpy as np\nfrom odtbcheck.kadai_00 import q2, q3\n"
        "shelters = pd.DataFrame({'名称': ['北山公民館', '西原公民館', '旭町公民館', '松原公民館'],"
        " '想定収容人数': [190, 200, 180, 190]})",
        "total_capacity = np.int64(760)\nq2.check()",
        "total_capacity = shelters['想定収容人数'].mean()\nq2.check()",
        "large = shelters[shelters['想定収容人数'] >= 190].sort_values('名称', ascending=False)\n"
        "large = large.reset_index()\nq3.check()",
        "large = shelters[shelters['想定収容人数'] > 190]\nq3.check()",
        "large = shelters[shelters['想定収容人数'] == 190]\nq3.check()",
        "large = shelters['想定収容人数'] >= 190\nq3.check()",
    ]
    setup, numpy_int, mean, reordered, greater, equal, mask = _run_cells(cells)
    assert setup["status"] == numpy_int["status"] == reordered["status"] == "ok", (setup, numpy_int, reordered)
    assert mean["status"] == "error" and "平均" in mean["text"]
    assert greater["status"] == "error" and "以上" in greater["text"] and ">=" in greater["text"]
    assert equal["status"] == "error" and "ちょうど同じ" in equal["text"]
    assert mask["status"] == "error" and "True/False" in mask["text"]
    for result in (mean, greater, equal, mask):
        assert "190" not in result["text"] and "760" not in result["text"]


def test_autograde_scores_the_box_as_failed(tmp_path):
    """Through a real nbgrader autograde of 課題0: does a wrong answer whose self-check shows the box get 0 for
    that test cell (and the right ones full points), and the instructor's version full marks?"""
    module = "00_hajimeni"
    runner.prepare_course(tmp_path, [module])
    runner.generate(tmp_path, [module])
    wrong = {
        "answer_total": "total_capacity = shelters['想定収容人数'].mean()",
        "answer_large": "large = shelters[shelters['想定収容人数'] > 190]",
    }
    runner.submit(tmp_path, module, "right", "solution")
    runner.submit(tmp_path, module, "wrong", "wrong", wrong)
    scores = {}
    for student in ("right", "wrong"):
        result = runner.autograde(tmp_path, student, [module])[module]
        assert result["returncode"] == 0, result["log"]
        scores[student] = {
            g["name"]: (g["score"], g["max_score"]) for g in result["grades"] if g["cell_type"] == "code"
        }
    assert scores["right"] == {"check_city": (1, 1), "check_total": (2, 2), "check_large": (2, 2)}
    assert scores["wrong"] == {"check_city": (1, 1), "check_total": (0, 2), "check_large": (0, 2)}
    nb = json.loads((tmp_path / "autograded" / "wrong" / module / "kadai_00_hajimeni.ipynb").read_text())
    errors = {
        c["metadata"]["nbgrader"]["grade_id"]: o
        for c in nb["cells"]
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    }
    assert set(errors) == {"check_total", "check_large"}
    for out in errors.values():
        text = "\n".join(out["traceback"])
        assert out["ename"] == "AssertionError" and "【どこが違うか】" in text and "Traceback" not in text
    assert "平均" in errors["check_total"]["evalue"] and "以上" in errors["check_large"]["evalue"]

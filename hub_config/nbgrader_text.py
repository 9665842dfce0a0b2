"""Japanese texts of nbgrader's trainee-side server answers (pure; no nbgrader import, unit-tested).

What the Assignment List (課題の一覧) and Validate (チェック) show that comes from the server rather than
from the JupyterLab extension (whose own strings testbed_cli/lab_nbgrader_ja.py translates): why a cell
failed its check, and why listing, receiving or submitting an assignment failed. nbgrader sends a Python
traceback there; a trainee gets what happened and what to do, and the traceback stays in the server's log.
Used by ``hub_config.nbgrader_ja``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from testbed_config import japan_time

# Validate: why a test cell did not pass (nbgrader's Validator._extract_error)
FAILED = "不合格: {detail}"
NO_DETAIL = "このチェックに合格しませんでした (期待される結果と違いました)。"
ERROR_DETAIL = "エラーが起きました ({ename}): {evalue}"
STDERR = "エラー出力があります:\n{text}"
PARTIAL = "一部のテストにだけ合格しました (部分点)。"
NO_RESPONSE = "まだ解答がありません。"

# Validate: the notebook could not be checked
SCHEMA_TOO_OLD = (
    "ノートブック「{path}」の nbgrader の情報が古い形式です。"
    "講師に伝えてください (講師は、控えを取ってから nbgrader update {path} で更新できます)。"
)
SCHEMA_TOO_NEW = (
    "ノートブック「{path}」の nbgrader の情報が、この環境の nbgrader より新しい形式です。講師に伝えてください。"
)

# The Assignment List: what failed, per action
LEADS = {
    "list": "課題の一覧を読み込めませんでした。",
    "fetch": "課題を受け取れませんでした。",
    "submit": "課題を提出できませんでした。",
    "fetch_feedback": "フィードバックを受け取れませんでした。",
    "validate": "ノートブックをチェックできませんでした。",
}
ASK = "何度も続くときは、この画面のまま講師に伝えてください。"
DETAIL = "(詳しい情報: {detail})"
EXCHANGE_MISSING = "課題の受け渡し場所 が見つかりません。講師に伝えてください。"

# nbgrader's ExchangeError messages (nbgrader/exchange/default/*.py), in the order tried
REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), text)
    for pattern, text in (
        (r"^You do not have access to this course", "このコースの研修生として登録されていません。"),
        (r"^Assignment not found", "この課題はまだ配布されていないか、配布が取り消されました。"),
        (r"^Assignment \S+ not submitted\. There are missing notebooks",
         "課題のノートブックが足りません。配布されたノートブックの名前を変えたり消したりしていないか確かめてください。"),
        (r"^Inbound directory doesn't exist", "提出先のフォルダーがありません。"),
        (r"^You don't have (?:write|read|execute) permissions", "課題の受け渡し場所 を使う権限がありません。"),
        (r"^Unwritable directory", "課題の受け渡し場所 に書き込めません。"),
        (r"^You don't own the directory", "課題の受け渡し場所 の持ち主が違います。"),
        (r"^The student ID should contain no", "ユーザー名に使えない文字 (* か +) があります。"),
        (r"^No course id specified", "コースが選ばれていません。"),
    )
)  # fmt: skip


def explain_error(ename: str, evalue: str) -> str:
    """A failed check as the feedback says it: the check's own message when it has one."""
    if ename == "AssertionError":
        return FAILED.format(detail=evalue or NO_DETAIL)
    return FAILED.format(detail=ERROR_DETAIL.format(ename=ename, evalue=evalue))


def _last_line(traceback_text: str) -> str:
    lines = [line.strip() for line in traceback_text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def explain_failure(action: str, traceback_text: str) -> str:
    """What a trainee reads when nbgrader's ``action`` failed with ``traceback_text``."""
    last = _last_line(traceback_text)
    start = traceback_text.rfind("ExchangeError:")  # its message may span lines: read it to the end
    message = traceback_text[start + len("ExchangeError:") :].strip() if start >= 0 else ""
    reason = next((text for pattern, text in REASONS if message and pattern.search(message)), "")
    parts = [LEADS.get(action, LEADS["list"])]
    parts.append(reason or DETAIL.format(detail=last or "不明"))
    parts.append(ASK)
    return "\n".join(parts)


_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?)\s*([A-Za-z]*)$")


def submitted_at(timestamp: str) -> str:
    """nbgrader's submission time (``2026-12-07 08:20:05.123456 JST``) as ``2026年12月7日(月) 08:20:05``.

    The exchange writes Japan time (``Exchange.timezone``); a ``UTC`` stamp from before that setting is
    converted. Text that is no such time is returned as it is."""
    found = _STAMP.match(timestamp.strip())
    if not found or found.group(2) not in ("", "JST", "UTC"):
        return timestamp
    at = datetime.fromisoformat(found.group(1))
    at = at.replace(tzinfo=UTC if found.group(2) == "UTC" else japan_time.JST)
    return f"{japan_time.japanese(at)}:{japan_time.to_japan(at):%S}"


def version_mismatch(ui_version: str, server_version: str) -> str:
    """nbgrader's check that the JupyterLab extension and the server extension are the same release."""
    return (
        f"nbgrader の画面 (JupyterLab 拡張 {ui_version}) とサーバー側 ({server_version}) の版が違います。"
        "課題の一覧やチェックが正しく動かないことがあります。講師に伝えてください"
        " (運用者は ./testbed up をもう一度実行してください)。"
    )

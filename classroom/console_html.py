"""The frame the help queue and announcement pages share: a Japanese HTML shell, its style, Japan-time text.

Pages are server-rendered with every value escaped; they load nothing from elsewhere and run no script.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from testbed_config.japan_time import JST

_CSS = """
body{font-family:"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif;margin:1.5em;color:#222;max-width:70em}
table{border-collapse:collapse;font-size:15px}th,td{border:1px solid #bbb;padding:6px 10px;text-align:left}
th{background:#eef3f8}.note{color:#555;font-size:13px}.msg{border:2px solid #2a7a3b;background:#f1faf3;
padding:.6em 1em;margin:1em 0}.err{border:2px solid #b3261e;background:#fde2e1;padding:.6em 1em;margin:1em 0}
form.inline{display:inline;margin:0}button{font-size:15px;padding:.3em .9em;cursor:pointer}
button.big{font-size:20px;font-weight:bold;background:#c9541a;color:#fff;border:0;border-radius:6px;
padding:.5em 1.4em}textarea,input[type=text],select{font-size:15px;width:100%;max-width:40em;box-sizing:border-box}
.ann{border-left:5px solid #3a6ea5;background:#f2f7fc;padding:.5em 1em;margin:.6em 0;white-space:pre-wrap}
.ann .meta{color:#555;font-size:12px;white-space:normal}.waiting{font-weight:bold;color:#b3261e}
nav a{margin-right:1.2em}
"""


def japan_time(at: datetime) -> str:
    """``12月6日 20:31`` in Japan time (the year is left out: these records are about today's class)."""
    d = at.astimezone(JST)
    return f"{d.month}月{d.day}日 {d:%H:%M}"


def waiting_text(seconds: float) -> str:
    """How long someone has waited, in Japanese (``45 秒`` / ``3 分`` / ``1 時間 5 分``)."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} 秒"
    if s < 3600:
        return f"{s // 60} 分"
    return f"{s // 3600} 時間 {s % 3600 // 60} 分"


def nav(board_url: str = "./", grading_url: str = "") -> str:
    """The console's pages; ``grading_url`` (instructors) adds the course's grading screen, the formgrader, a hub
    service of its own with its own security policy, opened in a tab of its own."""
    grading = (
        f'<a href="{escape(grading_url)}" target="_blank" rel="noopener">採点画面 (手採点・フィードバック)</a>'
        '<a href="signin-locks">サインインのロック</a>'  # instructors only, like the grading screen
        if grading_url
        else ""
    )
    return (
        f'<nav class="noprint"><a href="{escape(board_url)}">進捗ボード</a><a href="help">手を挙げる (ヘルプ)</a>'
        f'<a href="announcements">お知らせ</a>{grading}</nav>'
    )


def shell(title: str, body: str, *, refresh: int | None = None) -> str:
    """A whole page; ``refresh`` reloads it every so many seconds (the instructor's help queue)."""
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return (
        f'<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">{meta}'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>\n<body>{body}</body></html>\n"
    )


def message(text: str, *, error: bool = False) -> str:
    return f'<div class="{"err" if error else "msg"}" role="{"alert" if error else "status"}">{escape(text)}</div>'

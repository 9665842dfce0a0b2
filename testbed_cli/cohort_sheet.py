"""The printable sheet of initial passwords the instructor cuts up and hands out (on-site mode).

One card per trainee (hub URL, user name, 氏名, password), A4 with cutting lines, no external assets
(offline classrooms). Written 0600 into the state directory: it holds the only plaintext copy.
"""

from __future__ import annotations

import html
import os
from datetime import datetime
from pathlib import Path

CSS = """
@page { size: A4; margin: 12mm; }
body { font-family: "Noto Sans CJK JP", "IPAexGothic", sans-serif; color: #000; margin: 0; }
h1 { font-size: 14pt; margin: 0 0 4mm; }
p.note { font-size: 9pt; margin: 0 0 6mm; }
.cards { display: grid; grid-template-columns: 1fr 1fr; gap: 0; }
.card { border: 1px dashed #666; padding: 5mm 6mm; break-inside: avoid; page-break-inside: avoid; }
.card h2 { font-size: 11pt; margin: 0 0 3mm; }
.card dl { display: grid; grid-template-columns: max-content 1fr; gap: 1.5mm 4mm; margin: 0; }
.card dt { font-size: 9pt; color: #333; }
.card dd { margin: 0; font-size: 11pt; }
.card .secret { font-family: "DejaVu Sans Mono", monospace; font-size: 15pt; letter-spacing: 0.12em; }
.card .hint { font-size: 8pt; margin-top: 3mm; }
@media print { p.note { display: none; } }
"""


def render(cards: list[dict], *, hub_url: str, title: str, heading: str = "初期パスワード一覧") -> str:
    """HTML of the sheet; each card dict has username, fullname, dept, password (``heading``: what the sheet is)."""
    e = html.escape
    items = []
    for c in cards:
        items.append(
            f"""<section class="card">
  <h2>{e(title)} サインイン情報</h2>
  <dl>
    <dt>氏名</dt><dd>{e(c["fullname"])}{" (" + e(c["dept"]) + ")" if c.get("dept") else ""}</dd>
    <dt>アドレス</dt><dd>{e(hub_url)}</dd>
    <dt>ユーザー名</dt><dd class="secret">{e(c["username"])}</dd>
    <dt>パスワード</dt><dd class="secret">{e(c["password"])}</dd>
  </dl>
  <p class="hint">ブラウザで上のアドレスを開き、ユーザー名とパスワードを入力して「サインイン」を押します。
  この紙は他の人に見せないでください。</p>
</section>"""
        )
    made = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    return f"""<!DOCTYPE html>
<html lang="ja">
<head><meta charset="utf-8"><title>{e(heading)} ({e(made)})</title><style>{CSS}</style></head>
<body>
<h1>{e(heading)} ({len(cards)} 名、{e(made)} 作成)</h1>
<p class="note">印刷して点線で切り、一人ずつ手渡してください。配り終えたらこのファイルを削除してください
(パスワードはここにしか平文で残っていません)。</p>
<div class="cards">
{chr(10).join(items)}
</div>
</body>
</html>
"""


def write(directory: Path, text: str) -> Path:
    """Write the sheet 0600 (never readable by trainees) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    path = directory / f"passwords-{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}.html"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return path

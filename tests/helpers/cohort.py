"""Builders for cohort tests: import a roster through the real CLI, read the password sheet, sign in."""

from __future__ import annotations

import re
from pathlib import Path

import requests
from click.testing import CliRunner

from testbed_cli.cli import main

CARD = re.compile(
    r'<dt>ユーザー名</dt><dd class="secret">([^<]*)</dd>\s*<dt>パスワード</dt><dd class="secret">([^<]*)</dd>'
)


def cli(*args: str):
    """Run `./testbed <args>` in-process; returns click's Result (exit_code, output)."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write_roster(path: Path, rows: list[tuple[str, ...]], encoding: str = "utf-8-sig") -> Path:
    text = "ユーザー名,氏名,所属\n" + "".join(",".join(r) + "\n" for r in rows)
    path.write_bytes(text.encode(encoding))
    return path


def sheet_path(output: str) -> Path:
    m = re.search(r"初期パスワードの配布用紙: (\S+)", output)
    assert m, output
    return Path(m.group(1))


def passwords_from_sheet(path: Path) -> dict[str, str]:
    return dict(CARD.findall(path.read_text(encoding="utf-8")))


def import_roster(tmp_path: Path, rows: list[tuple[str, ...]]) -> dict[str, str]:
    """Import ``rows`` (ユーザー名, 氏名, 所属) and return each new trainee's initial password."""
    result = cli("cohort", "import", str(write_roster(tmp_path / "roster.csv", rows)))
    assert result.exit_code == 0, result.output
    sheet = sheet_path(result.output)
    passwords = passwords_from_sheet(sheet)
    sheet.unlink()
    return passwords


def remove(*names: str) -> None:
    """Remove trainees with `cohort remove`, deleting the home archives it leaves in the state dir."""
    for name in names:
        result = cli("cohort", "remove", "--yes", name)
        m = re.search(r"作業フォルダを (\S+) に保存し", result.output)
        if m:
            Path(m.group(1)).unlink(missing_ok=True)


def login(public: str, user: str, password: str) -> requests.Response:
    """POST the hub's sign-in form like a browser (with _xsrf); the response is not followed."""
    s = requests.Session()
    url = f"{public}/hub/login"
    s.get(url, timeout=30)
    r = s.post(
        url,
        data={"username": user, "password": password, "_xsrf": s.cookies.get("_xsrf")},
        allow_redirects=False,
        timeout=30,
    )
    r.session = s
    return r

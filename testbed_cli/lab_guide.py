"""A trainee's first screen, without a JavaScript build: the course guide (はじめに) and the links to the console
and the catalogue.

- はじめに: a Markdown guide in plain Japanese, written by ``./testbed up`` under the hub venv (``guide_text``) and
  copied into each home by the user's own server on its first start, which then opens it
  (``hub_config/singleuser.py``). Markdown files open as rendered previews (``MARKDOWN_PREVIEW``).
- 研修 menu (``hub_config/console_links.py`` makes it): entries for the guide and for the CKAN catalogue are added
  here (``add_training_links``).
- Launcher tiles: JupyterLab's launcher takes items only from extensions' JavaScript. The prebuilt extension
  jupyter-launcher-shortcuts (2i2c, pip-installed, no build) adds a tile per configured link and opens it in a
  new browser tab (``launcher_shortcuts``). jupyter-server-proxy's launcher entries start and proxy a process;
  they are not plain links.
"""

from __future__ import annotations

from pathlib import Path

from hub_config import console_links
from testbed_config import StackConfig
from testbed_config.names import CKAN_SSO_LOGIN, GUIDE_FILE

DOCMANAGER = "@jupyterlab/docmanager-extension:plugin"
MARKDOWN_PREVIEW = {DOCMANAGER: {"defaultViewers": {"markdown": "Markdown Preview"}}}
GUIDE_LABEL = "はじめに (研修の進め方)"
CATALOGUE_LABEL = "データカタログ (CKAN)"
CONSOLE_TILE = "研修コンソール"

ICONS = {
    # a bar chart: the console's progress board
    "console": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect x="3" y="13" width="4" height="8" '
    'fill="#2e7d32"/><rect x="10" y="8" width="4" height="13" fill="#1565c0"/><rect x="17" y="3" width="4" '
    'height="18" fill="#ef6c00"/></svg>\n',
    # a database cylinder: the catalogue
    "catalogue": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><g fill="none" stroke="#1565c0" '
    'stroke-width="2"><ellipse cx="12" cy="5" rx="8" ry="3"/><path d="M4 5v14c0 1.7 3.6 3 8 3s8-1.3 8-3V5"/>'
    '<path d="M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3"/></g></svg>\n',
}


def _console_lines(cfg: StackConfig) -> list[str]:
    many = len(cfg.courses) > 1
    return [
        f"- [研修コンソール{f'：{c.title or c.id}' if many else ''}]({console_links.console_url(c.id)})："
        "自分の課題の進み具合・締切・講師からのお知らせを確かめられます（講師は研修生全員の進捗を見られます）。"
        for c in cfg.courses
    ]


def guide_text(cfg: StackConfig) -> str:
    """The guide in plain Japanese: what to do first, where help is, and the links (console, catalogue)."""
    course = cfg.courses[0]
    first = "00_hajimeni"
    # one source line per paragraph or list item: a line break inside Japanese text renders as a space
    lines = [
        f"# はじめに：{course.title or '研修'}の進め方",
        "",
        "ようこそ。この画面は、研修で使う作業場所 **JupyterLab（ジュピターラボ）** です。"
        "プログラミングの経験がなくても大丈夫です。まず、次の順に進めてください。",
        "",
        "## 最初にすること",
        "",
        "1. **課題を受け取る**：画面のいちばん上のメニューの「課題」→「課題の一覧」を開きます。"
        f"一覧の `{first}` の **「受け取る」** ボタンを押すと、左のファイル一覧に `{course.id}` フォルダーができ、"
        "その中に第0回の教材と課題が届きます。",
        f"2. **教材を開く**：左のファイル一覧で `{course.id}` → `{first}` → `kyozai_{first}.ipynb` の順に"
        "ダブルクリックします。",
        "3. **上から順に実行する**：灰色の枠（セル）をクリックして **Shift キーを押しながら Enter キー** を押すと、"
        "そのセルが実行されて、次のセルに進みます。教材の説明を読みながら、一つずつ進めてください。",
        "4. **課題に答える**：教材が終わったら、同じフォルダーの課題（`kadai_…`）を開き、"
        "答えを書いて自己チェックを実行します。"
        "合格すると ✅ が、直すところがあると ❌ と直し方のヒントが表示されます。",
        "5. **提出する**：すべて合格したら、課題の一覧で **「提出する」** を押します。",
        "",
        "## 困ったとき",
        "",
        "- 分からないことがあれば、メニューの「ヘルプ」→「講師を呼ぶ (手を挙げる)」で講師を呼べます。",
        "- 動きがおかしくなったら、メニューの「カーネル」→「カーネルを再起動 と すべてのセルを実行…」で、"
        "上から全部を実行し直せます。",
        "",
        "## リンク（新しいタブで開きます）",
        "",
        *_console_lines(cfg),
        f"- [データカタログ（CKAN）]({catalogue_url(cfg)})：架空の市「みどり野市」のオープンデータです。"
        "研修で使うデータはここから探します。",
        "",
        "これらは、画面上のメニューの「研修」と、ランチャー（「ファイル」→「新規ランチャー」）のボタンからも開けます。",
        "",
        "---",
        "",
        f"このファイル（{GUIDE_FILE}）は、左のファイル一覧からいつでも開き直せます。"
        "消してしまっても、次に作業環境を起動したときに元に戻ります。",
        "",
    ]
    return "\n".join(lines)


def catalogue_url(cfg: StackConfig) -> str:
    """The catalogue through its single sign-on: a person signed in to the hub lands on CKAN's home signed in as
    their own CKAN user (no second password, hub_config/ckan_sso.py), not on an anonymous catalogue."""
    return f"{cfg.ckan_url}{CKAN_SSO_LOGIN}?came_from=/"


def training_links(cfg: StackConfig) -> list[dict]:
    """研修 menu entries after the console's: the guide in the user's home, and the catalogue in a new tab."""
    base = len(cfg.courses)
    return [
        {"type": "separator", "rank": base},
        {
            "command": "docmanager:open",
            "args": {"path": GUIDE_FILE, "factory": "Markdown Preview", "label": GUIDE_LABEL},
            "rank": base + 1,
        },
        {
            "command": "help:open",
            "args": {"url": catalogue_url(cfg), "text": CATALOGUE_LABEL, "newBrowserTab": True},
            "rank": base + 2,
        },
    ]


def add_training_links(overrides: dict, cfg: StackConfig) -> dict:
    """Add the guide and catalogue entries to the 研修 menu (made by ``console_links.add_console_menu`` first),
    and make Markdown files open as rendered previews."""
    menus = overrides.setdefault(console_links.MAINMENU, {}).setdefault("menus", [])
    menu = next((m for m in menus if m.get("id") == console_links.MENU_ID), None)
    if menu is None:
        menu = {"id": console_links.MENU_ID, "label": console_links.MENU_LABEL, "rank": 1000, "items": []}
        menus.append(menu)
    mine = training_links(cfg)
    menu["items"] = [i for i in menu.get("items", []) if i not in mine] + mine
    overrides.setdefault(DOCMANAGER, {}).setdefault("defaultViewers", {}).update(
        MARKDOWN_PREVIEW[DOCMANAGER]["defaultViewers"]
    )
    return overrides


def launcher_shortcuts(cfg: StackConfig, icon_dir: Path) -> dict:
    """``LauncherShortcuts.shortcuts`` of jupyter-launcher-shortcuts: a tile per console and one for the catalogue."""
    many = len(cfg.courses) > 1
    shortcuts = {
        f"console-{c.id}": {
            "title": CONSOLE_TILE + (f"：{c.title or c.id}" if many else ""),
            "target": console_links.console_url(c.id),
            "icon_path": str(icon_dir / "console.svg"),
        }
        for c in cfg.courses
    }
    shortcuts["catalogue"] = {
        "title": CATALOGUE_LABEL,
        "target": catalogue_url(cfg),
        "icon_path": str(icon_dir / "catalogue.svg"),
    }
    return shortcuts

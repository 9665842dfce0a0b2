"""Japanese headings for click's help pages (``./testbed -h`` and every sub-command's ``-h``).

click writes "Usage:", "Options:", "Commands:", "Show this message and exit." and "[default: …]" through
gettext with no Japanese catalogue. Its help formatter is the one place all of them pass, so a formatter
subclass translates them there; ``japanese_help`` puts it on a command and every command below it.
"""

from __future__ import annotations

import re
import unicodedata

import click

SECTIONS = {"Options": "オプション", "Commands": "コマンド", "Arguments": "引数"}
USAGE_WORDS = {"[OPTIONS]": "[オプション]", "COMMAND": "コマンド", "[ARGS]...": "[引数]..."}
TEXTS = {
    "Show this message and exit.": "この説明を表示して終わります。",
    "Show the version and exit.": "バージョンを表示して終わります。",
}
_MARKS = (
    (re.compile(r"\bdefault: "), "既定: "),
    (re.compile(r"\benv var: "), "環境変数: "),
    (re.compile(r"\[required\]"), "[必須]"),
    (re.compile(r"; required\]"), "; 必須]"),
)
# click's own metavars of the types it names (a command's own metavars are written in Japanese already)
_METAVARS = {
    "TEXT": "文字列",
    "INTEGER": "整数",
    "FLOAT": "数値",
    "BOOLEAN": "はい/いいえ",
    "PATH": "パス",
    "FILENAME": "ファイル",
    "DIRECTORY": "フォルダー",
    "FILE": "ファイル",
}
_METAVAR = re.compile(r"\b(" + "|".join(_METAVARS) + r")\b")


_NO_LINE_START = frozenset("、。，．）」』】・ー)]")  # never at the start of a line (kinsoku)
_PIECE = re.compile(r"[\x21-\x7e]+ *| +|.")  # an ASCII word with its spaces, spaces, or one other character


def width(text: str) -> int:
    """Columns ``text`` takes on a terminal (Japanese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` terminal columns, broken between Japanese characters or words."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for piece in _PIECE.findall(paragraph):
            if line and width(line + piece.rstrip()) > columns and piece not in _NO_LINE_START:
                lines.append(line.rstrip())
                line = piece.lstrip()
            else:
                line += piece
        lines.append(line.rstrip())
    return lines


class JapaneseHelpFormatter(click.HelpFormatter):
    """click's help formatter with its own words in Japanese, laid out by terminal width (Japanese is double)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, japanese in USAGE_WORDS.items():
            args = args.replace(english, japanese)
        super().write_usage(prog, _METAVAR.sub(lambda m: _METAVARS[m[1]], args), "使い方: ")

    def write_heading(self, heading: str) -> None:
        super().write_heading(SECTIONS.get(heading, heading))

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        lines = wrap(text.replace("\b\n", ""), max(self.width - self.current_indent, 20))
        self.write("".join(f"{indent}{line}\n" if line else "\n" for line in lines))

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        out = []
        for term, text in rows:
            text = TEXTS.get(text, text)
            for pattern, japanese in _MARKS:
                text = pattern.sub(japanese, text)
            out.append((_METAVAR.sub(lambda m: _METAVARS[m[1]], term), text))
        first = min(max((width(term) for term, _ in out), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        for term, text in out:
            lines = wrap(text, max(self.width - first - 2 - self.current_indent, 10)) if text else []
            if width(term) <= first - col_spacing:
                head = f"{indent}{term}{' ' * (first - width(term))}"
            else:
                head = f"{indent}{term}\n{indent}{' ' * first}"
            self.write(head + (lines[0] if lines else "").rstrip() + "\n")
            for line in lines[1:]:
                self.write(f"{indent}{' ' * first}{line}\n")


class JapaneseContext(click.Context):
    formatter_class = JapaneseHelpFormatter


def japanese_help(command: click.Command) -> click.Command:
    """Give ``command`` and every command below it the Japanese help formatter (idempotent)."""
    command.context_class = JapaneseContext
    for sub in getattr(command, "commands", {}).values():
        japanese_help(sub)
    return command

"""Japanese for click's own messages when the operator mistypes a command (``./testbed --x``, a missing argument,
a bad value, an unknown command), the counterpart of ``help_ja.py`` for errors.

click writes these messages in English through gettext's global functions, and those choose their language from
the environment (LANGUAGE, LC_ALL, LANG): a Japanese catalogue for them would show only under a Japanese locale (not
under Debian's C.UTF-8), and setting LANGUAGE for the command would also switch to Japanese the messages of the
programs it runs where the server has their catalogues (PostgreSQL's, apt's). So the command's group hands every
click error through ``japanese`` before click shows it: what click keeps as attributes (the unknown option or command
and its close matches, the missing parameter, the parameter of a bad value) is written in Japanese directly; the
texts click formats from its msgids (a type's "'x' is not a valid integer.", "Got unexpected extra argument (x)")
are matched against those msgids (``MESSAGES``; tests/unit/test_cli_usage_ja.py checks each is still one the
installed click uses) and rewritten with their values. A message of the project's own passes unchanged.
"""

from __future__ import annotations

import ast
import contextlib
import re
import unicodedata

import click

# click's msgid (exactly as in its source) -> Japanese, with the same fields. A field written {x!r} by click is
# shown in 「」 without Python's quotes; lists of such values (choices, close matches) as 「a」「b」.
MESSAGES: dict[str, str] = {
    # types (click/types.py)
    "{value!r} is not a valid {number_type}.": "「{value}」は{number_type}ではありません。",
    "{value} is not in the range {range}.": "{value} は範囲外です。{range}を指定してください。",
    "{value!r} is not one of {choices}.": "「{value}」は選べません。選べるのは{choices}です。",
    "{value!r} is not {choice}.": "「{value}」は選べません。選べるのは{choice}だけです。",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "「{value}」ははい/いいえの値ではありません。使える値: {states}"
    ),
    "{name} {filename!r} does not exist.": "{name}「{filename}」がありません。",
    "{name} {filename!r} is a file.": "{name}「{filename}」はファイルです (フォルダーを指定してください)。",
    "{name} {filename!r} is a directory.": "{name}「{filename}」はフォルダーです (ファイルを指定してください)。",
    "{name} {filename!r} is not readable.": "{name}「{filename}」を読めません。",
    "{name} {filename!r} is not writable.": "{name}「{filename}」に書き込めません。",
    "{name} {filename!r} is not executable.": "{name}「{filename}」を実行できません。",
    "{value!r} does not match the format {format}.": "「{value}」は {format} の形ではありません。",
    "{value!r} does not match the formats {formats}.": "「{value}」は {formats} のどの形でもありません。",
    "Choose from:\n\t{choices}": "選べるのは{choices}です。",
    # the parser (click/parser.py)
    "No such option {name!r}.": "「{name}」というオプションはありません。",
    "Option {name!r} requires an argument.": "オプション「{name}」には値が必要です。",
    "Option {name!r} requires {nargs} arguments.": "オプション「{name}」には値が {nargs} 個必要です。",
    "Option {name!r} does not take a value.": "オプション「{name}」には値を付けられません。",
    "Argument {name!r} takes {nargs} values.": "引数「{name}」には値が {nargs} 個必要です。",
    # commands (click/core.py, click/exceptions.py)
    "No such command {name!r}.": "「{name}」というコマンドはありません。",
    "Missing command.": "コマンドを指定してください。",
    "Got unexpected extra argument ({args})": "余分な引数があります: {args}",
    "Got unexpected extra arguments ({args})": "余分な引数があります: {args}",
    "Did you mean {possibility}?": "もしかして{possibility}ですか？",
    "(Did you mean one of: {possibilities}?)": "(もしかして{possibilities}のどれかですか？)",
    "Try '{command} {option}' for help.": "使い方は {command} {option} で確かめてください。",
    "Error: {message}": "エラー: {message}",
    "Could not open file {filename!r}: {message}": "ファイル「{filename}」を開けません: {message}",
    "unknown error": "原因がわかりません",
    "Aborted!": "中止しました。",
}
# click's words put into the messages above ({number_type}, a path's {name})
WORDS = {
    "integer": "整数",
    "float": "数値",
    "File": "ファイル",
    "Directory": "フォルダー",
    "Path": "パス",
}
LISTS = {"choices", "choice", "possibility", "possibilities"}  # fields holding repr'd values joined by ", "

_FIELD = re.compile(r"\{(\w+)(!r)?\}")
_BOUNDS = {">=": "以上", ">": "より大きい", "<=": "以下", "<": "未満"}  # of x, as click writes a range (1<=x<=32)
_FLIPPED = {"<=": ">=", "<": ">"}  # "1<=x" read as "x>=1"


def _pattern(msgid: str) -> re.Pattern[str]:
    parts, end = [], 0
    for m in _FIELD.finditer(msgid):
        parts += [re.escape(msgid[end : m.start()]), f"(?P<{m[1]}>.+?)"]
        end = m.end()
    return re.compile("".join(parts) + re.escape(msgid[end:]), re.DOTALL)


_PATTERNS = [(_pattern(msgid), japanese) for msgid, japanese in MESSAGES.items()]


def _unquote(text: str) -> str:
    """A value click wrote with repr ('x'), as typed (x)."""
    with contextlib.suppress(ValueError, SyntaxError):
        value = ast.literal_eval(text)
        if isinstance(value, str):
            return value
    return text


def _values(text: str) -> str:
    """Values click listed as "'a', 'b'" (or one per line, or "'--out' / '-o'") shown as 「a」「b」."""
    items = [item.strip() for item in re.split(r",\s*|\s+/\s+", text.strip()) if item.strip()]
    return "".join(f"「{_unquote(item)}」" for item in items)


def _range(text: str) -> str:
    """A range as click writes it ("1<=x<=32", "x>0") as the values it allows (「1 以上 32 以下の値」,
    「0 より大きい値」)."""
    m = re.fullmatch(r"(?:(.+?)(<=|<))?x(?:(>=|>|<=|<)(.+))?", text)
    if m is None:
        return text
    low, low_op, op, bound = m.groups()
    lower = _BOUNDS[_FLIPPED[low_op]] if low is not None else ""
    words = [f"{low} {'より大きく' if op and low_op == '<' else lower}"] if low is not None else []
    phrase = " ".join([*words, f"{bound} {_BOUNDS[op]}"] if op else words)
    return phrase + ("値" if phrase.endswith("い") else "の値") if phrase else text


def translate(text: str) -> str:
    """``text`` in Japanese when it is one of click's messages (``MESSAGES``), else unchanged."""
    for pattern, japanese in _PATTERNS:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        fields = {}
        for name, value in m.groupdict().items():
            if name in LISTS:
                fields[name] = _values(value)
            elif name == "message":
                fields[name] = translate(value)
            elif name == "range":
                fields[name] = _range(value)
            else:
                fields[name] = WORDS.get(value, _unquote(value))
        return japanese.format(**fields)
    return text


def _hint(param_hint) -> str:
    """A parameter's name as click hints it ("'--size'", "'USERNAME'", several joined by " / ") in 「」."""
    names = [param_hint] if isinstance(param_hint, str) else list(param_hint)
    return "・".join(_values(name) for name in names)


def _did_you_mean(possibilities: list[str] | None) -> str:
    """click's "Did you mean '--config'?" after an unknown option or command, in Japanese."""
    if not possibilities:
        return ""
    names = "".join(f"「{p}」" for p in sorted(possibilities))
    msgid = "Did you mean {possibility}?" if len(possibilities) == 1 else "(Did you mean one of: {possibilities}?)"
    return MESSAGES[msgid].format(possibility=names, possibilities=names)


def message(error: click.ClickException) -> str:
    """The Japanese text of one of click's errors (without the 「エラー: 」 in front)."""
    if isinstance(error, click.MissingParameter):
        param = error.param
        hint = error.param_hint or (param.get_error_hint(error.ctx) if param is not None else None)
        kind = error.param_type or (param.param_type_name if param is not None else "parameter")
        what = {"argument": "引数", "option": "オプション"}.get(kind, "値")
        text = f"{what}{_hint(hint) if hint else ''}を指定してください。"
        extra = param.type.get_missing_message(param=param, ctx=error.ctx) if param is not None else None
        return text + "".join(translate(more) for more in (extra, error.message) if more)
    if isinstance(error, click.BadParameter):
        hint = error.param_hint or (error.param.get_error_hint(error.ctx) if error.param is not None else None)
        kind = {"argument": "引数", "option": "オプション"}.get(error.param.param_type_name, "") if error.param else ""
        where = f"{kind}{_hint(hint)}の値が正しくありません" if hint else "値が正しくありません"
        return f"{where}: {translate(error.message)}"
    if isinstance(error, (click.NoSuchOption, click.exceptions.NoSuchCommand)):
        return translate(error.message) + _did_you_mean(error.possibilities)
    return translate(error.format_message())


class JapaneseUsageError(click.UsageError):
    """A usage error shown in Japanese: the usage line (``help_ja``'s 使い方), where to read the help, the error."""

    def show(self, file=None) -> None:
        color = None
        if self.ctx is not None:
            color = self.ctx.color
            hint = ""
            if self.ctx.command.get_help_option(self.ctx) is not None:
                option = max(self.ctx.command.get_help_option_names(self.ctx), key=len)
                hint = f"使い方は {self.ctx.command_path} {option} で確かめてください。\n"
            click.echo(f"{self.ctx.get_usage()}\n{hint}", file=file, err=True, color=color)
        click.echo(f"エラー: {self.format_message()}", file=file, err=True, color=color)


class JapaneseError(click.ClickException):
    """Any other click error (a file click could not open) shown in Japanese."""

    def show(self, file=None) -> None:
        click.echo(f"エラー: {self.format_message()}", file=file, err=True)


class Aborted(click.ClickException):
    """The operator answered no to a confirmation (click's "Aborted!")."""

    def show(self, file=None) -> None:
        click.echo(MESSAGES["Aborted!"], file=file, err=True)


def japanese(error: click.ClickException) -> click.ClickException:
    """The same error, shown in Japanese (an error already in Japanese is returned as it is)."""
    if isinstance(error, (JapaneseUsageError, JapaneseError, Aborted, click.exceptions.NoArgsIsHelpError)):
        return error  # (a group run without a command shows its help, already Japanese)
    if isinstance(error, click.UsageError):
        translated = JapaneseUsageError(message(error), error.ctx)
    else:
        translated = JapaneseError(message(error))
    translated.exit_code = error.exit_code  # click's: 2 for a usage error, 1 otherwise
    return translated


@contextlib.contextmanager
def japanese_errors():
    """Re-raise click's errors (and its abort) raised inside the block as their Japanese counterparts."""
    try:
        yield
    except click.ClickException as e:
        raise japanese(e) from None
    except click.Abort:
        raise Aborted(MESSAGES["Aborted!"]) from None


YES = ("y", "yes", "はい")
NO = ("", "n", "no", "いいえ")


def confirm(question: str) -> None:
    """Ask a yes/no question in Japanese (click.confirm's "Error: invalid input" is English); no (the default, an empty
    line or the end of input) aborts with 「中止しました。」."""
    while True:
        try:
            answer = input(f"{question} [y=はい / N=いいえ]: ")
        except EOFError:
            click.echo("", err=True)
            raise Aborted(MESSAGES["Aborted!"]) from None
        answer = unicodedata.normalize("NFKC", answer).strip().lower()  # ｙ typed with the IME on is y
        if answer in YES:
            return
        if answer in NO:
            raise Aborted(MESSAGES["Aborted!"])
        click.echo("「y」（はい）か「n」（いいえ）で答えてください。", err=True)

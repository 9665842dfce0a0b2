"""Parser for the Solr (Lucene) query syntax that CKAN core and its users send.

Covers what CKAN 2.12 produces in ``q`` and ``fq``: free words, ``"quoted phrases"``,
``field:value``, ``field:"value"``, ``field:(a OR b)``, ``+``/``-``/``NOT`` prefixes,
``AND``/``OR``, parentheses, ranges ``field:[a TO b]`` and ``*:*``. It is lenient like
Solr's dismax parser: an unclosed quote or parenthesis ends at the end of the input,
so a trainee's typo never becomes an error page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WHITESPACE = " \t\r\n\u3000"
FIELD_NAME = re.compile(r"^(?:\*|[A-Za-z_][A-Za-z0-9_.\-]*)$")
_SPECIAL = set('()"') | set(WHITESPACE)
_RANGE = re.compile(r"([\[{])\s*(\S+)\s+TO\s+(\S+?)\s*([\]}])")


class QuerySyntaxError(ValueError):
    """Raised for a query that cannot be turned into a search."""


@dataclass(frozen=True)
class MatchAll:
    """Matches every document (``*:*`` or an empty query)."""


@dataclass(frozen=True)
class Term:
    """A word or phrase, optionally bound to a field; ``field=None`` means free text."""

    field: str | None
    value: str
    phrase: bool = False
    wildcard: bool = False


@dataclass(frozen=True)
class Range:
    """``field:[low TO high]``; ``None`` bounds are open (``*``)."""

    field: str | None
    low: str | None
    high: str | None
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple


@dataclass(frozen=True)
class Or:
    nodes: tuple


Node = MatchAll | Term | Range | Not | And | Or


@dataclass(frozen=True)
class Token:
    kind: str  # LPAREN RPAREN AND OR NOT PLUS MINUS FIELD WORD PHRASE RANGE
    text: str = ""
    wildcard: bool = False
    bounds: tuple = ()


def _read_word(text: str, pos: int) -> tuple[str, bool, int, bool]:
    """Read a bare word; return (value, wildcard, new_pos, ends_with_field_colon)."""
    chars: list[str] = []
    wildcard = False
    while pos < len(text):
        ch = text[pos]
        if ch == "\\" and pos + 1 < len(text):
            chars.append(text[pos + 1])
            pos += 2
            continue
        if ch in _SPECIAL:
            break
        if ch == ":":
            name = "".join(chars)
            nxt = text[pos + 1] if pos + 1 < len(text) else " "
            if FIELD_NAME.match(name) and nxt not in WHITESPACE:
                return name, False, pos + 1, True
        if ch in "*?":
            wildcard = True
        chars.append(ch)
        pos += 1
    return "".join(chars), wildcard, pos, False


def _read_range(text: str, pos: int) -> tuple[Token, int] | None:
    """Read ``[a TO b]`` / ``{a TO b}`` starting at ``pos``; None if it is not a range."""
    match = _RANGE.match(text, pos)
    if not match:
        return None
    opening, low, high, closing = match.groups()
    bounds = (
        None if low == "*" else low.strip('"'),
        None if high == "*" else high.strip('"'),
        opening == "[",
        closing == "]",
    )
    return Token("RANGE", bounds=bounds), match.end()


def tokenize(text: str) -> list[Token]:
    """Split a query string into tokens."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch in WHITESPACE:
            pos += 1
        elif ch in "()":
            tokens.append(Token("LPAREN" if ch == "(" else "RPAREN"))
            pos += 1
        elif ch == '"':
            end = pos + 1
            chars: list[str] = []
            while end < len(text) and text[end] != '"':
                if text[end] == "\\" and end + 1 < len(text):
                    end += 1
                chars.append(text[end])
                end += 1
            tokens.append(Token("PHRASE", "".join(chars)))
            pos = end + 1
        elif ch in "[{" and (found := _read_range(text, pos)):
            tokens.append(found[0])
            pos = found[1]
        elif ch in "+-!" and pos + 1 < len(text) and text[pos + 1] not in WHITESPACE:
            tokens.append(Token({"+": "PLUS", "-": "MINUS", "!": "NOT"}[ch]))
            pos += 1
        elif text.startswith(("&&", "||"), pos):
            tokens.append(Token("AND" if ch == "&" else "OR"))
            pos += 2
        else:
            value, wildcard, pos, is_field = _read_word(text, pos)
            if is_field:
                tokens.append(Token("FIELD", value))
            elif value in ("AND", "OR", "NOT"):
                tokens.append(Token(value))
            elif value and value not in "+-!":
                tokens.append(Token("WORD", value, wildcard=wildcard))
            elif not value:
                pos += 1  # a lone special character such as a stray ':'
    return tokens


class _Parser:
    """Recursive-descent parser: OR binds looser than AND, AND is the default operator."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse_or(self, field: str | None) -> Node | None:
        parts = [self.parse_and(field)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            parts.append(self.parse_and(field))
        nodes = tuple(p for p in parts if p is not None)
        if not nodes:
            return None
        return nodes[0] if len(nodes) == 1 else Or(nodes)

    def parse_and(self, field: str | None) -> Node | None:
        parts: list[Node] = []
        while (token := self.peek()) is not None and token.kind not in ("OR", "RPAREN"):
            if token.kind == "AND":
                self.take()
                continue
            clause = self.parse_clause(field)
            if clause is not None:
                parts.append(clause)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_clause(self, field: str | None) -> Node | None:
        negate = False
        while (token := self.peek()) is not None and token.kind in ("PLUS", "MINUS", "NOT"):
            negate ^= self.take().kind != "PLUS"
        node = self.parse_primary(field)
        if node is None:
            return None
        return Not(node) if negate else node

    def parse_primary(self, field: str | None) -> Node | None:
        token = self.peek()
        if token is None or token.kind in ("OR", "RPAREN", "AND"):
            return None
        self.take()
        if token.kind == "LPAREN":
            inner = self.parse_or(field)
            if (closing := self.peek()) is not None and closing.kind == "RPAREN":
                self.take()
            return inner
        if token.kind == "FIELD":
            return self.parse_field_value(token.text)
        return _leaf(field, token)

    def parse_field_value(self, field: str) -> Node | None:
        token = self.peek()
        if token is None:
            return None
        if token.kind == "LPAREN":
            return self.parse_primary(field)
        if token.kind in ("WORD", "PHRASE", "RANGE"):
            return _leaf(field, self.take())
        return None


def _leaf(field: str | None, token: Token) -> Node | None:
    if token.kind == "RANGE":
        low, high, include_low, include_high = token.bounds
        return Range(field, low, high, include_low, include_high)
    if token.kind == "PHRASE":
        return Term(field, token.text, phrase=True) if token.text.strip() else None
    if token.kind == "WORD":
        if token.text == "*":
            return MatchAll() if field in (None, "*") else Range(field, None, None)
        if field == "*":
            return Term(None, token.text, wildcard=token.wildcard)
        return Term(field, token.text, wildcard=token.wildcard)
    return None


def parse(text: str | None) -> Node:
    """Parse a Solr query string into a tree; empty input matches everything."""
    if not text or not text.strip() or text.strip() in ('""', "''"):
        return MatchAll()
    if text.lstrip().startswith("{!"):
        raise QuerySyntaxError("Solr local parameters ({!...}) are not supported")
    parser = _Parser(tokenize(text))
    nodes: list[Node] = []
    while parser.peek() is not None:
        node = parser.parse_or(None)
        if node is not None:
            nodes.append(node)
        if (token := parser.peek()) is not None and token.kind == "RPAREN":
            parser.take()  # stray closing parenthesis
    if not nodes:
        return MatchAll()
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))


def parse_all(texts: list[str]) -> Node:
    """Parse several filter queries (``fq`` strings) and AND them together."""
    nodes = [parse(text) for text in texts if text and text.strip()]
    nodes = [node for node in nodes if not isinstance(node, MatchAll)]
    if not nodes:
        return MatchAll()
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

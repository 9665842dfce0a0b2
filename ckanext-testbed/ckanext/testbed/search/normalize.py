"""Text folding shared by the indexer and the query compiler.

Japanese has no spaces between words, so search is substring matching. Folding both
sides with NFKC + lower case makes full-width/half-width variants (ＣＳＶ / CSV,
ｶﾀｶﾅ / カタカナ) and the ideographic space match each other.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize_text(value: str) -> str:
    """Return ``value`` NFKC-folded, lower-cased, with whitespace runs collapsed."""
    folded = unicodedata.normalize("NFKC", value).lower()
    return _SPACES.sub(" ", folded).strip()


def escape_like(value: str) -> str:
    """Escape LIKE metacharacters so ``value`` matches literally (escape char ``\\``)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(value: str, wildcard: bool = False, anchored: bool = False) -> str:
    """Build a LIKE pattern from a folded term.

    ``wildcard`` turns Solr's ``*`` and ``?`` into ``%`` and ``_``; ``anchored`` matches
    the whole value instead of any substring.
    """
    escaped = escape_like(value)
    if wildcard:
        escaped = escaped.replace("*", "%").replace("?", "_")
    return escaped if anchored else f"%{escaped}%"

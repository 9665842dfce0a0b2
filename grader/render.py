"""Trainee notebooks rendered for someone else's eyes stay inert.

The formgrader's submission pages and the feedback pages are served from the hub's own origin. A
trainee's notebook is untrusted input there: an output such as ``display(HTML('<img onerror=…>'))``
or a markdown cell with a ``<script>`` would run in the instructor's browser with the instructor's
hub rights. ``InertNotebook`` is an nbconvert preprocessor (nbconvert's own ``SanitizeHTML``,
bleach underneath) that every HTML rendering of a submission runs first: HTML and markdown outputs
and markdown/raw cell sources keep an allow-list of formatting tags (tables stay readable) and lose
every script, event handler, style sheet, frame, form and non-http(s) URL; output types that can
carry script (JavaScript, SVG, widgets) are dropped. The settings that wire it in live in
``grader/nbgrader_settings.py``.
"""

from __future__ import annotations

import re

from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors.sanitize import SanitizeHTML
from traitlets import Any, Bool, List, Unicode

TAGS = [
    *("a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em"),
    *("h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre"),
    *("s", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th"),
    *("thead", "tr", "u", "ul"),
]
ATTRIBUTES = {
    "*": ["class", "title", "lang"],
    "a": ["href", "title"],
    "img": ["src", "alt", "width", "height"],
    "table": ["border"],
    "td": ["colspan", "rowspan", "align"],
    "th": ["colspan", "rowspan", "align"],
}
# Removed with their content before bleach runs, so that a DataFrame's <style> block does not turn
# into visible CSS text. Cosmetic only: bleach, which runs afterwards, is what makes the output safe.
_WITH_CONTENT = re.compile(r"<(script|style|template|noscript)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


class InertNotebook(SanitizeHTML):
    """``SanitizeHTML`` with an allow-list fit for data work (tables, headings, images over http(s)).

    Markdown (cells and ``text/markdown`` outputs) is rendered first and sanitised as HTML, so that
    code spans such as ``x >= 190`` read as written; the result is one HTML block that the page's
    own markdown step passes through unchanged.
    """

    tags = List(Unicode(), default_value=TAGS, help="HTML tags kept in a trainee's outputs").tag(config=True)
    attributes = Any(default_value=ATTRIBUTES, help="HTML attributes kept, per tag").tag(config=True)
    strip = Bool(True, help="Remove disallowed markup (keeping its text) instead of escaping it").tag(config=True)

    def sanitize_html_tags(self, html_str):
        return super().sanitize_html_tags(_WITH_CONTENT.sub("", html_str))

    def inert_markdown(self, source: str) -> str:
        """Markdown as sanitised HTML on one line (a single HTML block: markdown leaves it as it is)."""
        renderer = IPythonRenderer(escape=False, allow_harmful_protocols=False)
        html = self.sanitize_html_tags(MarkdownWithMath(renderer=renderer).render(source))
        return '<div class="inert-markdown">' + html.replace("\n", "&#10;") + "</div>"

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "markdown":
            cell.source = self.inert_markdown(cell.source)
            return cell, resources
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "text/markdown" in data:
                    data["text/html"] = self.inert_markdown(data.pop("text/markdown"))
        return super().preprocess_cell(cell, resources, cell_index)

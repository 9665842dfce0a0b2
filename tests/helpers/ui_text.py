"""Finding English left in a Japanese screen: the text a person sees on a page, and its Latin words that are
neither proper nouns and code (``ALLOWED``) nor content (dataset metadata and data from ``datasets/``, names
typed by users).

``collect(page)`` returns the lines of visible text (``innerText`` of the body and the title) plus the
``placeholder``/``title``/``aria-label``/``alt`` of rendered elements and the labels of buttons (``value``);
``latin_words(line, allowed)`` the words of a line a Japanese reader would not expect in English.
"""

from __future__ import annotations

import re
from pathlib import Path

# proper nouns, product names, formats and code a Japanese UI writes in Latin letters (lower-cased)
ALLOWED = {
    w.lower()
    for w in """
    CKAN CSS JupyterLab JupyterHub Jupyter nbgrader Python pandas ckanapi DataStore DataTables
    CSV TSV XLSX XLS JSON GeoJSON KML XML RDF HTML PDF ZIP SQL URL URI API ID IDs UTF cp932 Shift_JIS
    OK Web Email E-mail Markdown HTTP HTTPS Enter Shift Tab Esc Ctrl
    CC BY SA ODC PDDL ODbL Creative Commons
    OAuth OpenID LMS LTI
    JST UTC KiB MiB GiB KB MB GB
    English Facebook X
    LAN Wi-Fi AED
    text numeric integer timestamp date bool float
    """.split()
}
# ("English": the language switcher names each language in that language; "Facebook", "X": CKAN's share links;
# text/numeric/...: DataStore column types in the data dictionary, PostgreSQL's own names; LAN, Wi-Fi, AED: words of the
# city's data that trainees' practice datasets (the lessons publish 「練習：公衆無線LAN…」) carry into CKAN's pages)

# removed before looking for words: addresses, paths, e-mail addresses, file names, identifiers with digits,
# hyphens or underscores (slugs of datasets, organisations and users), key combinations
_CODE = re.compile(
    r"https?://\S+"  # URLs
    r"|\S+@\S+"  # e-mail addresses
    r"|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:org|com|net|jp|io)(?![A-Za-z0-9])"  # domain names
    r"|&\w+;|<\w+>"  # HTML entities shown as text, placeholders such as <organization>
    r"|\./testbed(?: [a-z][\w-]*)*"  # commands of this project
    r"|\b(?:Ctrl|Shift|Alt|Cmd)\+\w+"  # key combinations
    r"|\b\w+/(?!\w)"  # folder names (secrets/)
    r"|(?:/[\w.~%-]+)+/?"  # paths
    r"|\b[\w-]+\.(?:csv|tsv|xlsx|xls|json|geojson|pdf|zip|py|ipynb|txt|html)\b"  # file names
    r"|\b(?=[\w-]*[\d_-])[A-Za-z0-9][\w-]*\b",  # slugs and identifiers (contain a digit, _ or -)
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


def latin_words(line: str, allowed: set[str]) -> list[str]:
    """The Latin words of ``line`` that are not allowed (case-insensitive), in order, without repeats."""
    seen: list[str] = []
    for word in _WORD.findall(_CODE.sub(" ", line)):
        w = word.strip("'’")
        if w and w.lower() not in allowed and w not in seen:
            seen.append(w)
    return seen


def _strings(node) -> list[str]:
    """Every string value in a parsed YAML/JSON document (not its keys)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def content_words(root: Path) -> set[str]:
    """Every Latin word of the sample data under ``datasets/``: the manifest's values (titles, descriptions,
    tags, licences; not its keys or comments) and the data files. Content, not UI text."""
    import yaml

    texts = _strings(yaml.safe_load((root / "manifest.yaml").read_text(encoding="utf-8")))
    for path in root.rglob("*"):
        if path.suffix.lower() in {".csv", ".geojson"} and path.is_file():
            raw = path.read_bytes()
            for enc in ("utf-8-sig", "cp932"):
                try:
                    texts.append(raw.decode(enc))
                    break
                except UnicodeDecodeError:
                    continue
    return {w.lower() for text in texts for w in _WORD.findall(text)} - FUNCTION_WORDS


# never allowed as content: an English sentence always has some of these (so the sample data's English
# facility names cannot hide one)
FUNCTION_WORDS = set(
    "a an the of to in on at by for from with without about over under and or not no is are be been was were "
    "this that these those it its you your we our they their will can may must should please only if then "
    "here there when where which who what how".split()
)


# the text a person sees: body text, the title, and the labels that appear on hover or to screen readers
COLLECT_JS = """() => {
  const lines = [document.title];
  lines.push(...document.body.innerText.split('\\n'));
  const rendered = (el) => el.getClientRects().length > 0;
  const labelled = '[placeholder],[title],[aria-label],img[alt],input[type=submit],input[type=button]';
  for (const el of document.querySelectorAll(labelled)) {
    if (!rendered(el)) continue;
    for (const a of ['placeholder', 'title', 'aria-label', 'alt']) {
      const v = el.getAttribute(a);
      if (v) lines.push(v);
    }
    if (el.matches('input[type=submit],input[type=button]') && el.value) lines.push(el.value);
  }
  return lines.map((s) => s.trim()).filter((s) => s);
}"""


def collect(page) -> list[str]:
    """The visible UI text of ``page`` (a Playwright page), one entry per line or attribute."""
    return page.evaluate(COLLECT_JS)

"""Compile the extension's .po catalogues into a directory CKAN can read, at plugin load.

The catalogues ship as text (``<lang>/LC_MESSAGES/testbed.po`` next to this file); the compiled ``.mo`` is
written at start-up with Babel from CKAN's own environment, under CKAN's storage path beside the JavaScript
translations CKAN writes there itself (``<storage>/i18n/js``): CKAN runs as a service account that may not
write into its virtual environment. Writing is atomic and skipped when the file is unchanged, so several
workers starting together agree.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

DOMAIN = "testbed"
SOURCE = Path(__file__).resolve().parent


def locales(source: Path = SOURCE) -> list[str]:
    """The languages that have a catalogue in ``source``."""
    return sorted(p.parent.parent.name for p in source.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compile_po(po_text: bytes, locale: str) -> bytes:
    """The .mo bytes of one .po catalogue (untranslated and fuzzy entries left out, as msgfmt does)."""
    catalog = read_po(io.BytesIO(po_text), locale=locale, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def build(target: Path, source: Path = SOURCE) -> Path:
    """Copy each .po into ``target`` and compile its .mo there; returns ``target`` (CKAN's ``i18n_directory``).

    The .po is copied too: CKAN's JavaScript translations (``ckan.lib.i18n.build_js_translations``) read
    the plugins' .po files, not the .mo.
    """
    for lang in locales(source):
        po = (source / lang / "LC_MESSAGES" / f"{DOMAIN}.po").read_bytes()
        out = target / lang / "LC_MESSAGES"
        _write_if_changed(out / f"{DOMAIN}.po", po)
        _write_if_changed(out / f"{DOMAIN}.mo", compile_po(po, lang))
    return target

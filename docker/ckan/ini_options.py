"""The fixed CKAN options of the local stack's template, for the CKAN image (one source for both).

``testbed_cli/templates/ckan.ini`` is what ``./testbed up`` renders on one machine. Every option of
its ``[app:main]`` section without a ``{placeholder}`` is the same in containers; this prints them as
``key=value`` lines for ``ckan config-tool`` at image build. The options with placeholders (site URL,
title, databases, Redis, plugins, storage, licences) are set when the container starts
(``testbed_start.py``). Standard library only: it runs in CKAN's image, not in the project's venvs.
"""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

SKIP = {"use", "solr_url"}  # the image has the WSGI entry point; Solr's URL is set at start


def fixed_options(template_text: str) -> dict[str, str]:
    """``[app:main]`` options of the template whose value holds no ``{placeholder}``."""
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keep SECRET_KEY and friends as written
    parser.read_string(template_text)
    section = parser["app:main"]
    return {
        key: value
        for key, value in section.items()
        if key not in SKIP and key not in parser.defaults() and "{" not in value
    }


def main(argv: list[str]) -> None:
    for key, value in fixed_options(Path(argv[1]).read_text(encoding="utf-8")).items():
        print(f"{key}={value}")


if __name__ == "__main__":
    main(sys.argv)

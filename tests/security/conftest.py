"""Fixtures of this folder: the browser fixtures of tests/helpers/browser.py (``browser``, ``page``,
``screenshots``)."""

from helpers.browser import browser, page, screenshots  # noqa: F401

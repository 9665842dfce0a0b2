"""Paths: the Layout lives with the config (testbed_config.layout); REPO is the checkout."""

from pathlib import Path

from testbed_config.layout import Layout

REPO = Path(__file__).resolve().parent.parent

__all__ = ["REPO", "Layout"]

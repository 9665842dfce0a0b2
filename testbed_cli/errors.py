"""The one exception the CLI turns into a clear message and a non-zero exit."""


class SetupError(Exception):
    """Something the operator must fix; the message names the problem and the fix (in Japanese)."""

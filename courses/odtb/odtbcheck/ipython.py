"""IPython extension: a Japanese explanation of the usual cause above the original error text.

Loaded in every trainee kernel (``c.InteractiveShellApp.extensions`` in the environment's
``etc/ipython/ipython_kernel_config.py``, written by ``./testbed up``). It wraps the shell's
``_showtraceback``, the one place both runtime errors and syntax errors pass through, and prepends
the block from ``odtbcheck.explain``; the original traceback stays below, the cell still fails.
"""

from __future__ import annotations

from typing import Any

from odtbcheck.explain import explain

_ORIGINAL = "_odtbcheck_original_showtraceback"


def _columns_from(tb) -> list[str] | None:
    """The column names of the DataFrame a KeyError was raised from (found in the traceback's frames)."""
    while tb is not None:
        obj = tb.tb_frame.f_locals.get("self")
        cols = getattr(obj, "columns", None)
        if cols is not None and type(obj).__name__ == "DataFrame":
            try:
                return [str(c) for c in list(cols)]
            except Exception:  # noqa: BLE001
                return None
        tb = tb.tb_next
    return None


def explained(shell: Any, evalue: BaseException, stb: list[str]) -> list[str]:
    """``stb`` with the explanation lines in front (unchanged when there is none or it is a check's box)."""
    if getattr(evalue, "odtbcheck", False) or not isinstance(evalue, BaseException):
        return stb
    try:
        columns = _columns_from(evalue.__traceback__) if isinstance(evalue, KeyError) else None
        lines = explain(evalue, defined=list(getattr(shell, "user_ns", {})), columns=columns)
    except Exception:  # noqa: BLE001 - an explanation must never hide the real error
        return stb
    if not lines:
        return stb
    return [f"\x1b[1;34m{lines[1]}\x1b[0m" if i == 1 else line for i, line in enumerate(lines)] + list(stb)


def load_ipython_extension(shell: Any) -> None:
    if hasattr(shell, _ORIGINAL):
        return
    original = shell._showtraceback
    setattr(shell, _ORIGINAL, original)

    def _showtraceback(etype, evalue, stb):
        return original(etype, evalue, explained(shell, evalue, stb))

    shell._showtraceback = _showtraceback


def unload_ipython_extension(shell: Any) -> None:
    original = shell.__dict__.pop(_ORIGINAL, None)
    if original is not None:
        shell.__dict__.pop("_showtraceback", None)

"""odtbcheck: the self-check tools of course odtb, installed in the trainees' Python environment.

Like Kaggle Learn's ``learntools``: the checking logic lives here, not in the notebook, so a
self-check cell reads ``q2.check()`` and never shows the expected value. A failed check is a short
Japanese box (what is wrong, a hint, where to look) instead of a Python traceback, while the cell
still ends in an error, so nbgrader's autograde scores it 0. See README.md.
"""

from odtbcheck.checks import check, failure
from odtbcheck.questions import Question, Rule
from odtbcheck.values import as_number, is_number, names_of

__all__ = ["Question", "Rule", "as_number", "check", "failure", "is_number", "names_of"]

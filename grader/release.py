"""One submission's feedback released at once, by the worker that graded it (remote mode's autograder).

``nbgrader release_feedback`` releases an assignment's feedback for every student in one process (a
second and a half, and a round of the autograder waits for it). A worker that has just graded one
submission releases that one's pages itself, exactly as nbgrader's ``ExchangeReleaseFeedback`` names and
writes them (md5 of the submission's secret and the notebook's id; copied under a temporary name, then
renamed, so a trainee's list never sees half a page), owned by the course's grader account as if it had
released them. The autograder's rounds still run ``release_feedback`` (idempotent) after refreshing
feedback made stale by manual grading.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path


def feedback_name(secret: str, notebook_id: str) -> str:
    """The exchange's name of a feedback page: nbgrader.utils.notebook_hash(secret=..., notebook_id=...) of
    nbgrader 0.9 (md5 of the two; this module stays importable without nbgrader, tests compare the two)."""
    return hashlib.md5(secret.encode() + notebook_id.encode()).hexdigest()


def release_one(root: Path, exchange_course: Path, assignment: str, student: str) -> list[Path]:
    """Release ``student``'s feedback of ``assignment`` from the course ``root`` to ``exchange_course/feedback``;
    the pages written (none when there is no feedback or the submission's secret is missing)."""
    folder = Path(root) / "feedback" / student / assignment
    secret_file = folder / "submission_secret.txt"
    if not secret_file.is_file():
        return []
    secret = secret_file.read_text()
    dest = Path(exchange_course) / "feedback"
    owner = Path(exchange_course).stat()
    written = []
    for page in sorted(folder.glob("*.html")):
        checksum = feedback_name(secret, page.stem)
        tmp, final = dest / f"{checksum}-tmp.html", dest / f"{checksum}.html"
        shutil.copyfile(page, tmp)
        os.chmod(tmp, 0o644)
        if os.geteuid() == 0:
            os.chown(tmp, owner.st_uid, owner.st_gid)
        os.replace(tmp, final)
        written.append(final)
    return written

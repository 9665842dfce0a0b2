"""Jupyter server extension of the formgrader service: trainees' own files stay inert.

nbgrader's formgrader serves every file of a submission (``/formgrader/submissions/<id>/<path>``)
from the hub's origin, with the type its name suggests. A trainee who submits ``page.html`` or an
SVG with a script, and links it from a markdown cell, would run that script in the instructor's
browser with the instructor's hub rights. Those responses get ``Content-Security-Policy: sandbox``
(a unique origin, no scripts, no forms, no cookies of the hub) and ``nosniff``, as jupyter_server
does for its own ``/files/``. The notebook pages themselves are sanitised (``grader/render.py``).
"""

from __future__ import annotations

import re

from tornado.web import OutputTransform

# a file below a submission; not the submission's own page, which ends in "/<id>/"
SUBMISSION_FILE = re.compile(r"/formgrader/submissions/[^/]+/[^/].*")


class SandboxSubmissionFiles(OutputTransform):
    """Adds a sandboxing CSP to every response that serves a file of a trainee's submission."""

    def __init__(self, request):
        super().__init__(request)
        self._confine = SUBMISSION_FILE.search(request.path) is not None

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        if self._confine:
            headers["Content-Security-Policy"] = "sandbox"
            headers["X-Content-Type-Options"] = "nosniff"
        return status_code, headers, chunk


def _jupyter_server_extension_points():
    return [{"module": "grader.formgrader_guard"}]


def _load_jupyter_server_extension(serverapp):
    serverapp.web_app.add_transform(SandboxSubmissionFiles)
    serverapp.log.info("grader.formgrader_guard: submission files are served sandboxed")

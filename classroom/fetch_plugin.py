"""nbgrader's fetch plus a fetch mark for the progress board; set in the shared nbgrader config as
``c.ExchangeFactory.fetch_assignment`` (runs in trainees' servers and nbgrader CLI, hub venv only)."""

from __future__ import annotations

from nbgrader.exchange.default.fetch_assignment import ExchangeFetchAssignment
from nbgrader.utils import get_username

from classroom.marks import mark


class MarkedFetchAssignment(ExchangeFetchAssignment):
    def copy_files(self):
        super().copy_files()
        mark(self.root, self.coursedir.course_id, get_username(), self.coursedir.assignment_id)

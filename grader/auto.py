"""Remote mode's autograder: new submissions are collected, graded and their feedback released, with
no instructor action (supervised as the program ``autograder`` by ``./testbed up`` in remote mode).

Every ``remote.autograde_interval_seconds`` (a *full* round), and within ``SCAN_SECONDS`` of a new submission's
arrival (a *fast* round: the inbound folders are listed that often between rounds), it lists each course's exchange
inbound (root may; the folder is the grader account's), and for every assignment with a submission it has not
handled yet runs the same pipeline as `./testbed grade` (grader.pipeline). The grading workers of an assignment
(with their warm kernel templates, grader.warm) stay between rounds (at most ``MAX_POOLS`` assignments, each for
``POOL_IDLE_SECONDS`` after its last use), and release each feedback as soon as they made it (grader.release): a
trainee's feedback is out seconds after the submission. A fast round stops there; a full round also refreshes
feedback made stale by manual grading and releases the assignment's feedback again the nbgrader way. A submission
whose grading failed is tried again in the next rounds, at most ``MAX_ATTEMPTS`` times; the log says what happened.
A submission whose notebooks cannot be read (grader.broken) is handled at once: its feedback tells the trainee, and
the log says so; a new submission is graded as usual.

Every full round it also regenerates and releases the feedback an instructor's manual grading made stale
(grader.refresh); with ``--feedback-only`` (on-site mode, supervised as ``feedback-watcher``) that is all it does.

    python -m grader.auto --stack <state>/run/stack.yaml [--once] [--interval S] [--assignment A ...] [--feedback-only]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from grader.batch import Pool
from grader.courses import CourseError, course_root
from grader.pipeline import grade_and_release, new_pool, refresh_feedback
from testbed_config import load_config
from testbed_config.layout import Layout
from testbed_config.names import GRADEBOOK, ROSTER_EXPORT, feedback_watch_state

MAX_ATTEMPTS = 3
# Between rounds, how often the inbound folders are listed (one directory read each) for a submission no round has
# tried yet: grading starts about a second after a trainee submits, instead of at the next round
SCAN_SECONDS = 0.5
MAX_POOLS = 2  # assignments whose grading workers stay (each: a worker and a template per core)
POOL_IDLE_SECONDS = 600.0


def heartbeat_path(layout: Layout) -> Path:
    return layout.run / "autograder.heartbeat"


def state_path(layout: Layout, course: str) -> Path:
    return layout.run / f"autograder-{course}.json"


def inbound(course_exchange: Path) -> dict[str, set[str]]:
    """Submission folder names (``user+assignment+timestamp[+random]``) per assignment."""
    found: dict[str, set[str]] = {}
    try:
        names = [e.name for e in os.scandir(course_exchange / "inbound") if e.is_dir(follow_symlinks=False)]
    except OSError:
        return found
    for name in names:
        parts = name.split("+")
        if len(parts) in (3, 4) and all(parts[:3]):
            found.setdefault(parts[1], set()).add(name)
    return found


@dataclass
class State:
    """What the autograder has handled: inbound entries done, and failed attempts per entry."""

    seen: set[str] = field(default_factory=set)
    attempts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> State:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(set(data.get("seen", [])), dict(data.get("attempts", {})))
        except (OSError, ValueError):
            return cls()

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"seen": sorted(self.seen), "attempts": self.attempts}), encoding="utf-8")
        os.replace(tmp, path)

    def failed(self, entry: str) -> bool:
        """Count a failed attempt; True when it was the last one (the entry is then given up)."""
        self.attempts[entry] = self.attempts.get(entry, 0) + 1
        if self.attempts[entry] >= MAX_ATTEMPTS:
            self.seen.add(entry)
            self.attempts.pop(entry)
            return True
        return False

    def done(self, entry: str) -> None:
        self.seen.add(entry)
        self.attempts.pop(entry, None)


def _say(msg: str) -> None:
    print(f"{datetime.now().astimezone():%Y-%m-%d %H:%M:%S} {msg}", flush=True)


class Pools:
    """The grading workers kept between rounds, per (course, assignment): the most recently used ``MAX_POOLS``."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.pools: dict[tuple[str, str], Pool] = {}

    def get(self, course: str, assignment: str) -> Pool:
        key = (course, assignment)
        if key not in self.pools:
            self.pools[key] = new_pool(self.layout, course, assignment)
        self.trim(keep=key)
        return self.pools[key]

    def trim(self, keep: tuple[str, str] | None = None) -> None:
        """Close pools idle too long, and the least recently used beyond ``MAX_POOLS`` (never ``keep``)."""
        now = time.monotonic()
        ranked = sorted(self.pools, key=lambda k: (k == keep, self.pools[k].used), reverse=True)
        for rank, key in enumerate(ranked):
            if key != keep and (now - self.pools[key].used > POOL_IDLE_SECONDS or rank >= MAX_POOLS):
                self.pools.pop(key).close()

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()
        self.pools.clear()


def run_once(
    layout: Layout,
    course: str,
    state: State,
    only: set[str] | None = None,
    beat=None,
    pools: Pools | None = None,
    fast: bool = False,
) -> int:
    """One round for one course; returns the number of submissions graded. With ``pools`` the assignment's
    workers stay for the next round and release each feedback at once; ``fast`` leaves the refresh after
    manual grading to the next full round."""
    graded = 0
    entries = inbound(layout.exchange / course)
    for assignment in sorted(entries):
        if only and assignment not in only:
            continue
        new = entries[assignment] - state.seen
        if not new:
            continue
        _say(f"{course}/{assignment}: 新しい提出 {len(new)} 件を採点します")
        try:
            pool = pools.get(course, assignment) if pools is not None else None
            result = grade_and_release(
                layout, course, assignment, on_done=lambda r: beat and beat(), pool=pool, fast=fast and pool is not None
            )
        except CourseError as e:
            for entry in sorted(new):
                if state.failed(entry):
                    _say(f"{course}/{assignment}: {entry} は {MAX_ATTEMPTS} 回失敗したため、自動採点をあきらめます")
            _say(f"{course}/{assignment}: 採点できませんでした: {e}")
            continue
        failed_users = set(result.failed)
        for entry in new:
            if entry.split("+")[0] in failed_users:
                if state.failed(entry):
                    _say(f"{course}/{assignment}: {entry} は {MAX_ATTEMPTS} 回失敗したため、自動採点をあきらめます")
            else:
                state.done(entry)
        graded += len(result.graded)
        for student, r in sorted(result.graded.items()):
            _say(f"{course}/{assignment}: {student} {r['score']:g} / {r['max_score']:g} (フィードバックを返却しました)")
        for student, err in sorted(result.failed.items()):
            _say(f"{course}/{assignment}: {student} を採点できませんでした: {err}")
        for student, why in sorted(result.broken.items()):
            _say(f"{course}/{assignment}: {student} の提出は採点できません (フィードバックで本人に伝えました): {why}")
    return graded


def wait_for_submissions(
    layout: Layout, courses: list[str], interval: float, only: set[str] | None = None, scan: float = SCAN_SECONDS
) -> bool:
    """Sleep until the next round is due (``interval`` seconds), or until a submission arrives that no round has
    tried yet (a failed one is retried at the round's own pace). True when a submission woke it."""
    deadline = time.monotonic() + interval
    known = {}
    for course in courses:
        state = State.load(state_path(layout, course))
        known[course] = state.seen | set(state.attempts)
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(scan, left))
        for course in courses:
            for assignment, entries in inbound(layout.exchange / course).items():
                if (only is None or assignment in only) and entries - known[course]:
                    return True
    return False


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def refresh_round(layout: Layout, course: str) -> int:
    """Regenerate and release feedback the instructor's manual grading made stale, and write the roster's
    names into the gradebook; only when the gradebook or the roster export changed since the last look.
    Returns the number of feedbacks refreshed."""
    root = course_root(layout, course)
    seen = (_mtime(root / GRADEBOOK), _mtime(layout.course_home(course) / ROSTER_EXPORT))
    path = layout.run / feedback_watch_state(course)
    try:
        if tuple(json.loads(path.read_text(encoding="utf-8"))) == seen:
            return 0
    except (OSError, ValueError, TypeError):
        pass
    try:
        fresh = refresh_feedback(layout, course)
    except CourseError as e:
        _say(f"{course}: フィードバックを更新できませんでした: {e}")
        return 0
    for assignment, students in sorted(fresh.refreshed.items()):
        for student in students:
            _say(f"{course}/{assignment}: {student} のフィードバックを講師の採点に合わせて作り直し、返却しました")
    if fresh.names:
        _say(f"{course}: 成績簿の氏名を名簿に合わせました ({fresh.names} 人)")
    # what this round left behind (its own writes included), so the next round skips until something changes
    seen = (_mtime(root / GRADEBOOK), _mtime(layout.course_home(course) / ROSTER_EXPORT))
    path.write_text(json.dumps(seen), encoding="utf-8")
    return sum(len(v) for v in fresh.refreshed.values())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--stack", required=True, help="the effective stack config (<state>/run/stack.yaml)")
    p.add_argument("--once", action="store_true", help="one round, then exit")
    p.add_argument("--interval", type=float, help="seconds between rounds (default: remote.autograde_interval_seconds)")
    p.add_argument("--assignment", action="append", help="only these assignments (default: all)")
    p.add_argument(
        "--feedback-only",
        action="store_true",
        help="on-site mode: grade nothing, only refresh feedback after manual grading (and gradebook names)",
    )
    a = p.parse_args(argv)
    layout = Layout(load_config(a.stack))
    interval = a.interval or layout.cfg.remote.autograde_interval_seconds
    only = set(a.assignment) if a.assignment else None
    beat_file = heartbeat_path(layout)

    def beat() -> None:
        beat_file.write_text(datetime.now().astimezone().isoformat(timespec="seconds"), encoding="utf-8")

    what = "手採点後のフィードバック更新" if a.feedback_only else "自動採点"
    _say(f"{what}を始めます ({interval:g} 秒ごと、コース: {', '.join(c.id for c in layout.cfg.courses)})")
    pools = None if a.feedback_only or a.once else Pools(layout)
    next_full = 0.0
    try:
        while True:
            beat()
            full = time.monotonic() >= next_full
            if full:
                next_full = time.monotonic() + interval
            for course in layout.cfg.courses:
                if not a.feedback_only:
                    path = state_path(layout, course.id)
                    state = State.load(path)
                    try:
                        run_once(layout, course.id, state, only, beat, pools=pools, fast=not full)
                    finally:
                        state.save(path)
                if full:
                    refresh_round(layout, course.id)
            if pools is not None:
                pools.trim()
            beat()
            if a.once:
                return 0
            if a.feedback_only:
                time.sleep(interval)
            elif wait_for_submissions(
                layout, [c.id for c in layout.cfg.courses], max(0.0, next_full - time.monotonic()), only
            ):
                _say("新しい提出が届きました")
    finally:
        if pools is not None:
            pools.close()


if __name__ == "__main__":
    sys.exit(main())

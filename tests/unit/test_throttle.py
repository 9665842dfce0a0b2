"""Sign-in throttling (hub_config/throttle.py): growing delay, temporary lock, unlock, forgetting old failures."""

from __future__ import annotations

import pytest

from hub_config.throttle import SignInThrottle

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(clock: Clock, limit: int = 10) -> SignInThrottle:
    return SignInThrottle(limit=limit, lock=600, window=900, delay_step=0.25, delay_max=2.0, clock=clock)


def test_do_twenty_wrong_passwords_lock_the_user():
    """Is the user locked at the 10th failure, with a delay that grows to at most 2 s before?"""
    clock = Clock()
    t = make(clock)
    delays = []
    locked_at = None
    for i in range(1, 21):
        if t.locked_for("sato"):
            continue
        if t.failure("sato"):
            locked_at = i
        delays.append(t.delay("sato"))
    assert locked_at == 10
    assert delays[:3] == [0.25, 0.5, 0.75] and max(delays) == 2.0
    assert 599 <= t.locked_for("sato") <= 600
    assert t.locked() == {"sato": pytest.approx(600)}
    assert t.locked_for("tanaka") == 0


def test_does_a_lock_end_by_itself_or_when_unlocked():
    """Is the lock over after its time, and at once when forgotten (an instructor's unlock)?"""
    clock = Clock()
    t = make(clock, limit=3)
    for _ in range(3):
        t.failure("sato")
        t.failure("suzuki")
    assert t.locked_for("sato") and t.locked_for("suzuki")
    t.forget("sato")
    assert t.locked_for("sato") == 0
    clock.now += 601
    assert t.locked_for("suzuki") == 0
    assert t.locked() == {}


def test_are_old_failures_forgotten():
    """Do failures older than the window no longer count towards a lock or the delay?"""
    clock = Clock()
    t = make(clock, limit=3)
    t.failure("sato")
    t.failure("sato")
    clock.now += 901
    assert t.delay("sato") == 0
    assert not t.failure("sato")
    assert not t.failure("sato")
    assert t.failure("sato")


def test_does_a_lock_outlive_a_restart_in_a_private_file(tmp_path):
    """Does a new throttle on the same file (a restarted hub) find the lock and the recent failures, is the
    file mode 0600, and does an unlock or an expired lock leave nothing behind for the next restart?"""
    from hub_config.throttle_store import ThrottleStore

    path = tmp_path / "hub" / "signin-throttle.sqlite"
    clock = Clock()

    def restarted(scope: str = "user") -> SignInThrottle:
        return SignInThrottle(
            limit=3, lock=600, window=900, delay_step=0.25, clock=clock, store=ThrottleStore(path, scope)
        )

    t = restarted()
    for _ in range(3):
        t.failure("sato")
    t.failure("tanaka")
    assert path.stat().st_mode & 0o777 == 0o600
    clock.now += 60
    t = restarted()
    assert t.locked_for("sato") == pytest.approx(540)
    assert t.delay("tanaka") == 0.25 and t.locked_for("tanaka") == 0
    assert restarted("address").locked() == {}  # scopes are apart: a user's lock is not an address's
    t.forget("sato")
    assert restarted().locked_for("sato") == 0
    t.failure("suzuki")
    t.failure("suzuki")
    t.failure("suzuki")
    clock.now += 901
    assert restarted().locked() == {}
    assert ThrottleStore(path, "user").load() == {}  # expired entries are gone from the file too


def test_does_an_unreadable_throttle_file_cost_only_the_counts(tmp_path):
    """Does a corrupt file still let the throttle count (in memory) instead of breaking sign-in?"""
    from hub_config.throttle_store import ThrottleStore

    path = tmp_path / "signin-throttle.sqlite"
    store = ThrottleStore(path, "user")
    path.write_bytes(b"not a database at all" * 100)
    t = SignInThrottle(limit=2, lock=600, window=900, clock=Clock(), store=store)
    t.failure("sato")
    assert t.failure("sato") and t.locked_for("sato")

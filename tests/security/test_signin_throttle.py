"""Sign-in throttling against the real stack: CKAN's own login form (kept for CKAN admins) and the hub's lock
surviving a hub restart.

Each test signs in from loopback addresses of its own (helpers/signin.py), so the counts of 127.0.0.1 other tests
use stay untouched; every lock and count a test leaves is removed afterwards.
"""

from __future__ import annotations

import re
import secrets
import time

import pytest
import requests
from helpers import cohort
from helpers.signin import (
    CKAN_FAILURES_PER_USER,
    CKAN_USER_LOCKED,
    ckan_login,
    ckan_signed_in,
    clear_ckan_counts,
    loopback_address,
    session_from,
)

pytestmark = pytest.mark.integration

HUB_LOCKED = "一時的にロックされています"
HUB_FAILURES_PER_USER = 10  # TestbedAuthenticator.max_failures_per_user


@pytest.fixture
def ckan_user(ckan_admin, unique, layout):
    """A CKAN user with a password for CKAN's own form (an admin's way in); removed with its counts afterwards."""
    name = f"thr{unique()}"
    password = secrets.token_urlsafe(18)
    ckan_admin.action.user_create(name=name, email=f"{name}@example.invalid", password=password)
    used: list[str] = []
    try:
        yield name, password, used
    finally:
        ckan_admin.action.user_delete(id=name)
        clear_ckan_counts(layout, name, *used)


def test_do_wrong_passwords_lock_a_ckan_account_even_for_the_right_password(
    ckan_url, ckan_user, ckan_admin, unique, layout
):
    """Do 10 wrong passwords on CKAN's own form lock that user (Japanese message, 403) even with the right password
    and from another address, while another user from the same address still signs in?"""
    name, password, used = ckan_user
    here, elsewhere = loopback_address(), loopback_address()
    used += [here, elsewhere]
    assert ckan_signed_in(ckan_login(ckan_url, here, name, password))  # the password is right to begin with
    other = f"thr{unique()}"
    other_password = secrets.token_urlsafe(18)
    ckan_admin.action.user_create(name=other, email=f"{other}@example.invalid", password=other_password)
    try:
        answers = [ckan_login(ckan_url, here, name, f"wrong-{i}") for i in range(CKAN_FAILURES_PER_USER)]
        assert not any(ckan_signed_in(r) for r in answers)
        assert CKAN_USER_LOCKED not in answers[-1].text  # the 10th failure locks; its own answer is the usual one
        locked = ckan_login(ckan_url, here, name, password)
        assert locked.status_code == 403 and CKAN_USER_LOCKED in locked.text, locked.text[-2000:]
        assert re.search(r"\d+ 分ほど待って", locked.text)
        assert ckan_login(ckan_url, elsewhere, name, password).status_code == 403
        assert ckan_signed_in(ckan_login(ckan_url, here, other, other_password))
    finally:
        ckan_admin.action.user_delete(id=other)
        clear_ckan_counts(layout, other)


@pytest.fixture
def trainee_pw(tmp_path, unique, stack_config):
    """One imported trainee (on-site mode) and their initial password; removed afterwards."""
    if stack_config.mode != "onsite":
        pytest.skip("individual passwords exist in on-site mode only")
    name = f"th{unique()}"
    passwords = cohort.import_roster(tmp_path, [(name, "山田 太郎", "企画課")])
    yield name, passwords[name]
    cohort.remove(name)


@pytest.fixture
def instructor(hub, layout, stack_config):
    """A requests session signed in as the first admin (the instructor)."""
    password = (layout.secrets / "instructor-password").read_text().strip()
    r = cohort.login(hub.public, stack_config.admins[0], password)
    assert r.status_code == 302, r.text
    return r.session


def _hub_login(public: str, address: str, user: str, password: str) -> requests.Response:
    """POST the hub's sign-in form from ``address``. The hub is shared with other runs whose ``up`` may restart
    it: an attempt cut off by a restart (5xx, refused) is made again once the hub answers (an extra failure
    counted only locks sooner, which every assertion here allows)."""
    deadline = time.monotonic() + 120
    while True:
        s = session_from(address)
        url = f"{public}/hub/login"
        try:
            s.get(url, timeout=30)
            r = s.post(
                url,
                data={"username": user, "password": password, "_xsrf": s.cookies.get("_xsrf")},
                allow_redirects=False,
                timeout=60,
            )
        except requests.ConnectionError:
            r = None
        if (r is not None and r.status_code < 500) or time.monotonic() > deadline:
            assert r is not None, "the hub did not answer for 2 minutes"
            r.encoding = "utf-8"
            return r
        time.sleep(2)


def _accounts(instructor, hub, **data) -> requests.Response:
    if data:
        data["_xsrf"] = instructor.cookies.get("_xsrf")
        r = instructor.post(f"{hub.public}/hub/trainee-accounts", data=data, timeout=60)
    else:
        r = instructor.get(f"{hub.public}/hub/trainee-accounts", timeout=60)
    r.encoding = "utf-8"
    return r


def _restart_hub(layout) -> None:
    from testbed_cli import stack, supervisor

    supervisor.restart(layout, "hub")
    stack.wait_healthy(layout, ["hub"], timeout=120)


def test_does_a_hub_lock_survive_a_hub_restart(trainee_pw, hub, layout, stack_config, instructor):
    """After 10 wrong passwords and a restart of the hub, is the trainee still locked (the right password refused
    in Japanese), shown locked on the instructor's page, and free again once the instructor unlocks?"""
    name, password = trainee_pw
    address = loopback_address()
    try:
        for i in range(HUB_FAILURES_PER_USER):
            assert _hub_login(hub.public, address, name, f"wrong-{i}").status_code == 403
        before = _hub_login(hub.public, address, name, password)
        assert before.status_code == 403 and HUB_LOCKED in before.text
        _restart_hub(layout)
        after = _hub_login(hub.public, address, name, password)
        assert after.status_code == 403 and HUB_LOCKED in after.text, after.text[-2000:]
        page = _accounts(instructor, hub)  # signed in before the restart: the session holds
        row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{re.escape(name)}(?:(?!</tr>).)*</tr>", page.text, re.S)
        assert row and "ロック中" in row.group(0), page.text[-3000:]
        r = _accounts(instructor, hub, action="unlock", username=name)
        assert "ロックを解除しました" in r.text
        assert _hub_login(hub.public, address, name, password).status_code == 302
        _restart_hub(layout)  # the unlock is kept as well: no lock comes back from the file
        assert _hub_login(hub.public, address, name, password).status_code == 302
    finally:  # the failures also counted against the address (below its limit): forget them, and any lock left
        staff = cohort.login(
            hub.public, stack_config.admins[0], (layout.secrets / "instructor-password").read_text().strip()
        ).session
        _accounts(staff, hub, action="unlock", username=name)
        _accounts(staff, hub, action="unlock-address", username=address)

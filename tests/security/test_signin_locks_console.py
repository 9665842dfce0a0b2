"""Sign-in locks shown to the instructor and lifted without being a CKAN sysadmin (issue #18, item 7), on the real
stack: the console's 「サインインのロック」 (``classroom/console_locks.py``), the hub's API behind it
(``hub_config/throttle_api.py``) and ``./testbed signin locks|unlock``; a trainee can neither see nor lift a lock.

Sign-in attempts come from a loopback address of the test's own (helpers/signin.py); every lock and count is
lifted, the throwaway trainee and their CKAN user removed afterwards (helpers/signin_locks.py)."""

from __future__ import annotations

import json
import secrets

import pytest
import requests
from helpers import cohort, console
from helpers.progress import cohort_member, login
from helpers.signin import CKAN_USER_LOCKED, ckan_login, ckan_signed_in, lock_ckan_user, loopback_address
from helpers.signin_locks import HUB_LOCKED, hub_login, lock_hub_user, locked_out_trainee

from testbed_config.names import ckan_user_name

pytestmark = pytest.mark.integration


def _find(locks: list[dict], system: str, key: str) -> dict | None:
    return next((x for x in locks if x["system"] == system and x["scope"] == "user" and x["key"] == key), None)


@pytest.fixture
def course(stack_config):
    if stack_config.mode != "onsite":
        pytest.skip("the hub's own sign-in throttle runs with individual passwords (on-site mode)")
    return stack_config.courses[0]


@pytest.fixture
def instructor(hub, layout, course):
    return login(hub, course.instructors[0], (layout.secrets / "instructor-password").read_text().strip())


def test_are_locks_of_both_systems_shown_and_lifted_by_the_instructor_and_the_cli(
    hub, layout, ckan_url, ckan_admin, unique, course, instructor
):
    """After wrong passwords lock a trainee in the hub and in CKAN, do ``./testbed signin locks`` and the console's
    API list both (with the CKAN user tied to the hub name), does the console's 「解除」 free the hub sign-in and
    ``./testbed signin unlock --system ckan`` the CKAN one (the right passwords then work), and does a second unlock
    of the same name exit 1 in Japanese?"""
    name, address = f"lk{unique()}", loopback_address()
    ckan_name = ckan_user_name(name)
    with locked_out_trainee(hub, layout, ckan_admin, course.id, name, address) as (hub_pw, ckan_pw):
        lock_hub_user(hub.public, address, name)
        locked = hub_login(hub.public, address, name, hub_pw)
        assert locked.status_code == 403 and HUB_LOCKED in locked.text
        lock_ckan_user(ckan_url, address, ckan_name)
        r = ckan_login(ckan_url, address, ckan_name, ckan_pw)
        assert r.status_code == 403 and CKAN_USER_LOCKED in r.text

        # the operator's CLI
        out = cohort.cli("signin", "locks", "--json")
        assert out.exit_code == 0, out.output
        listed = json.loads(out.output)["locks"]
        hub_lock, ckan_lock = _find(listed, "hub", name), _find(listed, "ckan", ckan_name)
        assert hub_lock and ckan_lock, listed
        assert ckan_lock["hub_user"] == name and 0 < hub_lock["seconds_left"] <= 600
        assert hub_lock["limit"] == 10 and hub_lock["until"].endswith("+09:00")  # Japan time
        text = cohort.cli("signin", "locks").output
        assert name in text and ckan_name in text and "分" in text

        # the instructor's console (its API, then its form with the service's xsrf token)
        api = instructor.get(console.url(hub, course.id, "api/signin-locks"), timeout=60)
        assert api.status_code == 200, api.text[:500]
        shown = api.json()["locks"]
        assert _find(shown, "hub", name) and _find(shown, "ckan", ckan_name)
        page = console.post(
            instructor, hub, course.id, "signin-locks", {"name": name, "system": "hub"}, page="signin-locks"
        )
        page.encoding = "utf-8"
        assert page.status_code == 200 and "ロックを解除しました" in page.text, page.text[-1500:]
        assert hub_login(hub.public, address, name, hub_pw).status_code == 302  # signs in again at once
        r = ckan_login(ckan_url, address, ckan_name, ckan_pw)
        assert r.status_code == 403, "a hub-only unlock must leave CKAN's lock alone"

        out = cohort.cli("signin", "unlock", name, "--system", "ckan")
        assert out.exit_code == 0 and ckan_name in out.output and "解除しました" in out.output, out.output
        assert ckan_signed_in(ckan_login(ckan_url, address, ckan_name, ckan_pw))

        again = cohort.cli("signin", "unlock", name)
        assert again.exit_code == 1 and "ロックされていません" in again.output, again.output
        left = json.loads(cohort.cli("signin", "locks", "--json").output)["locks"]
        assert not _find(left, "hub", name) and not _find(left, "ckan", ckan_name)


def test_can_a_trainee_neither_see_nor_lift_sign_in_locks(hub, layout, ckan_admin, unique, course):
    """Does a trainee get 403 from the console's lock page, its API and its 「解除」 POST, and from the hub's API behind
    them (their own session and a token of their own), with the lock left in place?"""
    victim, address = f"lv{unique()}", loopback_address()
    other, other_pw = f"lo{unique()}", secrets.token_urlsafe(12)
    with (
        locked_out_trainee(hub, layout, ckan_admin, course.id, victim, address, ckan=False),
        cohort_member(hub, layout, course.id, other, "受講 花子", other_pw),
    ):
        lock_hub_user(hub.public, address, victim)
        s = login(hub, other, other_pw)
        page = s.get(console.url(hub, course.id, "signin-locks"), timeout=60)
        page.encoding = "utf-8"
        assert page.status_code == 403 and "講師だけ" in page.text, page.text[:500]
        assert victim not in page.text
        api = s.get(console.url(hub, course.id, "api/signin-locks"), timeout=60)
        assert api.status_code == 403 and victim not in api.text
        # a form POST with a valid xsrf token of the service (taken from a page the trainee may open)
        token = console.xsrf(s, hub, course.id, "help")
        r = s.post(
            console.url(hub, course.id, "signin-locks"),
            data={"name": victim, "system": "hub", "_xsrf": token},
            timeout=60,
            allow_redirects=False,
        )
        assert r.status_code == 403, r.text[:300]
        # the hub's API itself: the trainee's session, then a token of their own
        assert s.get(f"{hub.public}/hub/api/testbed/signin-locks", timeout=30).status_code == 403
        own = hub.user_token(other)
        assert hub.request("GET", "/testbed/signin-locks", token=own).status_code == 403
        r = hub.request("POST", "/testbed/signin-locks", token=own, json={"name": victim})
        assert r.status_code == 403
        # ... while the operator's token sees the lock still there
        r = hub.request("GET", "/testbed/signin-locks")
        assert r.status_code == 200 and _find(r.json()["locks"], "hub", victim), r.text[:500]
        assert requests.get(f"{hub.public}/hub/api/testbed/signin-locks", timeout=30).status_code == 403

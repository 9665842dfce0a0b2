"""``/hub/api/testbed/signin-locks`` (``throttle_handler.py``): the sign-in locks of the hub and of CKAN's own
form, and lifting them.

Why a handler inside the hub: the hub's locks live in the hub process (``SignInThrottle``: memory, written
through to a SQLite file under ``<state>/hub`` that only root reads). Changing the file from outside would not
reach the running hub (its memory would write the old entry back at the next failure), and re-reading the file
at every check would put a disk read in front of every sign-in. So the running hub answers and lifts its own
locks: an unlock takes effect at once, and the file follows (write-through).

CKAN's locks live in CKAN's Redis (password-protected). The hub asks CKAN (actions ``testbed_signin_lock_list``
and ``testbed_signin_lock_delete``, sysadmins only; ``ckanext-testbed/ckanext/testbed/sso/actions.py``) with the
CKAN admin token it already holds for trainees' provisioning. So the instructor's console (an unprivileged
grader account) and the operator's CLI reach both systems through this one endpoint, holding neither the hub's
files, nor Redis's password, nor a CKAN sysadmin token.

Who may call it: a request with the custom scope ``custom:testbed:signin-locks`` (the role of
``signin_lock_roles``: admins, course instructors, the operator's service) or with ``admin:users``. The console's
OAuth client may ask for the custom scope; the hub intersects it with the person's own rights, so a trainee's
console token never carries it (403 here, whatever the console itself checked).

- GET: ``{"hub": bool, "ckan_error": str, "locks": [lock...]}``; a lock is ``{"system": "hub"|"ckan",
  "scope": "user"|"address"|"signup", "key", "hub_user", "seconds_left", "until" (ISO 8601, Japan time), "failures"
  (since the lock), "limit" (failures that locked it)}``; scope ``signup`` is an address whose failed sign-ups
  (remote mode) are locked. ``hub`` is False where the authenticator keeps no throttle of ours (SSO).
- POST ``{"name": NAME_OR_ADDRESS, "system": "hub"|"ckan"|""}``: lifts every lock of that user name or address
  (a hub name also lifts its CKAN user's, ``tb-<name>``) and forgets its recent failures: 200 ``{"unlocked":
  [lock...], "ckan_error"}``, or 404 with a Japanese ``message`` when nothing of that name was locked.
"""

from __future__ import annotations

from datetime import timedelta

from testbed_config.japan_time import now as japan_now
from testbed_config.names import ckan_user_name

# pure (no hub imports): the hub config's roles and unit tests use it without the hub's handler machinery
SCOPE = "custom:testbed:signin-locks"
CUSTOM_SCOPES = {SCOPE: {"description": "See and lift the sign-in locks of the hub and of CKAN's own form."}}
PATH = r"/api/testbed/signin-locks"
HUB, CKAN = "hub", "ckan"
SYSTEMS = (HUB, CKAN)
CKAN_LIST, CKAN_DELETE = "testbed_signin_lock_list", "testbed_signin_lock_delete"
MAX_NAME = 200
FORBIDDEN = "サインインのロックを見たり解除したりできるのは、講師と管理者だけです。"
NOTHING = "「{name}」はサインインをロックされていません ({where})。名前 (またはアドレス) を確かめてください。"
WHERE = {HUB: "JupyterHub", CKAN: "CKAN", "": "JupyterHub と CKAN のどちらでも"}
BAD_REQUEST = "解除するユーザー名またはアドレスを name に、対象を system (hub か ckan、省略で両方) に指定してください。"
CKAN_DOWN = "CKAN のロックを確かめられませんでした: {error}"


def lock(system: str, scope: str, key: str, seconds_left: float, failures: int, limit: int, hub_user: str = "") -> dict:
    """One lock as this API (and the console, and the CLI) shows it."""
    left = max(0, int(-(-seconds_left // 1)))
    return {
        "system": system,
        "scope": scope,
        "key": key,
        "hub_user": hub_user,
        "seconds_left": left,
        "until": (japan_now() + timedelta(seconds=left)).isoformat(timespec="seconds"),
        "failures": failures,
        "limit": limit,
    }


def throttles(auth) -> list[tuple[str, object]]:
    """(scope, SignInThrottle) of the authenticator: sign-ins per user and per address (on-site mode), failed
    sign-ups per address (``signup``, remote mode's sign-up form); none when it keeps no throttle of ours."""
    found = [(scope, getattr(auth, f"{scope}_throttle", None)) for scope in ("user", "address", "signup")]
    return [(scope, throttle) for scope, throttle in found if throttle is not None]


def hub_locks(auth) -> list[dict]:
    """The hub's current locks, users first."""
    found = []
    for scope, throttle in throttles(auth):
        for key, left in sorted(throttle.locked().items()):
            found.append(
                lock(HUB, scope, key, left, throttle.failures(key), throttle.limit, key if scope == "user" else "")
            )
    return found


def hub_unlock(auth, name: str) -> list[dict]:
    """Lift the hub's locks of ``name`` (user or address) and forget its failures; the locks that were lifted."""
    lifted = []
    for scope, throttle in throttles(auth):
        left = throttle.locked_for(name)
        if left:
            lifted.append(
                lock(HUB, scope, name, left, throttle.failures(name), throttle.limit, name if scope == "user" else "")
            )
        throttle.forget(name)
    return lifted


def ckan_names(name: str) -> list[str]:
    """The keys a name may stand for in CKAN's throttle: itself, and the CKAN user of a hub user of that name."""
    derived = ckan_user_name(name) if name and not name.replace(".", "").replace(":", "").isdigit() else name
    return [name] if derived == name else [name, derived]


def signin_lock_roles(staff: set[str], operator_service: str) -> tuple[list[dict], list[dict]]:
    """The role that may see and lift sign-in locks (``configurer.hub_services`` lists it): admins and course
    instructors (``staff``), and the operator's service (``./testbed signin``). Its scope is defined by
    ``CUSTOM_SCOPES``, which every config that loads this role sets as ``JupyterHub.custom_scopes``."""
    role = {
        "name": "testbed-signin-locks",
        "description": "See and lift sign-in locks (hub and CKAN): instructors and admins",
        "scopes": [SCOPE],
        "users": sorted(staff),
        "services": [operator_service],
    }
    return [], [role]

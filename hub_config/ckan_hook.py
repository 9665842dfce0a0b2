"""At spawn, give the trainee's server their own CKAN API token; and the hub's Japanese page templates.

The pre-spawn hook runs in the hub (root): it reads the CKAN sysadmin token from the secrets
directory, asks the provisioning function it was given (``ckan_seed.trainees.ensure_trainee``, passed
in by the hub's config file, the composition root; no other module of hub_config imports ckan_seed)
for the trainee's CKAN user, sandbox and token (in a worker thread, so the hub's event loop never
waits on CKAN), and puts ``CKAN_API_TOKEN``, ``CKAN_USER`` and ``CKAN_SANDBOX_ORG`` into that one
server's environment. When CKAN is down the spawn fails with a Japanese message on the trainee's
progress page and an error in the hub log.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from pathlib import Path

from testbed_config import StackConfig, names
from testbed_config.ckan_client import CkanError
from testbed_config.layout import Layout

TEMPLATES = Path(__file__).resolve().parent / "templates"
HOOK_TIMEOUT = 45  # seconds: a few CKAN calls, each with its own 10 s timeout

# ensure_trainee(ckan_url, admin_token, hub_username, *, token_db, timeout[, fullname]) -> an account with
# .user_name, .org_name and .token; raises CkanError (ckan_seed.trainees.ensure_trainee)
EnsureTrainee = Callable[..., object]


class CkanSpawnError(RuntimeError):
    """The trainee's CKAN account could not be prepared; the message is shown on the spawn page."""


async def provide_ckan_token(
    spawner,
    *,
    ensure_trainee: EnsureTrainee,
    ckan_url: str,
    admin_token_file: str,
    token_db: str,
    timeout: float = 10.0,
    staff: frozenset[str] = frozenset(),
    reader_token_file: str = "",
) -> None:
    """pre_spawn_hook: ensure the trainee's CKAN side (``ensure_trainee``) and pass their own token to the server.

    Instructors and hub admins (``staff``) get a Japanese display name in CKAN (``staff_fullname``): CKAN's header
    and activity entries show it instead of the bare account name."""
    name = spawner.user.name
    try:
        admin_token = Path(admin_token_file).read_text().strip()
    except OSError as e:
        spawner.log.error("CKAN admin token unreadable (%s): %s", admin_token_file, e)
        raise CkanSpawnError(
            "CKAN の管理者トークンが読めないため、作業環境を起動できません。講師に知らせてください "
            "(運用者は ./testbed up を実行してください)。"
        ) from None
    is_staff = name in staff or getattr(spawner.user, "admin", False) is True  # admins from an IdP's groups too
    named = {"fullname": staff_fullname(name)} if is_staff else {}
    if reader_token_file:  # the grader's read-only CKAN token (names.CKAN_GRADER_TOKEN), made once, root-only
        named["reader_token_file"] = Path(reader_token_file)
    call = functools.partial(
        ensure_trainee, ckan_url, admin_token, name, token_db=Path(token_db), timeout=timeout, **named
    )
    loop = asyncio.get_running_loop()
    try:
        account = await asyncio.wait_for(loop.run_in_executor(None, call), timeout=HOOK_TIMEOUT)
    except (CkanError, TimeoutError) as e:
        spawner.log.error("CKAN account of %s not ready (%s): %s", name, ckan_url, e or "timeout")
        raise CkanSpawnError(
            f"データカタログ (CKAN, {ckan_url}) に接続できないため、作業環境を起動できませんでした。"
            "少し待ってからもう一度起動してください。続くときは講師に知らせてください "
            "(運用者は ./testbed status で ckan-web を確認してください)。"
        ) from None
    # a new dict: the configured one is shared by every spawner
    spawner.environment = {
        **spawner.environment,
        "CKAN_API_TOKEN": account.token,
        "CKAN_USER": account.user_name,
        "CKAN_SANDBOX_ORG": account.org_name,
    }
    spawner.log.info("CKAN account %s (sandbox %s) ready for %s", account.user_name, account.org_name, name)


def _admin_token_file(layout: Layout) -> str:
    return str(layout.secrets / names.CKAN_ADMIN_TOKEN)


def staff_fullname(hub_username: str) -> str:
    """The CKAN display name of an instructor or hub admin: 講師 with the account name (several may teach)."""
    return f"講師 ({hub_username})"


def ckan_token_hook(ensure_trainee: EnsureTrainee, ckan_url: str, layout: Layout) -> functools.partial:
    """``provide_ckan_token`` bound to the provisioning function, CKAN's URL, the hub's secrets and state (with the
    file of the grader's read-only CKAN token), and who the staff are (hub admins and every course's instructors)."""
    cfg = layout.cfg
    return functools.partial(
        provide_ckan_token,
        ensure_trainee=ensure_trainee,
        ckan_url=ckan_url,
        admin_token_file=_admin_token_file(layout),
        token_db=str(layout.hub_dir / names.CKAN_TOKEN_DB),
        reader_token_file=str(layout.secrets / names.CKAN_GRADER_TOKEN),
        staff=frozenset([*cfg.admins, *(i for course in cfg.courses for i in course.instructors)]),
    )


# set_trainee_active(ckan_url, admin_token, hub_username, active) -> bool; raises CkanError
# (ckan_seed.trainees.set_trainee_active)
SetTraineeActive = Callable[..., object]


def _set_ckan_active(
    hub_username: str, active: bool, *, set_trainee_active: SetTraineeActive, ckan_url: str, admin_token_file: str
) -> None:
    admin_token = Path(admin_token_file).read_text().strip()
    set_trainee_active(ckan_url, admin_token, hub_username, active)


def ckan_state_setter(set_trainee_active: SetTraineeActive, ckan_url: str, layout: Layout) -> functools.partial:
    """``f(hub_username, active)`` blocking or restoring a trainee's CKAN user, for the instructor's account page."""
    return functools.partial(
        _set_ckan_active,
        set_trainee_active=set_trainee_active,
        ckan_url=ckan_url,
        admin_token_file=_admin_token_file(layout),
    )


def update_ckan(c, cfg: StackConfig, layout: Layout, ensure_trainee: EnsureTrainee | None = None) -> None:
    """The CKAN token hook at spawn, with the provisioning function the hub's config file passes in.

    Without one (unit tests of other settings) no hook is set. The Japanese page templates, TEMPLATES,
    are set by ``configurer.update_pages``.
    """
    if ensure_trainee is not None:
        c.Spawner.pre_spawn_hook = ckan_token_hook(ensure_trainee, cfg.ckan_internal_url, layout)

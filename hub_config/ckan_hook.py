"""At spawn, give the trainee's server their own CKAN API token; and the hub's Japanese page templates.

The pre-spawn hook runs in the hub (root): it reads the CKAN sysadmin token from the secrets
directory, asks ``ckan_seed.trainees.ensure_trainee`` for the trainee's CKAN user, sandbox and token
(in a worker thread, so the hub's event loop never waits on CKAN), and puts ``CKAN_API_TOKEN``,
``CKAN_USER`` and ``CKAN_SANDBOX_ORG`` into that one server's environment. When CKAN is down the
spawn fails with a Japanese message on the trainee's progress page and an error in the hub log.
"""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

from testbed_config import StackConfig
from testbed_config.layout import Layout

TEMPLATES = Path(__file__).resolve().parent / "templates"
HOOK_TIMEOUT = 45  # seconds: a few CKAN calls, each with its own 10 s timeout


class CkanSpawnError(RuntimeError):
    """The trainee's CKAN account could not be prepared; the message is shown on the spawn page."""


async def provide_ckan_token(
    spawner, *, ckan_url: str, admin_token_file: str, token_db: str, timeout: float = 10.0
) -> None:
    """pre_spawn_hook: ensure the trainee's CKAN side and pass their own token to the server."""
    from ckan_seed import trainees  # imported here: the hub config must load even if CKAN code breaks

    name = spawner.user.name
    try:
        admin_token = Path(admin_token_file).read_text().strip()
    except OSError as e:
        spawner.log.error("CKAN admin token unreadable (%s): %s", admin_token_file, e)
        raise CkanSpawnError(
            "CKAN の管理者トークンが読めないため、作業環境を起動できません。講師に知らせてください "
            "(運用者は ./testbed up を実行してください)。"
        ) from None
    call = functools.partial(
        trainees.ensure_trainee, ckan_url, admin_token, name, token_db=Path(token_db), timeout=timeout
    )
    loop = asyncio.get_running_loop()
    try:
        account = await asyncio.wait_for(loop.run_in_executor(None, call), timeout=HOOK_TIMEOUT)
    except (trainees.CkanUnavailable, TimeoutError) as e:
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


def update_ckan(c, cfg: StackConfig, layout: Layout) -> None:
    """The CKAN token hook at spawn, and the Japanese page templates (login, spawn, home, errors)."""
    c.Spawner.pre_spawn_hook = functools.partial(
        provide_ckan_token,
        ckan_url=cfg.ckan_internal_url,
        admin_token_file=str(layout.secrets / "ckan-admin-token"),
        token_db=str(layout.hub_dir / "ckan-tokens.sqlite"),
    )
    c.JupyterHub.template_paths = [str(TEMPLATES)]

"""Hub-side config of the classroom services (progress board, certificates): one external service per
course, and who may open it. The service itself is the top-level ``classroom/``."""

from __future__ import annotations

from hub_config.throttle_api import SCOPE as SIGNIN_LOCKS_SCOPE
from testbed_config import StackConfig, names
from testbed_config.layout import Layout
from testbed_config.names import classroom_name, classroom_port


def _secret(layout: Layout, name: str) -> str | None:
    path = layout.secrets / name
    return path.read_text().strip() if path.exists() else None


def classroom_services(cfg: StackConfig, layout: Layout) -> tuple[list[dict], list[dict]]:
    """A classroom service per course and its roles (``configurer.update_services`` puts them in the hub config)."""
    services = []
    roles = []
    for i, course in enumerate(cfg.courses):
        name = classroom_name(course.id)
        token = _secret(layout, names.service_token(name))
        if token is None:  # written by ./testbed up before the hub starts; without it there is no board
            continue
        services.append(
            {
                "name": name,
                "url": f"http://127.0.0.1:{classroom_port(cfg, i)}",
                "api_token": token,
                "oauth_client_id": f"service-{name}",
                "oauth_no_confirm": True,
                # the token the hub gives a person signing in to the console carries their own rights on servers
                # (an admin's on everyone's, a trainee's on their own): a fresh copy of an assignment is written
                # through the trainee's server with it, never with a right of the service's own
                # ... and the instructors' right to see and lift sign-in locks (a trainee's token never has it)
                "oauth_client_allowed_scopes": ["access:servers", SIGNIN_LOCKS_SCOPE],
                "display": True,
            }
        )
        # the service reads the cohort (group nbgrader-<course>), its instructors and admin flags
        roles.append(
            {
                "name": f"{name}-service",
                "scopes": ["read:users", "list:users", "read:groups", "list:groups"],
                "services": [name],
            }
        )
        # trainees of the course and its instructors may open the board (it filters what each sees)
        roles.append(
            {
                "name": f"{name}-access",
                "scopes": [f"access:services!service={name}", f"read:services!service={name}"],
                "groups": [f"nbgrader-{course.id}", f"formgrade-{course.id}"],
            }
        )
    return services, roles


def classroom_home_feeds(cfg: StackConfig) -> list[dict]:
    """What the hub's home page frames for a signed-in member of a course: its announcements (お知らせ), shown by the
    course's classroom service (``announcements/embed``, same origin) to those in ``groups``."""
    return [
        {
            "course": course.id,
            "groups": [f"nbgrader-{course.id}", f"formgrade-{course.id}"],
            "url": f"/services/{classroom_name(course.id)}/announcements/embed",
        }
        for course in cfg.courses
    ]

"""Start a progress board listening on every interface of the hub container.

``hub_config.progress.app`` binds to loopback, which is right on one machine; in docker-compose and
Kubernetes the proxy is another container, so it must reach the board on the hub container's address.
Same arguments as ``python -m hub_config.progress.app``. (Replace with an ``--address`` option of the
app once it has one.)
"""

from __future__ import annotations

import sys

from tornado import web

_listen = web.Application.listen


def _listen_everywhere(self, port, address="", **kwargs):
    return _listen(self, port, address="0.0.0.0", **kwargs)


def main(argv: list[str] | None = None) -> None:
    web.Application.listen = _listen_everywhere
    from hub_config.progress import app

    app.main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()

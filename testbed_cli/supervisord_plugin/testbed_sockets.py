"""Runs inside supervisord (``[rpcinterface:testbed_sockets]`` in its config): the listening socket of every
``fcgi-program`` group (the proxy's public port) stays open while its program crashes and restarts.

supervisord creates an fcgi-program's socket and hands it to the program as fd 0, but it counts references and
closes the socket when the program exits, binding a new one at the restart: for that moment connections are
refused, and JupyterLab, when a kernel reconnect is refused, waits a random 10-30 s before trying again. Holding one
more reference here keeps the socket (and the connections waiting in its backlog) across the restart: a browser's
request waits a second instead of failing. A group removed or replaced by a config change lets its socket go
(the events below fire synchronously, before the new group binds the port).

Copied into supervisord's own Python (the CLI's venv) by ``supervisor.write_config``, so it imports nothing of the
project. It offers no RPC methods.
"""

from __future__ import annotations

from supervisor import events
from supervisor.process import FastCGIProcessGroup

_held: dict[str, tuple[object, object]] = {}  # group name -> (group, socket reference)


def _hold(supervisord) -> None:
    groups = supervisord.process_groups
    for name in list(_held):
        if groups.get(name) is not _held[name][0]:
            del _held[name]  # dropping the reference closes a removed group's socket
    for name, group in groups.items():
        if isinstance(group, FastCGIProcessGroup) and name not in _held:
            _held[name] = (group, group.socket_manager.get_socket())


class _NoMethods:
    pass


def make(supervisord, **config):
    """supervisord's rpcinterface factory."""
    _hold(supervisord)
    for kind in (events.ProcessGroupAddedEvent, events.ProcessGroupRemovedEvent):
        events.subscribe(kind, lambda event: _hold(supervisord))
    return _NoMethods()

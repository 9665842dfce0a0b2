"""Runs inside supervisord (``[rpcinterface:testbed_sockets]`` in its config): the listening socket of every
``fcgi-program`` group (the proxy's public port) stays open while its program crashes and restarts.

supervisord creates an fcgi-program's socket and hands it to the program as fd 0, but it counts references and
closes the socket when the program exits, binding a new one at the restart: for that moment connections are
refused, and JupyterLab, when a kernel reconnect is refused, waits a random 10-30 s before trying again. Holding one
more reference here keeps the socket (and the connections waiting in its backlog) across the restart: a browser's
request waits a second instead of failing. A group removed or replaced by a config change lets its socket go
(the events below fire synchronously, before the new group binds the port).

After a crash of supervisord itself, the guardian keeps the orphaned proxy's listening socket (a duplicate taken
with ``pidfd_getfd``) and starts the new supervisord with it inherited, its fd named in
``TESTBED_INHERITED_SOCKETS`` (comma-separated): the group on that port adopts it instead of binding a new one, so
the port is never closed across the recovery either.

Copied into supervisord's own Python (the CLI's venv) by ``supervisor.write_config``, so it imports nothing of the
project. It offers no RPC methods.
"""

from __future__ import annotations

import os
import socket

from supervisor import events
from supervisor.process import FastCGIProcessGroup
from supervisor.socket_manager import SocketManager

INHERITED = "TESTBED_INHERITED_SOCKETS"
_held: dict[str, tuple[object, object]] = {}  # group name -> (group, socket reference)


def _inherited() -> dict[int, socket.socket]:
    """{port: listening socket} handed down by whoever started supervisord (fds, comma-separated), taken out of
    the environment, which supervisord passes on to every program."""
    found = {}
    for fd in os.environ.pop(INHERITED, "").split(","):
        if fd.isdigit():
            sock = socket.socket(fileno=int(fd))
            found[sock.getsockname()[1]] = sock
    return found


_adoptable = _inherited()  # read on import: supervisord imports its plugins before it binds any socket
_prepare_socket = SocketManager._prepare_socket


def _prepare_or_adopt(self) -> None:
    """SocketManager._prepare_socket, taking an inherited socket on the same port instead of binding anew."""
    addr = self.socket_config.addr()
    if not self.prepared and isinstance(addr, tuple) and addr[1] in _adoptable:
        # a duplicate: supervisord closes a group's socket whenever its reference count drops to 0 (it does so
        # once while it builds the group), and the inherited one must stay open until make() holds a reference
        self.socket, self.prepared = _adoptable[addr[1]].dup(), True
        return
    _prepare_socket(self)


SocketManager._prepare_socket = _prepare_or_adopt


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
    while _adoptable:  # each group on an inherited port holds its own duplicate now
        _adoptable.popitem()[1].close()
    for kind in (events.ProcessGroupAddedEvent, events.ProcessGroupRemovedEvent):
        events.subscribe(kind, lambda event: _hold(supervisord))
    return _NoMethods()

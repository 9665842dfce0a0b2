// Loaded into configurable-http-proxy with NODE_OPTIONS=--require (testbed_cli/stack.py): the proxy serves its
// public port on the listening socket supervisord holds open for it (fd 0 of an fcgi-program), instead of binding
// the port itself. The socket outlives a crash of the proxy (testbed_cli/supervisord_plugin/testbed_sockets.py):
// while the proxy restarts, browsers' connections wait in its backlog instead of being refused.
//
// Only the listen() on TESTBED_PROXY_FD_PORT is redirected; the API port is bound as usual.
"use strict";

const net = require("node:net");

const port = Number(process.env.TESTBED_PROXY_FD_PORT || 0);
if (port) {
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (...args) {
    const first = args[0];
    const wanted = typeof first === "object" && first !== null ? first.port : first;
    if (Number(wanted) === port) {
      const callback = args.find((a) => typeof a === "function");
      return listen.call(this, { fd: 0 }, callback);
    }
    return listen.apply(this, args);
  };
}

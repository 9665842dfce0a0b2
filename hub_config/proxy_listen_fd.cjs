// Loaded into configurable-http-proxy with NODE_OPTIONS=--require (testbed_cli/stack.py): the proxy serves its
// public port on the listening socket supervisord holds open for it (fd 0 of an fcgi-program), instead of binding
// the port itself. The socket outlives a crash of the proxy (testbed_cli/supervisord_plugin/testbed_sockets.py):
// while the proxy restarts, browsers' connections wait in its backlog instead of being refused.
//
// Only the listen() on TESTBED_PROXY_FD_PORT is redirected; the API port is bound as usual.
//
// On SIGTERM (supervisord's stop, or the guardian stopping a proxy whose supervisord died) the proxy stops taking
// connections from the held socket at once, and exits once the requests it already took are answered (at most
// DRAIN_MS): those would otherwise be reset, while new ones wait in the socket's backlog for the next proxy.
// configurable-http-proxy's own SIGTERM handler (log, exit) runs after that. WebSockets are not waited for:
// JupyterLab reconnects them.
"use strict";

const net = require("node:net");

const DRAIN_MS = 3000;
const port = Number(process.env.TESTBED_PROXY_FD_PORT || 0);
const held = [];
let active = 0;

function drain() {
  return new Promise((resolve) => {
    for (const server of held) {
      server.close(); // stop accepting; supervisord keeps the socket itself open
    }
    const deadline = Date.now() + DRAIN_MS;
    const wait = () => {
      if (active === 0 || Date.now() >= deadline) {
        resolve();
      } else {
        setTimeout(wait, 20);
      }
    };
    wait();
  });
}

if (port) {
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (...args) {
    const first = args[0];
    const wanted = typeof first === "object" && first !== null ? first.port : first;
    if (Number(wanted) === port) {
      held.push(this);
      this.on("request", (req, res) => {
        active += 1;
        res.once("close", () => {
          active -= 1;
        });
      });
      const callback = args.find((a) => typeof a === "function");
      return listen.call(this, { fd: 0 }, callback);
    }
    return listen.apply(this, args);
  };

  let draining = null;
  const on = process.on;
  process.on = function (event, listener) {
    if (event === "SIGTERM" && typeof listener === "function") {
      return on.call(this, event, (...args) => {
        draining = draining || drain();
        draining.then(() => listener(...args));
      });
    }
    return on.call(this, event, listener);
  };
}

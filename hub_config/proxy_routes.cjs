// A storage backend for configurable-http-proxy (its --storage-backend option) that keeps the routing
// table in a JSON file, so a proxy restarted after a crash serves every running trainee server at once,
// instead of sending their requests to the hub until the hub re-adds the routes. The hub's sync after a
// restart (the guardian's POST /hub/api/proxy) then corrects whatever changed while the proxy was down.
//
// CHP's own MemoryStore (and its URL trie) does all matching; this module only loads the table at start
// and writes it (atomically, mode 0600) after each route is added or removed. last_activity updates,
// made on every proxied request, stay in memory: the hub takes the latest activity it has seen.
//
// CHP loads backends with require(), so this is CommonJS; MemoryStore is an ES module, imported once.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { pathToFileURL } = require("node:url");

const FILE = process.env.TESTBED_PROXY_ROUTES;

function chpStoreUrl() {
  // argv[1] is CHP's bin script (through node_modules/.bin): lib/store.js sits beside its bin/ folder
  const bin = fs.realpathSync(process.argv[1]);
  return pathToFileURL(path.join(path.dirname(bin), "..", "lib", "store.js")).href;
}

function readTable() {
  try {
    const table = JSON.parse(fs.readFileSync(FILE, "utf8"));
    return table && typeof table === "object" && !Array.isArray(table) ? table : {};
  } catch (err) {
    if (err.code !== "ENOENT") {
      console.error(`proxy routes: ignoring unreadable ${FILE}: ${err.message}`);
    }
    return {};
  }
}

class PersistentStore {
  constructor() {
    if (!FILE) {
      throw new Error("TESTBED_PROXY_ROUTES (the routing table's file) is not set");
    }
    this.store = import(chpStoreUrl()).then(async ({ MemoryStore }) => {
      const store = new MemoryStore();
      for (const [prefix, data] of Object.entries(readTable())) {
        if (data && typeof data.target === "string") {
          await store.add(prefix, data);
        }
      }
      return store;
    });
  }

  cleanPath(prefix) {
    // as CHP's trie.trimPrefix: "/foo/bar", never a trailing slash (except "/")
    if (prefix.length === 0 || prefix[0] !== "/") prefix = "/" + prefix;
    if (prefix.length > 1 && prefix.endsWith("/")) prefix = prefix.slice(0, -1);
    return prefix;
  }

  async get(prefix) {
    return (await this.store).get(prefix);
  }

  async getTarget(prefix) {
    return (await this.store).getTarget(prefix);
  }

  async getAll() {
    return (await this.store).getAll();
  }

  async add(prefix, data) {
    const store = await this.store;
    await store.add(prefix, data);
    this.save(store);
  }

  async update(prefix, data) {
    (await this.store).update(prefix, data);
  }

  async remove(prefix) {
    const store = await this.store;
    const route = await store.remove(prefix);
    this.save(store);
    return route;
  }

  save(store) {
    const tmp = `${FILE}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(store.routes), { mode: 0o600 });
      fs.renameSync(tmp, FILE);
    } catch (err) {
      // the proxy keeps serving from memory; only a restart would lose the routes (and the hub re-adds them)
      console.error(`proxy routes: could not save ${FILE}: ${err.message}`);
    }
  }
}

module.exports = PersistentStore;

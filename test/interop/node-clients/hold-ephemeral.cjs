/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS helper run by node */
// Helper process for the session-expiry interop tests: connects with one of the npm clients,
// creates an ephemeral node, prints one JSON line {"sessionId": "0x..", "path": ".."} and then
// waits to be SIGKILLed (no closeSession is ever sent, so only the expiry can remove the node).
//
// usage: node hold-ephemeral.cjs <nzc|c> <host:port> <path> <sessionTimeoutMs>
'use strict';

const [kind, connectString, path, timeoutArg] = process.argv.slice(2);
const sessionTimeout = Number(timeoutArg);
const parent = process.ppid;

function fail(message) {
  process.stderr.write(`hold-ephemeral: ${message}\n`);
  process.exit(1);
}

// bounded: never linger if something goes wrong before we are ready
const guard = setTimeout(() => fail('not ready within 20 s'), 20_000);

function ready(sessionId) {
  clearTimeout(guard);
  process.stdout.write(`${JSON.stringify({ sessionId, path })}\n`);
  // keep the event loop alive (the client pings) and exit if the parent vanished (re-parented)
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 500);
}

if (kind === 'nzc') {
  const zookeeper = require('node-zookeeper-client');
  const client = zookeeper.createClient(connectString, { sessionTimeout, retries: 0 });
  client.once('connected', () => {
    client.create(path, Buffer.from('held'), zookeeper.CreateMode.EPHEMERAL, (error) => {
      if (error) fail(`create ${path}: ${error}`);
      ready(`0x${client.getSessionId().toString('hex')}`);
    });
  });
  client.connect();
} else if (kind === 'c') {
  const ZooKeeper = require('zookeeper');
  const client = new ZooKeeper({
    connect: connectString,
    timeout: sessionTimeout,
    debug_level: ZooKeeper.constants.ZOO_LOG_LEVEL_ERROR,
    host_order_deterministic: false,
  });
  client.once('connect', () => {
    client
      .create(path, 'held', ZooKeeper.constants.ZOO_EPHEMERAL)
      .then(() => ready(`0x${client.client_id}`))
      .catch((error) => fail(`create ${path}: ${error.message}`));
  });
  client.init({});
} else {
  fail(`unknown client kind ${kind}`);
}

#!/usr/bin/env node
/**
 * `node apps/api/dist/main.js`: the API with an embedded store member by default (see runtime/api-config.ts for
 * the environment). Prints one line `paddock-api ready {json}` when serving; SIGTERM/SIGINT shut down cleanly.
 */
import { configFromEnv } from './runtime/api-config.js';
import { startApi } from './runtime.js';

const config = configFromEnv();
const api = await startApi(config).catch((error: unknown) => {
  console.error(`paddock-api failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
console.log(`paddock-api ready ${JSON.stringify({ url: api.url, port: api.port, store: api.storeConnect, storePort: api.storePort ?? null, redis: api.redis, database: api.database, pid: process.pid })}`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`paddock-api: ${signal}, shutting down`);
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  void api.close().then(() => process.exit(0));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

import type { NextConfig } from 'next';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The console talks to the API through the same origin: `src/proxy.ts` forwards `/api/*` and `/socket.io/*`
 * (including the websocket upgrade) to PADDOCK_API_URL, read at request time, so one build serves any API.
 */
const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // socket.io asks for `/socket.io/?EIO=4…`; the default trailing-slash redirect would break its polling transport
  skipTrailingSlashRedirect: true,
  // the monorepo root holds the lockfile; keep tracing inside it
  outputFileTracingRoot: path.join(here, '..', '..'),
  turbopack: { root: path.join(here, '..', '..') },
};

export default config;

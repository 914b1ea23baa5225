/**
 * The JSON shapes the REST API and its socket.io topics answer with, defined once: the API builds them and the
 * console imports them type-only (`import type ... from '@paddock/platform/contracts'`), so neither can drift from
 * the other and no server code reaches the browser bundle.
 *
 * Every field is JSON-safe: ids and zxids that are 64-bit on the server are hex strings, times are ISO-8601 strings
 * (or epoch ms numbers where the domain stores them so). Domain types that already have that form are re-exported
 * here as they are; the others get a wire view the API maps to.
 */
export type * from './audit.js';
export type * from './auth.js';
export type * from './config.js';
export type * from './data-sync.js';
export type * from './log-center.js';
export type * from './registry.js';
export type * from './switches.js';
export type * from './webhooks.js';
export type * from './znodes.js';

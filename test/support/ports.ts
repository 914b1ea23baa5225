/**
 * Ports for the servers the tests start. The free-port choice lives in @paddock/server (the API and the bench
 * use it too): random, below the kernel's ephemeral range, see getFreePort there.
 */
export { getFreePort, getFreePorts } from '@paddock/server';

export const LOOPBACK = '127.0.0.1';

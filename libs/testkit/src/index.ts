/** @paddock/testkit: deterministic simulation building blocks (seeded PRNG, virtual clock, network, disk). */
export { Prng } from './prng.js';
export { VirtualClock } from './clock.js';
export { SimNetwork, type NetworkOptions } from './network.js';
export { SimDisk } from './disk.js';

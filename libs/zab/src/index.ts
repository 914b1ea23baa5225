/**
 * @paddock/zab: the pure ZAB replica (fast leader election, discovery, synchronization, broadcast).
 * No sockets, timers, clock or randomness: see ZabReplica for the step/tick -> Ready -> advance contract.
 */
export * from './types.js';
export { ZabLog } from './log.js';
export { QuorumConfig, betterVote, sameVote } from './quorum.js';
export { ZabReplica, type ZabStatus } from './replica.js';

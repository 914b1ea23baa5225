export * from './config/index.js';
export * from './four-letter/index.js';
export * from './persistence/index.js';
export { startServer, type RunningServer, type Logger } from './member.js';
export { ZkServer, type Broadcast, type ZkServerOptions } from './zk-server.js';
export { SessionTracker } from './session/session-tracker.js';
export { sessionPassword } from './session/session-password.js';
export { WatchManager } from './watch/watch-manager.js';
export { getFreePort, getFreePorts, freePortRange } from './net/free-port.js';

export * from './java-serialization.js';
export * from './remote-ref.js';
export * from './jrmp-transport.js';
export * from './rmi-method.js';
export * from './rmi-invoker.js';
export * from './dgc-leases.js';

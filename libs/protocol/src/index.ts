export * from './jute-reader.js';
export * from './jute-writer.js';
export * from './constants.js';
export * from './types.js';
export * from './records.js';
export * from './requests.js';
export * from './framing.js';

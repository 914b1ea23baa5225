export { ConfigError, isConfigError } from './config-error.js';
export { parseProperties, type PropertyEntry } from './properties.js';
export {
  parseZooConfig,
  loadZooConfig,
  configFromFlags,
  parseMyId,
  DEFAULT_CLIENT_PORT,
  DEFAULT_JUTE_MAX_BUFFER,
  ZOOKEEPER_DEFAULT_TICK_TIME,
  type ServerConfig,
  type ServerFlags,
  type QuorumServerSpec,
  type LearnerType,
  type ParseZooConfigOptions,
} from './zoo-config.js';

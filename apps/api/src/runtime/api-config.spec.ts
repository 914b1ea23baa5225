import { configFromEnv } from './api-config.js';

describe('configFromEnv: the embedded store member', () => {
  it('defaults to ZooKeeper tick and no zoo.cfg', () => {
    const config = configFromEnv({}, '/srv');
    expect(config.storeTickMs).toBeUndefined();
    expect(config.storeConfigFile).toBeUndefined();
    expect(config.storePort).toBe(2181);
  });

  it('takes a tick time and resolves a zoo.cfg path against the working directory', () => {
    const config = configFromEnv({ PADDOCK_STORE_TICK_MS: '500', PADDOCK_STORE_CONFIG: 'conf/zoo.cfg' }, '/srv');
    expect(config.storeTickMs).toBe(500);
    expect(config.storeConfigFile).toBe('/srv/conf/zoo.cfg');
  });

  it('rejects a bad tick and a zoo.cfg together with an external ensemble', () => {
    expect(() => configFromEnv({ PADDOCK_STORE_TICK_MS: 'fast' }, '/srv')).toThrow(/PADDOCK_STORE_TICK_MS must be a non-negative integer/);
    expect(() => configFromEnv({ PADDOCK_CONNECT: 'zk1:2181', PADDOCK_STORE_CONFIG: 'zoo.cfg' }, '/srv')).toThrow(/exclude each other/);
  });
});

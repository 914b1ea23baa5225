/** The registry's answers (GET /api/registry/...): Dubbo URLs as strings, owner sessions as hex strings. */
export type { ZombieReport } from '../registry/registry-service.js';
export type { ZombieStatus } from '../registry/zombies.js';
import type { ZombieReport } from '../registry/registry-service.js';

/** ProviderView is a provider instance with the overrides applied (`effective`). */
export interface ProviderView {
  id: string;
  url: string;
  effective: string;
  address: string;
  weight: number;
  disabled: boolean;
}

/** RegistryNodeView is a consumer, override or route znode: its URL, owner session and creation time. */
export interface RegistryNodeView {
  id: string;
  url: string;
  address: string;
  parameters: Record<string, string>;
  ephemeralOwner: string;
  ctime: string;
}

/** ServiceView is GET /api/registry/services/:service. */
export interface ServiceView {
  service: string;
  providers: ProviderView[];
  consumers: RegistryNodeView[];
  overrides: RegistryNodeView[];
  routes: RegistryNodeView[];
}

/** ZombieScanView is the latest zombie-provider scan (scannedAt null: none yet). */
export interface ZombieScanView {
  scannedAt: string | null;
  reports: ZombieReport[];
}

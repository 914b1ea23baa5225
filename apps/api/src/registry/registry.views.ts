/** JSON views over RegistryService (Dubbo URLs and bigints made plain), plus the zombie scan's latest report. */
import type { ChangeContext, RegistryNode, RegistryService } from '@paddock/platform';
import type { RegistryNodeView, ServiceView, ZombieScanView } from '@paddock/platform/contracts';

const node = (n: RegistryNode): RegistryNodeView => ({ id: n.id, url: n.url.toString(), address: n.url.address, parameters: n.url.parameters, ephemeralOwner: `0x${BigInt.asUintN(64, n.ephemeralOwner).toString(16)}`, ctime: new Date(n.ctime).toISOString() });

export class ZombieReports {
  latest: (ZombieScanView & { scannedAt: string }) | null = null;
}

export class RegistryViews {
  constructor(
    private readonly registry: RegistryService,
    private readonly reports: ZombieReports,
  ) {}

  async services() {
    return { services: await this.registry.listServices() };
  }

  async service(service: string): Promise<ServiceView> {
    const [effective, consumers, overrides, routes] = await Promise.all([
      this.registry.effectiveProviders(service),
      this.registry.listConsumers(service),
      this.registry.listOverrides(service),
      this.registry.listRouteNodes(service),
    ]);
    return { service, providers: effective.map((p) => ({ id: p.id, url: p.url.toString(), effective: p.effective.toString(), address: p.address, weight: p.weight, disabled: p.disabled })), consumers: consumers.map(node), overrides: overrides.map(node), routes: routes.map(node) };
  }

  zombies(): ZombieScanView {
    return this.reports.latest ?? { scannedAt: null, reports: [] };
  }

  async setDisabled(service: string, b: { address: string; application?: string | undefined; disabled: boolean; expiresAt?: number | null | undefined }, ctx: ChangeContext) {
    const override = await this.registry.setInstanceDisabled(service, b.address, b.disabled, ctx, { ...(b.application ? { application: b.application } : {}), ...(b.expiresAt !== undefined ? { expiresAt: b.expiresAt } : {}) });
    return { service, address: b.address, override };
  }

  async setWeight(service: string, b: { address: string; application?: string | undefined; weight: number | null; expiresAt?: number | null | undefined }, ctx: ChangeContext) {
    const override = await this.registry.setInstanceWeight(service, b.address, b.weight ?? undefined, ctx, { ...(b.application ? { application: b.application } : {}), ...(b.expiresAt !== undefined ? { expiresAt: b.expiresAt } : {}) });
    return { service, address: b.address, override };
  }

  async removeOverride(service: string, b: { address: string; application?: string | undefined }, ctx: ChangeContext) {
    await this.registry.removeOverride(service, { address: b.address, ...(b.application ? { application: b.application } : {}) }, ctx);
    return { service, address: b.address, override: null };
  }
}

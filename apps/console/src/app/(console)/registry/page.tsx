'use client';
/**
 * Registry: services -> providers (effective: overrides applied) and consumers. Disable or re-weight an instance by
 * writing an override (never the provider's own ephemeral node); zombie providers (owner session not live) are marked.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, errorText, get } from '@/lib/api';
import { useLive } from '@/lib/realtime';
import { useCan } from '@/lib/session';
import type { ProviderView, RegistryNodeView, ServiceView, ZombieScanView } from '@/lib/types';
import { ErrorBox, PageHead, Time } from '@/components/ui';


const enc = encodeURIComponent;

export default function RegistryPage() {
  const [services, setServices] = useState<string[]>([]);
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [zombies, setZombies] = useState<ZombieScanView | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setServices((await get<{ services: string[] }>('/api/registry/services')).services);
      setZombies(await get<ZombieScanView>('/api/registry/zombies'));
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  useLive({ topic: 'registry' }, (m) => {
    if (m.kind === 'event') void load();
  });

  const shown = services.filter((s) => s.toLowerCase().includes(filter.toLowerCase()));
  return (
    <>
      <PageHead title="Registry" sub={`Dubbo-compatible services under /dubbo · ${services.length} service(s)`}>
        <button onClick={() => void load()}>Refresh</button>
      </PageHead>
      <ErrorBox error={error} />
      <div className="grid2">
        <div className="panel">
          <input aria-label="filter services" placeholder="Filter services…" value={filter} onChange={(e) => setFilter(e.target.value)} style={{ width: '100%', marginBottom: 8 }} />
          <table>
            <tbody>
              {shown.length === 0 && <tr><td className="muted small">No services registered.</td></tr>}
              {shown.map((s) => (
                <tr key={s}>
                  <td>
                    <button className="link mono" style={{ fontWeight: selected === s ? 700 : 400 }} onClick={() => setSelected(s)}>{s}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="small muted" style={{ marginTop: 10 }}>
            Zombie scan: {zombies?.scannedAt ? <Time iso={zombies.scannedAt} /> : 'not run yet'} · {zombies?.reports.length ?? 0} suspect(s)
          </div>
        </div>
        {selected ? <Service key={selected} service={selected} zombies={zombies} /> : <div className="panel muted">Pick a service.</div>}
      </div>
    </>
  );
}

function Service({ service, zombies }: { service: string; zombies: ZombieScanView | null }) {
  const canWrite = useCan('operator', 'registry');
  const [view, setView] = useState<ServiceView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setView(await get<ServiceView>(`/api/registry/services/${enc(service)}`));
    } catch (e) {
      setError(errorText(e));
    }
  }, [service]);
  useEffect(() => {
    void load();
  }, [load]);
  useLive({ topic: 'registry', service }, (m) => {
    if (m.kind === 'event') void load();
  });

  async function override(kind: 'disabled' | 'weight' | 'remove', p: ProviderView) {
    setError(null);
    setNotice(null);
    try {
      let body: Record<string, unknown>;
      if (kind === 'weight') {
        const w = window.prompt(`New weight for ${p.address} (empty: provider default)`, String(p.weight));
        if (w === null) return;
        body = { address: p.address, weight: w.trim() === '' ? null : Number(w) };
      } else body = { address: p.address, disabled: !p.disabled };
      const reason = window.prompt('Reason (recorded in the audit log)') ?? '';
      if (kind === 'remove') await api('DELETE', `/api/registry/services/${enc(service)}/overrides`, { address: p.address, reason });
      else await api('PUT', `/api/registry/services/${enc(service)}/overrides/${kind}`, { ...body, reason });
      setNotice(`Override written for ${p.address}`);
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  }

  const zombieIds = new Set((zombies?.reports ?? []).filter((z) => z.service === service).map((z) => z.id));
  const params = (url: string) => {
    try {
      return new URL(url.replace(/^[a-z]+:\/\//, 'http://')).searchParams;
    } catch {
      return new URLSearchParams();
    }
  };
  return (
    <div>
      <ErrorBox error={error} />
      {notice && <div className="alert ok">{notice}</div>}
      <div className="panel">
        <h2>Providers of <span className="mono">{service}</span></h2>
        <table>
          <thead>
            <tr><th>Address</th><th>Application</th><th>Version</th><th className="num">Weight</th><th>State</th><th /></tr>
          </thead>
          <tbody>
            {view?.providers.length === 0 && <tr><td colSpan={6} className="muted">No providers.</td></tr>}
            {view?.providers.map((p) => {
              const q = params(p.url);
              return (
                <tr key={p.id}>
                  <td className="mono" title={p.effective}>{p.address}</td>
                  <td>{q.get('application') ?? '—'}</td>
                  <td>{q.get('version') ?? '—'}</td>
                  <td className="num">{p.weight}</td>
                  <td>
                    {p.disabled ? <span className="badge force">disabled</span> : <span className="badge ok">enabled</span>}{' '}
                    {zombieIds.has(p.id) && <span className="badge fail" title="ephemeral owner session is not live">zombie</span>}
                  </td>
                  <td>{canWrite && <div className="row" style={{ flexWrap: 'nowrap' }}>
                    <button onClick={() => override('disabled', p)}>{p.disabled ? 'Enable' : 'Disable'}</button>
                    <button onClick={() => override('weight', p)}>Weight…</button>
                    <button onClick={() => override('remove', p)}>Clear overrides</button>
                  </div>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="panel">
        <h2>Consumers</h2>
        <NodeTable nodes={view?.consumers ?? []} />
      </div>
      <div className="panel">
        <h2>Overrides and routes</h2>
        <NodeTable nodes={[...(view?.overrides ?? []), ...(view?.routes ?? [])]} />
      </div>
    </div>
  );
}

function NodeTable({ nodes }: { nodes: RegistryNodeView[] }) {
  if (nodes.length === 0) return <p className="muted small">None.</p>;
  return (
    <table>
      <thead>
        <tr><th>Address</th><th>Application</th><th>Parameters</th><th>Since</th></tr>
      </thead>
      <tbody>
        {nodes.map((n) => (
          <tr key={n.id}>
            <td className="mono">{n.address}</td>
            <td>{n.parameters['application'] ?? '—'}</td>
            <td className="mono small" style={{ maxWidth: 420, wordBreak: 'break-all' }}>{Object.entries(n.parameters).filter(([k]) => k !== 'application').map(([k, v]) => `${k}=${v}`).join(' ')}</td>
            <td className="small"><Time iso={n.ctime} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

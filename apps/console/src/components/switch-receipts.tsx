'use client';
/**
 * Propagation receipts of one env: which SDK clients applied which switch revision, and who lags behind the
 * current one. Clients write their receipt after applying a change, a moment after the flip itself, so the panel
 * re-reads when the revision moves and then every few seconds while it is open.
 */
import { useCallback, useEffect, useState } from 'react';
import { errorText, get } from '@/lib/api';
import type { SwitchReceipt } from '@/lib/types';
import { Time } from './ui';

const REFRESH_MS = 3_000;

export function SwitchReceipts({ env, revision }: { env: string; revision: number | null }) {
  const [receipts, setReceipts] = useState<SwitchReceipt[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setReceipts((await get<{ receipts: SwitchReceipt[] }>(`/api/switches/${encodeURIComponent(env)}/receipts`)).receipts);
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, [env]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load, revision]);

  const list = receipts ?? [];
  const current = revision ?? 0;
  const applied = list.filter((r) => r.revision >= current).length;
  return (
    <div className="panel" data-testid="switch-receipts">
      <div className="row" style={{ marginBottom: 8 }}>
        <h2 style={{ margin: 0 }}>Propagation</h2>
        <span className="spacer" />
        {list.length > 0 && (
          <span className={`badge ${applied === list.length ? 'ok' : 'fail'}`} data-testid="receipts-summary">
            {applied}/{list.length} client(s) applied revision {current}
          </span>
        )}
      </div>
      {error && <div className="alert error">{error}</div>}
      {list.length === 0 ? (
        <p className="muted small">No SDK client of {env} has reported a receipt yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Client</th>
              <th>Application</th>
              <th className="num">Revision</th>
              <th>Applied</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={r.clientId} data-receipt={r.clientId}>
                <td className="mono small">{r.clientId}</td>
                <td className="small">{r.application ?? '—'}</td>
                <td className="num">{r.revision}</td>
                <td className="small"><Time iso={r.appliedAt} /></td>
                <td>{r.revision >= current ? <span className="badge ok">up to date</span> : <span className="badge fail">lagging</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

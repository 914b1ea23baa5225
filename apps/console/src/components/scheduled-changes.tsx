'use client';
/**
 * Scheduled changes of a config namespace or of a switch env: the list (pending / executed / failed / cancelled,
 * times in the browser's local time with the UTC value as a tooltip) with a cancel button for pending ones. The
 * entries are executed by the API's jobs, which have no socket topic, so the list is polled.
 */
import { useCallback, useState, type ReactNode } from 'react';
import { api, errorText, get } from '@/lib/api';
import type { ScheduleStatus } from '@/lib/types';
import { usePoll } from '@/lib/use-poll';
import { ErrorBox, Time } from '@/components/ui';

export interface ScheduledEntry {
  id: string;
  at: string;
  status: ScheduleStatus;
  createdBy: string;
  reason: string;
  executedAt?: string;
  error?: string;
  cancelledBy?: string;
}

const STATUS_BADGE: Record<ScheduleStatus, string> = { pending: 'fail', executing: 'fail', executed: 'ok', cancelled: 'off', failed: 'force' };

/** `route` lists (GET) and is the base of `/:id/cancel`; `describe` renders what an entry changes. */
export function ScheduledChanges<T extends ScheduledEntry>({ route, canWrite, refreshKey, describe, outcome }: { route: string; canWrite: boolean; refreshKey: number; describe: (e: T) => ReactNode; outcome: (e: T) => ReactNode }) {
  const [entries, setEntries] = useState<T[]>([]);
  const [status, setStatus] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setEntries((await get<{ scheduled: T[] }>(route, { status })).scheduled);
    } catch (e) {
      setError(errorText(e));
    }
  }, [route, status]);
  usePoll(load, 2_000, [load, refreshKey]);

  async function cancel(id: string) {
    setError(null);
    setNotice(null);
    if (!reason.trim()) return setError('A reason is required to cancel a scheduled change');
    try {
      await api('POST', `${route}/${encodeURIComponent(id)}/cancel`, { reason: reason.trim() });
      setNotice(`Scheduled change ${id} cancelled`);
      setReason('');
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  }

  const sorted = [...entries].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <div data-testid="scheduled-list">
      <ErrorBox error={error} />
      {notice && <div className="alert ok">{notice}</div>}
      <div className="row" style={{ marginBottom: 6, alignItems: 'flex-end' }}>
        <label>Status
          <select name="schedule-filter" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">all</option>
            {['pending', 'executed', 'failed', 'cancelled'].map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        {canWrite && sorted.some((e) => e.status === 'pending') && (
          <label style={{ flex: 1 }}>Reason to cancel (required)<input name="schedule-cancel-reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="CHG-7 postponed" /></label>
        )}
      </div>
      <table>
        <thead>
          <tr><th>When (local)</th><th>Change</th><th>Status</th><th>By / reason</th><th>Outcome</th><th /></tr>
        </thead>
        <tbody>
          {sorted.length === 0 && <tr><td colSpan={6} className="muted small">No scheduled changes{status ? ` (${status})` : ''}.</td></tr>}
          {sorted.map((e) => (
            <tr key={e.id} data-scheduled={e.id}>
              <td className="small" data-testid="scheduled-at"><Time iso={e.at} /></td>
              <td className="small">{describe(e)}</td>
              <td><span className={`badge ${STATUS_BADGE[e.status]}`} data-testid="scheduled-status">{e.status}</span></td>
              <td className="small">{e.createdBy}<div className="muted">{e.reason}</div></td>
              <td className="small">
                {e.executedAt && <div>ran <Time iso={e.executedAt} /></div>}
                {outcome(e)}
                {e.error && <div className="muted">{e.error}</div>}
                {e.cancelledBy && <div className="muted">cancelled by {e.cancelledBy}</div>}
              </td>
              <td>{canWrite && e.status === 'pending' && <button className="danger" onClick={() => cancel(e.id)}>Cancel</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

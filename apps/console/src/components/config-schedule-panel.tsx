'use client';
/** Config namespace: schedule a publish of the draft (or a promote of the active gray) at a local date-time. */
import { useState } from 'react';
import { api, errorText } from '@/lib/api';
import { localInputToIso, toLocalInput } from '@/lib/schedule';
import { useCan } from '@/lib/session';
import type { ScheduledConfigChange } from '@/lib/types';
import { ErrorBox, Time } from '@/components/ui';
import { ScheduledChanges } from '@/components/scheduled-changes';

export function ConfigSchedulePanel({ base, hasDraft, refreshKey }: { base: string; hasDraft: boolean; refreshKey: number }) {
  const canWrite = useCan('operator', 'config');
  const [at, setAt] = useState(() => toLocalInput(Date.now() + 3600_000));
  const [action, setAction] = useState<'publish' | 'gray.promote'>('publish');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [created, setCreated] = useState(0);

  async function schedule() {
    setError(null);
    setNotice(null);
    try {
      if (!reason.trim()) throw new Error('A reason is required to schedule a change');
      if (action === 'publish' && !hasDraft) throw new Error('Save a draft first: the scheduled publish snapshots it now');
      const entry = await api<ScheduledConfigChange>('POST', `${base}/scheduled`, { action, at: localInputToIso(at), reason: reason.trim() });
      setNotice(`Scheduled ${entry.action} ${entry.id} for ${new Date(entry.at).toLocaleString()}`);
      setReason('');
      setCreated((n) => n + 1);
    } catch (e) {
      setError(errorText(e));
    }
  }

  return (
    <div className="panel" data-testid="config-schedule">
      <h2>Scheduled changes</h2>
      <ErrorBox error={error} />
      {notice && <div className="alert ok">{notice}</div>}
      {canWrite ? (
        <div className="row" style={{ alignItems: 'flex-end', marginBottom: 8 }} data-testid="schedule-form">
          <label>Action
            <select name="schedule-action" value={action} onChange={(e) => setAction(e.target.value as 'publish' | 'gray.promote')}>
              <option value="publish">publish the draft</option>
              <option value="gray.promote">promote the gray release</option>
            </select>
          </label>
          <label>At (local time)<input name="schedule-at" type="datetime-local" step="1" value={at} onChange={(e) => setAt(e.target.value)} /></label>
          <label style={{ flex: 1 }}>Reason (required)<input name="schedule-reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="CHG-77 night release" /></label>
          <button className="primary" onClick={schedule}>Schedule</button>
        </div>
      ) : (
        <div className="small muted" data-testid="schedule-read-only">Read-only: scheduling needs the operator role</div>
      )}
      <ScheduledChanges<ScheduledConfigChange>
        route={`${base}/scheduled`}
        canWrite={canWrite}
        refreshKey={refreshKey + created}
        describe={(e) => (
          <>
            <b>{e.action}</b>
            {e.params.expectedRelease !== undefined && <span className="muted"> over release {e.params.expectedRelease}</span>}
            {e.params.comment && <div className="muted">{e.params.comment}</div>}
          </>
        )}
        outcome={(e) => (e.result?.release ? <div>release {e.result.release}</div> : e.result?.grayId ? <div>gray {e.result.grayId}</div> : e.cancelledAt ? <div className="muted"><Time iso={e.cancelledAt} /></div> : null)}
      />
    </div>
  );
}

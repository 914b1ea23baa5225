'use client';
/** Switches of one env: schedule a switch change (scope, mode, fallback) at a local date-time; list and cancel. */
import { useState } from 'react';
import { api, errorText } from '@/lib/api';
import { localInputToIso, toLocalInput } from '@/lib/schedule';
import { useCan } from '@/lib/session';
import { fallbackText, scopeText, switchChangeBody, type FallbackKind, type SwitchChangeDraft } from '@/lib/switches';
import type { ScheduledSwitchChange } from '@/lib/types';
import { ErrorBox, NoticeBox } from '@/components/ui';
import { ScheduledChanges } from '@/components/scheduled-changes';

interface Form extends SwitchChangeDraft {
  at: string;
  reason: string;
}

export function SwitchSchedulePanel({ env, refreshKey }: { env: string; refreshKey: number }) {
  const canWrite = useCan('operator', 'switches');
  const [form, setForm] = useState<Form>(() => ({ service: '', method: '', consumerApp: '', mode: 'force', fallbackKind: 'null', fallbackValue: '', at: toLocalInput(Date.now() + 3600_000), reason: '' }));
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [created, setCreated] = useState(0);
  const route = `/api/switches/${encodeURIComponent(env)}/scheduled`;

  async function schedule() {
    setError(null);
    setNotice(null);
    try {
      if (!form.service.trim()) throw new Error('A service is required');
      if (!form.reason.trim()) throw new Error('A reason is required to schedule a switch change');
      const body = {
        ...switchChangeBody(form),
        at: localInputToIso(form.at),
        reason: form.reason.trim(),
      };
      const entry = await api<ScheduledSwitchChange>('POST', route, body);
      setNotice(`Scheduled ${scopeText(entry.spec.scope)} → ${entry.spec.mode} for ${new Date(entry.at).toLocaleString()}`);
      setForm({ ...form, reason: '' });
      setCreated((n) => n + 1);
    } catch (e) {
      setError(errorText(e));
    }
  }

  return (
    <div className="panel" data-testid="switch-schedule">
      <h2>Scheduled switch changes</h2>
      <ErrorBox error={error} />
      <NoticeBox notice={notice} />
      {canWrite ? (
        <div data-testid="schedule-form">
          <div className="row">
            <label style={{ flex: 2 }}>Service<input name="sched-service" value={form.service} onChange={(e) => setForm({ ...form, service: e.target.value })} placeholder="com.acme.Pay" /></label>
            <label style={{ flex: 1 }}>Method<input name="sched-method" value={form.method} onChange={(e) => setForm({ ...form, method: e.target.value })} placeholder="(all)" /></label>
            <label style={{ flex: 1 }}>Consumer app<input name="sched-consumer" value={form.consumerApp} onChange={(e) => setForm({ ...form, consumerApp: e.target.value })} placeholder="(all)" /></label>
          </div>
          <div className="row" style={{ marginTop: 8, alignItems: 'flex-end' }}>
            <label>Mode
              <select name="sched-mode" value={form.mode} onChange={(e) => setForm({ ...form, mode: e.target.value as Form['mode'] })}>
                <option value="force">force</option>
                <option value="fail">fail</option>
                <option value="off">off</option>
              </select>
            </label>
            <label>Fallback
              <select name="sched-fallback" value={form.fallbackKind} disabled={form.mode === 'off'} onChange={(e) => setForm({ ...form, fallbackKind: e.target.value as FallbackKind })}>
                <option value="null">null</option>
                <option value="value">JSON value</option>
                <option value="empty">empty</option>
                <option value="throw">throw</option>
              </select>
            </label>
            {form.fallbackKind !== 'null' && form.mode !== 'off' && (
              <label style={{ flex: 1 }}>Fallback value<input name="sched-fallback-value" value={form.fallbackValue} onChange={(e) => setForm({ ...form, fallbackValue: e.target.value })} /></label>
            )}
            <label>At (local time)<input name="sched-at" type="datetime-local" step="1" value={form.at} onChange={(e) => setForm({ ...form, at: e.target.value })} /></label>
          </div>
          <div className="row" style={{ marginTop: 8, alignItems: 'flex-end', marginBottom: 8 }}>
            <label style={{ flex: 1 }}>Reason (required)<input name="sched-reason" value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} placeholder="CHG-12 maintenance window" /></label>
            <button className="primary" onClick={schedule}>Schedule</button>
          </div>
        </div>
      ) : (
        <div className="small muted" data-testid="schedule-read-only">Read-only: scheduling switch changes needs the operator role</div>
      )}
      <ScheduledChanges<ScheduledSwitchChange>
        route={route}
        canWrite={canWrite}
        refreshKey={refreshKey + created}
        describe={(e) => (
          <>
            <span className="mono">{scopeText(e.spec.scope)}</span> → <span className={`badge ${e.spec.mode}`}>{e.spec.mode}</span>
            {e.spec.mode !== 'off' && <span className="mono"> {fallbackText(e.spec.fallback)}</span>}
          </>
        )}
        outcome={(e) => (e.result ? <div>switch version {e.result.version}</div> : null)}
      />
    </div>
  );
}

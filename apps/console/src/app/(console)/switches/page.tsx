'use client';
/**
 * Degradation switches of one env: the live list (pushed over socket.io; a reconnect resyncs from a snapshot),
 * a form to flip a switch (a reason is required and lands in the audit log), and plans with preview /
 * execute / revert.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, errorText, get } from '@/lib/api';
import { useLive } from '@/lib/realtime';
import { ReadOnlyNote, useCan } from '@/lib/session';
import { fallbackInput, fallbackText, scopeText, switchChangeBody, type FallbackKind, type SwitchChangeDraft } from '@/lib/switches';
import type { SwitchPlan, SwitchPlanChange, SwitchSnapshot, SwitchState } from '@/lib/types';
import { EmptyRow, ErrorBox, NoticeBox, PageHead, Time } from '@/components/ui';
import { SwitchPlanEditor } from '@/components/switch-plan-editor';
import { SwitchReceipts } from '@/components/switch-receipts';
import { SwitchSchedulePanel } from '@/components/switch-schedule-panel';

interface Draft extends SwitchChangeDraft {
  expiresInMin: string;
  reason: string;
  expectedVersion?: number;
}

const EMPTY: Draft = { service: '', method: '', consumerApp: '', mode: 'force', fallbackKind: 'null', fallbackValue: '', expiresInMin: '', reason: '' };

export default function SwitchesPage() {
  const [env, setEnv] = useState('prod');
  const [envInput, setEnvInput] = useState('prod');
  const [snap, setSnap] = useState<SwitchSnapshot | null>(null);
  const [plans, setPlans] = useState<SwitchPlan[]>([]);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [preview, setPreview] = useState<{ name: string; changes: SwitchPlanChange[] } | null>(null);
  const [editingPlan, setEditingPlan] = useState<SwitchPlan | 'new' | null>(null);
  const [planReason, setPlanReason] = useState('');
  const [planExpiryMin, setPlanExpiryMin] = useState('');
  const canWrite = useCan('operator', 'switches');

  const load = useCallback(async () => {
    try {
      setSnap(await get<SwitchSnapshot>(`/api/switches/${encodeURIComponent(env)}`));
      setPlans((await get<{ plans: SwitchPlan[] }>(`/api/switches/${encodeURIComponent(env)}/plans`)).plans);
    } catch (e) {
      setError(errorText(e));
    }
  }, [env]);

  useEffect(() => {
    void load();
  }, [load]);

  useLive({ topic: 'switches', env }, (m) => {
    const data = m.data as SwitchSnapshot | null;
    if (data && Array.isArray(data.switches)) setSnap(data);
    if (m.kind === 'event') get<{ plans: SwitchPlan[] }>(`/api/switches/${encodeURIComponent(env)}/plans`).then((p) => setPlans(p.plans), () => {});
  });

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setError(null);
    setNotice(null);
    try {
      const expires = draft.expiresInMin.trim() === '' ? null : Date.now() + Number(draft.expiresInMin) * 60_000;
      const body = {
        ...switchChangeBody(draft),
        expiresAt: expires,
        reason: draft.reason.trim(),
        ...(draft.expectedVersion !== undefined ? { expectedVersion: draft.expectedVersion } : {}),
      };
      const s = await api<SwitchState>('PUT', `/api/switches/${encodeURIComponent(env)}/items`, body);
      setNotice(`${scopeText(s.scope)} is now ${s.mode} (version ${s.version})`);
      setDraft(EMPTY);
    } catch (e) {
      setError(errorText(e));
    }
  }

  function edit(s: SwitchState, mode?: Draft['mode']) {
    const f = fallbackInput(s.fallback);
    setDraft({
      service: s.scope.service,
      method: s.scope.method ?? '',
      consumerApp: s.scope.consumerApp ?? '',
      mode: mode ?? s.mode,
      fallbackKind: f.kind,
      fallbackValue: f.text,
      expiresInMin: '',
      reason: '',
      expectedVersion: s.version,
    });
  }

  async function planAction(name: string, action: 'preview' | 'execute' | 'revert' | 'delete') {
    setError(null);
    setNotice(null);
    const route = `/api/switches/${encodeURIComponent(env)}/plans/${encodeURIComponent(name)}`;
    try {
      if (action === 'preview') {
        setPreview({ name, changes: (await get<{ changes: SwitchPlanChange[] }>(`${route}/preview`)).changes });
        return;
      }
      const reason = planReason.trim();
      if (!reason) return setError(`A reason is required to ${action} plan ${name}`);
      if (action === 'delete') await api('DELETE', route, undefined, { 'x-change-reason': reason });
      else {
        const minutes = Number(planExpiryMin);
        const expiresAt = action === 'execute' && planExpiryMin.trim() && minutes > 0 ? Date.now() + minutes * 60_000 : undefined;
        await api('POST', `${route}/${action}`, { reason, ...(expiresAt ? { expiresAt } : {}) });
      }
      setNotice(`Plan ${name}: ${action} done`);
      setPreview(null);
      setPlanReason('');
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  }

  const list = snap?.switches ?? [];
  return (
    <>
      <PageHead title="Degradation switches" sub={<>Env <b>{env}</b> · revision {snap?.revision ?? '—'} · changes are pushed live</>}>
        <form className="row" onSubmit={(e) => { e.preventDefault(); setEnv(envInput.trim() || 'prod'); }}>
          <input aria-label="env" value={envInput} onChange={(e) => setEnvInput(e.target.value)} style={{ width: 120 }} />
          <button type="submit">Open env</button>
        </form>
      </PageHead>
      <ErrorBox error={error} />
      <NoticeBox notice={notice} />
      <div className="panel">
        <table data-testid="switch-table">
          <thead>
            <tr>
              <th>Scope</th>
              <th>Mode</th>
              <th>Fallback</th>
              <th>Expires</th>
              <th className="num">Ver</th>
              <th>Last change</th>
              <th>Reason</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.length === 0 && <EmptyRow colSpan={8}>No switches in {env}.</EmptyRow>}
            {list.map((s) => (
              <tr key={s.id} data-switch={scopeText(s.scope)}>
                <td className="mono">{scopeText(s.scope)}{s.plan && <div className="small muted">plan {s.plan}</div>}</td>
                <td><span className={`badge ${s.mode}`} data-testid="switch-mode">{s.mode}</span></td>
                <td className="mono small">{s.mode === 'off' ? '—' : fallbackText(s.fallback)}</td>
                <td className="small">{s.expiresAt ? <Time iso={s.expiresAt} /> : <span className="muted">never</span>}</td>
                <td className="num">{s.version}</td>
                <td className="small">{s.updatedBy}<br /><span className="muted"><Time iso={s.updatedAt} /></span></td>
                <td className="small">{s.reason ?? <span className="muted">—</span>}</td>
                <td>{canWrite && <div className="row" style={{ flexWrap: 'nowrap' }}>
                  <button onClick={() => edit(s)}>Edit</button>
                  {s.mode !== 'off' ? <button onClick={() => edit(s, 'off')}>Turn off</button> : <button onClick={() => edit(s, 'force')}>Force</button>}
                </div>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="grid2" style={{ gridTemplateColumns: 'minmax(360px, 1fr) minmax(300px, 1fr)' }}>
        {!canWrite ? <ReadOnlyNote what="switches" /> : <form className="panel" onSubmit={submit} aria-label="set switch">
          <h2>{draft.expectedVersion !== undefined ? `Change switch (from version ${draft.expectedVersion})` : 'Set a switch'}</h2>
          <div className="row">
            <label style={{ flex: 2 }}>Service<input name="service" value={draft.service} onChange={(e) => setDraft({ ...draft, service: e.target.value })} required placeholder="com.acme.Pay" /></label>
            <label style={{ flex: 1 }}>Method<input name="method" value={draft.method} onChange={(e) => setDraft({ ...draft, method: e.target.value })} placeholder="(all)" /></label>
            <label style={{ flex: 1 }}>Consumer app<input name="consumerApp" value={draft.consumerApp} onChange={(e) => setDraft({ ...draft, consumerApp: e.target.value })} placeholder="(all)" /></label>
          </div>
          <div className="row" style={{ marginTop: 8 }}>
            <label>Mode
              <select name="mode" value={draft.mode} onChange={(e) => setDraft({ ...draft, mode: e.target.value as Draft['mode'] })}>
                <option value="force">force (skip the call)</option>
                <option value="fail">fail (fallback on error)</option>
                <option value="off">off</option>
              </select>
            </label>
            <label>Fallback
              <select name="fallbackKind" value={draft.fallbackKind} onChange={(e) => setDraft({ ...draft, fallbackKind: e.target.value as FallbackKind })} disabled={draft.mode === 'off'}>
                <option value="null">null</option>
                <option value="value">JSON value</option>
                <option value="empty">empty array/object/string</option>
                <option value="throw">throw</option>
              </select>
            </label>
            {draft.fallbackKind !== 'null' && draft.mode !== 'off' && (
              <label style={{ flex: 1 }}>{draft.fallbackKind === 'value' ? 'Value (JSON)' : draft.fallbackKind === 'empty' ? 'array | object | string' : 'Message'}
                <input name="fallbackValue" value={draft.fallbackValue} onChange={(e) => setDraft({ ...draft, fallbackValue: e.target.value })} />
              </label>
            )}
            <label style={{ width: 130 }}>Expires in (min)<input name="expires" type="number" min="1" value={draft.expiresInMin} onChange={(e) => setDraft({ ...draft, expiresInMin: e.target.value })} placeholder="never" /></label>
          </div>
          <label style={{ marginTop: 8 }}>Reason (required, recorded in the audit log)
            <input name="reason" value={draft.reason} onChange={(e) => setDraft({ ...draft, reason: e.target.value })} required placeholder="INC-123: payment provider timing out" />
          </label>
          <div className="row" style={{ marginTop: 10 }}>
            <button className="primary" type="submit">Apply</button>
            {draft !== EMPTY && <button type="button" onClick={() => setDraft(EMPTY)}>Clear</button>}
          </div>
        </form>}
        <div className="panel" data-testid="plans">
          <div className="row" style={{ marginBottom: 8 }}>
            <h2 style={{ margin: 0 }}>Plans</h2>
            <span className="spacer" />
            {canWrite && <button onClick={() => setEditingPlan('new')}>New plan</button>}
          </div>
          {plans.length === 0 && <p className="muted small">No plans in {env}. A plan flips several switches at once (one atomic write) and can be reverted.</p>}
          <table>
            <tbody>
              {plans.map((p) => (
                <tr key={p.name} data-plan={p.name}>
                  <td>
                    <b>{p.name}</b> <span className={`badge ${p.status === 'active' ? 'force' : 'off'}`} data-testid="plan-status">{p.status}</span>
                    <div className="small muted">{p.description ?? ''} {p.switches.length} switch(es){p.executedBy ? ` · executed by ${p.executedBy}` : ''}</div>
                  </td>
                  <td><div className="row" style={{ flexWrap: 'nowrap' }}>
                    <button onClick={() => planAction(p.name, 'preview')}>Preview</button>
                    {canWrite && (
                      <>
                        <button onClick={() => setEditingPlan(p)}>Edit</button>
                        <button onClick={() => planAction(p.name, 'execute')} disabled={p.status === 'active'}>Execute</button>
                        <button onClick={() => planAction(p.name, 'revert')} disabled={p.status !== 'active'}>Revert</button>
                        <button className="danger" onClick={() => planAction(p.name, 'delete')} disabled={p.status === 'active'} title={p.status === 'active' ? 'revert it first' : ''}>Delete</button>
                      </>
                    )}
                  </div></td>
                </tr>
              ))}
            </tbody>
          </table>
          {canWrite && plans.length > 0 && (
            <div className="row" style={{ marginTop: 8 }}>
              <label style={{ flex: 1 }}>Reason to execute / revert / delete (required)
                <input name="plan-reason" value={planReason} onChange={(e) => setPlanReason(e.target.value)} placeholder="INC-9: checkout latency" />
              </label>
              <label style={{ width: 150 }}>Auto-revert after (min)
                <input name="plan-expiry" type="number" min="1" value={planExpiryMin} onChange={(e) => setPlanExpiryMin(e.target.value)} placeholder="never" />
              </label>
            </div>
          )}
          {preview && (
            <div style={{ marginTop: 8 }} data-testid="plan-preview">
              <div className="small muted">Executing {preview.name} would change:</div>
              <table>
                <thead>
                  <tr><th>Switch</th><th>Now</th><th>After</th></tr>
                </thead>
                <tbody>
                  {preview.changes.map((c) => (
                    <tr key={c.id} data-preview={scopeText(c.scope)}>
                      <td className="mono small">{scopeText(c.scope)}</td>
                      <td className="small">{c.current ? `${c.current.mode}${c.current.mode !== 'off' ? ` → ${fallbackText(c.current.fallback)}` : ''} (v${c.current.version})` : <span className="muted">not set</span>}</td>
                      <td className="small"><span className={`badge ${c.planned.mode}`}>{c.planned.mode}</span> {c.planned.mode !== 'off' ? fallbackText(c.planned.fallback) : ''}{c.planned.expiresAt ? <span className="muted"> until <Time iso={c.planned.expiresAt} /></span> : null}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      </div>
      {editingPlan && (
        <SwitchPlanEditor
          key={editingPlan === 'new' ? 'new' : editingPlan.name}
          env={env}
          plan={editingPlan === 'new' ? null : editingPlan}
          onClose={() => setEditingPlan(null)}
          onSaved={(p) => {
            setEditingPlan(null);
            setNotice(`Plan ${p.name} saved (${p.switches.length} switch(es))`);
            void load();
          }}
        />
      )}
      <SwitchSchedulePanel env={env} refreshKey={snap?.revision ?? 0} />
      <SwitchReceipts env={env} revision={snap?.revision ?? null} />
    </>
  );
}

'use client';
/**
 * Editor of a named degradation plan: several switches (scope, mode, typed fallback, optional expiry) saved
 * together with PUT /api/switches/:env/plans/:name. Executing a plan later flips them all in one atomic multi.
 */
import { useState, type FormEvent } from 'react';
import { api, errorText } from '@/lib/api';
import { fallbackInput, scopeOf, toFallback, type FallbackKind } from '@/lib/switches';
import type { SwitchPlan, SwitchSpec } from '@/lib/types';
import { ErrorBox } from './ui';

interface Row {
  service: string;
  method: string;
  consumerApp: string;
  mode: SwitchSpec['mode'];
  fallbackKind: FallbackKind;
  fallbackText: string;
  /** datetime-local text; empty: never expires. */
  expiresAt: string;
}

const EMPTY_ROW: Row = { service: '', method: '', consumerApp: '', mode: 'force', fallbackKind: 'null', fallbackText: '', expiresAt: '' };

function localInput(ms: number | null | undefined): string {
  if (!ms) return '';
  const d = new Date(ms);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function toRow(s: SwitchSpec): Row {
  const f = fallbackInput(s.fallback);
  return { service: s.scope.service, method: s.scope.method ?? '', consumerApp: s.scope.consumerApp ?? '', mode: s.mode, fallbackKind: f.kind, fallbackText: f.text, expiresAt: localInput(s.expiresAt) };
}

function toSpec(r: Row, index: number): SwitchSpec {
  if (!r.service.trim()) throw new Error(`switch ${index + 1}: the service is required`);
  let fallback;
  try {
    fallback = toFallback(r.fallbackKind, r.fallbackText);
  } catch (e) {
    throw new Error(`switch ${index + 1}: fallback is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const expires = r.expiresAt ? new Date(r.expiresAt).getTime() : null;
  if (expires !== null && (!Number.isFinite(expires) || expires <= Date.now())) throw new Error(`switch ${index + 1}: the expiry must be in the future`);
  return { scope: scopeOf(r.service, r.method, r.consumerApp), mode: r.mode, ...(r.mode !== 'off' ? { fallback } : {}), ...(expires ? { expiresAt: expires } : {}) };
}

export function SwitchPlanEditor({ env, plan, onSaved, onClose }: { env: string; plan: SwitchPlan | null; onSaved: (p: SwitchPlan) => void; onClose: () => void }) {
  const [name, setName] = useState(plan?.name ?? '');
  const [description, setDescription] = useState(plan?.description ?? '');
  const [rows, setRows] = useState<Row[]>(plan ? plan.switches.map(toRow) : [{ ...EMPTY_ROW }]);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const setRow = (i: number, patch: Partial<Row>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  async function save(ev: FormEvent) {
    ev.preventDefault();
    setError(null);
    let switches: SwitchSpec[];
    try {
      if (rows.length === 0) throw new Error('a plan needs at least one switch');
      switches = rows.map(toSpec);
    } catch (e) {
      return setError(e instanceof Error ? e.message : String(e));
    }
    setBusy(true);
    try {
      const saved = await api<SwitchPlan>('PUT', `/api/switches/${encodeURIComponent(env)}/plans/${encodeURIComponent(name.trim())}`, {
        ...(description.trim() ? { description: description.trim() } : {}),
        switches,
        reason: reason.trim(),
      });
      onSaved(saved);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel" onSubmit={save} aria-label="plan editor" data-testid="plan-editor">
      <h2>{plan ? `Edit plan ${plan.name}` : 'New plan'}{plan?.status === 'active' ? ' (active: changes apply on the next execution)' : ''}</h2>
      <div className="row">
        <label style={{ flex: 1 }}>
          Plan name
          <input name="plan-name" value={name} onChange={(e) => setName(e.target.value)} required readOnly={!!plan} pattern="[A-Za-z0-9][A-Za-z0-9._\-]*" placeholder="black-friday-shed" />
        </label>
        <label style={{ flex: 2 }}>
          Description
          <input name="plan-description" value={description} onChange={(e) => setDescription(e.target.value)} placeholder="Shed non-critical calls when checkout latency > 2 s" />
        </label>
      </div>
      <table style={{ marginTop: 8 }} data-testid="plan-rows">
        <thead>
          <tr>
            <th>Service</th>
            <th>Method</th>
            <th>Consumer app</th>
            <th>Mode</th>
            <th>Fallback</th>
            <th>Expires at</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i} data-plan-row={i}>
              <td><input aria-label={`service ${i + 1}`} value={r.service} onChange={(e) => setRow(i, { service: e.target.value })} placeholder="com.acme.Pay" style={{ width: '100%' }} /></td>
              <td><input aria-label={`method ${i + 1}`} value={r.method} onChange={(e) => setRow(i, { method: e.target.value })} placeholder="(all)" style={{ width: 100 }} /></td>
              <td><input aria-label={`consumer app ${i + 1}`} value={r.consumerApp} onChange={(e) => setRow(i, { consumerApp: e.target.value })} placeholder="(all)" style={{ width: 100 }} /></td>
              <td>
                <select aria-label={`mode ${i + 1}`} value={r.mode} onChange={(e) => setRow(i, { mode: e.target.value as Row['mode'] })}>
                  <option value="force">force</option>
                  <option value="fail">fail</option>
                  <option value="off">off</option>
                </select>
              </td>
              <td>
                <div className="row" style={{ flexWrap: 'nowrap' }}>
                  <select aria-label={`fallback ${i + 1}`} value={r.fallbackKind} onChange={(e) => setRow(i, { fallbackKind: e.target.value as FallbackKind })} disabled={r.mode === 'off'}>
                    <option value="null">null</option>
                    <option value="value">JSON</option>
                    <option value="empty">empty</option>
                    <option value="throw">throw</option>
                  </select>
                  {r.fallbackKind !== 'null' && r.mode !== 'off' && (
                    <input aria-label={`fallback value ${i + 1}`} value={r.fallbackText} onChange={(e) => setRow(i, { fallbackText: e.target.value })} style={{ width: 110 }} placeholder={r.fallbackKind === 'empty' ? 'array|object|string' : r.fallbackKind === 'value' ? '{"ok":false}' : 'message'} />
                  )}
                </div>
              </td>
              <td><input aria-label={`expires ${i + 1}`} type="datetime-local" value={r.expiresAt} onChange={(e) => setRow(i, { expiresAt: e.target.value })} disabled={r.mode === 'off'} /></td>
              <td><button type="button" onClick={() => setRows(rows.filter((_, j) => j !== i))} aria-label={`remove switch ${i + 1}`}>✕</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row" style={{ marginTop: 8 }}>
        <button type="button" onClick={() => setRows([...rows, { ...EMPTY_ROW }])}>Add switch</button>
      </div>
      <label style={{ marginTop: 8 }}>
        Reason (required, recorded in the audit log)
        <input name="plan-save-reason" value={reason} onChange={(e) => setReason(e.target.value)} required placeholder="CHG-9: prepare the shedding plan" />
      </label>
      <ErrorBox error={error} />
      <div className="row" style={{ marginTop: 10 }}>
        <button className="primary" type="submit" disabled={busy}>Save plan</button>
        <button type="button" onClick={onClose}>Close</button>
      </div>
    </form>
  );
}

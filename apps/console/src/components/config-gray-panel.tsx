'use client';
/**
 * The gray (canary) release of one namespace: start one from the saved draft for the clients the rules select,
 * which listeners hold gray / main / stale, change the rules, promote (publishes it as the next release) or abort.
 * Every gray change needs a reason; viewers only read. The parent reloads it on `config` socket events (a gray
 * change also rewrites the live node); listener receipts have no topic, so they are polled.
 */
import { useCallback, useState } from 'react';
import { api, errorText, get } from '@/lib/api';
import { splitList } from '@/lib/schedule';
import { useCan } from '@/lib/session';
import type { GrayRules, GrayView } from '@/lib/types';
import { usePoll } from '@/lib/use-poll';
import { ErrorBox, Time } from '@/components/ui';

interface RulesForm {
  clientIds: string;
  ips: string;
  labels: string;
  percentage: string;
}
const EMPTY_RULES: RulesForm = { clientIds: '', ips: '', labels: '', percentage: '' };

function toForm(r: GrayRules): RulesForm {
  return {
    clientIds: (r.clientIds ?? []).join(', '),
    ips: (r.ips ?? []).join(', '),
    labels: Object.entries(r.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', '),
    percentage: r.percentage === undefined ? '' : String(r.percentage),
  };
}

/** The rules of the form; throws a readable error on a bad label or percentage. */
function toRules(f: RulesForm): GrayRules {
  const rules: GrayRules = {};
  const clientIds = splitList(f.clientIds);
  const ips = splitList(f.ips);
  if (clientIds.length) rules.clientIds = clientIds;
  if (ips.length) rules.ips = ips;
  const labels = splitList(f.labels);
  if (labels.length) {
    rules.labels = {};
    for (const pair of labels) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new Error(`Label "${pair}" is not key=value`);
      rules.labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    }
  }
  if (f.percentage.trim()) {
    const p = Number(f.percentage);
    if (!Number.isFinite(p) || p < 0 || p > 100) throw new Error('Percentage must be between 0 and 100');
    rules.percentage = p;
  }
  if (Object.keys(rules).length === 0) throw new Error('Give at least one rule: client ids, IPs, labels or a percentage');
  return rules;
}

export function rulesText(r: GrayRules): string {
  const parts: string[] = [];
  if (r.clientIds?.length) parts.push(`clients ${r.clientIds.join(', ')}`);
  if (r.ips?.length) parts.push(`IPs ${r.ips.join(', ')}`);
  if (r.labels && Object.keys(r.labels).length) parts.push(`labels ${Object.entries(r.labels).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  if (r.percentage !== undefined) parts.push(`${r.percentage}% of clients`);
  return parts.join(' · ') || 'no rules';
}

export function ConfigGrayPanel({ base, hasDraft, refreshKey, onChanged }: { base: string; hasDraft: boolean; refreshKey: number; onChanged: () => void }) {
  const canWrite = useCan('operator', 'config');
  const [view, setView] = useState<GrayView | null>(null);
  const [rules, setRules] = useState<RulesForm>(EMPTY_RULES);
  const [editing, setEditing] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setView(await get<GrayView>(`${base}/gray`));
    } catch (e) {
      setError(errorText(e));
    }
  }, [base]);
  usePoll(load, 3_000, [load, refreshKey]);

  const gray = view?.gray ?? null;
  async function act(what: string, run: (reason: string) => Promise<string>) {
    setError(null);
    setNotice(null);
    const why = reason.trim();
    if (!why) return setError(`A reason is required to ${what}`);
    try {
      setNotice(await run(why));
      setReason('');
      setEditing(false);
      await load();
      onChanged();
    } catch (e) {
      setError(errorText(e));
    }
  }

  const start = () => act('start a gray release', async (why) => {
    const g = await api<{ id: string }>('POST', `${base}/gray`, { rules: toRules(rules), reason: why });
    return `Gray release ${g.id} started from the draft`;
  });
  const updateRules = () => act('change the gray rules', async (why) => {
    await api('PUT', `${base}/gray/rules`, { rules: toRules(rules), grayId: gray?.id, reason: why });
    return 'Gray rules updated';
  });
  const promote = () => act('promote the gray release', async (why) => {
    const rel = await api<{ release: number }>('POST', `${base}/gray/promote`, { grayId: gray?.id, reason: why });
    return `Gray promoted: release ${rel.release} is live for every client`;
  });
  const abort = () => act('abort the gray release', async (why) => {
    await api('POST', `${base}/gray/abort`, { grayId: gray?.id, reason: why });
    return 'Gray release aborted: its clients are back on the live release';
  });

  const rulesFields = (
    <div className="row" style={{ marginTop: 8 }}>
      <label style={{ flex: 1 }}>Client ids<input name="gray-client-ids" value={rules.clientIds} onChange={(e) => setRules({ ...rules, clientIds: e.target.value })} placeholder="pay-1, pay-2" /></label>
      <label style={{ flex: 1 }}>IPs<input name="gray-ips" value={rules.ips} onChange={(e) => setRules({ ...rules, ips: e.target.value })} placeholder="10.0.0.7" /></label>
      <label style={{ flex: 1 }}>Labels<input name="gray-labels" value={rules.labels} onChange={(e) => setRules({ ...rules, labels: e.target.value })} placeholder="zone=eu, canary=true" /></label>
      <label style={{ width: 90 }}>Percent<input name="gray-percentage" type="number" min="0" max="100" step="0.01" value={rules.percentage} onChange={(e) => setRules({ ...rules, percentage: e.target.value })} /></label>
    </div>
  );
  const reasonField = (
    <label style={{ flex: 1 }}>Reason (required)<input name="gray-reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="CHG-42 canary" /></label>
  );

  const listeners = view?.listeners ?? [];
  const count = (h: string) => listeners.filter((l) => l.holds === h).length;
  return (
    <div className="panel" data-testid="gray-panel">
      <div className="row" style={{ marginBottom: 8 }}>
        <h2 style={{ margin: 0 }}>Gray release</h2>
        <span className="spacer" />
        {gray ? <span className="badge fail" data-testid="gray-status">gray {gray.id} active</span> : <span className="badge off" data-testid="gray-status">no gray release</span>}
      </div>
      <ErrorBox error={error} />
      {notice && <div className="alert ok">{notice}</div>}
      {gray && (
        <div className="small" style={{ marginBottom: 8 }}>
          Over release {gray.baseRelease} · started by {gray.startedBy} <Time iso={gray.startedAt} /> · md5 <span className="mono">{gray.md5.slice(0, 10)}</span>
          <div data-testid="gray-rules">Rules: {rulesText(gray.rules)}</div>
          <pre className="panel" style={{ margin: '6px 0', maxHeight: 140, overflow: 'auto' }} data-testid="gray-content">{gray.content}</pre>
        </div>
      )}
      {!canWrite ? (
        <div className="small muted" data-testid="gray-read-only">Read-only: gray releases need the operator role</div>
      ) : !gray ? (
        <div data-testid="gray-start">
          <div className="small muted">Start a gray release from the saved draft for the clients any of these rules select.</div>
          {rulesFields}
          <div className="row" style={{ marginTop: 8, alignItems: 'flex-end' }}>
            {reasonField}
            <button className="primary" onClick={start} disabled={!hasDraft} title={hasDraft ? '' : 'save a draft first'}>Start gray release</button>
          </div>
        </div>
      ) : (
        <div data-testid="gray-actions">
          {editing && rulesFields}
          <div className="row" style={{ marginTop: 8, alignItems: 'flex-end' }}>
            {reasonField}
            {editing ? (
              <>
                <button onClick={updateRules}>Save rules</button>
                <button onClick={() => setEditing(false)}>Cancel</button>
              </>
            ) : (
              <button onClick={() => { setRules(toForm(gray.rules)); setEditing(true); }}>Edit rules</button>
            )}
            <button className="primary" onClick={promote}>Promote</button>
            <button className="danger" onClick={abort}>Abort</button>
          </div>
        </div>
      )}
      <h3 style={{ marginTop: 12 }} className="small">Listeners: {count('gray')} gray · {count('main')} main · {count('stale')} stale</h3>
      <table data-testid="gray-listeners">
        <thead>
          <tr><th>Client</th><th>Holds</th><th className="num">Release</th><th>IP / labels</th><th>Applied</th></tr>
        </thead>
        <tbody>
          {listeners.length === 0 && <tr><td colSpan={5} className="muted small">No client listens to this namespace.</td></tr>}
          {listeners.map((l) => (
            <tr key={l.clientId} data-listener={l.clientId}>
              <td className="mono">{l.clientId}</td>
              <td><span className={`badge ${l.holds === 'gray' ? 'fail' : l.holds === 'main' ? 'ok' : 'force'}`} data-testid="listener-holds">{l.holds}</span></td>
              <td className="num">{l.release}</td>
              <td className="small">{l.ip ?? ''} {Object.entries(l.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(' ')}</td>
              <td className="small"><Time iso={l.appliedAt} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

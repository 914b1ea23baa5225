'use client';
/**
 * Config center: env / app / namespace; the live release, a draft kept apart from publishing, publish as a CAS
 * write (expects the live release), history, a diff of any two releases, rollback (as a new release), listeners.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, errorText, get } from '@/lib/api';
import { useLive } from '@/lib/realtime';
import { useCan } from '@/lib/session';
import type { ConfigNamespaceView, ConfigRef, ConfigRelease, DiffResult } from '@/lib/types';
import { ErrorBox, PageHead, Time } from '@/components/ui';
import { ConfigGrayPanel } from '@/components/config-gray-panel';
import { ConfigSchedulePanel } from '@/components/config-schedule-panel';


const base = (r: ConfigRef) => `/api/configs/${encodeURIComponent(r.env)}/${encodeURIComponent(r.app)}/${encodeURIComponent(r.namespace)}`;

export default function ConfigPage() {
  const [all, setAll] = useState<ConfigRef[]>([]);
  const [form, setForm] = useState<ConfigRef>({ env: 'prod', app: '', namespace: 'application' });
  const [ref, setRef] = useState<ConfigRef | null>(null);
  const [error, setError] = useState<string | null>(null);

  const loadAll = useCallback(() => get<{ namespaces: ConfigRef[] }>('/api/configs').then((r) => setAll(r.namespaces), (e) => setError(errorText(e))), []);
  useEffect(() => {
    void loadAll();
  }, [loadAll]);

  return (
    <>
      <PageHead title="Config center" sub="Edit drafts, publish versioned releases, compare and roll back." />
      <ErrorBox error={error} />
      <div className="grid2">
        <div className="panel">
          <h2>Namespaces</h2>
          <table>
            <tbody>
              {all.length === 0 && <tr><td className="muted small">None yet: open one below to create it.</td></tr>}
              {all.map((r) => (
                <tr key={`${r.env}/${r.app}/${r.namespace}`}>
                  <td>
                    <button className="link mono" onClick={() => setRef(r)}>{r.env} / {r.app} / {r.namespace}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form onSubmit={(e) => { e.preventDefault(); setRef({ ...form }); }} style={{ marginTop: 12 }} className="row">
            <label style={{ width: 80 }}>Env<input value={form.env} onChange={(e) => setForm({ ...form, env: e.target.value })} required /></label>
            <label style={{ width: 100 }}>App<input value={form.app} onChange={(e) => setForm({ ...form, app: e.target.value })} required /></label>
            <label style={{ width: 110 }}>Namespace<input value={form.namespace} onChange={(e) => setForm({ ...form, namespace: e.target.value })} required /></label>
            <button type="submit" style={{ alignSelf: 'flex-end' }}>Open</button>
          </form>
        </div>
        {ref ? <Namespace key={`${ref.env}/${ref.app}/${ref.namespace}`} r={ref} onChanged={loadAll} /> : <div className="panel muted">Pick a namespace.</div>}
      </div>
    </>
  );
}

function Namespace({ r, onChanged }: { r: ConfigRef; onChanged: () => void }) {
  const canWrite = useCan('operator', 'config');
  const [view, setView] = useState<ConfigNamespaceView | null>(null);
  const [history, setHistory] = useState<ConfigRelease[]>([]);
  const [text, setText] = useState('');
  // the editor is not overwritten by a reload (e.g. a pushed publish) once the operator has typed in it
  const dirty = useRef(false);
  const [format, setFormat] = useState('json');
  const [reason, setReason] = useState('');
  const [diff, setDiff] = useState<{ from: number; to: number; result: DiffResult } | null>(null);
  const [pick, setPick] = useState<{ from: string; to: string }>({ from: '', to: '' });
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // bumped by every pushed change (publish, gray start / rules / promote / abort): the gray and schedule panels reload
  const [liveTick, setLiveTick] = useState(0);

  const load = useCallback(async () => {
    try {
      const v = await get<ConfigNamespaceView>(base(r));
      setView(v);
      if (!dirty.current) {
        setText(v.draft?.content ?? v.live?.content ?? '');
        setFormat(v.draft?.format ?? v.live?.format ?? 'json');
      }
      setHistory((await get<{ releases: ConfigRelease[] }>(`${base(r)}/history`)).releases);
    } catch (e) {
      setError(errorText(e));
    }
  }, [r]);
  useEffect(() => {
    void load();
  }, [load]);
  useLive({ topic: 'config', ...r }, (m) => {
    if (m.kind !== 'event') return;
    void load();
    setLiveTick((t) => t + 1);
  });

  const liveRelease = view?.live?.release ?? 0;
  async function act(what: () => Promise<string>) {
    setError(null);
    setNotice(null);
    try {
      const message = await what();
      dirty.current = false;
      setNotice(message);
      await load();
      onChanged();
    } catch (e) {
      setError(errorText(e));
    }
  }

  const saveDraft = () => act(async () => {
    await api('PUT', `${base(r)}/draft`, { content: text, format, ...(view?.draft ? { expectedVersion: view.draft.version } : {}), ...(reason ? { reason } : {}) });
    return 'Draft saved (not live yet)';
  });
  const publish = (ev: FormEvent) => {
    ev.preventDefault();
    void act(async () => {
      const rel = await api<ConfigRelease>('POST', `${base(r)}/publish`, { content: text, format, expectedRelease: liveRelease, reason });
      setReason('');
      return `Published release ${rel.release}`;
    });
  };
  const discard = () => act(async () => {
    await api('DELETE', `${base(r)}/draft`);
    return 'Draft discarded';
  });
  const rollback = (to: number) => {
    const why = window.prompt(`Reason to roll back to release ${to}`) ?? '';
    if (!why.trim()) return;
    void act(async () => {
      const rel = await api<ConfigRelease>('POST', `${base(r)}/rollback`, { toRelease: to, expectedRelease: liveRelease, reason: why });
      return `Rolled back: release ${rel.release} restores ${to}`;
    });
  };
  async function showDiff(from: number, to: number) {
    try {
      setDiff({ from, to, result: await get<DiffResult>(`${base(r)}/diff`, { from, to }) });
    } catch (e) {
      setError(errorText(e));
    }
  }

  return (
    <div>
      <form className="panel" onSubmit={publish}>
        <div className="row" style={{ marginBottom: 8 }}>
          <h2 style={{ margin: 0 }} className="mono">{r.env} / {r.app} / {r.namespace}</h2>
          <span className="spacer" />
          <span className="badge ok">live: {liveRelease ? `release ${liveRelease}` : 'none'}</span>
          {view?.draft && <span className="badge fail">draft by {view.draft.author} (from {view.draft.baseRelease})</span>}
        </div>
        <ErrorBox error={error} />
        {notice && <div className="alert ok">{notice}</div>}
        {/* read-only until loaded: text typed before the load arrived would end up after the loaded content */}
        <textarea aria-label="config content" readOnly={!canWrite || view === null} value={text} onChange={(e) => { dirty.current = true; setText(e.target.value); }} style={{ minHeight: 200 }} />
        <div className="row" style={{ marginTop: 8, alignItems: 'flex-end' }}>
          <label>Format
            <select value={format} onChange={(e) => { dirty.current = true; setFormat(e.target.value); }}>
              {['json', 'properties', 'yaml', 'text'].map((f) => <option key={f}>{f}</option>)}
            </select>
          </label>
          <label style={{ flex: 1 }}>Reason / change ticket<input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="CHG-123" /></label>
          {canWrite ? (
            <>
              <button type="button" onClick={saveDraft}>Save draft</button>
              {view?.draft && <button type="button" className="danger" onClick={discard}>Discard draft</button>}
              <button className="primary" type="submit">Publish (expects release {liveRelease})</button>
            </>
          ) : (
            <span className="small muted" data-testid="read-only">Read-only: publishing needs the operator role</span>
          )}
        </div>
      </form>
      <ConfigGrayPanel base={base(r)} hasDraft={!!view?.draft} refreshKey={liveTick} onChanged={() => void load()} />
      <ConfigSchedulePanel base={base(r)} hasDraft={!!view?.draft} refreshKey={liveTick} />
      <div className="panel">
        <div className="row" style={{ marginBottom: 8 }}>
          <h2 style={{ margin: 0 }}>History</h2>
          <span className="spacer" />
          <select aria-label="diff from" value={pick.from} onChange={(e) => setPick({ ...pick, from: e.target.value })}>
            <option value="">from…</option>
            {history.map((h) => <option key={h.release} value={h.release}>{h.release}</option>)}
          </select>
          <select aria-label="diff to" value={pick.to} onChange={(e) => setPick({ ...pick, to: e.target.value })}>
            <option value="">to…</option>
            {history.map((h) => <option key={h.release} value={h.release}>{h.release}</option>)}
          </select>
          <button disabled={!pick.from || !pick.to} onClick={() => showDiff(Number(pick.from), Number(pick.to))}>Diff</button>
        </div>
        <table>
          <thead>
            <tr><th className="num">Release</th><th>Published</th><th>By</th><th>Comment</th><th>MD5</th><th /></tr>
          </thead>
          <tbody>
            {[...history].sort((a, b) => b.release - a.release).map((h) => (
              <tr key={h.release}>
                <td className="num">{h.release}{h.rollbackOf ? <div className="small muted">↺ {h.rollbackOf}</div> : null}</td>
                <td className="small"><Time iso={h.publishedAt} /></td>
                <td>{h.publishedBy}</td>
                <td className="small">{h.comment ?? ''}</td>
                <td className="mono small">{h.md5.slice(0, 10)}</td>
                <td><div className="row" style={{ flexWrap: 'nowrap' }}>
                  {h.release > 1 && <button onClick={() => showDiff(h.release - 1, h.release)}>Diff prev</button>}
                  {canWrite && h.release !== liveRelease && <button onClick={() => rollback(h.release)}>Roll back to</button>}
                </div></td>
              </tr>
            ))}
          </tbody>
        </table>
        {diff && (
          <div style={{ marginTop: 10 }}>
            <div className="small muted">Release {diff.from} → {diff.to}: +{diff.result.added} −{diff.result.removed}{diff.result.identical ? ' (identical)' : ''}</div>
            <div className="diff" data-testid="diff">
              {diff.result.lines.map((l, i) => (
                <div key={i} className={l.op}>
                  <span className="ln">{l.oldLine ?? ''}</span><span className="ln">{l.newLine ?? ''}</span>{l.op === 'add' ? '+ ' : l.op === 'remove' ? '- ' : '  '}{l.text}
                </div>
              ))}
            </div>
          </div>
        )}
      </div>
    </div>
  );
}

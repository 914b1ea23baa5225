'use client';
/** The hash-chained audit stream: filters by path / path prefix / actor / type / time, paging back by seq, chain verification. */
import { Fragment, useCallback, useEffect, useState, type FormEvent } from 'react';
import { errorText, get } from '@/lib/api';
import type { AuditRowView } from '@/lib/types';
import { ErrorBox, json, PageHead, Time } from '@/components/ui';

interface Filters {
  path: string;
  pathPrefix: string;
  actor: string;
  type: string;
  from: string;
  to: string;
}

const NONE: Filters = { path: '', pathPrefix: '', actor: '', type: '', from: '', to: '' };
const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export default function AuditPage() {
  const [filters, setFilters] = useState<Filters>(NONE);
  const [applied, setApplied] = useState<Filters>(NONE);
  const [rows, setRows] = useState<AuditRowView[]>([]);
  const [more, setMore] = useState(false);
  const [open, setOpen] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [verify, setVerify] = useState<{ ok: boolean; checked: number; brokenAt?: { seq: number; reason: string } } | null>(null);
  const LIMIT = 50;

  const load = useCallback(
    async (beforeSeq?: number) => {
      try {
        const f = applied;
        const res = await get<{ events: AuditRowView[] }>('/api/audit', { path: f.path, pathPrefix: f.pathPrefix, actor: f.actor, type: f.type, from: iso(f.from), to: iso(f.to), beforeSeq, limit: LIMIT });
        setRows((r) => (beforeSeq ? [...r, ...res.events] : res.events));
        setMore(res.events.length === LIMIT);
        setError(null);
      } catch (e) {
        setError(errorText(e));
      }
    },
    [applied],
  );

  useEffect(() => {
    void load();
  }, [load]);

  function apply(ev: FormEvent) {
    ev.preventDefault();
    setApplied({ ...filters });
  }

  async function runVerify() {
    setVerify(null);
    try {
      setVerify(await get('/api/audit/verify'));
    } catch (e) {
      setError(errorText(e));
    }
  }

  const field = (k: keyof Filters, label: string, type = 'text', placeholder = '') => (
    <label>
      {label}
      <input name={k} type={type} value={filters[k]} placeholder={placeholder} onChange={(e) => setFilters({ ...filters, [k]: e.target.value })} />
    </label>
  );

  return (
    <>
      <PageHead title="Audit log" sub="Every change to znodes, registry overrides, configs, switches and permissions; hash-chained.">
        <button onClick={runVerify}>Verify chain</button>
        <button onClick={() => void load()}>Refresh</button>
      </PageHead>
      {verify && (
        <div className={`alert ${verify.ok ? 'ok' : 'error'}`} data-testid="verify-result">
          {verify.ok ? `Chain intact: ${verify.checked} events checked.` : `Chain broken at seq ${verify.brokenAt?.seq} (${verify.brokenAt?.reason}) after ${verify.checked} events.`}
        </div>
      )}
      <form className="panel row" style={{ alignItems: 'flex-end' }} onSubmit={apply} aria-label="audit filters">
        {field('type', 'Type', 'text', 'switch.set')}
        {field('actor', 'Actor')}
        {field('path', 'Exact path')}
        {field('pathPrefix', 'Path prefix', 'text', '/paddock/switches')}
        {field('from', 'From', 'datetime-local')}
        {field('to', 'To', 'datetime-local')}
        <button className="primary" type="submit">Filter</button>
        <button type="button" onClick={() => { setFilters(NONE); setApplied(NONE); }}>Reset</button>
      </form>
      <ErrorBox error={error} />
      <div className="panel">
        <table data-testid="audit-table">
          <thead>
            <tr>
              <th className="num">Seq</th>
              <th>Time</th>
              <th>Actor</th>
              <th>Source</th>
              <th>Type</th>
              <th>Path</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">No events match.</td>
              </tr>
            )}
            {rows.map((r) => (
              <Fragment key={r.seq}>
                <tr onClick={() => setOpen(open === r.seq ? null : r.seq)} style={{ cursor: 'pointer' }} data-type={r.type}>
                  <td className="num">{r.seq}</td>
                  <td className="small"><Time iso={r.time} /></td>
                  <td>{r.actor}</td>
                  <td className="small">{r.source}</td>
                  <td><span className="badge">{r.type}</span></td>
                  <td className="mono small">{r.path}</td>
                  <td className="small">{r.reason ?? <span className="muted">—</span>}</td>
                </tr>
                {open === r.seq && (
                  <tr>
                    <td />
                    <td colSpan={6}>
                      <div className="grid2" style={{ gridTemplateColumns: '1fr 1fr' }}>
                        <div><div className="small muted">before</div><pre className="dataview">{json(r.before) || 'null'}</pre></div>
                        <div><div className="small muted">after</div><pre className="dataview">{json(r.after) || 'null'}</pre></div>
                      </div>
                      <div className="small muted mono" style={{ marginTop: 6 }}>hash {r.hash}</div>
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
        {more && (
          <div className="row" style={{ marginTop: 8 }}>
            <button onClick={() => void load(rows[rows.length - 1]?.seq)}>Older events</button>
          </div>
        )}
      </div>
    </>
  );
}

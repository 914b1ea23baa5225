'use client';
/**
 * Data-sync: tasks published under /data-sync-system, dispatched by the elected master to live collectors and
 * stores. Each task shows its state, progress and attempt history; operators publish, cancel, retry and delete
 * tasks, each with a reason (the API refuses a change without one). Live over the `data-sync` socket topic.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, errorText, get, qs } from '@/lib/api';
import { useLive } from '@/lib/realtime';
import { ReadOnlyNote, useCan } from '@/lib/session';
import type { DataSyncSnapshotView, MasterView, SyncTaskDetail, SyncTaskStatus } from '@/lib/types';
import { useOperatorAction, type RunAction } from '@/lib/use-operator-action';
import { EmptyRow, ErrorBox, NoticeBox, PageHead, Stat, Time, json } from '@/components/ui';
import { RequiredReasonField, useRequiredReason } from '@/components/required-reason';

const enc = encodeURIComponent;
const DS = '/api/data-sync';
const FINISHED: SyncTaskStatus[] = ['succeeded', 'failed', 'cancelled'];
const STATUS_BADGE: Record<SyncTaskStatus, string> = {
  pending: 'off',
  assigned: 'off',
  running: 'live',
  errored: 'fail',
  'retry-wait': 'fail',
  succeeded: 'ok',
  failed: 'force',
  cancelled: 'off',
};

export default function DataSyncPage() {
  const canWrite = useCan('operator', 'data-sync');
  const [snap, setSnap] = useState<DataSyncSnapshotView | null>(null);
  const [master, setMaster] = useState<MasterView | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [filter, setFilter] = useState<SyncTaskStatus | ''>('');
  // `run` reloads through `load`, which reports into the same error box
  const { error, setError, notice, run } = useOperatorAction(() => load());

  const load = useCallback(async () => {
    try {
      const [t, w, m] = await Promise.all([get<{ tasks: SyncTaskDetail[] }>(`${DS}/tasks`), get<{ workers: DataSyncSnapshotView['workers'] }>(`${DS}/workers`), get<MasterView>(`${DS}/master`)]);
      setSnap({ tasks: t.tasks, workers: w.workers });
      setMaster(m);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  useLive({ topic: 'data-sync' }, (m) => {
    const data = m.data as DataSyncSnapshotView | null;
    if (data && Array.isArray(data.tasks)) setSnap(data);
    if (m.kind === 'event') get<MasterView>(`${DS}/master`).then(setMaster, () => undefined);
  });

  const tasks = snap?.tasks ?? [];
  const shown = filter ? tasks.filter((t) => t.state.status === filter) : tasks;
  const workers = snap?.workers ?? [];
  const current = tasks.find((t) => t.id === selected) ?? null;
  const counts = tasks.reduce<Record<string, number>>((acc, t) => ((acc[t.state.status] = (acc[t.state.status] ?? 0) + 1), acc), {});

  return (
    <>
      <PageHead title="Data-sync" sub={<>{tasks.length} task(s) · {workers.length} live worker(s) · changes are pushed live</>}>
        <select aria-label="status filter" value={filter} onChange={(e) => setFilter(e.target.value as SyncTaskStatus | '')}>
          <option value="">all states</option>
          {(Object.keys(STATUS_BADGE) as SyncTaskStatus[]).map((s) => (
            <option key={s} value={s}>
              {s} ({counts[s] ?? 0})
            </option>
          ))}
        </select>
        <button onClick={() => void load()}>Refresh</button>
      </PageHead>
      <ErrorBox error={error} />
      <NoticeBox notice={notice} />

      <div className="panel" data-testid="ds-master">
        <div className="row" style={{ gap: 24 }}>
          <Stat label="Master">
            <b className="mono">{master?.masterId ?? 'none elected'}</b>
          </Stat>
          <Stat label="Epoch">
            <b data-testid="ds-epoch">{master?.epoch ?? '—'}</b>
          </Stat>
          <Stat label="Since">
            <Time iso={master?.since ?? null} />
          </Stat>
          <Stat label="Participants">
            <span className="mono small">{master?.participants.map((p) => p.id + (p.isLeader ? ' ★' : '')).join(', ') || '—'}</span>
          </Stat>
        </div>
      </div>

      <div className="grid2" style={{ gridTemplateColumns: '1fr minmax(320px, 420px)' }}>
        <div className="panel">
          <h2>Tasks</h2>
          <table data-testid="ds-tasks">
            <thead>
              <tr>
                <th>Task</th>
                <th>Kind</th>
                <th>State</th>
                <th>Worker</th>
                <th className="num">Attempt</th>
                <th>Progress</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {shown.length === 0 && <EmptyRow colSpan={7}>No tasks{filter ? ` in state ${filter}` : ''}.</EmptyRow>}
              {shown.map((t) => (
                <tr key={t.id} data-task={t.id} onClick={() => setSelected(t.id)} style={{ cursor: 'pointer', ...(t.id === selected ? { background: 'var(--accent-weak)' } : {}) }}>
                  <td className="mono">
                    <button className="link" onClick={() => setSelected(t.id)}>{t.id}</button>
                    <div className="small muted">{[t.spec.source, t.spec.target].filter(Boolean).join(' → ')}</div>
                  </td>
                  <td className="small">{t.spec.kind}</td>
                  <td>
                    <span className={`badge ${STATUS_BADGE[t.state.status]}`} data-testid="task-status">{t.state.status}</span>
                    {t.state.lastError && t.state.status !== 'succeeded' && <div className="small" style={{ color: 'var(--danger)' }}>{t.state.lastError}</div>}
                  </td>
                  <td className="mono small">{t.state.worker ?? <span className="muted">—</span>}</td>
                  <td className="num">{t.state.attempt}{t.state.failures ? <span className="small muted"> ({t.state.failures} failed)</span> : null}</td>
                  <td data-testid="task-progress"><Progress task={t} /></td>
                  <td className="small"><Time iso={t.state.updatedAt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div>
          {current && <TaskDetail key={current.id} task={current} canWrite={canWrite} run={run} onDeleted={() => setSelected(null)} />}
          {canWrite ? <PublishTask run={run} /> : <ReadOnlyNote what="data-sync tasks" />}
        </div>
      </div>

      <div className="panel">
        <h2>Live workers</h2>
        <table data-testid="ds-workers">
          <thead>
            <tr>
              <th>Worker</th>
              <th>Kind</th>
              <th className="num">Capacity</th>
              <th>Running</th>
              <th>Started</th>
            </tr>
          </thead>
          <tbody>
            {workers.length === 0 && <EmptyRow colSpan={5}>No live workers: published tasks wait.</EmptyRow>}
            {workers.map((w) => (
              <tr key={`${w.kind}/${w.id}`} data-worker={w.id}>
                <td className="mono">{w.id}</td>
                <td>{w.kind}</td>
                <td className="num">{w.capacity}</td>
                <td className="mono small">{w.running.join(', ') || <span className="muted">idle</span>}</td>
                <td className="small"><Time iso={w.startedAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Progress({ task }: { task: SyncTaskDetail }) {
  const p = task.progress;
  if (!p || p.attempt !== task.state.attempt) return <span className="muted small">—</span>;
  const pct = p.percent ?? (task.state.status === 'succeeded' ? 100 : undefined);
  return (
    <div className="small" title={`attempt ${p.attempt} on ${p.worker}, updated ${p.updatedAt}`}>
      {pct !== undefined && (
        <div style={{ background: '#eef0f3', borderRadius: 4, height: 6, width: 120, overflow: 'hidden' }}>
          <div style={{ background: 'var(--accent)', height: 6, width: `${Math.max(0, Math.min(100, pct))}%` }} />
        </div>
      )}
      {pct !== undefined ? `${pct}%` : ''}
      {p.records !== undefined ? ` · ${p.records} records` : ''}
    </div>
  );
}

function TaskDetail({ task, canWrite, run, onDeleted }: { task: SyncTaskDetail; canWrite: boolean; run: RunAction; onDeleted: () => void }) {
  const { withReason, ...reasonField } = useRequiredReason(run);
  const id = enc(task.id);
  const finished = FINISHED.includes(task.state.status);

  return (
    <div className="panel" data-testid="task-detail">
      <h2>
        Task <span className="mono">{task.id}</span> <span className={`badge ${STATUS_BADGE[task.state.status]}`}>{task.state.status}</span>
      </h2>
      <dl className="kv">
        <dt>Kind / weight</dt>
        <dd>{task.spec.kind} / {task.spec.weight}</dd>
        <dt>Source → target</dt>
        <dd>{task.spec.source ?? '—'} → {task.spec.target ?? '—'}</dd>
        <dt>Retry</dt>
        <dd>max {task.spec.retry.maxAttempts} attempts, {task.spec.retry.baseDelayMs} ms × {task.spec.retry.factor}</dd>
        <dt>Created</dt>
        <dd>{task.spec.createdBy}, {new Date(task.spec.createdAt).toLocaleString()}</dd>
        <dt>Master epoch</dt>
        <dd>{task.state.epoch}</dd>
        {task.state.nextAttemptAt && (
          <>
            <dt>Next attempt</dt>
            <dd>{new Date(task.state.nextAttemptAt).toLocaleTimeString()}</dd>
          </>
        )}
        {task.progress?.checkpoint !== undefined && (
          <>
            <dt>Checkpoint</dt>
            <dd>{JSON.stringify(task.progress.checkpoint)}</dd>
          </>
        )}
      </dl>
      {task.spec.payload !== undefined && <pre className="dataview" style={{ marginTop: 8 }}>{json(task.spec.payload)}</pre>}
      <h2 style={{ marginTop: 12 }}>History</h2>
      <table data-testid="task-history">
        <tbody>
          {task.history.length === 0 && (
            <tr>
              <td className="muted small">No finished attempts yet.</td>
            </tr>
          )}
          {task.history.map((h, i) => (
            <tr key={i}>
              <td className="num small">#{h.attempt}</td>
              <td className="mono small">{h.worker}</td>
              <td><span className={`badge ${h.outcome === 'succeeded' ? 'ok' : h.outcome === 'errored' ? 'fail' : 'off'}`}>{h.outcome}</span></td>
              <td className="small">{h.error ?? ''}</td>
              <td className="small"><Time iso={h.at} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {canWrite && (
        <div style={{ marginTop: 10, display: 'flex', flexDirection: 'column', gap: 8 }}>
          <RequiredReasonField name="task-reason" placeholder="DS-17: source database in maintenance" area="data-sync" {...reasonField} />
          <div className="row">
            <button disabled={finished} onClick={() => withReason(`Cancelled ${task.id}`, (r) => api('POST', `${DS}/tasks/${id}/cancel`, { reason: r }))}>Cancel task</button>
            <button disabled={!(task.state.status === 'failed' || task.state.status === 'cancelled')} onClick={() => withReason(`Retrying ${task.id}`, (r) => api('POST', `${DS}/tasks/${id}/retry`, { reason: r }))}>
              Retry
            </button>
            <button
              className="danger"
              disabled={!finished}
              title={finished ? '' : 'only finished tasks can be deleted: cancel it first'}
              onClick={() =>
                withReason(`Deleted ${task.id}`, async (r) => {
                  await api('DELETE', `${DS}/tasks/${id}${qs({ reason: r })}`);
                  onDeleted();
                })
              }
            >
              Delete
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

function PublishTask({ run }: { run: RunAction }) {
  const [form, setForm] = useState({ id: '', kind: 'collector', source: '', target: '', payload: '', weight: '1', maxAttempts: '3', reason: '' });
  const [invalid, setInvalid] = useState<string | null>(null);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  function submit(ev: FormEvent) {
    ev.preventDefault();
    let payload: unknown;
    if (form.payload.trim()) {
      try {
        payload = JSON.parse(form.payload);
      } catch (e) {
        return setInvalid(`Payload is not JSON: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    setInvalid(null);
    const body = {
      id: form.id.trim(),
      kind: form.kind,
      ...(form.source.trim() ? { source: form.source.trim() } : {}),
      ...(form.target.trim() ? { target: form.target.trim() } : {}),
      ...(payload !== undefined ? { payload } : {}),
      weight: Number(form.weight),
      retry: { maxAttempts: Number(form.maxAttempts) },
      reason: form.reason.trim(),
    };
    void run(`Published task ${body.id}`, () => api('POST', `${DS}/tasks`, body)).then((ok) => ok && setForm((f) => ({ ...f, id: '', payload: '', reason: '' })));
  }

  return (
    <form className="panel" onSubmit={submit} aria-label="publish task">
      <h2>Publish a task</h2>
      <div className="row">
        <label style={{ flex: 2 }}>
          Id
          <input name="task-id" value={form.id} onChange={set('id')} required placeholder="orders-to-es" />
        </label>
        <label style={{ flex: 1 }}>
          Kind
          <select name="task-kind" value={form.kind} onChange={set('kind')}>
            <option value="collector">collector</option>
            <option value="store">store</option>
          </select>
        </label>
      </div>
      <div className="row" style={{ marginTop: 8 }}>
        <label style={{ flex: 1 }}>
          Source
          <input name="task-source" value={form.source} onChange={set('source')} placeholder="mysql://orders" />
        </label>
        <label style={{ flex: 1 }}>
          Target
          <input name="task-target" value={form.target} onChange={set('target')} placeholder="es://orders" />
        </label>
      </div>
      <label style={{ marginTop: 8 }}>
        Payload (JSON, optional)
        <textarea name="task-payload" value={form.payload} onChange={set('payload')} style={{ minHeight: 60 }} />
      </label>
      <div className="row" style={{ marginTop: 8 }}>
        <label style={{ width: 90 }}>
          Weight
          <input name="task-weight" type="number" min="1" value={form.weight} onChange={set('weight')} />
        </label>
        <label style={{ width: 110 }}>
          Max attempts
          <input name="task-max-attempts" type="number" min="1" max="100" value={form.maxAttempts} onChange={set('maxAttempts')} />
        </label>
      </div>
      <label style={{ marginTop: 8 }}>
        Reason (required)
        <input name="publish-reason" value={form.reason} onChange={set('reason')} required />
      </label>
      {invalid && <div className="alert error" role="alert">{invalid}</div>}
      <div className="row" style={{ marginTop: 10 }}>
        <button className="primary" type="submit">Publish task</button>
      </div>
    </form>
  );
}

'use client';
/**
 * Log-center: Kafka topics and where they run. Per topic the desired placement (decided by the elected master)
 * next to the actual one (what live slaves report), slave groups, live slaves (ephemeral) and the master's
 * epoch / generation. Operators create topics, change partitions, pin / unpin a topic to a group and delete
 * topics, each with a reason (the API refuses a change without one). Live over the `log-center` socket topic.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, errorText, get, qs } from '@/lib/api';
import { useLive } from '@/lib/realtime';
import { ReadOnlyNote, useCan } from '@/lib/session';
import type { LogCenterSnapshotView, LogCenterStatusView, MasterView, PinRecord, SlaveGroupView, TopicStatus } from '@/lib/types';
import { useOperatorAction, type RunAction } from '@/lib/use-operator-action';
import { EmptyRow, ErrorBox, NoticeBox, PageHead, Stat, Time } from '@/components/ui';
import { RequiredReasonField, useRequiredReason } from '@/components/required-reason';

const enc = encodeURIComponent;
const LC = '/api/log-center';

function placement(p: { group: string | null; slave: string | null } | null): string {
  if (!p || (!p.group && !p.slave)) return 'unassigned';
  return `${p.group ?? '?'}/${p.slave ?? '—'}`;
}

export default function LogCenterPage() {
  const canWrite = useCan('operator', 'log-center');
  const [snap, setSnap] = useState<LogCenterSnapshotView | null>(null);
  const [groups, setGroups] = useState<SlaveGroupView[]>([]);
  const [pins, setPins] = useState<PinRecord[]>([]);
  const [master, setMaster] = useState<MasterView | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  // `run` reloads through `load`, which reports into the same error box
  const { error, setError, notice, run } = useOperatorAction(() => load());

  const loadSide = useCallback(async () => {
    const [g, p, m] = await Promise.all([get<{ groups: SlaveGroupView[] }>(`${LC}/groups`), get<{ pins: PinRecord[] }>(`${LC}/pins`), get<MasterView>(`${LC}/master`)]);
    setGroups(g.groups);
    setPins(p.pins);
    setMaster(m);
  }, []);

  const load = useCallback(async () => {
    try {
      const [status, slaves] = await Promise.all([get<LogCenterStatusView>(`${LC}/status`), get<{ slaves: LogCenterSnapshotView['slaves'] }>(`${LC}/slaves`)]);
      setSnap({ ...status, slaves: slaves.slaves });
      await loadSide();
    } catch (e) {
      setError(errorText(e));
    }
  }, [loadSide]);

  useEffect(() => {
    void load();
  }, [load]);

  // the socket pushes status + slaves; groups, pins and the master are re-read alongside
  useLive({ topic: 'log-center' }, (m) => {
    const data = m.data as LogCenterSnapshotView | null;
    if (data && Array.isArray(data.topics)) setSnap(data);
    loadSide().catch((e: unknown) => setError(errorText(e)));
  });

  const topics = snap?.topics ?? [];
  const slaves = snap?.slaves ?? [];
  const current = topics.find((t) => t.topic === selected) ?? null;
  const leader = master?.participants.find((p) => p.isLeader);

  return (
    <>
      <PageHead title="Log-center" sub={<>Topic → slave-group assignment · {topics.length} topic(s) · {slaves.length} live slave(s) · changes are pushed live</>}>
        <button onClick={() => void load()}>Refresh</button>
      </PageHead>
      <ErrorBox error={error} />
      <NoticeBox notice={notice} />

      <div className="panel" data-testid="lc-master">
        <div className="row" style={{ gap: 24 }}>
          <Stat label="Master">
            <b className="mono">{master?.masterId ?? snap?.masterId ?? 'none elected'}</b>
            {leader && <span className="small muted"> (leader latch: {master?.participants.length} participant(s))</span>}
          </Stat>
          <Stat label="Epoch">
            <b data-testid="lc-epoch">{master?.epoch ?? snap?.epoch ?? '—'}</b>
          </Stat>
          <Stat label="Generation">
            <b data-testid="lc-generation">{snap?.generation ?? '—'}</b>
          </Stat>
          <Stat label="Master since">
            <Time iso={master?.since ?? null} />
          </Stat>
          <Stat label="Assignment">
            {snap && (snap.inSync ? <span className="badge ok" data-testid="lc-sync">in sync</span> : <span className="badge fail" data-testid="lc-sync">pending</span>)}
          </Stat>
        </div>
      </div>

      <div className="grid2" style={{ gridTemplateColumns: '1fr minmax(300px, 380px)' }}>
        <div className="panel">
          <h2>Topics: desired vs actual</h2>
          <table data-testid="lc-topics">
            <thead>
              <tr>
                <th>Topic</th>
                <th className="num">Partitions</th>
                <th>Pin</th>
                <th>Desired</th>
                <th>Actual</th>
                <th>State</th>
                <th>Rate / lag</th>
              </tr>
            </thead>
            <tbody>
              {topics.length === 0 && <EmptyRow colSpan={7}>No topics yet.</EmptyRow>}
              {topics.map((t) => (
                <tr key={t.topic} data-topic={t.topic} onClick={() => setSelected(t.topic)} style={{ cursor: 'pointer', ...(t.topic === selected ? { background: 'var(--accent-weak)' } : {}) }}>
                  <td className="mono">
                    <button className="link" onClick={() => setSelected(t.topic)}>{t.topic}</button>
                  </td>
                  <td className="num" data-testid="topic-partitions">{t.partitions}</td>
                  <td data-testid="topic-pin">{t.pin ? <span className="badge">{t.pin}</span> : <span className="muted">—</span>}</td>
                  <td className="mono small" data-testid="topic-desired">{placement(t.desired)}</td>
                  <td className="mono small" data-testid="topic-actual">{t.actual.length === 0 ? <span className="muted">not running</span> : t.actual.map((a) => `${a.group}/${a.id}`).join(', ')}</td>
                  <td>{t.inSync ? <span className="badge ok">in sync</span> : <span className="badge fail">{t.desired?.slave ? 'moving' : 'unassigned'}</span>}</td>
                  <td className="small">{reportText(t)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>

        <div>
          {current && <TopicActions key={current.topic} topic={current} groups={groups} canWrite={canWrite} run={run} onDeleted={() => setSelected(null)} />}
          {canWrite ? <CreateTopic run={run} /> : <ReadOnlyNote what="the log-center" />}
        </div>
      </div>

      <div className="grid2" style={{ gridTemplateColumns: 'minmax(300px, 1fr) 2fr' }}>
        <div className="panel">
          <h2>Slave groups</h2>
          <table data-testid="lc-groups">
            <thead>
              <tr>
                <th>Group</th>
                <th className="num">Slaves</th>
                <th className="num">Capacity</th>
                <th>Pinned topics</th>
              </tr>
            </thead>
            <tbody>
              {groups.length === 0 && <EmptyRow colSpan={4}>No groups.</EmptyRow>}
              {groups.map((g) => (
                <tr key={g.name} data-group={g.name}>
                  <td>
                    <b className="mono">{g.name}</b>
                    {g.record?.description && <div className="small muted">{g.record.description}</div>}
                  </td>
                  <td className="num">{g.slaves}</td>
                  <td className="num">{g.capacity}</td>
                  <td className="small mono">{pins.filter((p) => p.group === g.name).map((p) => p.topic).join(', ') || <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {canWrite && <CreateGroup run={run} />}
        </div>
        <div className="panel">
          <h2>Live slaves</h2>
          <table data-testid="lc-slaves">
            <thead>
              <tr>
                <th>Slave</th>
                <th className="num">Capacity</th>
                <th>Host</th>
                <th>Epoch / gen</th>
                <th>Running</th>
                <th>Reported</th>
              </tr>
            </thead>
            <tbody>
              {slaves.length === 0 && <EmptyRow colSpan={6}>No live slaves.</EmptyRow>}
              {slaves.map((s) => (
                <tr key={`${s.group}/${s.id}`} data-slave={`${s.group}/${s.id}`}>
                  <td className="mono">{s.group}/{s.id}</td>
                  <td className="num">{s.capacity}</td>
                  <td className="small">{s.host ?? <span className="muted">—</span>}</td>
                  <td className="small">{s.epoch} / {s.generation}</td>
                  <td className="small mono" data-testid="slave-topics">{s.topics.join(', ') || <span className="muted">idle</span>}</td>
                  <td className="small"><Time iso={s.reportedAt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}

function reportText(t: TopicStatus): string {
  const r = t.report;
  if (!r) return '—';
  const parts = [];
  if (r.rate !== undefined) parts.push(`${r.rate}/s`);
  if (r.lag !== undefined) parts.push(`lag ${r.lag}`);
  return parts.join(' · ') || '—';
}

function TopicActions({ topic, groups, canWrite, run, onDeleted }: { topic: TopicStatus; groups: SlaveGroupView[]; canWrite: boolean; run: RunAction; onDeleted: () => void }) {
  const { withReason, ...reasonField } = useRequiredReason(run);
  const [partitions, setPartitions] = useState(String(topic.partitions));
  const [group, setGroup] = useState(topic.pin ?? groups[0]?.name ?? '');
  const t = enc(topic.topic);

  return (
    <div className="panel" data-testid="topic-actions">
      <h2>
        Topic <span className="mono">{topic.topic}</span>
      </h2>
      <dl className="kv">
        <dt>Desired</dt>
        <dd>{placement(topic.desired)}{topic.desired?.since ? ` since ${new Date(topic.desired.since).toLocaleTimeString()}` : ''}</dd>
        <dt>Actual</dt>
        <dd>{topic.actual.map((a) => `${a.group}/${a.id}`).join(', ') || 'not running'}</dd>
        <dt>Pinned to</dt>
        <dd>{topic.pin ?? '—'}</dd>
      </dl>
      {canWrite && (
        <div style={{ marginTop: 10, display: 'flex', flexDirection: 'column', gap: 8 }}>
          <RequiredReasonField name="reason" placeholder="CHG-42: move clicks to the SSD group" area="log-center" {...reasonField} />
          <div className="row">
            <label style={{ width: 110 }}>
              Partitions
              <input name="partitions" type="number" min="1" value={partitions} onChange={(e) => setPartitions(e.target.value)} />
            </label>
            <button style={{ alignSelf: 'flex-end' }} onClick={() => withReason(`Topic ${topic.topic}: ${partitions} partition(s)`, (r) => api('PUT', `${LC}/topics/${t}`, { partitions: Number(partitions), reason: r }))}>
              Save partitions
            </button>
          </div>
          <div className="row">
            <label style={{ flex: 1 }}>
              Pin to group
              <select name="pin-group" value={group} onChange={(e) => setGroup(e.target.value)}>
                {groups.length === 0 && <option value="">(no groups)</option>}
                {groups.map((g) => (
                  <option key={g.name} value={g.name}>
                    {g.name} ({g.slaves} slave(s))
                  </option>
                ))}
              </select>
            </label>
            <button style={{ alignSelf: 'flex-end' }} disabled={!group} onClick={() => withReason(`Pinned ${topic.topic} to ${group}`, (r) => api('PUT', `${LC}/pins/${t}`, { group, reason: r }))}>
              Pin
            </button>
            <button style={{ alignSelf: 'flex-end' }} disabled={!topic.pin} onClick={() => withReason(`Unpinned ${topic.topic}`, (r) => api('DELETE', `${LC}/pins/${t}${qs({ reason: r })}`))}>
              Unpin
            </button>
          </div>
          <div className="row">
            <button
              className="danger"
              onClick={() =>
                withReason(`Deleted topic ${topic.topic}`, async (r) => {
                  await api('DELETE', `${LC}/topics/${t}${qs({ reason: r })}`);
                  onDeleted();
                })
              }
            >
              Delete topic
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

function CreateTopic({ run }: { run: RunAction }) {
  const [name, setName] = useState('');
  const [partitions, setPartitions] = useState('1');
  const [reason, setReason] = useState('');
  function submit(ev: FormEvent) {
    ev.preventDefault();
    // expectedVersion -1: refuse to overwrite an existing topic of the same name
    void run(`Created topic ${name.trim()}`, () => api('PUT', `${LC}/topics/${enc(name.trim())}`, { partitions: Number(partitions), expectedVersion: -1, reason: reason.trim() }));
  }
  return (
    <form className="panel" onSubmit={submit} aria-label="create topic">
      <h2>New topic</h2>
      <div className="row">
        <label style={{ flex: 1 }}>
          Name
          <input name="topic-name" value={name} onChange={(e) => setName(e.target.value)} required placeholder="orders" />
        </label>
        <label style={{ width: 100 }}>
          Partitions
          <input name="topic-partitions" type="number" min="1" value={partitions} onChange={(e) => setPartitions(e.target.value)} required />
        </label>
      </div>
      <label style={{ marginTop: 8 }}>
        Reason (required)
        <input name="topic-reason" value={reason} onChange={(e) => setReason(e.target.value)} required />
      </label>
      <div className="row" style={{ marginTop: 10 }}>
        <button className="primary" type="submit">Create topic</button>
      </div>
    </form>
  );
}

function CreateGroup({ run }: { run: RunAction }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [reason, setReason] = useState('');
  function submit(ev: FormEvent) {
    ev.preventDefault();
    void run(`Saved group ${name.trim()}`, () => api('PUT', `${LC}/groups/${enc(name.trim())}`, { ...(description.trim() ? { description: description.trim() } : {}), reason: reason.trim() }));
  }
  return (
    <form onSubmit={submit} aria-label="create group" style={{ marginTop: 12 }}>
      <div className="row">
        <label style={{ flex: 1 }}>
          Group
          <input name="group-name" value={name} onChange={(e) => setName(e.target.value)} required placeholder="ingest-ssd" />
        </label>
        <label style={{ flex: 2 }}>
          Description
          <input name="group-description" value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
      </div>
      <div className="row" style={{ marginTop: 8 }}>
        <label style={{ flex: 1 }}>
          Reason (required)
          <input name="group-reason" value={reason} onChange={(e) => setReason(e.target.value)} required />
        </label>
        <button type="submit" style={{ alignSelf: 'flex-end' }}>Save group</button>
      </div>
    </form>
  );
}

'use client';
/**
 * Znode browser: a lazily loaded tree (children paged by the API), the selected node's stat and data as
 * text / JSON / hex, and create / set / delete with a version check. An edit keeps the version it started from,
 * so a concurrent change ends in the ZooKeeper error (BAD_VERSION) instead of silently overwriting.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, errorText, get } from '@/lib/api';
import { useLive } from '@/lib/realtime';
import { ReadOnlyNote, useCan } from '@/lib/session';
import type { ChildrenPage, StatView, ZnodeData } from '@/lib/types';
import { ErrorBox, PageHead } from '@/components/ui';

const PAGE = 50;
type Format = 'text' | 'json' | 'hex';

interface Branch {
  names: string[];
  total: number;
  error?: string;
}

const join = (parent: string, name: string) => (parent === '/' ? `/${name}` : `${parent}/${name}`);
const parentOf = (p: string) => (p.lastIndexOf('/') <= 0 ? '/' : p.slice(0, p.lastIndexOf('/')));

function show(data: unknown, format: Format): string {
  if (data === null || data === undefined) return '';
  if (format === 'json') return JSON.stringify(data, null, 2);
  return String(data);
}

export default function ZnodesPage() {
  const [branches, setBranches] = useState<Record<string, Branch>>({});
  const [expanded, setExpanded] = useState<Record<string, boolean>>({ '/': true });
  const [selected, setSelected] = useState('/');
  const [treeError, setTreeError] = useState<string | null>(null);

  const loadChildren = useCallback(async (path: string, offset = 0) => {
    try {
      const page = await get<ChildrenPage>('/api/znodes/children', { path, offset, limit: PAGE });
      setBranches((b) => ({ ...b, [path]: { names: [...(offset > 0 ? (b[path]?.names ?? []) : []), ...page.children.map((c) => c.name)], total: page.total } }));
    } catch (e) {
      setBranches((b) => ({ ...b, [path]: { names: [], total: 0, error: errorText(e) } }));
    }
  }, []);

  useEffect(() => {
    loadChildren('/').catch((e) => setTreeError(errorText(e)));
  }, [loadChildren]);

  function toggle(path: string) {
    const open = !expanded[path];
    setExpanded((x) => ({ ...x, [path]: open }));
    if (open && !branches[path]) void loadChildren(path);
  }

  function refreshAround(path: string) {
    void loadChildren(path);
    if (path !== '/') void loadChildren(parentOf(path));
  }

  function renderNode(path: string, name: string) {
    const open = !!expanded[path];
    const b = branches[path];
    return (
      <li key={path}>
        <span className="twisty" onClick={() => toggle(path)} role="button" aria-label={open ? 'collapse' : 'expand'}>
          {open ? '▾' : '▸'}
        </span>
        <span className={`node ${selected === path ? 'selected' : ''}`} data-path={path} onClick={() => setSelected(path)}>
          {name}
        </span>
        {open && b && (
          <ul>
            {b.error && <li className="alert error small">{b.error}</li>}
            {b.names.map((n) => renderNode(join(path, n), n))}
            {b.names.length < b.total && (
              <li>
                <button className="link small" onClick={() => void loadChildren(path, b.names.length)}>
                  load more ({b.total - b.names.length} left)
                </button>
              </li>
            )}
          </ul>
        )}
      </li>
    );
  }

  return (
    <>
      <PageHead title="Znode browser" sub="Browse and edit the store directly. Writes check the znode version.">
        <button onClick={() => refreshAround(selected)}>Refresh</button>
      </PageHead>
      <ErrorBox error={treeError} />
      <div className="grid2">
        <div className="panel tree" data-testid="znode-tree">
          <ul>{renderNode('/', '/')}</ul>
        </div>
        <NodeDetail key={selected} path={selected} onChanged={refreshAround} onDeleted={(p) => { setSelected(parentOf(p)); refreshAround(parentOf(p)); }} onCreated={(parent) => { setExpanded((x) => ({ ...x, [parent]: true })); void loadChildren(parent); }} />
      </div>
    </>
  );
}

function NodeDetail({ path, onChanged, onDeleted, onCreated }: { path: string; onChanged: (p: string) => void; onDeleted: (p: string) => void; onCreated: (parent: string) => void }) {
  const canWrite = useCan('operator', 'znodes');
  const [format, setFormat] = useState<Format>('text');
  const [node, setNode] = useState<ZnodeData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ text: string; version: number } | null>(null);
  const [child, setChild] = useState({ name: '', data: '', mode: 'persistent' });
  const [remoteVersion, setRemoteVersion] = useState<number | null>(null);
  const [acl, setAcl] = useState<{ perms: number; id: { scheme: string; id: string } }[] | null>(null);

  const load = useCallback(async () => {
    try {
      const d = await get<ZnodeData>('/api/znodes/data', { path, format });
      setNode(d);
      setRemoteVersion(d.stat.version);
      setError(null);
      get<{ acl: { perms: number; id: { scheme: string; id: string } }[] }>('/api/znodes/acl', { path }).then((a) => setAcl(a.acl), () => setAcl(null));
    } catch (e) {
      // JSON view of non-JSON data: fall back to text
      if (format === 'json') {
        setError(`Not JSON: ${errorText(e)}`);
        setFormat('text');
      } else setError(errorText(e));
    }
  }, [path, format]);

  useEffect(() => {
    void load();
  }, [load]);

  useLive({ topic: 'znode', path }, (m) => {
    if (m.kind !== 'event') return;
    onChanged(path);
    if (editing) {
      get<{ stat: StatView }>('/api/znodes/stat', { path }).then((s) => setRemoteVersion(s.stat.version), () => {});
    } else void load();
  });

  async function save() {
    if (!editing) return;
    setError(null);
    setNotice(null);
    try {
      const res = await api<{ stat: StatView }>('PUT', '/api/znodes/data', { path, data: editing.text, encoding: format, version: editing.version });
      setEditing(null);
      setNotice(`Saved: version ${res.stat.version}`);
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  }

  async function remove() {
    if (!node) return;
    if (!window.confirm(`Delete ${path} (version ${node.stat.version})?`)) return;
    try {
      await api('DELETE', `/api/znodes?path=${encodeURIComponent(path)}&version=${node.stat.version}`);
      onDeleted(path);
    } catch (e) {
      setError(errorText(e));
    }
  }

  async function create(ev: FormEvent) {
    ev.preventDefault();
    setError(null);
    setNotice(null);
    try {
      const res = await api<{ path: string }>('POST', '/api/znodes', { path: join(path, child.name.trim()), data: child.data === '' ? null : child.data, mode: child.mode });
      setNotice(`Created ${res.path}`);
      setChild({ name: '', data: '', mode: 'persistent' });
      onCreated(path);
    } catch (e) {
      setError(errorText(e));
    }
  }

  const s = node?.stat;
  return (
    <div>
      <div className="panel">
        <div className="row" style={{ marginBottom: 8 }}>
          <h2 style={{ margin: 0 }} className="mono" data-testid="selected-path">{path}</h2>
          <span className="spacer" />
          {s && <span className="badge">version {s.version}</span>}
          {s && s.ephemeralOwner !== '0x0' && <span className="badge fail">ephemeral</span>}
        </div>
        <ErrorBox error={error} />
        {notice && <div className="alert ok">{notice}</div>}
        {editing && remoteVersion !== null && remoteVersion !== editing.version && (
          <div className="alert warn">The node changed while you were editing (version {editing.version} → {remoteVersion}). Saving will be refused.</div>
        )}
        <div className="tabs">
          {(['text', 'json', 'hex'] as const).map((f) => (
            <button key={f} className={format === f ? 'on' : ''} onClick={() => { setEditing(null); setFormat(f); }} disabled={!!editing}>
              {f.toUpperCase()}
            </button>
          ))}
          <span className="spacer" />
          {canWrite && !editing && node && <button onClick={() => setEditing({ text: show(node.data, format), version: node.stat.version })}>Edit</button>}
          {editing && (
            <>
              <button className="primary" onClick={save}>Save (expects version {editing.version})</button>
              <button onClick={() => { setEditing(null); setError(null); void load(); }}>Cancel</button>
            </>
          )}
          {canWrite && !editing && node && path !== '/' && <button className="danger" onClick={remove}>Delete</button>}
        </div>
        {editing ? (
          <textarea aria-label="znode data" value={editing.text} onChange={(e) => setEditing({ ...editing, text: e.target.value })} />
        ) : (
          <pre className="dataview" data-testid="znode-data">{node ? show(node.data, format) || '(no data)' : 'loading…'}</pre>
        )}
      </div>
      <div className="grid2" style={{ gridTemplateColumns: '1fr 1fr' }}>
        <div className="panel">
          <h2>Stat</h2>
          {s ? (
            <dl className="kv">
              {(Object.keys(s) as (keyof StatView)[]).map((k) => (
                <FragmentKV key={k} k={k} v={String(s[k])} />
              ))}
            </dl>
          ) : (
            <span className="muted">—</span>
          )}
          <h2 style={{ marginTop: 12 }}>ACL</h2>
          {acl ? (
            <dl className="kv" data-testid="znode-acl">
              {acl.map((a, i) => (
                <FragmentKV key={i} k={`${a.id.scheme}:${a.id.id}`} v={perms(a.perms)} />
              ))}
            </dl>
          ) : (
            <span className="muted small">not readable</span>
          )}
        </div>
        {!canWrite ? <ReadOnlyNote what="znodes" /> : <form className="panel" onSubmit={create} aria-label="create child">
          <h2>Create child</h2>
          <div className="row" style={{ alignItems: 'flex-end' }}>
            <label style={{ flex: 1 }}>
              Name
              <input name="child-name" value={child.name} onChange={(e) => setChild({ ...child, name: e.target.value })} required pattern="[^/]+" />
            </label>
            <label>
              Mode
              <select value={child.mode} onChange={(e) => setChild({ ...child, mode: e.target.value })}>
                <option value="persistent">persistent</option>
                <option value="persistentSequential">persistent sequential</option>
                <option value="container">container</option>
              </select>
            </label>
          </div>
          <label style={{ marginTop: 8 }}>
            Data (text)
            <textarea name="child-data" style={{ minHeight: 70 }} value={child.data} onChange={(e) => setChild({ ...child, data: e.target.value })} />
          </label>
          <div className="row" style={{ marginTop: 8 }}>
            <button className="primary" type="submit">Create under {path}</button>
          </div>
        </form>}
      </div>
    </div>
  );
}

/** ZooKeeper permission bits as the usual letters: READ=1 WRITE=2 CREATE=4 DELETE=8 ADMIN=16 → "cdrwa". */
function perms(p: number): string {
  return ([[4, 'c'], [8, 'd'], [1, 'r'], [2, 'w'], [16, 'a']] as const).map(([bit, ch]) => (p & bit ? ch : '-')).join('');
}

function FragmentKV({ k, v }: { k: string; v: string }) {
  return (
    <>
      <dt>{k}</dt>
      <dd>{v}</dd>
    </>
  );
}

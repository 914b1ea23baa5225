'use client';
/**
 * Webhooks (admins only): subscriptions of URLs to the audit stream with event-type and path-prefix filters. The
 * signing secret is shown once (on create and on rotate); per webhook, its deliveries with every attempt (status
 * code, error, duration), a ping and a redeliver button. Deliveries are sent by the API's queue, so they are polled.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, errorText, get } from '@/lib/api';
import { splitList } from '@/lib/schedule';
import { useCan, useMe } from '@/lib/session';
import type { WebhookDelivery, WebhookInfo } from '@/lib/types';
import { usePoll } from '@/lib/use-poll';
import { ErrorBox, PageHead, Time } from '@/components/ui';

interface Form {
  name: string;
  url: string;
  events: string;
  pathPrefixes: string;
}
const EMPTY: Form = { name: '', url: '', events: '*', pathPrefixes: '' };

const body = (f: Form) => ({ name: f.name.trim(), url: f.url.trim(), events: splitList(f.events), pathPrefixes: splitList(f.pathPrefixes) });

/** The one time a secret is shown. */
function SecretOnce({ secret, onDone }: { secret: { name: string; value: string } | null; onDone: () => void }) {
  if (!secret) return null;
  return (
    <div className="alert warn" data-testid="webhook-secret">
      Signing secret of <b>{secret.name}</b> (shown once, copy it now; receivers verify <span className="mono">X-Paddock-Signature</span> with it):
      <div className="mono" data-testid="webhook-secret-value" style={{ margin: '6px 0', userSelect: 'all' }}>{secret.value}</div>
      <button onClick={onDone}>I have stored it</button>
    </div>
  );
}

export default function WebhooksPage() {
  const me = useMe();
  const isAdmin = useCan('admin', 'admin');
  const [hooks, setHooks] = useState<WebhookInfo[]>([]);
  const [form, setForm] = useState<Form>(EMPTY);
  const [selected, setSelected] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setHooks((await get<{ webhooks: WebhookInfo[] }>('/api/webhooks')).webhooks);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => {
    if (isAdmin) void load();
  }, [isAdmin, load]);

  async function create() {
    setError(null);
    setNotice(null);
    try {
      const r = await api<{ webhook: WebhookInfo; secret: string }>('POST', '/api/webhooks', body(form));
      setSecret({ name: r.webhook.name, value: r.secret });
      setNotice(`Webhook ${r.webhook.name} created`);
      setForm(EMPTY);
      setSelected(r.webhook.id);
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  }

  if (!isAdmin) {
    return (
      <>
        <PageHead title="Webhooks" />
        <div className="alert error" role="alert" data-testid="not-admin">Only admins manage webhooks (you are {me?.role}).</div>
      </>
    );
  }
  const current = hooks.find((h) => h.id === selected) ?? null;
  return (
    <>
      <PageHead title="Webhooks" sub="Signed HTTP deliveries of audited changes (config publishes, switch flips, …) to your endpoints." />
      <ErrorBox error={error} />
      {notice && <div className="alert ok">{notice}</div>}
      <SecretOnce secret={secret} onDone={() => setSecret(null)} />
      <div className="grid2" style={{ gridTemplateColumns: 'minmax(320px, 420px) 1fr' }}>
        <div>
          <div className="panel">
            <h2>Subscriptions</h2>
            <table data-testid="webhook-list">
              <tbody>
                {hooks.length === 0 && <tr><td className="muted small">No webhooks yet.</td></tr>}
                {hooks.map((h) => (
                  <tr key={h.id} data-webhook={h.name} className={h.id === selected ? 'selected' : ''}>
                    <td>
                      <button className="link" onClick={() => setSelected(h.id)}>{h.name}</button>{' '}
                      <span className={`badge ${h.enabled ? 'ok' : 'off'}`} data-testid="webhook-enabled">{h.enabled ? 'enabled' : 'disabled'}</span>
                      <div className="mono small muted">{h.url}</div>
                      <div className="small muted">{h.events.join(', ')}{h.pathPrefixes.length ? ` · under ${h.pathPrefixes.join(', ')}` : ''}</div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="panel" data-testid="webhook-create">
            <h2>New webhook</h2>
            <WebhookFields form={form} setForm={setForm} prefix="new" />
            <button className="primary" style={{ marginTop: 8 }} onClick={create}>Create webhook</button>
          </div>
        </div>
        {current ? (
          <WebhookDetail
            key={current.id}
            hook={current}
            onSecret={(value) => setSecret({ name: current.name, value })}
            onChanged={load}
            onDeleted={() => {
              setSelected(null);
              setNotice(`Webhook ${current.name} deleted`);
              void load();
            }}
          />
        ) : (
          <div className="panel muted">Pick a webhook to edit it and see its deliveries.</div>
        )}
      </div>
    </>
  );
}

function WebhookFields({ form, setForm, prefix }: { form: Form; setForm: (f: Form) => void; prefix: string }) {
  return (
    <>
      <label>Name<input name={`${prefix}-webhook-name`} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} placeholder="ops-slack" /></label>
      <label style={{ marginTop: 6 }}>URL<input name={`${prefix}-webhook-url`} value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} placeholder="https://hooks.example.com/paddock" /></label>
      <label style={{ marginTop: 6 }}>Event types (comma-separated: config.publish, switch.*, *)<input name={`${prefix}-webhook-events`} value={form.events} onChange={(e) => setForm({ ...form, events: e.target.value })} /></label>
      <label style={{ marginTop: 6 }}>Path prefixes (comma-separated; empty: any path)<input name={`${prefix}-webhook-prefixes`} value={form.pathPrefixes} onChange={(e) => setForm({ ...form, pathPrefixes: e.target.value })} placeholder="/paddock/switches/prod" /></label>
    </>
  );
}

const DELIVERY_BADGE: Record<WebhookDelivery['status'], string> = { pending: 'off', retrying: 'fail', delivered: 'ok', dead: 'force' };

function WebhookDetail({ hook, onSecret, onChanged, onDeleted }: { hook: WebhookInfo; onSecret: (secret: string) => void; onChanged: () => Promise<void>; onDeleted: () => void }) {
  const route = `/api/webhooks/${encodeURIComponent(hook.id)}`;
  const [form, setForm] = useState<Form>({ name: hook.name, url: hook.url, events: hook.events.join(', '), pathPrefixes: hook.pathPrefixes.join(', ') });
  const [deliveries, setDeliveries] = useState<WebhookDelivery[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const loadDeliveries = useCallback(async () => {
    try {
      setDeliveries((await get<{ deliveries: WebhookDelivery[] }>(`${route}/deliveries`)).deliveries);
    } catch (e) {
      setError(errorText(e));
    }
  }, [route]);
  usePoll(loadDeliveries, 2_000, [loadDeliveries]);

  async function act(run: () => Promise<string>) {
    setError(null);
    setNotice(null);
    try {
      setNotice(await run());
      await onChanged();
      await loadDeliveries();
    } catch (e) {
      setError(errorText(e));
    }
  }

  const save = () => act(async () => {
    await api('PATCH', route, body(form));
    return 'Webhook saved';
  });
  const toggle = () => act(async () => {
    await api('PATCH', route, { enabled: !hook.enabled });
    return hook.enabled ? 'Webhook disabled' : 'Webhook enabled';
  });
  const rotate = () => act(async () => {
    onSecret((await api<{ secret: string }>('POST', `${route}/rotate-secret`, {})).secret);
    return 'Secret rotated: the old one no longer signs deliveries';
  });
  const ping = () => act(async () => {
    const d = await api<WebhookDelivery>('POST', `${route}/ping`);
    return `Ping queued (delivery ${d.id})`;
  });
  const redeliver = (id: string) => act(async () => {
    await api('POST', `${route}/deliveries/${encodeURIComponent(id)}/redeliver`);
    return `Delivery ${id} queued again`;
  });
  async function remove() {
    setError(null);
    try {
      await api('DELETE', route);
      onDeleted();
    } catch (e) {
      setError(errorText(e));
    }
  }

  return (
    <div>
      <div className="panel" data-testid="webhook-detail">
        <div className="row" style={{ marginBottom: 8 }}>
          <h2 style={{ margin: 0 }}>{hook.name}</h2>
          <span className={`badge ${hook.enabled ? 'ok' : 'off'}`}>{hook.enabled ? 'enabled' : 'disabled'}</span>
          <span className="spacer" />
          <span className="small muted">by {hook.createdBy} · <Time iso={hook.createdAt} /></span>
        </div>
        <ErrorBox error={error} />
        {notice && <div className="alert ok">{notice}</div>}
        <WebhookFields form={form} setForm={setForm} prefix="edit" />
        <div className="row" style={{ marginTop: 8 }}>
          <button className="primary" onClick={save}>Save</button>
          <button onClick={toggle}>{hook.enabled ? 'Disable' : 'Enable'}</button>
          <button onClick={rotate}>Rotate secret</button>
          <button onClick={ping}>Ping</button>
          <span className="spacer" />
          {confirmDelete ? (
            <>
              <button className="danger" onClick={remove}>Confirm delete</button>
              <button onClick={() => setConfirmDelete(false)}>Keep</button>
            </>
          ) : (
            <button className="danger" onClick={() => setConfirmDelete(true)}>Delete</button>
          )}
        </div>
      </div>
      <div className="panel">
        <h2>Deliveries</h2>
        <table data-testid="webhook-deliveries">
          <thead>
            <tr><th>Event</th><th>Status</th><th className="num">Attempts</th><th>Last answer</th><th>Created</th><th /></tr>
          </thead>
          <tbody>
            {deliveries.length === 0 && <tr><td colSpan={6} className="muted small">No deliveries yet.</td></tr>}
            {deliveries.map((d) => (
              <DeliveryRow key={d.id} d={d} open={open === d.id} onToggle={() => setOpen(open === d.id ? null : d.id)} onRedeliver={() => redeliver(d.id)} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function DeliveryRow({ d, open, onToggle, onRedeliver }: { d: WebhookDelivery; open: boolean; onToggle: () => void; onRedeliver: () => void }) {
  return (
    <>
      <tr data-delivery={d.id} data-event={d.eventType}>
        <td className="mono small"><button className="link" onClick={onToggle}>{d.eventType}</button><div className="muted">{d.id}</div></td>
        <td><span className={`badge ${DELIVERY_BADGE[d.status]}`} data-testid="delivery-status">{d.status}</span>{d.redeliveries > 0 && <div className="small muted">redelivered ×{d.redeliveries}</div>}</td>
        <td className="num" data-testid="delivery-attempts">{d.attemptCount}/{d.maxAttempts}</td>
        <td className="small">{d.lastStatusCode ?? ''} {d.lastError ? <span className="muted">{d.lastError}</span> : null}</td>
        <td className="small"><Time iso={d.createdAt} /></td>
        <td>{(d.status === 'delivered' || d.status === 'dead') && <button onClick={onRedeliver}>Redeliver</button>}</td>
      </tr>
      {open && (
        <tr>
          <td colSpan={6}>
            <table className="small" data-testid="delivery-attempt-list">
              <thead>
                <tr><th className="num">#</th><th>Status code</th><th>Error</th><th className="num">Duration</th><th>Started</th><th>Answer</th></tr>
              </thead>
              <tbody>
                {d.attempts.length === 0 && <tr><td colSpan={6} className="muted">Not attempted yet.</td></tr>}
                {d.attempts.map((a) => (
                  <tr key={a.attempt} data-attempt={a.attempt}>
                    <td className="num">{a.attempt}</td>
                    <td><span className={`badge ${a.ok ? 'ok' : 'force'}`}>{a.statusCode ?? '—'}</span></td>
                    <td>{a.error ?? ''}</td>
                    <td className="num">{a.durationMs} ms</td>
                    <td><Time iso={a.startedAt} /></td>
                    <td className="mono">{a.responseBody?.slice(0, 120) ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </td>
        </tr>
      )}
    </>
  );
}

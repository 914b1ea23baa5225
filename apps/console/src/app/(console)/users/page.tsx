'use client';
/**
 * Users and API tokens (admin only; the API refuses everyone else). Users: create with a role, change the role,
 * disable / enable (ends their sessions), reset a password. Tokens: issue a scoped token whose role is at most the
 * issuer's; the secret is shown once, right after creation, and never again; revoke.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, errorText, get } from '@/lib/api';
import { ROLE_RANK, useCan, useMe, type Role } from '@/lib/session';
import type { TokenInfo, UserInfo } from '@/lib/types';
import { useOperatorAction, type RunAction } from '@/lib/use-operator-action';
import { EmptyRow, ErrorBox, NoticeBox, PageHead, Time } from '@/components/ui';

const ROLES: Role[] = ['viewer', 'operator', 'admin'];
const AREAS = ['znodes', 'registry', 'config', 'switches', 'log-center', 'data-sync', 'audit', 'admin'] as const;

export default function UsersPage() {
  const me = useMe();
  const isAdmin = useCan('admin', 'admin');
  const [users, setUsers] = useState<UserInfo[]>([]);
  const [tokens, setTokens] = useState<TokenInfo[]>([]);
  // `run` reloads through `load`, which reports into the same error box
  const { error, setError, notice, setNotice, run } = useOperatorAction(() => load());
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);

  const load = useCallback(async () => {
    try {
      const [u, t] = await Promise.all([get<{ users: UserInfo[] }>('/api/users'), get<{ tokens: TokenInfo[] }>('/api/tokens')]);
      setUsers(u.users);
      setTokens(t.tokens);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);

  useEffect(() => {
    if (isAdmin) void load();
  }, [isAdmin, load]);

  if (!isAdmin) {
    return (
      <>
        <PageHead title="Users & tokens" />
        <div className="alert error" role="alert" data-testid="not-admin">Only admins manage users and API tokens (you are {me?.role}).</div>
      </>
    );
  }

  const nameOf = (id: string) => users.find((u) => u.id === id)?.username ?? id.slice(0, 8);
  return (
    <>
      <PageHead title="Users & tokens" sub={`${users.length} user(s) · ${tokens.filter((t) => !t.revokedAt).length} active API token(s)`}>
        <button onClick={() => void load()}>Refresh</button>
      </PageHead>
      <ErrorBox error={error} />
      <NoticeBox notice={notice} />

      <div className="grid2" style={{ gridTemplateColumns: '1fr minmax(300px, 380px)' }}>
        <div className="panel">
          <h2>Users</h2>
          <table data-testid="users-table">
            <thead>
              <tr>
                <th>User</th>
                <th>Role</th>
                <th>State</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} data-user={u.username}>
                  <td className="mono">{u.username}{u.id === me?.userId && <span className="small muted"> (you)</span>}</td>
                  <td>
                    <select
                      aria-label={`role of ${u.username}`}
                      value={u.role}
                      disabled={u.id === me?.userId}
                      onChange={(e) => void run(`${u.username} is now ${e.target.value}`, () => api('PATCH', `/api/users/${encodeURIComponent(u.id)}`, { role: e.target.value }))}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>{r}</option>
                      ))}
                    </select>
                  </td>
                  <td>{u.disabled ? <span className="badge force">disabled</span> : <span className="badge ok">active</span>}</td>
                  <td className="small"><Time iso={u.createdAt} /></td>
                  <td>
                    {u.id !== me?.userId && (
                      <div className="row" style={{ flexWrap: 'nowrap' }}>
                        <button onClick={() => void run(`${u.username} ${u.disabled ? 'enabled' : 'disabled'}`, () => api('PATCH', `/api/users/${encodeURIComponent(u.id)}`, { disabled: !u.disabled }))}>
                          {u.disabled ? 'Enable' : 'Disable'}
                        </button>
                        <button
                          onClick={() => {
                            const password = window.prompt(`New password for ${u.username} (at least 12 characters; ends their sessions)`);
                            if (password) void run(`Password of ${u.username} reset`, () => api('PATCH', `/api/users/${encodeURIComponent(u.id)}`, { password }));
                          }}
                        >
                          Reset password…
                        </button>
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <CreateUser run={run} />
      </div>

      <div className="grid2" style={{ gridTemplateColumns: '1fr minmax(300px, 380px)' }}>
        <div className="panel">
          <h2>API tokens</h2>
          {secret && (
            <div className="alert warn" data-testid="token-secret">
              Token <b>{secret.name}</b>: copy it now, it is not shown again.
              <pre className="dataview" style={{ marginTop: 6 }} data-testid="token-value">{secret.token}</pre>
              <div className="row" style={{ marginTop: 6 }}>
                <button onClick={() => void navigator.clipboard?.writeText(secret.token).catch(() => undefined)}>Copy</button>
                <button onClick={() => setSecret(null)}>I have stored it</button>
              </div>
            </div>
          )}
          <table data-testid="tokens-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Owner</th>
                <th>Role</th>
                <th>Scopes</th>
                <th>Expires</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {tokens.length === 0 && <EmptyRow colSpan={7}>No API tokens.</EmptyRow>}
              {tokens.map((t) => (
                <tr key={t.id} data-token={t.name}>
                  <td className="mono">{t.name}</td>
                  <td className="small">{nameOf(t.userId)}</td>
                  <td>{t.role}</td>
                  <td className="small mono">{t.scopes.join(', ')}</td>
                  <td className="small">{t.expiresAt ? <Time iso={t.expiresAt} /> : <span className="muted">never</span>}</td>
                  <td className="small">{t.lastUsedAt ? <Time iso={t.lastUsedAt} /> : <span className="muted">never</span>}</td>
                  <td>
                    {t.revokedAt ? (
                      <span className="badge off" data-testid="token-state">revoked</span>
                    ) : (
                      <button className="danger" onClick={() => void run(`Token ${t.name} revoked`, () => api('DELETE', `/api/tokens/${encodeURIComponent(t.id)}`))}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <CreateToken
          maxRole={me?.role ?? 'viewer'}
          onCreated={(name, token) => {
            setSecret({ name, token });
            setNotice(null);
            void load();
          }}
          onError={setError}
        />
      </div>
    </>
  );
}

function CreateUser({ run }: { run: RunAction }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  function submit(ev: FormEvent) {
    ev.preventDefault();
    void run(`User ${username} created (${role})`, async () => {
      await api('POST', '/api/users', { username: username.trim(), password, role });
      setUsername('');
      setPassword('');
    });
  }
  return (
    <form className="panel" onSubmit={submit} aria-label="create user">
      <h2>New user</h2>
      <label>
        Username
        <input name="new-username" value={username} onChange={(e) => setUsername(e.target.value)} required autoComplete="off" />
      </label>
      <label style={{ marginTop: 8 }}>
        Password (at least 12 characters)
        <input name="new-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={12} autoComplete="new-password" />
      </label>
      <label style={{ marginTop: 8 }}>
        Role
        <select name="new-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>{r}</option>
          ))}
        </select>
      </label>
      <div className="row" style={{ marginTop: 10 }}>
        <button className="primary" type="submit">Create user</button>
      </div>
    </form>
  );
}

function CreateToken({ maxRole, onCreated, onError }: { maxRole: Role; onCreated: (name: string, token: string) => void; onError: (e: string | null) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [all, setAll] = useState(true);
  const [scopes, setScopes] = useState<string[]>([]);
  const [days, setDays] = useState('');

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    onError(null);
    if (!all && scopes.length === 0) return onError('Pick at least one scope, or all areas');
    try {
      const res = await api<{ token: string; info: TokenInfo }>('POST', '/api/tokens', {
        name: name.trim(),
        role,
        scopes: all ? ['*'] : scopes,
        ...(days.trim() ? { expiresInSeconds: Math.round(Number(days) * 86400) } : {}),
      });
      setName('');
      onCreated(res.info.name, res.token);
    } catch (e) {
      onError(errorText(e));
    }
  }

  return (
    <form className="panel" onSubmit={submit} aria-label="create token">
      <h2>New API token</h2>
      <label>
        Name
        <input name="token-name" value={name} onChange={(e) => setName(e.target.value)} required placeholder="ci-deploy" />
      </label>
      <label style={{ marginTop: 8 }}>
        Role (at most yours: {maxRole})
        <select name="token-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.filter((r) => ROLE_RANK[r] <= ROLE_RANK[maxRole]).map((r) => (
            <option key={r} value={r}>{r}</option>
          ))}
        </select>
      </label>
      <div style={{ marginTop: 8 }}>
        <label style={{ flexDirection: 'row', alignItems: 'center', gap: 6 }}>
          <input type="checkbox" name="scope-all" checked={all} onChange={(e) => setAll(e.target.checked)} /> all areas (*)
        </label>
        {!all && (
          <div className="row" style={{ marginTop: 4 }}>
            {AREAS.map((a) => (
              <label key={a} style={{ flexDirection: 'row', alignItems: 'center', gap: 4 }}>
                <input type="checkbox" name={`scope-${a}`} checked={scopes.includes(a)} onChange={(e) => setScopes(e.target.checked ? [...scopes, a] : scopes.filter((s) => s !== a))} />
                {a}
              </label>
            ))}
          </div>
        )}
      </div>
      <label style={{ marginTop: 8 }}>
        Expires in (days)
        <input name="token-days" type="number" min="1" value={days} onChange={(e) => setDays(e.target.value)} placeholder="never" />
      </label>
      <div className="row" style={{ marginTop: 10 }}>
        <button className="primary" type="submit">Create token</button>
      </div>
    </form>
  );
}

'use client';
/** Sign-in, or the first-run bootstrap of the admin account while the API has no user at all. */
import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { api, errorText, type SessionUser } from '@/lib/api';

export default function LoginPage() {
  const router = useRouter();
  const [bootstrapped, setBootstrapped] = useState<boolean | null>(null);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // consoles before cookie sessions kept the secret here: drop it
    window.localStorage.removeItem('paddock.session');
    window.localStorage.removeItem('paddock.user');
    api<{ bootstrapped: boolean }>('GET', '/api/auth/status').then(
      (s) => setBootstrapped(s.bootstrapped),
      (e) => setError(errorText(e)),
    );
  }, []);

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setError(null);
    if (bootstrapped === false && password !== confirm) return setError('The passwords do not match');
    setBusy(true);
    try {
      // the API answers with the HttpOnly session cookie; nothing is stored on this side
      await api<{ user: SessionUser; expiresAt: string }>('POST', bootstrapped ? '/api/auth/login' : '/api/auth/bootstrap', { username, password });
      router.replace('/znodes');
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  }

  return (
    <div className="auth">
      <form onSubmit={submit} aria-label={bootstrapped === false ? 'bootstrap' : 'sign in'}>
        <div>
          <h1>{bootstrapped === false ? 'Create the first administrator' : 'Sign in to Paddock'}</h1>
          <p className="muted small" style={{ margin: 0 }}>
            {bootstrapped === false ? 'No user exists yet. This account gets the admin role; the form is gone once it exists.' : 'Service governance console'}
          </p>
        </div>
        <label>
          Username
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label>
          Password{bootstrapped === false ? ' (at least 12 characters)' : ''}
          <input name="password" type="password" autoComplete={bootstrapped === false ? 'new-password' : 'current-password'} value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {bootstrapped === false && (
          <label>
            Repeat password
            <input name="confirm" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required />
          </label>
        )}
        {error && <div className="alert error" role="alert">{error}</div>}
        <button className="primary" type="submit" disabled={busy || bootstrapped === null}>
          {bootstrapped === false ? 'Create administrator' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}

'use client';
/**
 * The signed-in shell: sidebar navigation, live-connection badge, sign-out. It asks the API who is signed in
 * (GET /api/auth/me) and hands that to every page (role-aware controls); anonymous visitors go to /login.
 */
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { api, ApiError, errorText, signOut } from '@/lib/api';
import { RealtimeProvider, useLiveStatus } from '@/lib/realtime';
import { can, SessionProvider, type Me, type Role } from '@/lib/session';

const NAV: { href: string; label: string; role?: Role }[] = [
  { href: '/znodes', label: 'Znode browser' },
  { href: '/registry', label: 'Registry' },
  { href: '/config', label: 'Config center' },
  { href: '/switches', label: 'Switches' },
  { href: '/log-center', label: 'Log-center' },
  { href: '/data-sync', label: 'Data-sync' },
  { href: '/audit', label: 'Audit log' },
  { href: '/users', label: 'Users & tokens', role: 'admin' },
  { href: '/webhooks', label: 'Webhooks', role: 'admin' },
];

/** Whether a fresh /api/auth/me answer changes anything the pages look at. */
function sameCaller(a: Me | null, b: Me): boolean {
  return !!a && a.userId === b.userId && a.role === b.role && a.scopes.join() === b.scopes.join();
}

function LiveBadge() {
  const status = useLiveStatus();
  return (
    <span className={`badge ${status}`} data-testid="live-status" title="socket.io push from the API">
      {status === 'live' ? '● live' : status === 'offline' ? '● reconnecting' : '● connecting'}
    </span>
  );
}

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    api<Me>('GET', '/api/auth/me').then(
      (m) => !cancelled && setMe(m),
      (e: unknown) => {
        if (cancelled) return;
        if (e instanceof ApiError && e.status === 401) router.replace('/login');
        else setError(errorText(e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [router]);

  async function leave() {
    await signOut();
    router.replace('/login');
  }

  if (error) return <div className="alert error" role="alert" style={{ margin: 24 }}>{error}</div>;
  if (!me) return null;
  return (
    <SessionProvider me={me}>
      <RealtimeProvider onSession={(m) => setMe((prev) => (sameCaller(prev, m as Me) ? prev : (m as Me)))}>
        <div className="shell">
          <aside className="sidebar">
            <div className="brand">
              Paddock<small>governance console</small>
            </div>
            <nav className="nav">
              {NAV.filter((n) => !n.role || can(me, n.role, 'admin')).map((n) => (
                <Link key={n.href} href={n.href} className={pathname.startsWith(n.href) ? 'active' : ''}>
                  {n.label}
                </Link>
              ))}
            </nav>
            <div className="foot">
              <div className="row" style={{ marginBottom: 8 }}>
                <LiveBadge />
              </div>
              <div data-testid="signed-in-as">
                {me.username} <span className="muted">({me.role})</span>
              </div>
              <button className="link small" onClick={leave}>
                Sign out
              </button>
            </div>
          </aside>
          <main className="main">{children}</main>
        </div>
      </RealtimeProvider>
    </SessionProvider>
  );
}

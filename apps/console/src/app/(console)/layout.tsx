'use client';
/** The signed-in shell: sidebar navigation, live-connection badge, sign-out; sends anonymous visitors to /login. */
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { api, clearSession, getToken, getUser, type SessionUser } from '@/lib/api';
import { RealtimeProvider, useLiveStatus } from '@/lib/realtime';

const NAV = [
  { href: '/znodes', label: 'Znode browser' },
  { href: '/registry', label: 'Registry' },
  { href: '/config', label: 'Config center' },
  { href: '/switches', label: 'Switches' },
  { href: '/audit', label: 'Audit log' },
];

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
  const [user, setUser] = useState<SessionUser | null>(null);

  useEffect(() => {
    if (!getToken()) {
      router.replace('/login');
      return;
    }
    setUser(getUser());
  }, [router]);

  async function signOut() {
    await api('POST', '/api/auth/logout').catch(() => {});
    clearSession();
    router.replace('/login');
  }

  if (!user) return null;
  return (
    <RealtimeProvider>
      <div className="shell">
        <aside className="sidebar">
          <div className="brand">
            Paddock<small>governance console</small>
          </div>
          <nav className="nav">
            {NAV.map((n) => (
              <Link key={n.href} href={n.href} className={pathname.startsWith(n.href) ? 'active' : ''}>
                {n.label}
              </Link>
            ))}
          </nav>
          <div className="foot">
            <div className="row" style={{ marginBottom: 8 }}>
              <LiveBadge />
            </div>
            <div>
              {user.username} <span className="muted">({user.role})</span>
            </div>
            <button className="link small" onClick={signOut}>
              Sign out
            </button>
          </div>
        </aside>
        <main className="main">{children}</main>
      </div>
    </RealtimeProvider>
  );
}

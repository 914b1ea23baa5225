'use client';
/** Small shared pieces: page header, error box, relative time. */
import type { ReactNode } from 'react';

export function PageHead({ title, sub, children }: { title: string; sub?: ReactNode; children?: ReactNode }) {
  return (
    <div className="pagehead">
      <div>
        <h1>{title}</h1>
        {sub && <p>{sub}</p>}
      </div>
      {children && <div className="row">{children}</div>}
    </div>
  );
}

export function ErrorBox({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <div className="alert error" role="alert">
      {error}
    </div>
  );
}

export function Time({ iso }: { iso: string | number | null | undefined }) {
  if (iso === null || iso === undefined) return <span className="muted">—</span>;
  const d = new Date(iso);
  return <span title={d.toISOString()}>{d.toLocaleString()}</span>;
}

export function json(v: unknown): string {
  return v === undefined ? '' : JSON.stringify(v, null, 2);
}

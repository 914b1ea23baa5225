'use client';
/** Small shared pieces: page header, error and notice boxes, relative time, labelled stats, a table's empty row. */
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

export function NoticeBox({ notice }: { notice: string | null | undefined }) {
  if (!notice) return null;
  return <div className="alert ok">{notice}</div>;
}

/** One labelled figure of a summary strip (a master's id, epoch, since...). */
export function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <div className="small muted">{label}</div>
      {children}
    </div>
  );
}

/** The row a table shows instead of its rows when it has none. */
export function EmptyRow({ colSpan, children }: { colSpan: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={colSpan} className="muted">
        {children}
      </td>
    </tr>
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

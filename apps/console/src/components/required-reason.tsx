'use client';
/** The reason every audited change needs: one field shared by the actions of a selected item, checked before each. */
import { useState } from 'react';
import type { RunAction } from '@/lib/use-operator-action';

/** The reason's state and `withReason`, which refuses (and flags) an action while the reason is blank. */
export function useRequiredReason(run: RunAction) {
  const [reason, setReason] = useState('');
  const [missingReason, setMissingReason] = useState(false);
  function withReason(what: string, action: (reason: string) => Promise<unknown>) {
    if (!reason.trim()) return setMissingReason(true);
    setMissingReason(false);
    void run(what, () => action(reason.trim()));
  }
  return { reason, setReason, missingReason, withReason };
}

export function RequiredReasonField({ name, placeholder, area, reason, setReason, missingReason }: { name: string; placeholder: string; area: string } & Pick<ReturnType<typeof useRequiredReason>, 'reason' | 'setReason' | 'missingReason'>) {
  return (
    <>
      <label>
        Reason (required, recorded in the audit log)
        <input name={name} value={reason} onChange={(e) => setReason(e.target.value)} placeholder={placeholder} />
      </label>
      {missingReason && <div className="alert error" role="alert">A reason is required for every {area} change.</div>}
    </>
  );
}

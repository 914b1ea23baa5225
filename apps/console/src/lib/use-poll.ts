'use client';
import { useEffect, useRef } from 'react';

/**
 * Calls `fn` now and every `ms` while the page is mounted: for state that has no socket topic of its own (listener
 * receipts, scheduled entries executed by the API's jobs, webhook deliveries).
 */
export function usePoll(fn: () => unknown, ms: number, deps: readonly unknown[]): void {
  const current = useRef(fn);
  current.current = fn;
  useEffect(() => {
    void current.current();
    const t = setInterval(() => void current.current(), ms);
    return () => clearInterval(t);
  }, [ms, ...deps]);
}

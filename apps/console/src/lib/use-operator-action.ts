'use client';
import { useState } from 'react';
import { errorText } from './api';

/** Runs an operator action; resolves true when it succeeded (the page reloads and shows a notice). */
export type RunAction = (what: string, action: () => Promise<unknown>) => Promise<boolean>;

/**
 * The error / notice pair of an operator page and `run`, which clears both, performs an action, then shows `what`
 * and reloads the page's data, or shows the API's error.
 */
export function useOperatorAction(reload: () => Promise<void>) {
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const run: RunAction = async (what, action) => {
    setError(null);
    setNotice(null);
    try {
      await action();
      setNotice(what);
      await reload();
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    }
  };
  return { error, setError, notice, setNotice, run };
}

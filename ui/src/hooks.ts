import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  readonly loading: boolean;
  reload(): void;
}

/** Load once (and every `pollMs` while the page is visible); keeps the last data on a failed poll. */
export function useLoad<T>(load: () => Promise<T>, pollMs?: number): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const alive = useRef(true);

  const reload = useCallback(() => {
    loadRef
      .current()
      .then((d) => {
        if (!alive.current) return;
        setData(d);
        setError(undefined);
      })
      .catch((e: unknown) => alive.current && setError(e instanceof Error ? e.message : String(e)))
      .finally(() => alive.current && setLoading(false));
  }, []);

  useEffect(() => {
    alive.current = true;
    reload();
    if (!pollMs) return () => void (alive.current = false);
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, pollMs);
    return () => {
      alive.current = false;
      clearInterval(timer);
    };
  }, [reload, pollMs]);

  return { data, error, loading, reload };
}

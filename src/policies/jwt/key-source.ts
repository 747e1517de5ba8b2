import type { KeySet } from './keys.js';

/** Where one provider's keys come from: a file / inline string (fixed) or a URL (refreshed). */
export interface KeySource {
  /** The keys in force now (the last good set for a remote source). */
  current(): KeySet;
  /**
   * A token named a kid nobody knows: a remote source refetches, at most once per cooldown; concurrent
   * callers share one fetch. Resolves when done (true when new keys were installed).
   */
  refreshForUnknownKid(): Promise<boolean>;
  /** Why there are no keys yet (a remote JWKS whose first fetch failed); undefined when usable. */
  unavailable?(): string | undefined;
  close(): void;
}

export function staticKeySource(set: KeySet): KeySource {
  return {
    current: () => set,
    refreshForUnknownKid: () => Promise.resolve(false),
    close() {},
  };
}

/**
 * The process groups of stdio children still alive (or whose leader died with members possibly left).
 * Owned by the upstream factory; on process exit every remaining group is SIGKILLed so no child outlives
 * the gateway.
 */
export class ProcessGroups {
  readonly #pgids = new Set<number>();

  add(pgid: number): void {
    this.#pgids.add(pgid);
  }

  delete(pgid: number): void {
    this.#pgids.delete(pgid);
  }

  has(pgid: number): boolean {
    return this.#pgids.has(pgid);
  }

  get size(): number {
    return this.#pgids.size;
  }

  /** SIGTERM every group, wait up to `graceMs` for them to empty, SIGKILL what is left. */
  async terminateAll(graceMs: number): Promise<void> {
    for (const pgid of this.#pgids) if (!killGroup(pgid, 'SIGTERM')) this.#pgids.delete(pgid);
    const deadline = Date.now() + graceMs;
    while (this.#pgids.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      for (const pgid of this.#pgids) if (!killGroup(pgid, 0)) this.#pgids.delete(pgid);
    }
    this.killAll('SIGKILL');
  }

  /** Signal every remaining group (synchronous: safe inside a process 'exit' handler). */
  killAll(signal: NodeJS.Signals): void {
    for (const pgid of this.#pgids) killGroup(pgid, signal);
    if (signal === 'SIGKILL') this.#pgids.clear();
  }
}

/** Signal a whole process group (0 = only test that it exists); false when it no longer exists. */
export function killGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

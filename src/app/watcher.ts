/**
 * Reload on save. Watches the config file's folder (editors that write-and-rename and Kubernetes
 * ConfigMap `..data` symlink swaps both show up there) plus every file the config read (JWKS, TLS,
 * OpenAPI). Events are debounced (250 ms) into one reload.
 */
import { watch, type FSWatcher } from 'chokidar';
import { realpathSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

export interface WatchTarget {
  readonly configFile: string;
  readonly dependencies: () => readonly string[];
  readonly reload: () => Promise<unknown>;
  readonly debounceMs?: number;
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

export class ConfigWatcher {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watchedDeps = new Set<string>();
  private lastReal: string | undefined;
  private closed = false;

  constructor(private readonly t: WatchTarget) {}

  async start(): Promise<void> {
    const file = resolve(this.t.configFile);
    this.lastReal = realpathOrUndefined(file);
    const dir = dirname(file);
    const name = basename(file);
    this.watcher = watch(dir, { ignoreInitial: true, depth: 0, followSymlinks: false });
    this.watcher.on('all', (_event, path) => {
      const p = resolve(path);
      const base = basename(p);
      const real = realpathOrUndefined(file);
      const symlinkSwapped = real !== this.lastReal;
      if (p === file || base === name || base.startsWith('..') || symlinkSwapped || this.watchedDeps.has(p)) {
        this.lastReal = real;
        this.schedule();
      }
    });
    await new Promise<void>((r) => this.watcher!.once('ready', () => r()));
    this.syncDependencies();
  }

  /** Watch the files the current config depends on (called after each reload). */
  syncDependencies(): void {
    if (!this.watcher) return;
    const deps = new Set(this.t.dependencies().map((d) => resolve(d)));
    const add = [...deps].filter((d) => !this.watchedDeps.has(d));
    const remove = [...this.watchedDeps].filter((d) => !deps.has(d));
    if (add.length) this.watcher.add(add);
    if (remove.length) this.watcher.unwatch(remove);
    this.watchedDeps = deps;
  }

  /** Reload now (SIGHUP) — goes through the same debounce. */
  trigger(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // reload() never rejects; the guard keeps a watcher hiccup from becoming an unhandled rejection.
      void this.t
        .reload()
        .then(() => this.syncDependencies())
        .catch(() => undefined);
    }, this.t.debounceMs ?? 250);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.watcher?.close();
  }
}

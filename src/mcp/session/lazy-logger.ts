/**
 * A child logger made on its first enabled log call. Every session (and each of its upstream
 * connections) logs with its own bindings, but an idle session usually logs nothing: a pino child per
 * session costs a few hundred bytes and hidden classes of its own, kept for the session's whole life.
 * The stand-in answers calls at disabled levels itself (nothing happens, as with the child) and hands
 * everything else to the real child, made once. One small handler object per stand-in and no closure
 * (a closure per session costs more than it looks once bundled with `keepNames`).
 */
import type { Bindings, Logger } from 'pino';

const LEVELS: ReadonlySet<PropertyKey> = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

function noop(): void {}

class LazyChild implements ProxyHandler<Logger> {
  private child: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
  ) {}

  get(_target: Logger, prop: PropertyKey): unknown {
    let c = this.child;
    if (c === undefined) {
      const parent = this.parent;
      if (LEVELS.has(prop) && !parent.isLevelEnabled(prop as string)) return noop;
      // A lazy child of this one asks these without making this one.
      if (prop === 'isLevelEnabled') return parent.isLevelEnabled.bind(parent);
      if (prop === 'level') return parent.level;
      c = this.child = parent.child(this.bindings);
    }
    const value: unknown = Reflect.get(c, prop, c);
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(c) : value;
  }
}

export function lazyChild(parent: Logger, bindings: Bindings): Logger {
  // An empty target: the proxy has no properties of its own, so no proxy invariant ties it to `parent`.
  return new Proxy({} as Logger, new LazyChild(parent, bindings));
}

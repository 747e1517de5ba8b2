/**
 * CPU time of a process and all its descendants, from Linux `/proc` (NaN
 * elsewhere): for sides that are not our forked children (mcp-proxy, supergateway) and for stdio
 * servers a proxy spawns, so every side's "proxy CPU" counts the same tree of processes.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_US = 1e6 / 100; // USER_HZ = 100

interface Stat {
  readonly ppid: number;
  /** utime + stime, µs. */
  readonly cpu: number;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 (state) on.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) * TICK_US };
  } catch {
    return undefined;
  }
}

/** `pid` and every process below it. */
export function tree(pid: number): number[] {
  const children = new Map<number, number[]>();
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return [pid];
  }
  for (const p of pids) {
    const s = stat(p);
    if (!s) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(p);
    children.set(s.ppid, list);
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

/** CPU µs (user + system) used so far by `pid` and its descendants (10 ms steps). */
export function treeCpuUs(pid: number): number {
  let sum = 0;
  for (const p of tree(pid)) sum += stat(p)?.cpu ?? 0;
  return pid > 0 ? sum : NaN;
}

/**
 * Cost of sealing and opening a session id (src/mcp/session/session-token.ts), per operation, for a session
 * with 1, 3 and 5 HTTP targets, in the shape src/mcp/session/resume.ts seals. Goal: under 10 µs each. Run: `npx tsx bench/session-token.bench.ts`.
 */
import { randomBytes } from 'node:crypto';
import { SessionKeyring, type SessionState } from '../src/mcp/session/session-token.js';

const ring = SessionKeyring.fromSource({
  keys: `${randomBytes(32).toString('hex')},${randomBytes(32).toString('hex')}`,
})!;
const state = (targets: number): SessionState => ({
  b: randomBytes(16).toString('base64url'),
  k: 'listener0/bind/3000/route0/default/backend0#a1b2c3d4e5f6g7h8',
  p: '2025-11-25',
  t: Array.from(
    { length: targets },
    (_, i) =>
      [
        `target${i}`,
        randomBytes(16).toString('hex'),
        `http://10.0.0.${i}:3001/mcp`,
        '',
        'tools,prompts,resources,logging',
      ] as const,
  ),
  i: Math.floor(Date.now() / 1000),
  n: randomBytes(8).toString('base64url'),
});

function time(label: string, n: number, fn: () => void): void {
  for (let i = 0; i < 2000; i++) fn();
  // CPU time of this process (user + system), so a busy neighbour on the machine counts less.
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) fn();
    const c = process.cpuUsage(c0);
    rounds.push((c.user + c.system) / n);
  }
  rounds.sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(2);
  console.log(
    `${label.padEnd(24)} median ${f(rounds[2]!)} µs CPU (min ${f(rounds[0]!)}, max ${f(rounds[4]!)})`,
  );
}

for (const targets of [1, 3, 5]) {
  const s = state(targets);
  const id = ring.seal(s);
  console.log(`${targets} target(s): id is ${id.length} characters`);
  time(`seal, ${targets} target(s)`, 20_000, () => ring.seal(s));
  time(`open, ${targets} target(s)`, 20_000, () => ring.open(id));
}

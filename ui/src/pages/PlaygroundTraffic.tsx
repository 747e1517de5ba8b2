/** The HTTP requests of the session, with whether each carried the bearer token. */
import type { TrafficEntry } from '../mcp/client.js';

export function TrafficLog({ entries, tokenSet }: { entries: readonly TrafficEntry[]; tokenSet: boolean }) {
  const missing = tokenSet ? entries.filter((e) => !e.authorization).length : 0;
  return (
    <details className="card traffic">
      <summary>
        HTTP requests ({entries.length})
        {tokenSet ? (missing ? ` — ${missing} without the token!` : ' — all with the token') : ''}
      </summary>
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Request</th>
            <th scope="col">JSON-RPC</th>
            <th scope="col">Token</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td>{e.id}</td>
              <td>
                <code>
                  {e.method} {new URL(e.url).pathname}
                </code>
              </td>
              <td>{e.rpc ?? ''}</td>
              <td>{e.authorization ? 'yes' : 'no'}</td>
              <td>{e.error ? <span className="error-text">{e.error}</span> : (e.status ?? '…')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

import { api } from '../api.js';
import { Card, Empty, ErrorBox, Loading, StatusBadge } from '../components/common.js';
import { useLoad } from '../hooks.js';

export function Backends() {
  const summary = useLoad(api.summary, 3000);
  const sessions = useLoad(api.sessions, 3000);
  const targets = summary.data?.targets;
  return (
    <>
      <h1>Backends and targets</h1>
      <p className="lead">MCP servers behind each route, with their live status (refreshed every 3 s).</p>
      {summary.error ? <ErrorBox message={summary.error} /> : null}
      <Card title="Targets" id="targets">
        {!targets ? (
          <Loading what="targets" />
        ) : targets.length === 0 ? (
          <Empty>No MCP targets configured.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Target</th>
                <th scope="col">Kind</th>
                <th scope="col">Command / URL</th>
                <th scope="col">Backend</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {targets.map((t) => (
                <tr key={`${t.backend}/${t.name}`}>
                  <td>
                    <strong>{t.name}</strong>
                  </td>
                  <td>{t.kind}</td>
                  <td>
                    <code className="wrap">{t.detail}</code>
                  </td>
                  <td>
                    <code>{t.backend}</code>
                    <div className="muted small">{t.route}</div>
                  </td>
                  <td>
                    <StatusBadge status={t.status} title={t.error} />
                    {t.error ? <div className="error-text small">{t.error}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card title="MCP sessions" id="sessions">
        {sessions.error ? <ErrorBox message={sessions.error} /> : null}
        {!sessions.data ? (
          <Loading what="sessions" />
        ) : sessions.data.length === 0 ? (
          <Empty>No open sessions.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Backend</th>
                <th scope="col">Transport</th>
                <th scope="col">Subject</th>
                <th scope="col">Last active</th>
                <th scope="col">Targets</th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.map((s) => (
                <tr key={s.id}>
                  <td>
                    <code title={s.id}>{s.id.slice(0, 8)}…</code>
                  </td>
                  <td>
                    <code>{s.backend}</code>
                  </td>
                  <td>
                    {s.transport} <span className="muted small">{s.protocolVersion}</span>
                  </td>
                  <td>{s.sub ?? <span className="muted">anonymous</span>}</td>
                  <td>
                    <time dateTime={new Date(s.lastActiveAt).toISOString()}>
                      {new Date(s.lastActiveAt).toLocaleTimeString()}
                    </time>
                  </td>
                  <td>{s.targets.map((t) => `${t.name}${t.pid ? ` (pid ${t.pid})` : ''}`).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}

import { useState } from 'react';
import { LOG_LEVELS } from '../../../src/admin/api.js';
import { api } from '../api.js';
import { Card, Empty, ErrorBox, IssueList, Loading, StatusBadge } from '../components/common.js';
import { useLoad } from '../hooks.js';
import { Link } from '../router.js';
import { ReadinessCard } from './HomeReadiness.js';

export function Home() {
  const summary = useLoad(api.summary, 5000);
  const endpoints = useLoad(api.endpoints);
  const s = summary.data;
  return (
    <>
      <h1>Overview</h1>
      {summary.error ? <ErrorBox message={`Could not load the summary: ${summary.error}`} /> : null}
      <ReadinessCard summary={s} />
      {!s ? (
        <Loading what="summary" />
      ) : (
        <>
          <div className="stats" role="list">
            <Stat label="Listeners" value={s.listeners.length} to="/listeners/" />
            <Stat label="Routes" value={s.routes.length} to="/routes/" />
            <Stat label="Targets" value={s.targets.length} to="/backends/" />
            <Stat
              label="Failing targets"
              value={s.targets.filter((t) => t.status === 'failing').length}
              to="/backends/"
              alert
            />
            <Stat label="MCP sessions" value={s.sessions} to="/backends/#sessions" />
          </div>
          <Card title="Last config reload" id="reload">
            <p>
              <StatusBadge status={s.reload.ok ? 'ok' : 'failing'} />{' '}
              {s.reload.ok ? 'Loaded successfully' : 'Failed — the previous config keeps serving'} at{' '}
              <time dateTime={s.reload.at}>{new Date(s.reload.at).toLocaleString()}</time>
              {s.configFile ? (
                <>
                  {' '}
                  from <code>{s.configFile}</code>
                </>
              ) : null}
              .
            </p>
            <IssueList issues={s.reload.errors} />
            {s.reload.restartRequired.length ? (
              <p className="warning">
                Changed, but only applied after a restart:{' '}
                {s.reload.restartRequired.map((f) => (
                  <code key={f}>{f} </code>
                ))}
              </p>
            ) : null}
          </Card>
        </>
      )}
      <Card title="MCP endpoints" id="endpoints">
        {endpoints.error ? <ErrorBox message={endpoints.error} /> : null}
        {endpoints.data && endpoints.data.length === 0 ? <Empty>No routes yet.</Empty> : null}
        {endpoints.data?.length ? (
          <table>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Kind</th>
                <th scope="col">Route</th>
                <th scope="col">Auth</th>
                <th scope="col">CORS</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {endpoints.data.map((e) => (
                <tr key={e.url}>
                  <td>
                    <code>{e.url}</code>
                    {e.sseUrl ? (
                      <div className="muted small">
                        SSE: <code>{e.sseUrl}</code>
                      </div>
                    ) : null}
                  </td>
                  <td>{e.kind === 'mcp' ? 'MCP' : 'HTTP'}</td>
                  <td>
                    <code>{e.route}</code>
                  </td>
                  <td>{e.auth ? 'JWT' : 'none'}</td>
                  <td>
                    {e.cors ? (
                      'yes'
                    ) : (
                      <span title="The Playground needs a cors policy on this route">no</span>
                    )}
                  </td>
                  <td>
                    {e.kind === 'mcp' ? (
                      <Link to={`/playground/?endpoint=${encodeURIComponent(e.url)}`}>
                        Open in Playground
                      </Link>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Card>
      <LogLevel />
      {s ? <p className="muted small">Portcullis {s.version}</p> : null}
    </>
  );
}

function Stat(props: { label: string; value: number; to: string; alert?: boolean }) {
  return (
    <Link
      to={props.to}
      className={`stat ${props.alert && props.value > 0 ? 'stat-alert' : ''}`}
      role="listitem"
    >
      <span className="stat-value">{props.value}</span>
      <span className="stat-label">{props.label}</span>
    </Link>
  );
}

function LogLevel() {
  const level = useLoad(api.logLevel);
  const [error, setError] = useState<string>();
  return (
    <Card title="Logging" id="logging">
      <label htmlFor="log-level">Log level </label>
      <select
        id="log-level"
        value={level.data?.level ?? ''}
        onChange={(e) => {
          api
            .setLogLevel(e.target.value)
            .then(() => {
              setError(undefined);
              level.reload();
            })
            .catch((err: unknown) => setError(String(err)));
        }}
      >
        {LOG_LEVELS.map((l) => (
          <option key={l} value={l}>
            {l}
          </option>
        ))}
      </select>
      {error ? <ErrorBox message={error} /> : null}
    </Card>
  );
}

/** The Testing card: endpoint, transport, bearer token (pasted or a demo token), decoded claims, Connect. */
import { useMemo } from 'react';
import type { DemoToken, EndpointInfo } from '../../../src/admin/api.js';
import { Card, ErrorBox, JsonView } from '../components/common.js';
import { decodeJwt, describeExpiry } from '../lib/jwt.js';
import type { PlainError } from '../lib/errors.js';
import type { TransportKind } from '../mcp/client.js';

export type ConnState = 'idle' | 'connecting' | 'connected';

export interface ConnectionProps {
  readonly endpoints: readonly EndpointInfo[] | undefined;
  readonly endpointsError: string | undefined;
  readonly demoTokens: readonly DemoToken[];
  readonly endpointUrl: string;
  readonly onEndpoint: (url: string) => void;
  readonly transport: TransportKind;
  readonly onTransport: (t: TransportKind) => void;
  readonly token: string;
  readonly onToken: (t: string) => void;
  readonly state: ConnState;
  readonly connectedWith: { url: string; token: string; transport: TransportKind } | undefined;
  readonly serverName: string | undefined;
  readonly error: PlainError | undefined;
  readonly onConnect: () => void;
  readonly onDisconnect: () => void;
  /** Increments on every Connect click: lets tests wait for this attempt's outcome. */
  readonly attempt: number;
}

export function ConnectionCard(p: ConnectionProps) {
  const mcpEndpoints = (p.endpoints ?? []).filter((e) => e.kind === 'mcp');
  const endpoint = mcpEndpoints.find((e) => e.url === p.endpointUrl);
  const demo = p.demoTokens.find((d) => d.token === p.token.trim());
  const stale =
    p.state === 'connected' &&
    p.connectedWith &&
    (p.connectedWith.token !== p.token.trim() ||
      p.connectedWith.url !== p.endpointUrl ||
      p.connectedWith.transport !== p.transport);
  return (
    <Card title="Testing" id="testing">
      <h3 className="subhead">Connection</h3>
      {p.endpointsError ? <ErrorBox message={`Could not load endpoints: ${p.endpointsError}`} /> : null}
      <div className="field">
        <label htmlFor="pg-endpoint">MCP endpoint</label>
        <select
          id="pg-endpoint"
          value={p.endpointUrl}
          onChange={(e) => p.onEndpoint(e.target.value)}
          disabled={!mcpEndpoints.length}
        >
          {mcpEndpoints.length === 0 ? <option value="">no MCP routes configured</option> : null}
          {mcpEndpoints.map((e) => (
            <option key={e.url} value={e.url}>
              {e.url} ({e.route})
            </option>
          ))}
        </select>
        {endpoint && !endpoint.cors ? (
          <p className="warning small">
            This route has no cors policy: the browser will block the Playground (it runs on{' '}
            {window.location.origin}).
          </p>
        ) : null}
      </div>
      <fieldset className="field radios">
        <legend>Transport</legend>
        <label>
          <input
            type="radio"
            name="pg-transport"
            value="streamable"
            checked={p.transport === 'streamable'}
            onChange={() => p.onTransport('streamable')}
          />{' '}
          Streamable HTTP
        </label>
        <label>
          <input
            type="radio"
            name="pg-transport"
            value="sse"
            checked={p.transport === 'sse'}
            disabled={!!endpoint && !endpoint.sseUrl}
            onChange={() => p.onTransport('sse')}
          />{' '}
          SSE (legacy)
          {endpoint?.sseUrl ? (
            <span className="muted small"> {new URL(endpoint.sseUrl).pathname}</span>
          ) : null}
        </label>
      </fieldset>
      {p.demoTokens.length ? (
        <div className="field">
          <label htmlFor="pg-demo-token">Demo token</label>
          <select
            id="pg-demo-token"
            value={demo?.name ?? ''}
            onChange={(e) => p.onToken(p.demoTokens.find((d) => d.name === e.target.value)?.token ?? '')}
          >
            <option value="">none (anonymous)</option>
            {p.demoTokens.map((d) => (
              <option key={d.name} value={d.name}>
                {d.name}
                {d.description ? ` — ${d.description}` : ''}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div className="field">
        <label htmlFor="pg-token">Bearer token</label>
        <textarea
          id="pg-token"
          className="token"
          rows={3}
          spellCheck={false}
          autoComplete="off"
          placeholder="eyJhbGciOi… (optional: leave empty to connect anonymously)"
          value={p.token}
          onChange={(e) => p.onToken(e.target.value)}
        />
        <p className="muted small">
          Sent as <code>Authorization: Bearer …</code> on every request of the session. Kept in this tab only.
        </p>
      </div>
      <div className="actions">
        {p.state === 'connected' ? (
          <>
            <button type="button" onClick={p.onConnect} disabled={!stale}>
              Reconnect
            </button>
            <button type="button" className="secondary" onClick={p.onDisconnect}>
              Disconnect
            </button>
          </>
        ) : (
          <button type="button" onClick={p.onConnect} disabled={p.state === 'connecting' || !p.endpointUrl}>
            {p.state === 'connecting' ? 'Connecting…' : 'Connect'}
          </button>
        )}
      </div>
      <div
        role="status"
        aria-live="polite"
        className="conn-status"
        data-state={p.state}
        data-attempt={p.attempt}
        data-outcome={p.error ? 'error' : p.state}
      >
        {p.state === 'connected' ? (
          <p className="success">
            Connected to {p.serverName} {p.connectedWith?.token ? 'with the token' : 'anonymously'}.
            {stale ? ' Settings changed: reconnect to use them.' : ''}
          </p>
        ) : null}
      </div>
      {p.error ? <ErrorBox message={p.error.message} fix={p.error.fix} /> : null}
      <Claims token={p.token} />
    </Card>
  );
}

function Claims({ token }: { token: string }) {
  const decoded = useMemo(() => (token.trim() ? decodeJwt(token) : undefined), [token]);
  if (!decoded) return null;
  if (!decoded.ok) return <p className="error-text small">{decoded.error}</p>;
  const expiry = describeExpiry(decoded.jwt.claims, Date.now());
  return (
    <div className="claims">
      <h3 className="subhead">
        Decoded claims <span className="muted small">(not verified here: the gateway verifies)</span>
      </h3>
      {expiry ? (
        <p className={expiry.expired ? 'warning small' : 'muted small'}>Token {expiry.text}.</p>
      ) : null}
      <JsonView value={decoded.jwt.claims} label="Decoded claims" />
      <p className="muted small">
        Header: <code>{JSON.stringify(decoded.jwt.header)}</code>
      </p>
    </div>
  );
}

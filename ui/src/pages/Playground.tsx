/**
 * The Playground: connect to an MCP endpoint of the gateway as some identity, see and run what that
 * identity may use, and ask the gateway why.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EndpointInfo } from '../../../src/admin/api.js';
import { api } from '../api.js';
import { useLoad } from '../hooks.js';
import { corsAdvice, describeError, type PlainError } from '../lib/errors.js';
import { PlaygroundSession, type TrafficEntry, type TransportKind } from '../mcp/client.js';
import { ClientSnippetsCard } from './PlaygroundClients.js';
import { ConnectionCard, type ConnState } from './PlaygroundConnection.js';
import { ExplainCard } from './PlaygroundExplain.js';
import { ItemsCard, type Lists } from './PlaygroundItems.js';
import { TrafficLog } from './PlaygroundTraffic.js';

const EMPTY_LISTS: Lists = { errors: {} };

export function Playground() {
  const endpoints = useLoad(api.endpoints);
  const demoTokens = useLoad(api.demoTokens);
  const [endpointUrl, setEndpointUrl] = useState(
    () => new URLSearchParams(window.location.search).get('endpoint') ?? '',
  );
  const [transport, setTransport] = useState<TransportKind>('streamable');
  const [token, setToken] = useState('');
  const [state, setState] = useState<ConnState>('idle');
  const [session, setSession] = useState<PlaygroundSession>();
  const [connectedWith, setConnectedWith] = useState<{
    url: string;
    token: string;
    transport: TransportKind;
  }>();
  const [error, setError] = useState<PlainError>();
  const [lists, setLists] = useState<Lists>(EMPTY_LISTS);
  const [traffic, setTraffic] = useState<readonly TrafficEntry[]>([]);
  const [trafficWithToken, setTrafficWithToken] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const sessionRef = useRef<PlaygroundSession | undefined>(undefined);

  const mcpEndpoints = (endpoints.data ?? []).filter((e) => e.kind === 'mcp');
  const endpoint: EndpointInfo | undefined = mcpEndpoints.find((e) => e.url === endpointUrl);
  useEffect(() => {
    if (!endpoint && mcpEndpoints[0]) setEndpointUrl(mcpEndpoints[0].url);
  }, [endpoint, mcpEndpoints]);
  useEffect(() => {
    if (endpoint && transport === 'sse' && !endpoint.sseUrl) setTransport('streamable');
  }, [endpoint, transport]);
  // Close the session when leaving the page.
  useEffect(() => () => void sessionRef.current?.close(), []);

  const describe = useCallback(
    (err: unknown, item?: { kind: 'tool' | 'prompt' | 'resource'; name: string }): PlainError =>
      describeError(err, {
        failure: sessionRef.current?.lastFailure,
        ...(item ? { item } : {}),
        hadToken: !!sessionRef.current && !!connectedWithRef.current?.token,
        connected: !!sessionRef.current,
      }),
    [],
  );
  const connectedWithRef = useRef(connectedWith);
  connectedWithRef.current = connectedWith;

  async function refreshLists(s: PlaygroundSession) {
    const next: Lists = { errors: {} };
    const settle = async <T,>(
      kind: 'tools' | 'prompts' | 'resources',
      load: () => Promise<T>,
      put: (v: T) => void,
    ) => {
      try {
        put(await load());
      } catch (e) {
        next.errors[kind] = describeError(e, {
          failure: s.lastFailure,
          hadToken: !!token.trim(),
          connected: true,
        });
      }
    };
    const caps = s.capabilities;
    await settle(
      'tools',
      () => s.listTools(),
      (v) => (next.tools = v),
    );
    if (caps.prompts)
      await settle(
        'prompts',
        () => s.listPrompts(),
        (v) => (next.prompts = v),
      );
    if (caps.resources)
      await settle(
        'resources',
        () => s.listResources(),
        (v) => {
          next.resources = v.resources;
          next.templates = v.templates;
        },
      );
    setLists(next);
  }

  async function connect() {
    setAttempt((n) => n + 1);
    setError(undefined);
    await disconnect();
    const url = transport === 'sse' && endpoint?.sseUrl ? endpoint.sseUrl : endpointUrl;
    const t = token.trim();
    const s = PlaygroundSession.create({ url, transport, token: t || undefined, onTraffic: setTraffic });
    setState('connecting');
    setError(undefined);
    setTrafficWithToken(!!t);
    try {
      await s.open();
    } catch (e) {
      setState('idle');
      const plain = describeError(e, { failure: s.lastFailure, hadToken: !!t, connected: false });
      setError(plain);
      if (plain.network) {
        api
          .preflight(url, window.location.origin)
          .then((report) => setError(corsAdvice(report, endpoint)))
          .catch(() => undefined);
      }
      return;
    }
    sessionRef.current = s;
    setSession(s);
    setConnectedWith({ url: endpointUrl, token: t, transport });
    setState('connected');
    await refreshLists(s);
  }

  async function disconnect() {
    const s = sessionRef.current;
    sessionRef.current = undefined;
    setSession(undefined);
    setConnectedWith(undefined);
    setLists(EMPTY_LISTS);
    setState('idle');
    if (s) await s.close();
  }

  return (
    <>
      <h1>Playground</h1>
      <p className="lead">Connect to the gateway as an identity, see what it may use, and run it.</p>
      <div className="pg-grid">
        <div className="pg-left">
          <ConnectionCard
            endpoints={endpoints.data}
            endpointsError={endpoints.error}
            demoTokens={demoTokens.data ?? []}
            endpointUrl={endpointUrl}
            onEndpoint={setEndpointUrl}
            transport={transport}
            onTransport={setTransport}
            token={token}
            onToken={setToken}
            state={state}
            connectedWith={connectedWith}
            serverName={session?.serverName}
            error={error}
            onConnect={() => void connect()}
            onDisconnect={() => void disconnect()}
            attempt={attempt}
          />
          <ClientSnippetsCard endpointUrl={endpoint?.url ?? ''} token={token} />
        </div>
        <div className="pg-right">
          <ItemsCard session={session} lists={lists} describe={describe} />
          <TrafficLog entries={traffic} tokenSet={trafficWithToken} />
        </div>
      </div>
      <ExplainCard token={token} route={endpoint?.route} />
    </>
  );
}

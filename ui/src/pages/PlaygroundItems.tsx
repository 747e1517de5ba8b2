/** Tools / Prompts / Resources of the connected session, as keyboard-navigable tabs. */
import { useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type {
  GetPromptResult,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
  Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { Card, Empty, ErrorBox } from '../components/common.js';
import { PromptResultView, ResourceResultView } from '../components/ResultView.js';
import type { PlainError } from '../lib/errors.js';
import { matches } from '../lib/search.js';
import type { PlaygroundSession } from '../mcp/client.js';
import { ToolRunner } from './PlaygroundTool.js';

export interface Lists {
  tools?: Tool[];
  prompts?: Prompt[];
  resources?: Resource[];
  templates?: ResourceTemplate[];
  errors: { tools?: PlainError; prompts?: PlainError; resources?: PlainError };
}

type Tab = 'tools' | 'prompts' | 'resources';
const TABS: readonly { id: Tab; label: string }[] = [
  { id: 'tools', label: 'Tools' },
  { id: 'prompts', label: 'Prompts' },
  { id: 'resources', label: 'Resources' },
];

export interface ItemsProps {
  readonly session: PlaygroundSession | undefined;
  readonly lists: Lists;
  readonly describe: (
    err: unknown,
    item?: { kind: 'tool' | 'prompt' | 'resource'; name: string },
  ) => PlainError;
}

function filtered(lists: Lists, query: string): Lists {
  if (!query.trim()) return lists;
  return {
    ...lists,
    ...(lists.tools ? { tools: lists.tools.filter((t) => matches(query, t)) } : {}),
    ...(lists.prompts ? { prompts: lists.prompts.filter((p) => matches(query, p)) } : {}),
    ...(lists.resources ? { resources: lists.resources.filter((r) => matches(query, r)) } : {}),
    ...(lists.templates
      ? { templates: lists.templates.filter((r) => matches(query, { ...r, uri: r.uriTemplate })) }
      : {}),
  };
}

export function ItemsCard({ session, lists: all, describe }: ItemsProps) {
  const [tab, setTab] = useState<Tab>('tools');
  const [query, setQuery] = useState('');
  const lists = filtered(all, query);
  const tabRefs = useRef<Record<Tab, HTMLButtonElement | null>>({
    tools: null,
    prompts: null,
    resources: null,
  });
  const onKey = (e: KeyboardEvent) => {
    const i = TABS.findIndex((t) => t.id === tab);
    const next =
      e.key === 'ArrowRight'
        ? (i + 1) % TABS.length
        : e.key === 'ArrowLeft'
          ? (i + TABS.length - 1) % TABS.length
          : -1;
    if (next < 0) return;
    e.preventDefault();
    const id = TABS[next]!.id;
    setTab(id);
    tabRefs.current[id]?.focus();
  };
  const count = (l: readonly unknown[] | undefined, of: readonly unknown[] | undefined) =>
    l ? (query.trim() && of ? ` (${l.length} of ${of.length})` : ` (${l.length})`) : '';
  const resourcesOf = (l: Lists) =>
    l.resources || l.templates ? [...(l.resources ?? []), ...(l.templates ?? [])] : undefined;
  return (
    <Card title="Available items" id="items">
      <label htmlFor="pg-search" className="sr-only">
        Search tools, prompts and resources
      </label>
      <input
        id="pg-search"
        type="search"
        className="item-search"
        placeholder="Search tools, prompts and resources (name, title, description)"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        autoComplete="off"
        spellCheck={false}
      />
      <div role="tablist" aria-label="MCP items" className="tabs" onKeyDown={onKey}>
        {TABS.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              tabRefs.current[t.id] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => setTab(t.id)}
          >
            {t.label}
            {t.id === 'tools'
              ? count(lists.tools, all.tools)
              : t.id === 'prompts'
                ? count(lists.prompts, all.prompts)
                : count(resourcesOf(lists), resourcesOf(all))}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel">
        {!session ? (
          <Empty>Connect to list what this identity can see.</Empty>
        ) : tab === 'tools' ? (
          <ToolsPanel session={session} lists={lists} describe={describe} />
        ) : tab === 'prompts' ? (
          <PromptsPanel session={session} lists={lists} describe={describe} />
        ) : (
          <ResourcesPanel session={session} lists={lists} describe={describe} />
        )}
      </div>
    </Card>
  );
}

function ToolsPanel({
  session,
  lists,
  describe,
}: {
  session: PlaygroundSession;
  lists: Lists;
  describe: ItemsProps['describe'];
}) {
  const [name, setName] = useState('');
  const tools = lists.tools ?? [];
  return (
    <div className="split">
      <ItemList
        label="Available Tools"
        error={lists.errors.tools}
        items={tools.map((t) => ({ key: t.name, title: t.name, subtitle: t.title ?? t.description }))}
        selected={name}
        onSelect={setName}
        empty="No tools: this identity may not use any tool on this endpoint."
      />
      <ToolRunner
        tools={tools}
        name={name}
        onName={setName}
        run={(n, args, opts) => session.callTool(n, args, opts)}
        describe={(err, n) => describe(err, { kind: 'tool', name: n })}
        disabled={false}
      />
    </div>
  );
}

function PromptsPanel({
  session,
  lists,
  describe,
}: {
  session: PlaygroundSession;
  lists: Lists;
  describe: ItemsProps['describe'];
}) {
  const [name, setName] = useState('');
  const [args, setArgs] = useState<Record<string, string>>({});
  const [result, setResult] = useState<GetPromptResult>();
  const [error, setError] = useState<PlainError>();
  const prompt = lists.prompts?.find((p) => p.name === name);
  async function get() {
    setResult(undefined);
    setError(undefined);
    try {
      setResult(await session.getPrompt(name, args));
    } catch (e) {
      setError(describe(e, { kind: 'prompt', name }));
    }
  }
  return (
    <div className="split">
      <ItemList
        label="Available Prompts"
        error={lists.errors.prompts}
        items={(lists.prompts ?? []).map((p) => ({ key: p.name, title: p.name, subtitle: p.description }))}
        selected={name}
        onSelect={(n) => {
          setName(n);
          setArgs({});
          setResult(undefined);
          setError(undefined);
        }}
        empty="No prompts for this identity."
      />
      <Detail show={!!prompt} hint="Pick a prompt.">
        {prompt ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void get();
            }}
          >
            <h3 className="subhead">{prompt.name}</h3>
            {prompt.description ? <p>{prompt.description}</p> : null}
            {(prompt.arguments ?? []).map((a) => (
              <div className="field" key={a.name}>
                <label htmlFor={`pg-prompt-${a.name}`}>
                  {a.name}
                  {a.required ? <span className="required"> *</span> : null}
                </label>
                <input
                  id={`pg-prompt-${a.name}`}
                  value={args[a.name] ?? ''}
                  onChange={(e) => setArgs((o) => ({ ...o, [a.name]: e.target.value }))}
                  required={a.required}
                />
                {a.description ? <p className="muted small">{a.description}</p> : null}
              </div>
            ))}
            <div className="actions">
              <button type="submit">Get prompt</button>
            </div>
            {error ? <ErrorBox message={error.message} fix={error.fix} /> : null}
            {result ? <PromptResultView result={result} /> : null}
          </form>
        ) : null}
      </Detail>
    </div>
  );
}

function ResourcesPanel({
  session,
  lists,
  describe,
}: {
  session: PlaygroundSession;
  lists: Lists;
  describe: ItemsProps['describe'];
}) {
  const [uri, setUri] = useState('');
  const [result, setResult] = useState<ReadResourceResult>();
  const [error, setError] = useState<PlainError>();
  async function read(u: string) {
    setUri(u);
    setResult(undefined);
    setError(undefined);
    try {
      setResult(await session.readResource(u));
    } catch (e) {
      setError(describe(e, { kind: 'resource', name: u }));
    }
  }
  const items = [
    ...(lists.resources ?? []).map((r) => ({ key: r.uri, title: r.name, subtitle: r.uri })),
    ...(lists.templates ?? []).map((t) => ({
      key: t.uriTemplate,
      title: `${t.name} (template)`,
      subtitle: t.uriTemplate,
    })),
  ];
  return (
    <div className="split">
      <ItemList
        label="Available Resources"
        error={lists.errors.resources}
        items={items}
        selected={uri}
        onSelect={(u) => void read(u)}
        empty="No resources for this identity."
      />
      <Detail show hint="">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void read(uri);
          }}
        >
          <div className="field">
            <label htmlFor="pg-resource-uri">Resource URI</label>
            <input
              id="pg-resource-uri"
              value={uri}
              onChange={(e) => setUri(e.target.value)}
              spellCheck={false}
            />
          </div>
          <div className="actions">
            <button type="submit" disabled={!uri}>
              Read
            </button>
          </div>
          {error ? <ErrorBox message={error.message} fix={error.fix} /> : null}
          {result ? <ResourceResultView result={result} /> : null}
        </form>
      </Detail>
    </div>
  );
}

function ItemList(props: {
  label: string;
  error: PlainError | undefined;
  items: readonly { key: string; title: string; subtitle?: string | undefined }[];
  selected: string;
  onSelect: (key: string) => void;
  empty: string;
}) {
  return (
    <div className="item-list">
      <h3 className="subhead" id={`${props.label.replace(/\s+/g, '-')}-h`}>
        {props.label}
      </h3>
      {props.error ? <ErrorBox message={props.error.message} fix={props.error.fix} /> : null}
      {!props.error && props.items.length === 0 ? <Empty>{props.empty}</Empty> : null}
      <ul aria-labelledby={`${props.label.replace(/\s+/g, '-')}-h`}>
        {props.items.map((i) => (
          <li key={i.key}>
            <button
              type="button"
              className={`item ${props.selected === i.key ? 'selected' : ''}`}
              aria-pressed={props.selected === i.key}
              onClick={() => props.onSelect(i.key)}
            >
              <span className="item-title">{i.title}</span>
              {i.subtitle ? <span className="item-subtitle">{i.subtitle}</span> : null}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Detail({ show, hint, children }: { show: boolean; hint: string; children: ReactNode }) {
  return <div className="detail">{show ? children : <Empty>{hint}</Empty>}</div>;
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NormalizedMatch } from '../../src/config/types.js';
import {
  compileRouteMatcher,
  requestHost,
  selectListener,
  selectRoute,
  type RequestShape,
} from '../../src/runtime/router.js';

const m = (path: NormalizedMatch['path'], extra: Partial<NormalizedMatch> = {}): NormalizedMatch => ({
  path,
  method: undefined,
  headers: [],
  query: [],
  ...extra,
});
const prefix = (value: string) => ({ kind: 'prefix', value }) as const;
const exact = (value: string) => ({ kind: 'exact', value }) as const;
const regex = (value: string) => ({ kind: 'regex', value }) as const;

function route(name: string, matches: NormalizedMatch[], hostnames: string[] = []) {
  return { name, hostnames, matcher: compileRouteMatcher(matches) };
}

function req(path: string, o: Partial<Omit<RequestShape, 'query'>> & { query?: string } = {}): RequestShape {
  return {
    method: o.method ?? 'GET',
    path,
    host: o.host ?? 'example.com',
    headers: o.headers ?? {},
    query: new URLSearchParams(o.query ?? ''),
  };
}

const routes = [
  route('root', [m(prefix('/'))]),
  route('mcp-prefix', [m(prefix('/mcp'))]),
  route('mcp-exact', [m(exact('/mcp'))]),
  route('api-deep', [m(prefix('/api/v1'))]),
  route('api', [m(prefix('/api'))]),
  route('regex', [m(regex('/r/[0-9]+'))]),
  route('post-only', [m(prefix('/form'), { method: 'POST' })]),
  route('form-any', [m(prefix('/form'))]),
  route('hdr2', [
    m(prefix('/h'), {
      headers: [
        { name: 'x-a', value: { exact: '1' } },
        { name: 'x-b', value: { regex: 'b.*' } },
      ],
    }),
  ]),
  route('hdr1', [m(prefix('/h'), { headers: [{ name: 'x-a', value: { exact: '1' } }] })]),
  route('h-plain', [m(prefix('/h'))]),
  route('q1', [m(prefix('/q'), { query: [{ name: 'v', value: { exact: '2' } }] })]),
  route('q-plain', [m(prefix('/q'))]),
  route('dup-first', [m(prefix('/dup'))]),
  route('dup-second', [m(prefix('/dup'))]),
  route('hosted', [m(prefix('/hosted'))], ['*.internal.example']),
];

const table: [string, RequestShape, string | undefined][] = [
  ['exact beats prefix', req('/mcp'), 'mcp-exact'],
  ['prefix is segment aware (/mcp/x)', req('/mcp/x'), 'mcp-prefix'],
  ['prefix is segment aware (/mcpx → root)', req('/mcpx'), 'root'],
  ['trailing slash on prefix', req('/mcp/'), 'mcp-prefix'],
  ['longest prefix wins', req('/api/v1/users'), 'api-deep'],
  ['shorter prefix', req('/api/v2'), 'api'],
  ['root catches all', req('/anything/else'), 'root'],
  ['regex must match whole path', req('/r/123'), 'regex'],
  ['regex partial → root', req('/r/123x'), 'root'],
  ['method match beats no method', req('/form', { method: 'POST' }), 'post-only'],
  ['method mismatch falls back', req('/form', { method: 'GET' }), 'form-any'],
  ['most header matches', req('/h', { headers: { 'x-a': '1', 'x-b': 'bee' } }), 'hdr2'],
  ['one header match', req('/h', { headers: { 'x-a': '1', 'x-b': 'no' } }), 'hdr1'],
  ['no header match', req('/h', { headers: { 'x-a': '2' } }), 'h-plain'],
  ['query match', req('/q', { query: 'v=2' }), 'q1'],
  ['query mismatch', req('/q', { query: 'v=3' }), 'q-plain'],
  ['ties keep the first', req('/dup'), 'dup-first'],
  ['route hostnames: wildcard host matches', req('/hosted', { host: 'a.internal.example' }), 'hosted'],
  ['route hostnames: other host skips the route', req('/hosted', { host: 'other.example' }), 'root'],
];

for (const [name, r, want] of table) {
  test(`route selection: ${name}`, () => {
    assert.equal(selectRoute(routes, r)?.name, want);
  });
}

test('no route → undefined (the listener answers 404 route not found)', () => {
  assert.equal(selectRoute([route('only', [m(exact('/x'))])], req('/y')), undefined);
});

test('listener selection: exact > wildcard > empty', () => {
  const ls = [
    { name: 'any', hostname: '' },
    { name: 'wild', hostname: '*.example.com' },
    { name: 'deeper', hostname: '*.api.example.com' },
    { name: 'exact', hostname: 'www.example.com' },
  ];
  assert.equal(selectListener(ls, 'www.example.com')?.name, 'exact');
  assert.equal(selectListener(ls, 'x.example.com')?.name, 'wild');
  assert.equal(selectListener(ls, 'x.api.example.com')?.name, 'deeper');
  assert.equal(selectListener(ls, 'example.com')?.name, 'any');
  assert.equal(selectListener(ls, 'other.org')?.name, 'any');
  assert.equal(selectListener([{ name: 'only', hostname: 'a.com' }], 'b.com'), undefined);
});

test('requestHost strips ports and lower-cases, keeps IPv6 brackets', () => {
  assert.equal(requestHost('Example.COM:3000'), 'example.com');
  assert.equal(requestHost('[::1]:3000'), '[::1]');
  assert.equal(requestHost(undefined), '');
});

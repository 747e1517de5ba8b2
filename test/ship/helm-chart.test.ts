/**
 * The Helm chart (deploy/helm/portcullis): rendered (test/ship/helm-subset.ts) with typical values and
 * with every optional part off, every manifest validated against the Kubernetes JSON schemas
 * (kubernetes-models), the probes, graceful termination, mounts and secrets checked, and the config it
 * ships loaded by Portcullis's own loader.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { renderChart } from './helm-subset.js';
import { loadConfig } from '../../src/config/load.js';

const CHART = resolve('deploy/helm/portcullis');
const SECRETS = { secrets: { sessionKey: 'k'.repeat(44), adminToken: 'admin-token-value' } };
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  Deployment,
  ConfigMap,
  Secret,
  Service,
  HorizontalPodAutoscaler,
  PodDisruptionBudget,
};

function validateAll(docs: Record<string, unknown>[]): Map<string, Record<string, unknown>> {
  const byKind = new Map<string, Record<string, unknown>>();
  for (const doc of docs) {
    const kind = String(doc['kind']);
    const Model = MODELS[kind];
    assert.ok(Model, `unexpected kind ${kind}`);
    new Model(doc as never).validate();
    byKind.set(kind, doc);
  }
  return byKind;
}

describe('Helm chart', () => {
  test('default values: every manifest is valid Kubernetes', () => {
    const docs = renderChart(CHART, 'gw', SECRETS);
    const kinds = validateAll(docs);
    assert.deepEqual([...kinds.keys()].sort(), [
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'Secret',
      'Service',
    ]);
    const dep = kinds.get('Deployment') as { spec: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const pod = dep.spec.template.spec;
    const c = pod.containers[0];
    assert.equal(c.readinessProbe.httpGet.path, '/healthz/ready');
    assert.equal(c.readinessProbe.httpGet.port, 'readiness');
    assert.equal(c.livenessProbe.httpGet.port, 'readiness');
    assert.ok(
      c.ports.some(
        (p: { name: string; containerPort: number }) => p.name === 'readiness' && p.containerPort === 15021,
      ),
    );
    assert.ok(pod.terminationGracePeriodSeconds >= 10, 'time to drain after SIGTERM');
    assert.ok(c.lifecycle.preStop, 'a preStop delay lets endpoints update before draining');
    assert.equal(dep.spec.replicas, undefined, 'the HPA owns the replica count');
    assert.deepEqual(c.args, ['-f', '/etc/portcullis/config.yaml']);
    const env = Object.fromEntries(c.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    assert.equal(env['PORTCULLIS_SESSION_KEY_FILE'], '/etc/portcullis/secrets/session-key');
    assert.equal(env['PORTCULLIS_ADMIN_TOKEN_FILE'], '/etc/portcullis/secrets/admin-token');
    assert.match(env['READINESS_ADDR'], /:15021$/);
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    // The config is a ConfigMap volume (Kubernetes swaps its symlink on update; the gateway reloads).
    const vol = pod.volumes.find((v: { name: string }) => v.name === 'config');
    assert.equal(vol.configMap.name, 'gw-portcullis');
    const secret = kinds.get('Secret') as { data: Record<string, string> };
    assert.equal(Buffer.from(secret.data['admin-token']!, 'base64').toString(), 'admin-token-value');
  });

  test('the config the chart ships loads', () => {
    const docs = renderChart(CHART, 'gw', SECRETS);
    const cm = docs.find((d) => d['kind'] === 'ConfigMap') as { data: Record<string, string> };
    const loaded = loadConfig(
      { text: cm.data['config.yaml']!, name: 'configmap/config.yaml', baseDir: process.cwd() },
      {},
    );
    assert.equal(loaded.config.binds[0]?.port, 3000);
  });

  test('optional parts off, an existing Secret, Redis and a fixed replica count', () => {
    const docs = renderChart(CHART, 'r2', {
      secrets: { existingSecret: 'mine' },
      autoscaling: { enabled: false },
      podDisruptionBudget: { enabled: false },
      redis: { url: 'redis://redis:6379' },
      replicaCount: 3,
    });
    const kinds = validateAll(docs);
    assert.deepEqual([...kinds.keys()].sort(), ['ConfigMap', 'Deployment', 'Service']);
    const dep = kinds.get('Deployment') as { spec: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(dep.spec.replicas, 3);
    const pod = dep.spec.template.spec;
    assert.equal(pod.volumes.find((v: { name: string }) => v.name === 'secrets').secret.secretName, 'mine');
    assert.ok(
      pod.containers[0].env.some(
        (e: { name: string; value: string }) =>
          e.name === 'PORTCULLIS_REDIS_URL' && e.value === 'redis://redis:6379',
      ),
    );
  });

  test('missing secrets fail the render with the value to set', () => {
    assert.throws(() => renderChart(CHART, 'gw', {}), /secrets.sessionKey is required/);
  });
});

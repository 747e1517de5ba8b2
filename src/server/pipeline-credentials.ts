/**
 * Phase 3a of the pipeline: one apiKey / basicAuth check, with its metric. A refusal propagates (401 or
 * 503); true = a verified credential has set `ctx.identity`.
 */
import { isGatewayError } from '../errors/registry.js';
import type { CompiledCredentialAuth, TrafficTelemetry } from '../policies/types.js';
import type { RequestContext } from '../contracts/request-context.js';

export async function authenticateCredential(
  ctx: RequestContext,
  auth: CompiledCredentialAuth,
  telemetry: TrafficTelemetry | undefined,
): Promise<boolean> {
  try {
    const ok = await auth.authenticate(ctx);
    telemetry?.credential(auth.name, ok ? 'ok' : 'anonymous');
    return ok;
  } catch (e) {
    telemetry?.credential(auth.name, isGatewayError(e) && e.code === 'AUTH_BUSY' ? 'busy' : 'refused');
    throw e;
  }
}

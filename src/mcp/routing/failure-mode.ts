/**
 * The error a `failureMode: failClosed` backend answers when some of its targets fail: the failing
 * target's error, plus what an operator can change — `failureMode: failOpen` serves the targets that
 * work. Without other working targets the error is left as it is (failOpen would not help).
 */
import { GatewayError } from '../../errors/registry.js';

export function failClosedError(err: GatewayError, failed: number, total: number): GatewayError {
  const others = total - failed;
  if (others <= 0) return err;
  const message =
    `${err.message} (failureMode: failClosed fails the request while one target fails; ` +
    `failureMode: failOpen would serve the other ${others} target${others === 1 ? '' : 's'})`;
  return new GatewayError(err.code, message, {
    status: err.status,
    headers: { ...err.headers },
    data: err.data,
    cause: err,
  });
}

/**
 * A failed `listen()` turned into a message that says what to change: which server, which config
 * setting (and environment variable) chose the address, and the usual fix. Used for the client binds
 * (./listeners.ts) and for the admin, stats and readiness servers (src/app/run.ts).
 */

export interface ListenSubject {
  /** `bind 0`, `admin server`, … */
  readonly label: string;
  readonly address: string;
  readonly port: number;
  /** Config setting holding the port (`binds[0].port`, `config.adminAddr`). */
  readonly portSetting: string;
  /** Config setting holding the address (`binds[0].address`, `config.adminAddr`). */
  readonly addressSetting: string;
  /** Environment variable that overrides the setting (`ADMIN_ADDR`), if any. */
  readonly env?: string;
  /** Config file name as given (`config.yaml`, `<stdin>`). */
  readonly source: string;
}

export class ListenError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, cause: unknown) {
    super(message, { cause });
    this.name = 'ListenError';
    this.code = code;
  }
}

const ADDRESS_CODES = new Set(['EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAFNOSUPPORT']);

function hint(code: string | undefined): string {
  switch (code) {
    case 'EADDRINUSE':
      return 'address already in use — change the port or stop the other process';
    case 'EACCES':
      return 'permission denied — ports below 1024 need privileges: choose a port of 1024 or more';
    case 'EADDRNOTAVAIL':
      return 'address not available on this machine — use an address of one of its interfaces, or 0.0.0.0 / ::';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return 'host name does not resolve — use an IP address or a resolvable name';
    case 'EAFNOSUPPORT':
      return 'address family not supported on this machine — use an IPv4 address or enable IPv6';
    default:
      return `cannot listen (${code ?? 'unknown error'})`;
  }
}

/** `bind 0 (port 3000, from binds[0].port in config.yaml): address already in use — …` */
export function describeListenError(err: unknown, s: ListenSubject): ListenError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const onAddress = code !== undefined && ADDRESS_CODES.has(code);
  const setting = onAddress ? s.addressSetting : s.portSetting;
  const what = onAddress ? `address ${s.address}, port ${s.port}` : `port ${s.port}`;
  const from = `from ${setting} in ${s.source}${s.env ? ` or the environment variable ${s.env}` : ''}`;
  return new ListenError(`${s.label} (${what}, ${from}): ${hint(code)}`, code, err);
}

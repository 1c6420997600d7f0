import type { Env } from '../program.js';

export interface HttpbinConfig {
  host: string | undefined;
  port: number;
  maxDurationMs: number;
  maxBodySize: number;
  prefix: string;
  realHostname: boolean;
  excludeHeaders: RegExp | undefined;
}

export class ConfigError extends Error {}

const DEFAULT_PORT = 8080;
const DEFAULT_MAX_DURATION_MS = 10_000;
const DEFAULT_MAX_BODY = 1024 * 1024;

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's time.ParseDuration ("1.5s", "1m30s", "250ms"), in milliseconds; undefined when malformed. */
export function parseGoDuration(s: string): number | undefined {
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  const sign = s.startsWith('-') ? -1 : 1;
  const body = s.replace(/^[+-]/, '');
  re.lastIndex = 0;
  while ((m = re.exec(body))) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  return pos === body.length && pos > 0 ? sign * total : undefined;
}

/** go-httpbin's delay argument: a Go duration, else seconds as a float. */
export function parseDelay(s: string): number | undefined {
  const d = parseGoDuration(s);
  if (d !== undefined) return d;
  return /^\d+(\.\d+)?$|^\.\d+$/.test(s) ? Number(s) * 1000 : undefined;
}

function wildcardRegex(list: string): RegExp | undefined {
  const parts = list
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map(
      (p) =>
        '^' +
        p
          .split('*')
          .map((lit) => lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*') +
        '$',
    );
  return parts.length ? new RegExp(parts.join('|'), 'i') : undefined;
}

/**
 * go-httpbin's flags (`-port 8080`, `--port=8080`, ...), each falling back to its environment variable when
 * left at the default, as go-httpbin does: command-line arguments win over env.
 */
export function parseHttpbinArgs(args: readonly string[], env: Env): HttpbinConfig {
  const flags = new Map<string, string>();
  const booleans = new Set(['use-real-hostname']);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-') || a === '-' || a === '--') {
      if (a === '--') break;
      continue; // go's flag package stops at the first non-flag; extra words are ignored here
    }
    const name = a.replace(/^--?/, '');
    const eq = name.indexOf('=');
    if (eq >= 0) flags.set(name.slice(0, eq), name.slice(eq + 1));
    else if (booleans.has(name)) flags.set(name, 'true');
    else {
      const v = args[++i];
      if (v === undefined) throw new ConfigError(`flag needs an argument: -${name}`);
      flags.set(name, v);
    }
  }
  const known = [
    'host',
    'port',
    'max-duration',
    'max-body-size',
    'prefix',
    'use-real-hostname',
    'exclude-headers',
    'allowed-redirect-domains',
    'https-cert-file',
    'https-key-file',
    'log-format',
    'srv-max-header-bytes',
    'srv-read-header-timeout',
    'srv-read-timeout',
  ];
  for (const k of flags.keys())
    if (!known.includes(k)) throw new ConfigError(`flag provided but not defined: -${k}`);

  const pick = (flag: string, envName: string) => flags.get(flag) ?? (env[envName] || undefined);
  const portRaw = pick('port', 'PORT');
  const port = portRaw === undefined ? DEFAULT_PORT : Number(portRaw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`invalid value "${portRaw}" for port`);
  const durRaw = pick('max-duration', 'MAX_DURATION');
  const maxDurationMs = durRaw === undefined ? DEFAULT_MAX_DURATION_MS : parseGoDuration(durRaw);
  if (maxDurationMs === undefined) throw new ConfigError(`invalid value "${durRaw}" for max-duration`);
  const bodyRaw = pick('max-body-size', 'MAX_BODY_SIZE');
  const maxBodySize = bodyRaw === undefined ? DEFAULT_MAX_BODY : Number(bodyRaw);
  if (!Number.isInteger(maxBodySize)) throw new ConfigError(`invalid value "${bodyRaw}" for max-body-size`);
  const prefix = pick('prefix', 'PREFIX') ?? '';
  if (prefix && (!prefix.startsWith('/') || prefix.endsWith('/'))) {
    throw new ConfigError(`Prefix "${prefix}" must start with a slash and not end with one`);
  }
  const realEnv = env.USE_REAL_HOSTNAME;
  return {
    host: pick('host', 'HOST'),
    port,
    maxDurationMs,
    maxBodySize,
    prefix,
    realHostname: flags.get('use-real-hostname') === 'true' || realEnv === '1' || realEnv === 'true',
    excludeHeaders: wildcardRegex(pick('exclude-headers', 'EXCLUDE_HEADERS') ?? ''),
  };
}

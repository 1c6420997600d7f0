import crypto from 'node:crypto';
import os from 'node:os';
import type http from 'node:http';
import { readBody, remoteAddress } from '../serve.js';
import { type HttpbinConfig, parseDelay } from './config.js';

/**
 * go-httpbin's JSON shapes: headers and query args are maps of string arrays (Go's http.Header and
 * url.Values, keys in Go's canonical MIME form), bodies are pretty-printed with two-space indents, errors
 * are `{status_code, error, detail?}`. The `python` flavour answers like the original Python httpbin
 * (kennethreitz/httpbin): single strings, no `method`.
 */
export type Flavour = 'go' | 'python';

type Req = http.IncomingMessage;
type Res = http.ServerResponse;

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';

export function canonicalHeaderKey(k: string): string {
  return k.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

function statusText(code: number): string {
  const texts: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    404: 'Not Found',
    405: 'Method Not Allowed',
    413: 'Request Entity Too Large',
    500: 'Internal Server Error',
    501: 'Not Implemented',
  };
  return texts[code] ?? '';
}

export class Httpbin {
  constructor(
    private readonly cfg: HttpbinConfig,
    private readonly flavour: Flavour,
  ) {}

  private write(
    res: Res,
    status: number,
    type: string,
    body: string | Buffer,
    extra: Record<string, string> = {},
  ) {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
    res.end(body);
  }

  private json(res: Res, status: number, value: unknown, extra: Record<string, string> = {}) {
    this.write(res, status, JSON_TYPE, JSON.stringify(value, null, 2) + '\n', extra);
  }

  private error(res: Res, status: number, detail?: string) {
    const body: Record<string, unknown> = { status_code: status, error: statusText(status) };
    if (detail) body.detail = detail;
    this.json(res, status, body);
  }

  private headers(req: Req): Record<string, string[] | string> {
    const out: Record<string, string[]> = {};
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const key = canonicalHeaderKey(raw[i]!);
      if (this.cfg.excludeHeaders?.test(key)) continue;
      (out[key] ??= []).push(raw[i + 1]!);
    }
    if (req.headers.host !== undefined) out.Host = [req.headers.host];
    if (this.flavour === 'go') return out;
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.join(',')]));
  }

  private args(url: URL): Record<string, string[] | string> {
    const out: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (out[k] ??= []).push(v);
    if (this.flavour === 'go') return out;
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.length === 1 ? v[0]! : v])) as Record<
      string,
      string
    >;
  }

  private origin(req: Req): string {
    const xff = req.headers['x-forwarded-for'];
    const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
    return first || remoteAddress(req);
  }

  private fullUrl(req: Req): string {
    const proto = (req.headers['x-forwarded-proto'] as string | undefined) ?? 'http';
    return `${proto}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  }

  private noBody(req: Req, url: URL): Record<string, unknown> {
    const base = { args: this.args(url), headers: this.headers(req) };
    return this.flavour === 'go'
      ? { ...base, method: req.method, origin: this.origin(req), url: this.fullUrl(req) }
      : { ...base, origin: this.origin(req), url: this.fullUrl(req) };
  }

  private async withBody(req: Req, url: URL): Promise<Record<string, unknown>> {
    const body = await readBody(req, this.cfg.maxBodySize);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    let data = body.toString();
    let form: Record<string, string[]> = {};
    let json: unknown = null;
    if (body.length > 0) {
      if (type === 'application/x-www-form-urlencoded') {
        for (const [k, v] of new URLSearchParams(data)) (form[k] ??= []).push(v);
      } else if (type === 'application/json') {
        json = JSON.parse(data);
      } else if (type !== 'text/plain' && type !== 'text/html') {
        data = `data:${type || 'application/octet-stream'};base64,${body.toString('base64url')}`;
      }
    }
    const files = {};
    if (this.flavour === 'python') {
      const flat = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, v.length === 1 ? v[0]! : v]));
      return {
        args: this.args(url),
        data,
        files,
        form: flat,
        headers: this.headers(req),
        json,
        method: req.method,
        origin: this.origin(req),
        url: this.fullUrl(req),
      };
    }
    form = Object.keys(form).length ? form : {};
    return {
      args: this.args(url),
      headers: this.headers(req),
      method: req.method,
      origin: this.origin(req),
      url: this.fullUrl(req),
      data,
      files,
      form,
      json,
    };
  }

  private only(req: Req, res: Res, ...methods: string[]): boolean {
    const m = req.method ?? 'GET';
    if (methods.includes(m) || (m === 'HEAD' && methods.includes('GET')) || m === 'OPTIONS') return true;
    this.error(res, 405);
    return false;
  }

  private doStatus(res: Res, code: number) {
    const redirect = { location: this.cfg.prefix + '/redirect/1' };
    const special: Record<number, { headers?: Record<string, string>; body?: string }> = {
      301: { headers: redirect },
      302: { headers: redirect },
      303: { headers: redirect },
      305: { headers: redirect },
      307: { headers: redirect },
      401: { headers: { 'www-authenticate': 'Basic realm="Fake Realm"' } },
      407: { headers: { 'proxy-authenticate': 'Basic realm="Fake Realm"' } },
      418: { headers: { 'x-more-info': 'http://tools.ietf.org/html/rfc2324' }, body: "I'm a teapot!" },
    };
    const s = special[code];
    this.write(res, code, TEXT_TYPE, s?.body ?? '', s?.headers ?? {});
  }

  private status(res: Res, raw: string) {
    const choices: { code: number; weight: number }[] = [];
    for (const part of raw.split(',')) {
      const [c, w] = part.split(':');
      const code = Number(c);
      const weight = w === undefined ? 1 : Number(w);
      if (!/^\d+$/.test(c ?? '') || code < 100 || code > 599)
        return this.error(res, 400, `invalid status code: "${c}"`);
      if (!Number.isFinite(weight) || weight < 0) return this.error(res, 400, `invalid weight value: "${w}"`);
      choices.push({ code, weight });
    }
    const total = choices.reduce((a, c) => a + c.weight, 0);
    let pick = Math.random() * total;
    for (const c of choices) {
      if ((pick -= c.weight) < 0) return this.doStatus(res, c.code);
    }
    this.doStatus(res, choices[choices.length - 1]!.code);
  }

  private async delay(req: Req, res: Res, url: URL, raw: string) {
    const ms = parseDelay(raw);
    if (ms === undefined || ms < 0 || ms > this.cfg.maxDurationMs) {
      return this.error(res, 400, `invalid duration: ${raw}`);
    }
    const aborted = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      res.once('close', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    if (aborted) return;
    this.json(res, 200, await this.withBody(req, url));
  }

  private bytes(res: Res, url: URL, raw: string) {
    const n = Number(raw);
    if (!/^\d+$/.test(raw)) return this.error(res, 400, `invalid byte count: ${raw}`);
    if (n > this.cfg.maxBodySize)
      return this.error(res, 400, `number of bytes must be in range: 0 - ${this.cfg.maxBodySize}`);
    const seed = url.searchParams.get('seed');
    let buf: Buffer;
    if (seed !== null && /^-?\d+$/.test(seed)) {
      // deterministic for a given seed, as go-httpbin promises (not the same bytes as Go's PRNG)
      let x = Number(BigInt(seed) & 0xffffffffn) || 1;
      buf = Buffer.alloc(n);
      for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        buf[i] = x & 0xff;
      }
    } else buf = crypto.randomBytes(n);
    this.write(res, 200, 'application/octet-stream', buf);
  }

  private stream(req: Req, res: Res, url: URL, raw: string) {
    if (!/^-?\d+$/.test(raw)) return this.error(res, 400, `invalid count: ${raw}`);
    const n = Math.min(100, Math.max(1, Number(raw)));
    res.writeHead(200, { 'content-type': JSON_TYPE });
    const base = {
      args: this.args(url),
      headers: this.headers(req),
      origin: this.origin(req),
      url: this.fullUrl(req),
    };
    for (let i = 0; i < n; i++) res.write(JSON.stringify({ id: i, ...base }) + '\n');
    res.end();
  }

  private base64(res: Res, rest: string) {
    const parts = rest.split('/');
    const [op, data] = parts.length >= 2 ? [parts[0]!, parts.slice(1).join('/')] : ['decode', parts[0]!];
    if (!data) return this.error(res, 400, 'no input data');
    if (op === 'encode') {
      // URL-safe alphabet with padding, as Go's base64.URLEncoding
      const enc = Buffer.from(data).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
      return this.write(res, 200, TEXT_TYPE, enc);
    }
    if (op !== 'decode') return this.error(res, 400, `invalid operation: ${op}`);
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(data))
      return this.error(res, 400, 'base64 decode failed: illegal base64 data');
    this.write(res, 200, TEXT_TYPE, Buffer.from(data.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  }

  private redirect(req: Req, res: Res, url: URL, kind: string, raw: string) {
    if (!/^\d+$/.test(raw)) return this.error(res, 400, `invalid redirect count: ${raw}`);
    const n = Number(raw);
    if (n < 1) return this.error(res, 400, 'redirect count must be > 0');
    const absolute =
      kind === 'absolute-redirect' || (kind === 'redirect' && url.searchParams.get('absolute') === 'true');
    const path =
      this.cfg.prefix + (n - 1 < 1 ? '/get' : `/${absolute ? 'absolute' : 'relative'}-redirect/${n - 1}`);
    const location = absolute ? `http://${req.headers.host ?? 'localhost'}${path}` : path;
    this.write(res, 302, TEXT_TYPE, '', { location });
  }

  private cookies(req: Req): Record<string, string> {
    const out: Record<string, string> = {};
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
    return out;
  }

  private index(res: Res) {
    const endpoints = [
      '/get',
      '/post',
      '/put',
      '/patch',
      '/delete',
      '/anything',
      '/headers',
      '/ip',
      '/user-agent',
      '/uuid',
      '/status/{codes}',
      '/delay/{duration}',
      '/response-headers',
      '/bytes/{n}',
      '/stream/{n}',
      '/base64/{data}',
      '/redirect/{n}',
      '/cookies',
      '/basic-auth/{user}/{password}',
      '/hostname',
    ];
    const items = endpoints.map((e) => `<li><code>${e}</code></li>`).join('\n');
    this.write(
      res,
      200,
      HTML_TYPE,
      `<!DOCTYPE html>\n<html><head><title>go-httpbin</title></head><body>\n<h1>go-httpbin</h1>\n<p>HTTP request and response service.</p>\n<ul>\n${items}\n</ul>\n</body></html>\n`,
    );
  }

  handle = async (req: Req, res: Res): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://x');
    let path = url.pathname;
    if (this.cfg.prefix) {
      if (path !== this.cfg.prefix && !path.startsWith(this.cfg.prefix + '/')) return this.error(res, 404);
      path = path.slice(this.cfg.prefix.length) || '/';
    }
    const seg = path.split('/').slice(1);
    const head = seg[0] ?? '';
    const m = req.method ?? 'GET';
    if (m === 'OPTIONS') {
      return this.write(res, 200, TEXT_TYPE, '', {
        'access-control-allow-origin': (req.headers.origin as string) ?? '*',
        'access-control-allow-methods': 'GET, POST, HEAD, PUT, DELETE, PATCH, OPTIONS',
        'access-control-max-age': '3600',
      });
    }
    switch (head) {
      case '':
        return this.index(res);
      case 'get':
        if (this.only(req, res, 'GET')) this.json(res, 200, this.noBody(req, url));
        return;
      case 'post':
      case 'put':
      case 'patch':
      case 'delete':
        if (this.only(req, res, head.toUpperCase())) this.json(res, 200, await this.withBody(req, url));
        return;
      case 'anything':
        return this.json(res, 200, m === 'HEAD' ? this.noBody(req, url) : await this.withBody(req, url));
      case 'headers':
        return this.json(res, 200, { headers: this.headers(req) });
      case 'ip':
        return this.json(res, 200, { origin: this.origin(req) });
      case 'user-agent':
        return this.json(res, 200, { 'user-agent': req.headers['user-agent'] ?? '' });
      case 'uuid':
        return this.json(res, 200, { uuid: crypto.randomUUID() });
      case 'hostname':
        return this.json(res, 200, { hostname: this.cfg.realHostname ? os.hostname() : 'go-httpbin' });
      case 'status':
        if (seg.length !== 2) return this.error(res, 404);
        return this.status(res, seg[1]!);
      case 'delay':
        if (seg.length !== 2) return this.error(res, 404);
        return this.delay(req, res, url, seg[1]!);
      case 'response-headers': {
        const extra: Record<string, string[]> = {};
        for (const [k, v] of url.searchParams) (extra[canonicalHeaderKey(k)] ??= []).push(v);
        const body = JSON.stringify(this.args(url), null, 2) + '\n';
        res.writeHead(200, {
          'content-type': JSON_TYPE,
          ...extra,
          'content-length': Buffer.byteLength(body),
        });
        return void res.end(body);
      }
      case 'bytes':
        if (seg.length !== 2) return this.error(res, 404);
        return this.bytes(res, url, seg[1]!);
      case 'stream':
        if (seg.length !== 2) return this.error(res, 404);
        return this.stream(req, res, url, seg[1]!);
      case 'base64':
        return this.base64(res, seg.slice(1).join('/'));
      case 'redirect':
      case 'relative-redirect':
      case 'absolute-redirect':
        if (seg.length !== 2) return this.error(res, 404);
        return this.redirect(req, res, url, head, seg[1]!);
      case 'redirect-to': {
        const to = url.searchParams.get('url');
        if (!to) return this.error(res, 400, 'missing required query parameter: url');
        const code = Number(url.searchParams.get('status_code') ?? 302);
        if (!(code >= 300 && code <= 399)) return this.error(res, 400, 'invalid status code');
        return this.write(res, code, TEXT_TYPE, '', { location: to });
      }
      case 'cookies':
        if (seg.length === 1) return this.json(res, 200, this.cookies(req));
        if (seg[1] === 'set' || seg[1] === 'delete') {
          const set = [...url.searchParams].map(([k, v]) =>
            seg[1] === 'set' ? `${k}=${v}; HttpOnly` : `${k}=${v}; Max-Age=0; HttpOnly`,
          );
          res.writeHead(302, {
            location: this.cfg.prefix + '/cookies',
            'set-cookie': set,
            'content-length': 0,
          });
          return void res.end();
        }
        return this.error(res, 404);
      case 'basic-auth': {
        if (seg.length !== 3) return this.error(res, 404);
        const auth = req.headers.authorization ?? '';
        const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : '';
        const [user = '', pass = ''] = [
          decoded.slice(0, decoded.indexOf(':')),
          decoded.slice(decoded.indexOf(':') + 1),
        ];
        const ok = decoded.includes(':') && user === seg[1] && pass === seg[2];
        return this.json(
          res,
          ok ? 200 : 401,
          { authorized: ok, user },
          ok ? {} : { 'www-authenticate': 'Basic realm="Fake Realm"' },
        );
      }
      case 'unstable': {
        const rate = Number(url.searchParams.get('failure_rate') ?? 0.5);
        if (!(rate >= 0 && rate <= 1)) return this.error(res, 400, 'invalid failure rate');
        return this.write(res, Math.random() < rate ? 500 : 200, TEXT_TYPE, '');
      }
      default:
        return this.error(res, 404);
    }
  };
}

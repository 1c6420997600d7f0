import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Program, RunContext } from './program.js';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface AccessRecord {
  remote: string;
  method: string;
  url: string;
  httpVersion: string;
  status: number;
  bytes: number | undefined;
  durationMs: number;
  userAgent: string;
  referer: string;
  time: Date;
}

export interface ServeOptions {
  /** Port from the image's own configuration; RunContext.port overrides it. */
  port: number;
  /** Host from the image's own configuration; RunContext.bindHost / MIZZEN_SAMPLES_BIND override it. */
  host?: string;
  ctx: RunContext;
  /** Startup line, as the real program prints it. */
  banner?: (port: number, host: string) => string;
  accessLog?: (r: AccessRecord) => string;
  /** Called when stop() begins. */
  onStop?: () => void;
  /** Called once drained, before `exited` resolves (e.g. to drop outbound keep-alive pools). */
  onExit?: () => void;
  /** Longest drain before open connections are cut (the kubelet's SIGKILL comes later anyway). */
  drainMs?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function clfTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
  );
}

/** Apache combined log format, which WEBrick, gunicorn, werkzeug and Liberty access logs all resemble. */
export function combinedLog(r: AccessRecord): string {
  return (
    `${r.remote} - - [${clfTime(r.time)}] "${r.method} ${r.url} HTTP/${r.httpVersion}" ${r.status} ` +
    `${r.bytes ?? '-'} "${r.referer || '-'}" "${r.userAgent || '-'}"`
  );
}

export function remoteAddress(req: http.IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/**
 * Serves `handler` over HTTP/1.1 and returns a Program whose stop() drains gracefully: idle keep-alive
 * connections are dropped and every response from then on carries `Connection: close`; the listener keeps
 * accepting for `ctx.lameDuckMs` (while the pod's endpoint leaves the Service rules) and then closes;
 * in-flight requests finish, then `exited` resolves 0.
 */
export async function serve(handler: Handler, opts: ServeOptions): Promise<Program> {
  const { ctx } = opts;
  const host = ctx.bindHost ?? ctx.env.MIZZEN_SAMPLES_BIND ?? opts.host;
  const port = ctx.port ?? opts.port;
  let stopping = false;
  const inFlight = new Set<http.ServerResponse>();
  const server = http.createServer({ keepAliveTimeout: 65_000 });

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = process.hrtime.bigint();
    let bytes = 0;
    const count = (chunk: unknown) => {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) bytes += Buffer.byteLength(chunk);
    };
    const write = res.write.bind(res) as (...a: unknown[]) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => http.ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => (
      count(chunk),
      write(chunk, ...rest)
    )) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'function') count(chunk);
      return end(chunk, ...rest);
    }) as typeof res.end;
    inFlight.add(res);
    if (stopping) res.setHeader('connection', 'close');
    res.on('close', () => {
      inFlight.delete(res);
      if (opts.accessLog) {
        const line = opts.accessLog({
          remote: remoteAddress(req),
          method: req.method ?? '-',
          url: req.url ?? '-',
          httpVersion: req.httpVersion,
          status: res.statusCode,
          bytes: req.method === 'HEAD' ? 0 : bytes,
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
          userAgent: req.headers['user-agent'] ?? '',
          referer: req.headers.referer ?? '',
          time: new Date(),
        });
        ctx.stdout.write(line + '\n');
      }
      if (stopping) server.closeIdleConnections();
    });
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((err: unknown) => {
        ctx.stderr.write(`error handling ${req.method} ${req.url}: ${String(err)}\n`);
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('Internal Server Error\n');
        } else {
          res.destroy();
        }
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  if (opts.banner) ctx.stdout.write(opts.banner(bound, host ?? '0.0.0.0') + '\n');

  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));
  return {
    ports: [bound],
    exited,
    stop() {
      if (stopping) return;
      stopping = true;
      opts.onStop?.();
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      server.closeIdleConnections();
      const close = () => {
        const cut = setTimeout(() => server.closeAllConnections(), opts.drainMs ?? 25_000);
        cut.unref();
        server.close(() => {
          clearTimeout(cut);
          opts.onExit?.();
          resolveExit(0);
        });
        server.closeIdleConnections();
      };
      const lameDuck = ctx.lameDuckMs ?? 0;
      if (lameDuck > 0) setTimeout(close, lameDuck);
      else close();
    },
  };
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: http.ServerResponse, status: number, text: string, contentType: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Reads a request body, refusing more than `limit` bytes. */
export async function readBody(req: http.IncomingMessage, limit = 1 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(`request body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

// Helpers shared by this folder's tests (not part of the component's surface).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Program } from './program.js';
import { type StartOptions, startImage } from './run.js';

export class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

export interface Started {
  program: Program;
  port: number;
  url: string;
  out: Capture;
}

/** Starts an image in-process on 127.0.0.1 with an ephemeral port. */
export async function start(image: string, opts: StartOptions = {}): Promise<Started> {
  const out = new Capture();
  const program = await startImage(image, {
    bindHost: '127.0.0.1',
    port: 0,
    stdout: out,
    stderr: out,
    ...opts,
  });
  const port = program.ports[0]!;
  return { program, port, url: `http://127.0.0.1:${port}`, out };
}

export async function stopAll(...started: (Started | undefined)[]): Promise<void> {
  await Promise.all(
    started.map((s) => {
      if (!s) return undefined;
      s.program.stop();
      return s.program.exited;
    }),
  );
}

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** A backend stand-in that records what it was sent. */
export async function spy(
  respond: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ port: number; requests: Recorded[]; close: () => Promise<void> }> {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    respond(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP/1.1 request on a fresh connection. */
export function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

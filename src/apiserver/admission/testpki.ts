// Test-only: a throwaway PKI made with the real openssl CLI, and an HTTPS webhook server.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface TestPki {
  caPem: string;
  /** A CA that did not sign anything the servers use. */
  otherCaPem: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  cleanup(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(dir: string, name: string): void {
  openssl(dir, [
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
  ]);
}

function makeLeaf(dir: string, name: string, ca: string, ext: string): void {
  openssl(dir, ['req', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '1',
    '-extfile',
    `${name}.ext`,
  ]);
}

export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'admission-pki-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'otherca');
  makeLeaf(
    dir,
    'server',
    'ca',
    'subjectAltName=IP:127.0.0.1,DNS:hook.test-ns.svc\nextendedKeyUsage=serverAuth\n',
  );
  makeLeaf(dir, 'client', 'ca', 'extendedKeyUsage=clientAuth\n');
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  return {
    caPem: read('ca.crt'),
    otherCaPem: read('otherca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  servername: string | false | null | undefined;
  clientCertCN?: string;
  body: any;
}

export type HookHandler = (review: any, seen: SeenRequest) => unknown | Promise<unknown>;

/** Handlers return the AdmissionReview to send, or `{ $status, $body, $type }` for raw replies. */
export interface HookServer {
  port: number;
  seen: SeenRequest[];
  /** Routes by request path (without query). */
  route(path: string, handler: HookHandler): void;
  close(): Promise<void>;
}

export async function startHookServer(
  pki: TestPki,
  opts: { requireClientCert?: boolean } = {},
): Promise<HookServer> {
  const routes = new Map<string, HookHandler>();
  const seen: SeenRequest[] = [];
  const server = https.createServer(
    {
      key: pki.serverKey,
      cert: pki.serverCert,
      ca: pki.caPem,
      requestCert: !!opts.requireClientCert,
      rejectUnauthorized: !!opts.requireClientCert,
    },
    (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const sock = req.socket as TLSSocket;
        const peer = sock.getPeerCertificate?.();
        const rec: SeenRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          servername: sock.servername,
          clientCertCN: peer && peer.subject ? String(peer.subject.CN) : undefined,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'),
        };
        seen.push(rec);
        const handler = routes.get((req.url ?? '').split('?')[0]);
        if (!handler) {
          res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found');
          return;
        }
        try {
          const out: any = await handler(rec.body, rec);
          if (res.destroyed) return;
          if (out && typeof out === 'object' && '$status' in out) {
            res.writeHead(out.$status, { 'Content-Type': out.$type ?? 'application/json' }).end(out.$body);
          } else {
            res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(out));
          }
        } catch (e) {
          res.writeHead(500).end(String(e));
        }
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    route: (path, handler) => routes.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An AdmissionReview answer for `review`. */
export function reply(review: any, response: Record<string, unknown>): unknown {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: review.request.uid, ...response },
  };
}

export function b64(v: unknown): string {
  return Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64');
}

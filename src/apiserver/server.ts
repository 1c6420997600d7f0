// The API server process: HTTPS on loopback, authentication, the store, and the internal loops that
// are part of the apiserver itself (CRD registration and cleanup, compaction, bootstrap objects).
import { mkdirSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  authenticateRequest,
  createServiceAccountTokenService,
  loadOrCreateClusterPki,
  type ClusterPki,
  type UserInfo,
} from './auth/index.js';
import { Allocators } from './allocators.js';
import { StatusError, unauthorized } from './errors.js';
import type { ApiContext } from './handlers/context.js';
import { sendError, sendJson } from './http/respond.js';
import { OpenApi } from './openapi.js';
import { Registry } from './resources/registry.js';
import { route } from './router.js';
import { ExecServer } from './exec.js';
import { PortForwardServer, type PodPortForwardSource } from './portforward/handler.js';
import { parseRequest } from './http/request-info.js';
import { Store } from './store/index.js';
import { createTokenService, lookupsFor } from './token-service.js';
import { bootstrap } from './bootstrap.js';
import { CrdController } from './crd-controller.js';

export interface ApiServerOptions {
  /** Directory for the store and the PKI. */
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  serviceCidr?: string;
  /** Extra names and addresses for the serving certificate. */
  certHosts?: string[];
  certIps?: string[];
  /** How webhook calls reach a Service; the embedded network provides one. */
  resolveService?: ApiContext['resolveService'];
  /** Container logs (the node runtime provides them). May be set after start through `setPodLogs`. */
  podLogs?: ApiContext['podLogs'];
  compactIntervalMs?: number;
  storeWindow?: number;
  retainRevisions?: number;
}

export interface RunningApiServer {
  /** Installs the source of container logs once the node runtime is up. */
  setPodLogs(source: ApiContext['podLogs']): void;
  /** Installs how commands start in containers (kubectl exec) once the node runtime is up. */
  setPodExec(source: ApiContext['podExec']): void;
  /**
   * Installs how pods/portforward reaches a pod's port (kubectl port-forward) once the node runtime
   * is up; undefined makes port-forward requests fail with 503 again.
   */
  setPodPortForward(source: PodPortForwardSource | undefined): void;
  /** Installs how webhooks that name a Service are dialled once the cluster network is up. */
  setServiceResolver(resolve: ApiContext['resolveService']): void;
  url: string;
  port: number;
  pki: ClusterPki;
  store: Store;
  close(): Promise<void>;
}

const PUBLIC_PATHS = new Set([
  '/version',
  '/healthz',
  '/livez',
  '/readyz',
  '/.well-known/openid-configuration',
  '/openid/v1/jwks',
]);

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const host = opts.host ?? '127.0.0.1';
  const pki = await loadOrCreateClusterPki(join(opts.dataDir, 'pki'), {
    hosts: ['localhost', ...(opts.certHosts ?? [])],
    ips: [host, ...(opts.certIps ?? [])],
  });
  const store = new Store(join(opts.dataDir, 'store.db'), {
    windowSize: opts.storeWindow,
    retainRevisions: opts.retainRevisions,
  });
  const registry = new Registry();
  const allocators = new Allocators(opts.serviceCidr ?? '10.96.0.0/16', store);
  const signer = await createServiceAccountTokenService({ privateKeyPem: pki.serviceAccountPrivateKeyPem });
  const ctx: ApiContext = {
    store,
    registry,
    allocators,
    tokens: createTokenService(signer, store),
    resolveService:
      opts.resolveService ??
      (async (ns, name) => {
        throw new Error(`no route to service ${name}.${ns}.svc: the cluster network is not running`);
      }),
    now: () => new Date(),
    podLogs: opts.podLogs,
  };
  const crds = new CrdController(ctx);
  crds.start();
  await bootstrap(ctx, allocators.apiServiceIP);
  const openapi = new OpenApi(registry);
  const authDeps = { tokens: signer, lookup: lookupsFor(store) };

  const server = https.createServer({
    key: pki.serverKeyPem,
    cert: pki.serverCertPem,
    ca: pki.caCertPem,
    requestCert: true,
    rejectUnauthorized: false,
    // Watches and log streams stay open for long; requests themselves are bounded by body limits.
    requestTimeout: 0,
    keepAliveTimeout: 65_000,
  });
  const exec = new ExecServer(ctx);
  let podPortForward: PodPortForwardSource | undefined;
  const portForward = new PortForwardServer({ store, source: () => podPortForward });
  server.on('upgrade', (req, socket, head) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'https://apiserver');
        const user = await authenticateRequest(req, authDeps);
        if (!user) throw unauthorized();
        const info = parseRequest('POST', url.pathname, url.searchParams);
        if (
          info.group !== '' ||
          info.resource !== 'pods' ||
          (info.subresource !== 'exec' && info.subresource !== 'portforward') ||
          !info.namespace ||
          !info.name
        )
          throw new StatusError(400, 'BadRequest', `upgrade is not supported for ${url.pathname}`);
        const target = info.subresource === 'exec' ? exec : portForward;
        target.handle(req, socket, head, info.namespace, info.name, url.searchParams);
      } catch (err) {
        const se = err instanceof StatusError ? err : new StatusError(500, 'InternalError', String(err));
        const body = JSON.stringify(se.toStatus());
        socket.end(
          `HTTP/1.1 ${se.code} ${se.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
    })();
  });
  const requestLog = process.env.MIZZEN_REQUEST_LOG === '1';
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket: import('node:net').Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('request', (req, res) => {
    if (requestLog) {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        console.log(
          `${req.method} ${req.url} ${res.statusCode} ${ms.toFixed(1)}ms ${req.headers['user-agent'] ?? ''}`,
        );
      });
    }
    void handle(req, res);
  });

  let address = '';
  async function handle(
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
  ): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'https://apiserver');
      let user: UserInfo | undefined = await authenticateRequest(req, authDeps);
      if (!user) {
        if (!PUBLIC_PATHS.has(url.pathname)) throw unauthorized();
        user = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
      }
      await route(
        {
          ctx,
          openapi,
          serverAddress: address,
          extraNonResource: (p, _req, r) => {
            if (p === '/healthz' || p === '/livez' || p === '/readyz') {
              r.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
              r.end('ok');
              return true;
            }
            if (p === '/.well-known/openid-configuration') {
              sendJson(r, 200, signer.openidConfiguration());
              return true;
            }
            if (p === '/openid/v1/jwks') {
              sendJson(r, 200, signer.jwks());
              return true;
            }
            return false;
          },
        },
        req,
        res,
        url,
        user,
      );
    } catch (err) {
      if (!(err instanceof StatusError)) console.error(`${req.method} ${req.url}:`, err);
      sendError(res, err);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  address = `${host}:${port}`;
  const compactTimer = setInterval(() => {
    store.compact().catch((err) => console.error('store compaction failed:', err));
  }, opts.compactIntervalMs ?? 60_000);
  compactTimer.unref();

  return {
    setPodLogs: (source) => {
      ctx.podLogs = source;
    },
    setPodExec: (source) => {
      ctx.podExec = source;
    },
    setPodPortForward: (source) => {
      podPortForward = source;
    },
    setServiceResolver: (resolve) => {
      ctx.resolveService = resolve;
    },
    url: `https://${address}`,
    port,
    pki,
    store,
    async close() {
      clearInterval(compactTimer);
      crds.stop();
      portForward.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        // Connections still in their TLS handshake are not known to the HTTP layer.
        for (const socket of sockets) socket.destroy();
      });
      await store.close();
    },
  };
}

// istiod's plain HTTP faces: readiness and debug on 8080, Prometheus text on 15014.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectionStatus } from '../xds/index.js';

export interface HttpFace {
  port: number;
  close(): Promise<void>;
}

export async function listenHttp(
  host: string,
  port: number,
  handle: (url: URL) => { status: number; type: string; body: string },
): Promise<HttpFace> {
  const server = http.createServer((req, res) => {
    let out;
    try {
      out = handle(new URL(req.url ?? '/', 'http://istiod'));
    } catch (err) {
      out = { status: 500, type: 'text/plain', body: `internal error: ${(err as Error).message}\n` };
    }
    res.writeHead(out.status, { 'Content-Type': out.type });
    res.end(out.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `/debug/syncz`: one entry per connected proxy, as istioctl proxy-status reads it. */
export function syncz(conns: ConnectionStatus[]): unknown[] {
  return conns.map((c) => ({
    proxy: c.proxyId,
    connectionId: c.connectionId,
    clusterId: c.proxy.clusterId,
    istioVersion: c.proxy.istioVersion ?? '',
    transport: c.transport,
    connectedAt: c.connectedAt.toISOString(),
    types: c.types.map((t) => ({
      type: t.type,
      typeUrl: t.typeUrl,
      status: t.status,
      versionSent: t.versionSent ?? '',
      versionAcked: t.versionAcked ?? '',
      nonceSent: t.nonceSent ?? '',
      nonceAcked: t.nonceAcked ?? '',
      ...(t.error ? { error: t.error } : {}),
    })),
  }));
}

export interface MetricsInput {
  connections: ConnectionStatus[];
  services: number;
  ready: boolean;
}

export function metricsText(m: MetricsInput): string {
  const byType = new Map<string, number>();
  for (const c of m.connections) {
    const t = c.proxy.type || 'sidecar';
    byType.set(t, (byType.get(t) ?? 0) + 1);
  }
  const lines = [
    '# HELP pilot_xds Number of endpoints connected to this pilot using XDS.',
    '# TYPE pilot_xds gauge',
    `pilot_xds{version="mizzen"} ${m.connections.length}`,
    '# HELP pilot_xds_connections Connected proxies by proxy type.',
    '# TYPE pilot_xds_connections gauge',
    ...[...byType].sort().map(([t, n]) => `pilot_xds_connections{type="${t}"} ${n}`),
    '# HELP pilot_services Total services known to pilot.',
    '# TYPE pilot_services gauge',
    `pilot_services ${m.services}`,
    '# HELP istiod_ready Whether istiod reports ready (informers synced, CA material loaded).',
    '# TYPE istiod_ready gauge',
    `istiod_ready ${m.ready ? 1 : 0}`,
  ];
  return lines.join('\n') + '\n';
}

// How the API server (on the host) reaches a Service inside the cluster network, for admission
// webhooks that name a Service (istiod's injector): a loopback relay per cluster IP and port, whose
// connections are opened from the cluster namespace, so kube-proxy's rules pick the endpoint.
import net from 'node:net';
import type { KubeClient } from '../kube/index.js';

const CONNECT_TIMEOUT_MS = 10_000;

export interface ServiceDialer {
  /** The loopback address that leads to the Service's port (TLS names are checked by the caller). */
  resolve(namespace: string, name: string, port: number): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

export function serviceDialer(
  client: KubeClient,
  connect: (host: string, port: number, timeoutMs: number) => Promise<net.Socket>,
): ServiceDialer {
  const relays = new Map<string, Promise<net.Server>>();
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const relay = (ip: string, port: number): Promise<net.Server> =>
    new Promise((resolve, reject) => {
      const server = net.createServer((inbound) => {
        track(inbound);
        inbound.pause();
        inbound.on('error', () => inbound.destroy());
        connect(ip, port, CONNECT_TIMEOUT_MS).then(
          (outbound) => {
            track(outbound);
            outbound.on('error', () => inbound.destroy());
            inbound.on('close', () => outbound.destroy());
            outbound.on('close', () => inbound.destroy());
            inbound.pipe(outbound).pipe(inbound);
            inbound.resume();
          },
          () => inbound.destroy(),
        );
      });
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
  return {
    async resolve(namespace, name, port) {
      const svc: any = await client.request(
        'GET',
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}`,
      );
      const ip: string | undefined = svc?.spec?.clusterIP;
      if (!ip || ip === 'None') throw new Error(`service ${name}.${namespace} has no cluster IP to dial`);
      const key = `${ip}:${port}`;
      let server = relays.get(key);
      if (!server) {
        server = relay(ip, port);
        relays.set(key, server);
        server.catch(() => relays.delete(key));
      }
      return { host: '127.0.0.1', port: ((await server).address() as net.AddressInfo).port };
    },
    async close() {
      for (const s of sockets) s.destroy();
      const servers = await Promise.all([...relays.values()].map((p) => p.catch(() => undefined)));
      await Promise.all(servers.map((s) => s && new Promise<void>((r) => s.close(() => r()))));
      relays.clear();
    },
  };
}

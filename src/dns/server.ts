// The cluster DNS server: UDP and TCP listeners answering from a zone rebuilt (lazily) whenever
// the informers report a change. It never sends a packet anywhere except back to the asker.
import dgram from 'node:dgram';
import net from 'node:net';
import type { KubeClient } from '../kube/index.js';
import { ClusterState, type DnsKind } from './cluster-state.js';
import { handleQuery } from './handler.js';
import { ipFamily } from './names.js';
import { kubeDnsSource, type DnsSource, type DnsWatch } from './source.js';
import { RCode } from './wire.js';
import { buildZone, type PodMode, type Zone } from './zone.js';

export interface DnsListen {
  host: string;
  /** 0 picks a free port, the same one for UDP and TCP. */
  port: number;
}

export interface DnsServerOptions {
  /** Where Services, EndpointSlices and Pods come from; give `client` or `source`. */
  client?: KubeClient;
  source?: DnsSource;
  listen: DnsListen[];
  /** Default "cluster.local". */
  clusterDomain?: string;
  /** The only mode: names outside the cluster are never forwarded (the cluster has no route out). */
  upstream?: 'none';
  /** Record TTL in seconds (and the SOA negative-caching TTL). Default 5, as CoreDNS's kubernetes plugin. */
  ttl?: number;
  /** Pod A records under <ns>.pod.<domain>. Default "insecure" (as the usual kubeadm Corefile). */
  pods?: PodMode;
  /** How names outside the cluster domain are answered. Default "refused". */
  outside?: 'refused' | 'servfail';
  /** Cap on UDP responses whatever EDNS0 size the client advertises. Default 4096. */
  maxUdpSize?: number;
  /** Informer and socket errors (the server keeps running). */
  onError?(err: unknown): void;
}

export interface DnsServer {
  close(): Promise<void>;
  /** Resolves once every informer has listed; until then names in the cluster domain get SERVFAIL. */
  ready: Promise<void>;
  /** The bound addresses (with the actual port when 0 was asked). */
  addresses: DnsListen[];
}

const TCP_IDLE_MS = 10_000;
const BIND_ATTEMPTS = 10;

interface Bound {
  udp: dgram.Socket;
  tcp: net.Server;
  port: number;
}

function bindUdp(
  host: string,
  port: number,
  onMessage: (msg: Buffer, rinfo: dgram.RemoteInfo, s: dgram.Socket) => void,
  onError: (e: unknown) => void,
): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket({ type: ipFamily(host) === 6 ? 'udp6' : 'udp4' });
    s.once('error', reject);
    s.bind(port, host, () => {
      s.off('error', reject);
      s.on('error', onError);
      s.on('message', (msg, rinfo) => onMessage(msg, rinfo, s));
      resolve(s);
    });
  });
}

function bindTcp(host: string, port: number, onConnection: (c: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer(onConnection);
    srv.once('error', reject);
    srv.listen({ host, port, exclusive: true }, () => {
      srv.off('error', reject);
      resolve(srv);
    });
  });
}

const closeUdp = (s: dgram.Socket): Promise<void> => new Promise((r) => s.close(() => r()));

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  if (opts.upstream !== undefined && opts.upstream !== 'none')
    throw new Error(`cluster DNS never forwards: upstream must be "none", not ${String(opts.upstream)}`);
  const source = opts.source ?? (opts.client ? kubeDnsSource(opts.client) : undefined);
  if (!source) throw new Error('startDnsServer needs a client or a source');
  if (!opts.listen.length) throw new Error('startDnsServer needs at least one listen address');
  const domain = (opts.clusterDomain ?? 'cluster.local').replace(/\.$/, '').toLowerCase();
  const ttl = opts.ttl ?? 5;
  const pods = opts.pods ?? 'insecure';
  const onError = opts.onError ?? (() => {});
  const nameservers = opts.listen
    .map((l) => l.host)
    .filter((h) => ipFamily(h) && h !== '0.0.0.0' && h !== '::');

  const state = new ClusterState();
  let zone: Zone | undefined;
  let zoneVersion = -1;
  let serial = Math.floor(Date.now() / 1000);
  const currentZone = (): Zone => {
    if (!zone || zoneVersion !== state.version) {
      zone = buildZone(state, { domain, ttl, pods, nameservers, serial: serial++ });
      zoneVersion = state.version;
    }
    return zone;
  };
  let synced = false;
  const handle = (msg: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined => {
    try {
      return handleQuery(msg, currentZone(), {
        transport,
        synced,
        maxUdpSize: opts.maxUdpSize,
        outsideRcode: opts.outside === 'servfail' ? RCode.SERVFAIL : RCode.REFUSED,
        rotate: Math.random,
      });
    } catch (err) {
      onError(err);
      return undefined;
    }
  };

  const kinds: DnsKind[] =
    pods === 'disabled' ? ['services', 'endpointslices'] : ['services', 'endpointslices', 'pods'];
  const watches: DnsWatch[] = kinds.map((kind) =>
    source.watch(kind, {
      onSync: (objects) => state.replace(kind, objects),
      onEvent: (type, obj) => (type === 'DELETED' ? state.remove(kind, obj) : state.apply(kind, obj)),
      onError,
    }),
  );
  const ready = Promise.all(watches.map((w) => w.synced)).then(() => {
    synced = true;
  });
  ready.catch(() => {});

  const connections = new Set<net.Socket>();
  const onUdp = (msg: Buffer, rinfo: dgram.RemoteInfo, s: dgram.Socket): void => {
    const out = handle(msg, 'udp');
    if (out) s.send(out, rinfo.port, rinfo.address, (err) => err && onError(err));
  };
  const onTcp = (c: net.Socket): void => {
    connections.add(c);
    c.setTimeout(TCP_IDLE_MS, () => c.destroy());
    c.on('close', () => connections.delete(c));
    c.on('error', () => c.destroy());
    let pending = Buffer.alloc(0);
    c.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      // Messages are framed by a two-byte length (RFC 1035 4.2.2); a connection may carry many.
      while (pending.length >= 2) {
        const len = pending.readUInt16BE(0);
        if (pending.length < 2 + len) break;
        const msg = pending.subarray(2, 2 + len);
        pending = pending.subarray(2 + len);
        const out = handle(msg, 'tcp');
        if (!out) continue;
        const frame = Buffer.alloc(2 + out.length);
        frame.writeUInt16BE(out.length, 0);
        out.copy(frame, 2);
        c.write(frame);
      }
    });
  };

  const bound: Bound[] = [];
  const closeAll = async (): Promise<void> => {
    for (const w of watches) w.stop();
    for (const c of connections) c.destroy();
    await Promise.all(
      bound.map(async (b) => {
        await closeUdp(b.udp);
        await new Promise<void>((r) => b.tcp.close(() => r()));
      }),
    );
    bound.length = 0;
  };
  try {
    for (const l of opts.listen) {
      let last: unknown;
      for (let attempt = 0; attempt < (l.port === 0 ? BIND_ATTEMPTS : 1); attempt++) {
        const udp = await bindUdp(l.host, l.port, onUdp, onError);
        const port = udp.address().port;
        try {
          const tcp = await bindTcp(l.host, port, onTcp);
          bound.push({ udp, tcp, port });
          last = undefined;
          break;
        } catch (err) {
          // With port 0 the UDP port may be taken for TCP: try another.
          last = err;
          await closeUdp(udp);
        }
      }
      if (last) throw last;
    }
  } catch (err) {
    await closeAll();
    throw err;
  }

  const addresses = opts.listen.map((l, i) => ({ host: l.host, port: bound[i].port }));
  let closing: Promise<void> | undefined;
  return { ready, addresses, close: () => (closing ??= closeAll()) };
}

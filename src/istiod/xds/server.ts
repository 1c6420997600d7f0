// The ADS server: SotW and delta streams, per-connection watch state (what was sent, what was
// ACKed or NACKed), debounced pushes of new mesh snapshots, and the sync status proxy-status shows.
import { createHash, randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  adsServiceDefinition,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DiscoveryRequest,
  type DiscoveryResponse,
} from './ads-service.js';
import { grpcGenerator } from './gen/grpc.js';
import { sidecarGenerator } from './gen/sidecar.js';
import type { Generator, XdsResource } from './gen/types.js';
import type { MeshSnapshot, Proxy } from './model.js';
import { NodeError, parseNode } from './node.js';
import { encodeAny, PUSH_ORDER, SHORT_TYPE, TypeUrl, type AnyMessage, type JsonObject } from './proto.js';
import { createPushContext, type PushContext } from './push-context.js';

export type SyncStatus = 'SYNCED' | 'STALE' | 'NOT SENT';

export interface TypeSyncStatus {
  typeUrl: string;
  /** CDS, EDS, LDS, RDS, SDS, or the type URL for others. */
  type: string;
  status: SyncStatus;
  versionSent?: string;
  nonceSent?: string;
  versionAcked?: string;
  nonceAcked?: string;
  lastSendTime?: Date;
  lastAckTime?: Date;
  /** The error_detail of the last NACK, until a later ACK clears it. */
  error?: string;
  /** Subscribed names, or '*' for a wildcard watch. */
  subscribed: string[] | '*';
}

export interface ConnectionStatus {
  connectionId: string;
  /** `<pod>.<namespace>`, the NAME column of proxy-status. */
  proxyId: string;
  proxy: Proxy;
  transport: 'sotw' | 'delta';
  connectedAt: Date;
  types: TypeSyncStatus[];
  /** Last resources sent per type URL (proto3 JSON), as a config_dump would show them. */
  configDump: Record<string, JsonObject[]>;
}

export interface XdsServerOptions {
  /** Quiet period before a push (Istio PILOT_DEBOUNCE_AFTER). */
  debounceMs?: number;
  /** Longest a push waits while updates keep arriving. */
  debounceMaxMs?: number;
  /** Generators by node metadata GENERATOR; `sidecar` (default) and `grpc` are built in. */
  generators?: Record<string, Generator>;
  log?: (message: string) => void;
}

const WILDCARD_TYPES = new Set<string>([TypeUrl.cluster, TypeUrl.listener]);

interface Watch {
  typeUrl: string;
  wildcard: boolean;
  names: Set<string>;
  nonceSent?: string;
  versionSent?: string;
  nonceAcked?: string;
  versionAcked?: string;
  lastSendTime?: Date;
  lastAckTime?: Date;
  error?: string;
  /** Hash of the last response's content, to skip pushes that change nothing. */
  lastHash?: string;
  /** Delta only: resource name → version the client holds. */
  versions: Map<string, string>;
  /** The resources the client should now hold, for the config dump. */
  current: Map<string, JsonObject>;
}

interface Connection {
  id: string;
  proxy: Proxy;
  transport: 'sotw' | 'delta';
  connectedAt: Date;
  watches: Map<string, Watch>;
  write: (conn: Connection, typeUrl: string, watch: Watch, force: boolean) => void;
  closed: boolean;
}

interface Encoded {
  name: string;
  json: JsonObject;
  any: AnyMessage;
  version: string;
}

function encodeAll(resources: XdsResource[]): Encoded[] {
  return resources.map((r) => {
    const any = encodeAny(r.resource);
    const version = createHash('sha256').update(any.value).digest('hex').slice(0, 16);
    return { name: r.name, json: r.resource, any, version };
  });
}

function contentHash(encoded: Encoded[]): string {
  const h = createHash('sha256');
  for (const e of encoded) h.update(e.name).update('\0').update(e.version).update('\0');
  return h.digest('hex');
}

export class XdsServer {
  private push: PushContext | undefined;
  private pending: MeshSnapshot | undefined;
  private pendingSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private counter = 0;
  private connCounter = 0;
  private readonly conns = new Map<string, Connection>();
  private readonly generators: Record<string, Generator>;
  private readonly debounceMs: number;
  private readonly debounceMaxMs: number;
  private readonly log: (m: string) => void;
  private grpcServer: grpc.Server | undefined;

  constructor(opts: XdsServerOptions = {}) {
    this.debounceMs = opts.debounceMs ?? 100;
    this.debounceMaxMs = opts.debounceMaxMs ?? 1000;
    this.generators = { sidecar: sidecarGenerator, grpc: grpcGenerator, ...opts.generators };
    this.log = opts.log ?? (() => {});
  }

  /** The current push version, once a snapshot has been pushed. */
  get version(): string | undefined {
    return this.push?.version;
  }

  /** Feeds a new mesh state; proxies get it after the debounce window. */
  update(snapshot: MeshSnapshot): void {
    const now = Date.now();
    if (!this.pending) this.pendingSince = now;
    this.pending = snapshot;
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.debounceMs, this.pendingSince + this.debounceMaxMs - now));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Pushes a pending snapshot now instead of waiting for the debounce. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const snapshot = this.pending;
    this.pending = undefined;
    if (!snapshot) return;
    this.counter += 1;
    this.push = createPushContext(snapshot, `${new Date().toISOString()}/${this.counter}`);
    for (const conn of this.conns.values()) this.pushConnection(conn, false);
  }

  /** Registers both ADS streams on an existing gRPC server (so one port can also serve the CA). */
  addToServer(server: grpc.Server): void {
    server.addService(adsServiceDefinition(), {
      StreamAggregatedResources: (call: grpc.ServerDuplexStream<DiscoveryRequest, DiscoveryResponse>) =>
        this.handleSotw(call),
      DeltaAggregatedResources: (
        call: grpc.ServerDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>,
      ) => this.handleDelta(call),
    });
  }

  /** Serves plaintext ADS on host:port (port 0 picks one); resolves to the bound port. */
  async listen(port = 15010, host = '127.0.0.1'): Promise<number> {
    const server = new grpc.Server();
    this.addToServer(server);
    this.grpcServer = server;
    return new Promise((resolve, reject) => {
      server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
        err ? reject(err) : resolve(bound),
      );
    });
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const server = this.grpcServer;
    this.grpcServer = undefined;
    if (server) server.forceShutdown();
    this.conns.clear();
  }

  /** Per-proxy, per-type sync status and the last config sent, for proxy-status. */
  connections(): ConnectionStatus[] {
    return [...this.conns.values()].map((c) => ({
      connectionId: c.id,
      proxyId: c.proxy.id,
      proxy: c.proxy,
      transport: c.transport,
      connectedAt: c.connectedAt,
      types: [...c.watches.values()].map((w) => ({
        typeUrl: w.typeUrl,
        type: SHORT_TYPE[w.typeUrl] ?? w.typeUrl,
        status: !w.nonceSent ? 'NOT SENT' : w.nonceAcked === w.nonceSent ? 'SYNCED' : 'STALE',
        versionSent: w.versionSent,
        nonceSent: w.nonceSent,
        versionAcked: w.versionAcked,
        nonceAcked: w.nonceAcked,
        lastSendTime: w.lastSendTime,
        lastAckTime: w.lastAckTime,
        error: w.error,
        subscribed: w.wildcard ? '*' : [...w.names].sort(),
      })),
      configDump: Object.fromEntries(
        [...c.watches.values()].map((w) => [w.typeUrl, [...w.current.values()]]),
      ),
    }));
  }

  private generatorFor(proxy: Proxy): Generator {
    return this.generators[proxy.generator ?? 'sidecar'] ?? this.generators.sidecar;
  }

  private generate(conn: Connection, watch: Watch): Encoded[] | undefined {
    if (!this.push) return undefined;
    const names = watch.wildcard ? undefined : [...watch.names];
    try {
      const out = this.generatorFor(conn.proxy).generate(conn.proxy, watch.typeUrl, {
        push: this.push,
        names,
      });
      return encodeAll(out ?? []);
    } catch (e) {
      this.log(`xds: generating ${watch.typeUrl} for ${conn.id}: ${(e as Error).message}`);
      return undefined;
    }
  }

  private pushConnection(conn: Connection, force: boolean): void {
    const order = [...PUSH_ORDER, ...[...conn.watches.keys()].filter((t) => !PUSH_ORDER.includes(t))];
    for (const typeUrl of order) {
      const watch = conn.watches.get(typeUrl);
      if (watch) conn.write(conn, typeUrl, watch, force);
    }
  }

  private register(proxy: Proxy, transport: 'sotw' | 'delta', write: Connection['write']): Connection {
    this.connCounter += 1;
    const conn: Connection = {
      id: `${proxy.nodeId}-${this.connCounter}`,
      proxy,
      transport,
      connectedAt: new Date(),
      watches: new Map(),
      write,
      closed: false,
    };
    this.conns.set(conn.id, conn);
    this.log(`xds: ${transport} connection ${conn.id}`);
    return conn;
  }

  private attach<Req extends { node?: DiscoveryRequest['node'] }, Res>(
    call: grpc.ServerDuplexStream<Req, Res>,
    transport: 'sotw' | 'delta',
    makeWriter: (send: (res: Res) => void) => Connection['write'],
    onRequest: (conn: Connection, req: Req) => void,
  ): void {
    let conn: Connection | undefined;
    const send = (res: Res) => {
      if (!call.cancelled && call.writable) call.write(res);
    };
    const close = () => {
      if (conn) {
        conn.closed = true;
        this.conns.delete(conn.id);
      }
    };
    call.on('data', (req: Req) => {
      if (!conn) {
        try {
          conn = this.register(parseNode(req.node), transport, makeWriter(send));
        } catch (e) {
          const code = e instanceof NodeError ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL;
          call.emit('error', { code, details: (e as Error).message });
          return;
        }
      }
      if (!conn.closed) onRequest(conn, req);
    });
    call.on('end', () => {
      close();
      call.end();
    });
    call.on('cancelled', close);
    call.on('error', close);
    call.on('close', close);
  }

  private nextVersion(): string {
    return this.push?.version ?? '';
  }

  // --- State of the world -------------------------------------------------------------------

  private handleSotw(call: grpc.ServerDuplexStream<DiscoveryRequest, DiscoveryResponse>): void {
    const makeWriter =
      (send: (r: DiscoveryResponse) => void): Connection['write'] =>
      (conn, typeUrl, watch, force) => {
        const encoded = this.generate(conn, watch);
        if (!encoded) return;
        const hash = contentHash(encoded);
        if (!force && hash === watch.lastHash) return;
        const nonce = randomUUID();
        const version = this.nextVersion();
        send({ version_info: version, resources: encoded.map((e) => e.any), type_url: typeUrl, nonce });
        this.log(`xds: sent ${SHORT_TYPE[typeUrl] ?? typeUrl} (${encoded.length}) to ${conn.id}`);
        watch.nonceSent = nonce;
        watch.versionSent = version;
        watch.lastSendTime = new Date();
        watch.lastHash = hash;
        watch.current = new Map(encoded.map((e) => [e.name, e.json]));
      };
    this.attach(call, 'sotw', makeWriter, (conn, req) => this.onSotwRequest(conn, req));
  }

  private onSotwRequest(conn: Connection, req: DiscoveryRequest): void {
    const typeUrl = req.type_url;
    const names = req.resource_names ?? [];
    const nonce = req.response_nonce ?? '';
    let watch = conn.watches.get(typeUrl);
    if (req.error_detail && (req.error_detail.message || req.error_detail.code)) {
      if (watch) watch.error = req.error_detail.message || `code ${req.error_detail.code}`;
      this.log(`xds: NACK ${SHORT_TYPE[typeUrl] ?? typeUrl} from ${conn.id}: ${req.error_detail.message}`);
      return;
    }
    const wildcardType = WILDCARD_TYPES.has(typeUrl);
    if (!wildcardType && names.length === 0 && watch) {
      conn.watches.delete(typeUrl);
      return;
    }
    if (!nonce || !watch) {
      watch = {
        typeUrl,
        wildcard: (wildcardType && names.length === 0) || names.includes('*'),
        names: new Set(names.filter((n) => n !== '*')),
        versions: new Map(),
        current: new Map(),
      };
      conn.watches.set(typeUrl, watch);
      conn.write(conn, typeUrl, watch, true);
      return;
    }
    if (nonce !== watch.nonceSent) return;
    watch.nonceAcked = nonce;
    watch.versionAcked = req.version_info;
    watch.lastAckTime = new Date();
    watch.error = undefined;
    if (watch.wildcard) return;
    const added = names.some((n) => !watch.names.has(n));
    watch.names = new Set(names);
    if (added) conn.write(conn, typeUrl, watch, true);
  }

  // --- Delta -----------------------------------------------------------------------------------

  private handleDelta(call: grpc.ServerDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>): void {
    const makeWriter =
      (send: (r: DeltaDiscoveryResponse) => void): Connection['write'] =>
      (conn, typeUrl, watch, force) => {
        const encoded = this.generate(conn, watch);
        if (!encoded) return;
        const present = new Set(encoded.map((e) => e.name));
        const changed = encoded.filter((e) => watch.versions.get(e.name) !== e.version);
        const removed = watch.wildcard
          ? [...watch.versions.keys()].filter((n) => !present.has(n))
          : [...watch.names].filter((n) => !present.has(n) && (force || watch.versions.has(n)));
        if (!force && changed.length === 0 && removed.length === 0) return;
        const nonce = randomUUID();
        const version = this.nextVersion();
        send({
          system_version_info: version,
          resources: changed.map((e) => ({ name: e.name, version: e.version, resource: e.any })),
          type_url: typeUrl,
          removed_resources: removed,
          nonce,
        });
        for (const e of changed) watch.versions.set(e.name, e.version);
        for (const n of removed) watch.versions.delete(n);
        watch.nonceSent = nonce;
        watch.versionSent = version;
        watch.lastSendTime = new Date();
        watch.current = new Map(encoded.map((e) => [e.name, e.json]));
      };
    this.attach(call, 'delta', makeWriter, (conn, req) => this.onDeltaRequest(conn, req));
  }

  private onDeltaRequest(conn: Connection, req: DeltaDiscoveryRequest): void {
    const typeUrl = req.type_url;
    const nonce = req.response_nonce ?? '';
    const subscribe = req.resource_names_subscribe ?? [];
    const unsubscribe = req.resource_names_unsubscribe ?? [];
    let watch = conn.watches.get(typeUrl);
    if (req.error_detail && (req.error_detail.message || req.error_detail.code)) {
      if (watch) watch.error = req.error_detail.message || `code ${req.error_detail.code}`;
      this.log(
        `xds: delta NACK ${SHORT_TYPE[typeUrl] ?? typeUrl} from ${conn.id}: ${req.error_detail.message}`,
      );
      return;
    }
    if (!watch) {
      const wildcard = (WILDCARD_TYPES.has(typeUrl) && subscribe.length === 0) || subscribe.includes('*');
      watch = {
        typeUrl,
        wildcard,
        names: new Set(subscribe.filter((n) => n !== '*')),
        versions: new Map(Object.entries(req.initial_resource_versions ?? {})),
        current: new Map(),
      };
      conn.watches.set(typeUrl, watch);
      conn.write(conn, typeUrl, watch, true);
      return;
    }
    if (nonce && nonce !== watch.nonceSent) return;
    if (nonce) {
      watch.nonceAcked = nonce;
      watch.versionAcked = watch.versionSent;
      watch.lastAckTime = new Date();
      watch.error = undefined;
    }
    let added = false;
    for (const n of subscribe) {
      if (n === '*') {
        added ||= !watch.wildcard;
        watch.wildcard = true;
      } else if (!watch.names.has(n)) {
        watch.names.add(n);
        added = true;
      }
    }
    for (const n of unsubscribe) {
      if (n === '*') watch.wildcard = false;
      watch.names.delete(n);
      watch.versions.delete(n);
      watch.current.delete(n);
    }
    if (added) conn.write(conn, typeUrl, watch, true);
  }
}

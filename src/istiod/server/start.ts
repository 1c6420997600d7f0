// The istiod process joined together: mesh config and service registry from informers, the CA,
// xDS on 15010 (plain) and 15012 (TLS, with the CA service), the injection webhook on 15017,
// readiness and debug on 8080 and metrics on 15014. Everything talks only to the Kubernetes API.
import * as grpc from '@grpc/grpc-js';
import type { KubeClient } from '../../kube/index.js';
import { addCaService, startCa, tokenReviewAuthenticator, type RunningCa } from '../ca/index.js';
import {
  contextFromConfigMaps,
  startInjectionServer,
  type InjectionContext,
  type InjectionServer,
} from '../inject/index.js';
import { XdsServer } from '../xds/index.js';
import { listenHttp, metricsText, syncz, type HttpFace } from './http.js';
import { parseMeshConfig, type IstiodMeshConfig } from './mesh-config.js';
import { buildSnapshot } from './snapshot.js';
import { cacheCollection, type CachedCollection } from './store.js';
import {
  MUTATING_PATH,
  ownsMutatingWebhook,
  ownsValidatingWebhook,
  patchCaBundle,
  VALIDATING_PATH,
} from './webhook-ca-bundle.js';

export interface IstiodPorts {
  /** Plain-text xDS (and CA), default 15010. */
  xds: number;
  /** TLS xDS + CA, default 15012. */
  xdsTls: number;
  /** Injection webhook HTTPS, default 15017. */
  webhook: number;
  /** /ready and /debug/*, default 8080. */
  http: number;
  /** /metrics, default 15014. */
  monitoring: number;
}

export interface IstiodOptions {
  client: KubeClient;
  /** Default istio-system. */
  namespace?: string;
  /** '' (or 'default') for the default revision. */
  revision?: string;
  /** '0.0.0.0' in a pod, '127.0.0.1' in tests (the default). */
  host?: string;
  /** 0 picks a free port. */
  ports?: Partial<IstiodPorts>;
  /** istiod's CLUSTER_ID; default Kubernetes. */
  clusterId?: string;
  /** Quiet period before a registry change is rebuilt into a snapshot. */
  debounceMs?: number;
  log?: (msg: string) => void;
}

export interface RunningIstiod {
  xds: XdsServer;
  ca: RunningCa;
  /** Bound ports; TLS ports are 0 until the CA has material. */
  ports: IstiodPorts;
  ready(): boolean;
  meshConfig(): IstiodMeshConfig;
  stop(): Promise<void>;
}

export const DEFAULT_PORTS: IstiodPorts = {
  xds: 15010,
  xdsTls: 15012,
  webhook: 15017,
  http: 8080,
  monitoring: 15014,
};

const suffix = (rev: string) => (rev && rev !== 'default' ? `-${rev}` : '');

function bindGrpc(server: grpc.Server, addr: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(addr, creds, (err, port) => (err ? reject(err) : resolve(port))),
  );
}

export async function startIstiod(opts: IstiodOptions): Promise<RunningIstiod> {
  const namespace = opts.namespace ?? 'istio-system';
  const revision = opts.revision ?? '';
  const host = opts.host ?? '127.0.0.1';
  const want = { ...DEFAULT_PORTS, ...opts.ports };
  const log = opts.log ?? ((m: string) => console.error(`[istiod] ${m}`));
  const client = opts.client;
  const meshCmName = `istio${suffix(revision)}`;
  const injectorCmName = `istio-sidecar-injector${suffix(revision)}`;
  const nsPath = `/api/v1/namespaces/${encodeURIComponent(namespace)}`;
  const cleanups: Array<() => unknown> = [];
  let stopped = false;

  // Trust domain is fixed for the life of the CA: read the mesh config once before starting it.
  const readMesh = (data: Record<string, string> | undefined): IstiodMeshConfig => {
    try {
      return parseMeshConfig(data?.mesh, namespace);
    } catch (err) {
      log(`ConfigMap ${meshCmName}: ${(err as Error).message}; using defaults`);
      return parseMeshConfig(undefined, namespace);
    }
  };
  const initialCm = await client.find<any>(`${nsPath}/configmaps/${meshCmName}`).catch(() => undefined);
  let mesh = readMesh(initialCm?.data);

  const xds = new XdsServer({ log });
  const ca = await startCa({
    client,
    namespace,
    revision,
    trustDomain: mesh.trustDomain,
    discoverySelectors: mesh.discoverySelectors,
    host,
    tlsPort: null,
    log,
  });
  cleanups.push(() => ca.stop());
  const caService = {
    bundle: () => ca.bundle(),
    authenticate: tokenReviewAuthenticator({ client }),
    trustDomain: mesh.trustDomain,
    log,
  };

  // Registry: a change marks the snapshot dirty; one rebuild runs per quiet period.
  let rebuildTimer: NodeJS.Timeout | undefined;
  const scheduleRebuild = () => {
    if (stopped || rebuildTimer) return;
    rebuildTimer = setTimeout(() => {
      rebuildTimer = undefined;
      if (!coreSynced()) return;
      xds.update(
        buildSnapshot(
          services.list(),
          slices.list(),
          pods.list(),
          namespaces.list(),
          destinationRules.list(),
          mesh.xds,
          opts.clusterId,
        ),
      );
    }, opts.debounceMs ?? 50);
  };
  const watch = (path: string) => {
    const c = cacheCollection(client, path, scheduleRebuild, log);
    cleanups.push(() => c.stop());
    return c;
  };
  const services = watch('/api/v1/services');
  const slices = watch('/apis/discovery.k8s.io/v1/endpointslices');
  const pods = watch('/api/v1/pods');
  const namespaces = watch('/api/v1/namespaces');
  const destinationRules = watch('/apis/networking.istio.io/v1/destinationrules');

  // Mesh and injector ConfigMaps: live reload.
  let injectorData: Record<string, string> | undefined;
  let meshData: Record<string, string> | undefined = initialCm?.data;
  const applyConfigMaps = () => {
    const next = readMesh(meshData);
    if (JSON.stringify(next.discoverySelectors) !== JSON.stringify(mesh.discoverySelectors))
      ca.setDiscoverySelectors(next.discoverySelectors);
    if (next.trustDomain !== mesh.trustDomain)
      log(`trustDomain changed to ${next.trustDomain}: takes effect when istiod restarts`);
    mesh = { ...next, trustDomain: mesh.trustDomain };
    scheduleRebuild();
  };
  const configMaps: CachedCollection = cacheCollection(
    client,
    `${nsPath}/configmaps`,
    () => {
      const m = configMaps.get(namespace, meshCmName)?.data;
      const i = configMaps.get(namespace, injectorCmName)?.data;
      const changed = JSON.stringify(m) !== JSON.stringify(meshData);
      injectorData = i;
      if (changed) {
        meshData = m;
        applyConfigMaps();
      }
    },
    log,
  );
  cleanups.push(() => configMaps.stop());
  const coreSynced = () =>
    services.synced() && slices.synced() && pods.synced() && namespaces.synced() && configMaps.synced();

  const getInjectionConfig = (): InjectionContext => {
    if (!injectorData) throw new Error(`ConfigMap ${namespace}/${injectorCmName} not found`);
    return contextFromConfigMaps(injectorData, meshData ?? {}, {
      revision,
      istiodAddress: `istiod${suffix(revision)}.${namespace}.svc:15012`,
    });
  };

  // Serving: 15010 now; 15012 and 15017 once the CA has a serving cert, re-keyed when it changes.
  const ports: IstiodPorts = { xds: 0, xdsTls: 0, webhook: 0, http: 0, monitoring: 0 };
  const plain = new grpc.Server();
  xds.addToServer(plain);
  addCaService(plain, caService);
  ports.xds = await bindGrpc(plain, `${host}:${want.xds}`, grpc.ServerCredentials.createInsecure());
  cleanups.push(() => plain.forceShutdown());

  let tlsServer: grpc.Server | undefined;
  let injector: InjectionServer | undefined;
  let servedCert: { certChainPem: string; keyPem: string } | undefined;
  let certChain: Promise<void> = Promise.resolve();
  const serveCert = async () => {
    const cert = ca.servingCert();
    if (!cert || cert === servedCert || stopped) return;
    servedCert = cert;
    const creds = grpc.ServerCredentials.createSsl(
      null,
      [{ cert_chain: Buffer.from(cert.certChainPem), private_key: Buffer.from(cert.keyPem) }],
      false,
    );
    // grpc-js cannot swap a bound server's credentials: rebind on the same port.
    tlsServer?.forceShutdown();
    const server = new grpc.Server();
    xds.addToServer(server);
    addCaService(server, caService);
    ports.xdsTls = await bindGrpc(server, `${host}:${ports.xdsTls || want.xdsTls}`, creds);
    tlsServer = server;
    if (injector) injector.server.setSecureContext({ cert: cert.certChainPem, key: cert.keyPem });
    else {
      injector = await startInjectionServer({
        port: want.webhook,
        host,
        cert: cert.certChainPem,
        key: cert.keyPem,
        getConfig: getInjectionConfig,
      });
      ports.webhook = injector.port;
    }
    log(`serving xDS+CA TLS on ${host}:${ports.xdsTls}, injection on ${host}:${ports.webhook}`);
  };
  const checkCert = () => {
    certChain = certChain.then(serveCert).catch((err: unknown) => {
      log(`cannot serve with the new certificate: ${(err as Error).message}`);
    });
    return certChain;
  };
  await ca.started;
  await checkCert();
  const certTimer = setInterval(() => void checkCert(), 1000);
  cleanups.push(() => clearInterval(certTimer));
  cleanups.push(async () => {
    await certChain;
    tlsServer?.forceShutdown();
    await injector?.close();
  });

  // caBundle of this revision's webhook configurations.
  const hooks: Array<{ path: string; owns: typeof ownsMutatingWebhook; cache?: CachedCollection }> = [
    { path: MUTATING_PATH, owns: ownsMutatingWebhook },
    { path: VALIDATING_PATH, owns: ownsValidatingWebhook },
  ];
  let lastRoot = '';
  const syncCaBundles = () => {
    const status = ca.status();
    if (!status.ready || stopped) return;
    for (const h of hooks)
      for (const obj of h.cache?.list() ?? [])
        if (h.owns(obj, namespace, revision))
          void patchCaBundle(client, h.path, obj, status.rootCertPem, log);
  };
  for (const h of hooks) {
    h.cache = cacheCollection(client, h.path, syncCaBundles, log);
    cleanups.push(() => h.cache?.stop());
  }
  const rootTimer = setInterval(() => {
    const s = ca.status();
    if (s.ready && s.rootCertPem !== lastRoot) {
      lastRoot = s.rootCertPem;
      syncCaBundles();
    }
  }, 1000);
  cleanups.push(() => clearInterval(rootTimer));

  const ready = () => coreSynced() && ca.status().ready && ports.xdsTls !== 0;
  const httpFace: HttpFace = await listenHttp(host, want.http, (url) => {
    if (url.pathname === '/ready')
      return ready()
        ? { status: 200, type: 'text/plain', body: 'ok\n' }
        : { status: 503, type: 'text/plain', body: 'not ready\n' };
    if (url.pathname === '/debug/syncz')
      return { status: 200, type: 'application/json', body: JSON.stringify(syncz(xds.connections())) };
    return { status: 404, type: 'text/plain', body: `404 page not found: ${url.pathname}\n` };
  });
  ports.http = httpFace.port;
  cleanups.push(() => httpFace.close());
  const monitoring = await listenHttp(host, want.monitoring, (url) =>
    url.pathname === '/metrics'
      ? {
          status: 200,
          type: 'text/plain; version=0.0.4',
          body: metricsText({
            connections: xds.connections(),
            services: services.list().length,
            ready: ready(),
          }),
        }
      : { status: 404, type: 'text/plain', body: `404 page not found: ${url.pathname}\n` },
  );
  ports.monitoring = monitoring.port;
  cleanups.push(() => monitoring.close());
  log(
    `istiod${suffix(revision)} in ${namespace}: xDS on ${host}:${ports.xds}, ready on ${host}:${ports.http}`,
  );

  return {
    xds,
    ca,
    ports,
    ready,
    meshConfig: () => mesh,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(rebuildTimer);
      for (const c of cleanups.reverse()) await c();
      await xds.close();
    },
  };
}

// istiod's CA as a running piece: loads the key material, serves CreateCertificate (TLS on 15012 with
// a serving cert from the same CA, optionally plain text too), publishes `istio-ca-root-cert`, and
// reloads when `cacerts` or `istio-ca-secret` change. Broken material never throws out of here: the
// error is logged and reported by status(), and the CA answers UNAVAILABLE until it is fixed.
import type { Informer, KubeClient } from '../../kube/index.js';
import { type CaBundle, issueServingCert } from './authority.js';
import { type Authenticator, tokenReviewAuthenticator } from './authn.js';
import { loadKeyMaterial, PLUGIN_SECRET, SELF_SIGNED_SECRET } from './key-material.js';
import type { LabelSelector } from './namespace-selection.js';
import { RootCertPublisher } from './root-publisher.js';
import { type CaServer, createCaServer } from './server.js';

export const DEFAULT_TRUST_DOMAIN = 'cluster.local';
export const DEFAULT_CA_TLS_PORT = 15012;

export interface StartCaOptions {
  client: Pick<KubeClient, 'find' | 'request' | 'informer'>;
  /** istiod's namespace: where `cacerts` / `istio-ca-secret` live. */
  namespace: string;
  trustDomain?: string;
  /** Revision name; adds istiod-<rev>.<ns>.svc to the serving cert. */
  revision?: string;
  /** More DNS SANs for the serving cert (e.g. a custom host, or 'localhost'). */
  extraDnsNames?: string[];
  discoverySelectors?: LabelSelector[];
  host?: string;
  /** TLS port; default 15012; null serves no TLS port (e.g. the xDS server carries the service). */
  tlsPort?: number | null;
  /** Plain-text port (upstream's 15010; for tests); absent serves none. */
  plaintextPort?: number;
  maxWorkloadTtlSeconds?: number;
  defaultWorkloadTtlSeconds?: number;
  tokenAudiences?: string[];
  allowDefaultAudience?: boolean;
  /** Overrides the TokenReview authenticator (tests). */
  authenticate?: Authenticator;
  /** Default true. */
  publishRootCert?: boolean;
  log?: (msg: string) => void;
}

export type CaStatus =
  { ready: true; source: CaBundle['source']; rootCertPem: string } | { ready: false; error: string };

export interface RunningCa {
  status(): CaStatus;
  /** The current bundle, or why there is none. */
  bundle(): CaBundle | Error;
  /** istiod's serving cert chain and key for 15012, once the CA is ready. */
  servingCert(): { certChainPem: string; keyPem: string } | undefined;
  tlsPort(): number | undefined;
  plaintextPort(): number | undefined;
  /** Resolves after the first load attempt and, if it worked, once servers are listening. */
  started: Promise<void>;
  publisher(): RootCertPublisher | undefined;
  setDiscoverySelectors(selectors: LabelSelector[] | undefined): void;
  /** Re-reads the Secrets now. */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

export function servingDnsNames(namespace: string, revision?: string, extra: string[] = []): string[] {
  const names = [`istiod.${namespace}.svc`];
  if (revision && revision !== 'default') names.push(`istiod-${revision}.${namespace}.svc`);
  return [...new Set([...names, ...extra])];
}

export async function startCa(opts: StartCaOptions): Promise<RunningCa> {
  const log = opts.log ?? ((m: string) => console.error(`[istiod ca] ${m}`));
  const trustDomain = opts.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  const authenticate =
    opts.authenticate ??
    tokenReviewAuthenticator({
      client: opts.client,
      audiences: opts.tokenAudiences,
      allowDefaultAudience: opts.allowDefaultAudience,
    });
  let current: CaBundle | Error = new Error('the CA key material is still loading');
  let serving: { certChainPem: string; keyPem: string } | undefined;
  let tlsServer: CaServer | undefined;
  let plainServer: CaServer | undefined;
  let publisher: RootCertPublisher | undefined;
  let selectors = opts.discoverySelectors;
  let stopped = false;
  const serviceOpts = {
    bundle: () => current,
    authenticate,
    trustDomain,
    maxTtlSeconds: opts.maxWorkloadTtlSeconds,
    defaultTtlSeconds: opts.defaultWorkloadTtlSeconds,
    log,
  };

  if (opts.plaintextPort !== undefined)
    plainServer = await createCaServer({ ...serviceOpts, host: opts.host, port: opts.plaintextPort });

  const sameBundle = (a: CaBundle | Error, b: CaBundle) =>
    !(a instanceof Error) &&
    a.rootCertPem === b.rootCertPem &&
    a.signingCert.toString('pem') === b.signingCert.toString('pem');

  const applyBundle = async (b: CaBundle) => {
    current = b;
    log(
      `serving certificates from the ${b.source === 'plugin' ? `plug-in Secret ${PLUGIN_SECRET}` : `self-signed root in ${SELF_SIGNED_SECRET}`}`,
    );
    serving = await issueServingCert(b, {
      dnsNames: servingDnsNames(opts.namespace, opts.revision, opts.extraDnsNames),
    });
    if (opts.tlsPort !== null) {
      // grpc-js cannot swap a listening server's certificate: rebind on the same port.
      const port = tlsServer?.port ?? opts.tlsPort ?? DEFAULT_CA_TLS_PORT;
      await tlsServer?.close();
      tlsServer = await createCaServer({ ...serviceOpts, host: opts.host, port, tls: serving });
    }
    if (opts.publishRootCert !== false) {
      if (publisher) publisher.setRootCert(b.rootCertPem);
      else
        publisher = new RootCertPublisher({
          client: opts.client,
          rootCertPem: b.rootCertPem,
          discoverySelectors: selectors,
          log,
        });
    }
  };

  let chain: Promise<void> = Promise.resolve();
  const reload = (): Promise<void> => {
    chain = chain.then(async () => {
      if (stopped) return;
      let loaded: CaBundle;
      try {
        loaded = await loadKeyMaterial({ client: opts.client, namespace: opts.namespace, trustDomain });
      } catch (err) {
        const msg = (err as Error).message;
        // Keep serving with the last good material: a bad edit must not take the mesh's CA down.
        if (current instanceof Error) {
          if (current.message !== msg) log(`not serving certificates: ${msg}`);
          current = new Error(msg);
        } else log(`keeping the current CA material: ${msg}`);
        return;
      }
      if (sameBundle(current, loaded)) return;
      try {
        await applyBundle(loaded);
      } catch (err) {
        log(`cannot start serving with the new CA material: ${(err as Error).message}`);
      }
    });
    return chain;
  };

  const started = reload();
  let secretInformer: Informer | undefined;
  void started.then(() => {
    if (stopped) return;
    secretInformer = opts.client.informer(
      `/api/v1/namespaces/${encodeURIComponent(opts.namespace)}/secrets`,
      {
        onEvent: (_type, s) => {
          const name = s?.metadata?.name;
          if (name === PLUGIN_SECRET || name === SELF_SIGNED_SECRET) void reload();
        },
        onError: (err) => log(`secret watch: ${String(err)}`),
      },
    );
  });

  return {
    status: () =>
      current instanceof Error
        ? { ready: false, error: current.message }
        : { ready: true, source: current.source, rootCertPem: current.rootCertPem },
    bundle: () => current,
    servingCert: () => serving,
    tlsPort: () => tlsServer?.port,
    plaintextPort: () => plainServer?.port,
    started,
    publisher: () => publisher,
    setDiscoverySelectors: (s) => {
      selectors = s;
      publisher?.setDiscoverySelectors(s);
    },
    reload,
    stop: async () => {
      stopped = true;
      secretInformer?.stop();
      publisher?.stop();
      await chain.catch(() => undefined);
      await Promise.all([tlsServer?.close(), plainServer?.close()]);
    },
  };
}

// Where the CA's key material comes from, as upstream istiod decides it: the plug-in Secret `cacerts`
// wins when present; otherwise the self-signed root in `istio-ca-secret`, created on first start.
import type { KubeClient } from '../../kube/index.js';
import { KubeError } from '../../kube/index.js';
import { type CaBundle, type CaPem, createSelfSignedRoot, loadCaBundle } from './authority.js';

export const PLUGIN_SECRET = 'cacerts';
export const SELF_SIGNED_SECRET = 'istio-ca-secret';
export const SELF_SIGNED_SECRET_TYPE = 'istio.io/ca-root';

const decode = (data: Record<string, string> | undefined, key: string): string | undefined =>
  data?.[key] === undefined ? undefined : Buffer.from(data[key]!, 'base64').toString('utf8');

/**
 * Reads the plug-in material from a `cacerts` Secret's data. Answers undefined when the Secret carries
 * none of the known keys; throws naming what is missing when it is only partly there.
 */
export function pluginPemFromSecret(secret: any): CaPem | undefined {
  const data: Record<string, string> | undefined = secret?.data;
  const get = (k: string) => decode(data, k);
  if (get('ca-key.pem') !== undefined || get('ca-cert.pem') !== undefined) {
    const missing = ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem'].filter((k) => !get(k)?.trim());
    if (missing.length)
      throw new Error(`Secret ${PLUGIN_SECRET} is incomplete: ${missing.join(', ')} missing or empty`);
    return {
      caCertPem: get('ca-cert.pem')!,
      caKeyPem: get('ca-key.pem')!,
      rootCertPem: get('root-cert.pem')!,
      certChainPem: get('cert-chain.pem') ?? '',
    };
  }
  // The TLS-style layout (cert-manager and friends): tls.crt/tls.key/ca.crt.
  if (get('tls.key') !== undefined || get('tls.crt') !== undefined) {
    const missing = ['tls.crt', 'tls.key', 'ca.crt'].filter((k) => !get(k)?.trim());
    if (missing.length)
      throw new Error(`Secret ${PLUGIN_SECRET} is incomplete: ${missing.join(', ')} missing or empty`);
    return {
      caCertPem: get('tls.crt')!,
      caKeyPem: get('tls.key')!,
      rootCertPem: get('ca.crt')!,
      certChainPem: get('tls.crt')!,
    };
  }
  return undefined;
}

export function selfSignedSecret(namespace: string, pem: CaPem): any {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: SELF_SIGNED_SECRET, namespace },
    type: SELF_SIGNED_SECRET_TYPE,
    // As upstream: only the CA pair is filled in; the other keys exist and are empty.
    data: {
      'ca-cert.pem': b64(pem.caCertPem),
      'ca-key.pem': b64(pem.caKeyPem),
      'cert-chain.pem': '',
      'key.pem': '',
      'root-cert.pem': '',
    },
  };
}

export interface LoadKeyMaterialOptions {
  client: Pick<KubeClient, 'find' | 'request'>;
  namespace: string;
  trustDomain: string;
  now?: Date;
}

/** Loads (or creates) the CA bundle. Throws an Error whose message says what is wrong. */
export async function loadKeyMaterial(opts: LoadKeyMaterialOptions): Promise<CaBundle> {
  const { client, namespace, trustDomain } = opts;
  const now = opts.now ?? new Date();
  const secretsPath = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;

  const plugin = await client.find<any>(`${secretsPath}/${PLUGIN_SECRET}`);
  const pluginPem = plugin ? pluginPemFromSecret(plugin) : undefined;
  if (pluginPem) return await loadCaBundle(pluginPem, 'plugin', `Secret ${namespace}/${PLUGIN_SECRET}`, now);

  const label = `Secret ${namespace}/${SELF_SIGNED_SECRET}`;
  let existing = await client.find<any>(`${secretsPath}/${SELF_SIGNED_SECRET}`);
  if (!existing) {
    const pem = await createSelfSignedRoot(trustDomain, now);
    try {
      await client.request('POST', secretsPath, selfSignedSecret(namespace, pem));
      return await loadCaBundle(pem, 'self-signed', label, now);
    } catch (err) {
      // Another istiod replica won the race: use what it stored.
      if (!(err instanceof KubeError && err.code === 409)) throw err;
      existing = await client.find<any>(`${secretsPath}/${SELF_SIGNED_SECRET}`);
      if (!existing) throw new Error(`${label} was created concurrently and then vanished`);
    }
  }
  const caCertPem = decode(existing.data, 'ca-cert.pem') ?? '';
  const caKeyPem = decode(existing.data, 'ca-key.pem') ?? '';
  const rootCertPem = decode(existing.data, 'root-cert.pem')?.trim()
    ? decode(existing.data, 'root-cert.pem')!
    : caCertPem;
  return await loadCaBundle({ caCertPem, caKeyPem, rootCertPem }, 'self-signed', label, now);
}

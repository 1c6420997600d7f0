// Keeps caBundle of this revision's webhook configurations equal to the CA root, as upstream istiod's
// webhook patcher does: the operator renders them empty and istiod fills them in once it has a root.
import type { KubeClient } from '../../kube/index.js';

export const MUTATING_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
export const VALIDATING_PATH = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';

const revSuffix = (revision: string) => (revision && revision !== 'default' ? `-${revision}` : '');

/** Whether istiod of (namespace, revision) owns the caBundle of this mutating webhook configuration. */
export function ownsMutatingWebhook(obj: any, namespace: string, revision: string): boolean {
  const name: string = obj?.metadata?.name ?? '';
  const base = `istio-sidecar-injector${revSuffix(revision)}`;
  if (name === base || name === `${base}-${namespace}`) return true;
  if (name.startsWith('istio-revision-tag-')) {
    const target = obj?.metadata?.labels?.['istio.io/rev'] ?? '';
    return (target || 'default') === (revision || 'default');
  }
  return false;
}

export function ownsValidatingWebhook(obj: any, namespace: string, revision: string): boolean {
  const name: string = obj?.metadata?.name ?? '';
  return name === `istio-validator${revSuffix(revision)}-${namespace}`;
}

/** The object with every webhook's caBundle set, or undefined when nothing needs to change. */
export function withCaBundle(obj: any, rootCertPem: string): any | undefined {
  const bundle = Buffer.from(rootCertPem).toString('base64');
  const hooks: any[] = obj?.webhooks ?? [];
  if (hooks.every((h) => h?.clientConfig?.caBundle === bundle)) return undefined;
  const copy = structuredClone(obj);
  for (const h of copy.webhooks) h.clientConfig = { ...(h.clientConfig ?? {}), caBundle: bundle };
  return copy;
}

/** PUTs the updated object; a conflict is left for the next watch event to retry. */
export async function patchCaBundle(
  client: Pick<KubeClient, 'request'>,
  collectionPath: string,
  obj: any,
  rootCertPem: string,
  log: (m: string) => void,
): Promise<boolean> {
  const updated = withCaBundle(obj, rootCertPem);
  if (!updated) return false;
  const name = obj.metadata.name as string;
  try {
    await client.request('PUT', `${collectionPath}/${encodeURIComponent(name)}`, updated);
    log(`set caBundle on ${collectionPath.split('/').pop()}/${name}`);
    return true;
  } catch (err) {
    log(`cannot set caBundle on ${name}: ${(err as Error).message}`);
    return false;
  }
}

// The ServiceAccount admission plugin's token mount: every new pod that does not opt out gets the
// projected `kube-api-access-<suffix>` volume (a bound token, the cluster CA, the namespace) mounted
// read-only at /var/run/secrets/kubernetes.io/serviceaccount in each container, so in-cluster
// clients (the operator, istiod) find their credentials where client libraries look.
import { randomBytes } from 'node:crypto';

export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const TOKEN_EXPIRATION_SECONDS = 3607;
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(): string {
  return [...randomBytes(5)].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
}

/**
 * Adds the token volume and mounts unless the pod or its ServiceAccount turns automounting off.
 * `serviceAccount` is the pod's ServiceAccount object if it exists.
 */
export function mountServiceAccountToken(pod: any, serviceAccount: any, suffix = randomSuffix()): void {
  const spec = pod?.spec;
  if (!spec) return;
  const automount = spec.automountServiceAccountToken ?? serviceAccount?.automountServiceAccountToken ?? true;
  if (automount === false) return;
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const needing = containers.filter(
    (c: any) => !(c.volumeMounts ?? []).some((m: any) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH),
  );
  if (needing.length === 0) return;
  const existing = (spec.volumes ?? []).find(
    (v: any) => v.name?.startsWith('kube-api-access-') && v.projected,
  );
  const name = existing?.name ?? `kube-api-access-${suffix}`;
  if (!existing) {
    spec.volumes = [
      ...(spec.volumes ?? []),
      {
        name,
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            {
              downwardAPI: {
                items: [
                  { path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
                ],
              },
            },
          ],
        },
      },
    ];
  }
  for (const c of needing)
    c.volumeMounts = [
      ...(c.volumeMounts ?? []),
      { name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH },
    ];
}

// kubeconfig files for kubectl and client libraries; credentials are embedded (the *-data fields)
// so the file works from any directory.
import { stringify } from 'yaml';

export type KubeconfigUser = { certPem: string; keyPem: string } | { token: string };

export interface KubeconfigParams {
  clusterName: string;
  server: string;
  caPem: string;
  user: KubeconfigUser;
  namespace?: string;
  /** Name of the user entry; defaults to the cluster name, as kind does. */
  userName?: string;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export function renderKubeconfig(p: KubeconfigParams): string {
  const userName = p.userName ?? p.clusterName;
  const user =
    'token' in p.user
      ? { token: p.user.token }
      : { 'client-certificate-data': b64(p.user.certPem), 'client-key-data': b64(p.user.keyPem) };
  const context: Record<string, string> = { cluster: p.clusterName, user: userName };
  if (p.namespace) context.namespace = p.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: p.clusterName, cluster: { server: p.server, 'certificate-authority-data': b64(p.caPem) } },
    ],
    contexts: [{ name: p.clusterName, context }],
    'current-context': p.clusterName,
    preferences: {},
    users: [{ name: userName, user }],
  });
}

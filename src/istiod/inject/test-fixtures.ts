// Test inputs: pods built from the upstream sample manifests (read, not copied) and a default context.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { InjectionContext, Pod } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** src/istiod/inject, whether running from src or dist/src. */
export const srcDir = here.includes(`${path.sep}dist${path.sep}`)
  ? here.replace(`${path.sep}dist`, '')
  : here;
const upstream = path.resolve(srcDir, '../../../../shared/upstream');

function deployment(file: string, name: string): Record<string, unknown> {
  const docs = parseAllDocuments(readFileSync(path.join(upstream, file), 'utf8')).map((d) => d.toJS());
  const found = docs.find((d) => d?.kind === 'Deployment' && d.metadata?.name === name);
  if (!found) throw new Error(`no Deployment ${name} in ${file}`);
  return found as Record<string, unknown>;
}

/** The pod a ReplicaSet of the Deployment would create (what the webhook sees). */
export function podFromDeployment(file: string, name: string, namespace: string): Pod {
  const d = deployment(file, name) as {
    spec: { template: { metadata: Pod['metadata']; spec: Pod['spec'] } };
  };
  const hash = '5f48cdcb85';
  const tmpl = structuredClone(d.spec.template);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...tmpl.metadata,
      generateName: `${name}-${hash}-`,
      namespace,
      labels: { ...tmpl.metadata?.labels, 'pod-template-hash': hash },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-${hash}`, controller: true },
      ],
    },
    spec: tmpl.spec,
  };
}

export function productpagePod(): Pod {
  return podFromDeployment(
    'istio/samples/bookinfo/platform/kube/bookinfo.yaml',
    'productpage-v1',
    'bookinfo',
  );
}

export function gatewayPod(): Pod {
  return podFromDeployment(
    'sail-operator/chart/samples/ingress-gateway.yaml',
    'istio-ingressgateway',
    'istio-ingress',
  );
}

export function defaultContext(): InjectionContext {
  return {
    revision: 'default',
    config: { policy: 'enabled' },
    values: { global: { hub: 'quay.io/sail-dev', tag: '1.24.3', istioNamespace: 'istio-system' } },
    mesh: {
      trustDomain: 'cluster.local',
      defaultConfig: { discoveryAddress: 'istiod.istio-system.svc:15012' },
    },
  };
}

// A throwaway HTTP server that answers just enough for the real kubectl to run its generator
// commands (version, legacy discovery, an OpenAPI v3 stub) and records every POST body. Only the
// protobuf codec tests use it; it is not part of the API server.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedPost {
  path: string;
  contentType: string;
  body: Buffer;
}

export interface KubeStub {
  port: number;
  /** The minor version /version reports; the kubectl dispatcher runs the matching kubectl.1.<minor>. */
  minor: string;
  posts: CapturedPost[];
  /** Answers a POST; the default echoes a 201 with a small object. */
  respond: (post: CapturedPost) => { status: number; body: unknown };
  close(): Promise<void>;
}

interface Res {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
  group?: string;
  version?: string;
}

const crud = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

// Group versions and the resources kubectl's generators look up through the REST mapper.
const groups: Record<string, Res[]> = {
  v1: [
    { name: 'namespaces', kind: 'Namespace', namespaced: false },
    { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
    { name: 'secrets', kind: 'Secret', namespaced: true },
    { name: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
    {
      name: 'serviceaccounts/token',
      kind: 'TokenRequest',
      namespaced: true,
      verbs: ['create'],
      group: 'authentication.k8s.io',
      version: 'v1',
    },
    { name: 'services', kind: 'Service', namespaced: true },
    { name: 'resourcequotas', kind: 'ResourceQuota', namespaced: true },
    { name: 'pods', kind: 'Pod', namespaced: true },
  ],
  'apps/v1': [{ name: 'deployments', kind: 'Deployment', namespaced: true }],
  'batch/v1': [
    { name: 'jobs', kind: 'Job', namespaced: true },
    { name: 'cronjobs', kind: 'CronJob', namespaced: true },
  ],
  'rbac.authorization.k8s.io/v1': [
    { name: 'roles', kind: 'Role', namespaced: true },
    { name: 'rolebindings', kind: 'RoleBinding', namespaced: true },
    { name: 'clusterroles', kind: 'ClusterRole', namespaced: false },
    { name: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
  ],
  'policy/v1': [{ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true }],
  'scheduling.k8s.io/v1': [{ name: 'priorityclasses', kind: 'PriorityClass', namespaced: false }],
  'networking.k8s.io/v1': [{ name: 'ingresses', kind: 'Ingress', namespaced: true }],
  'authorization.k8s.io/v1': [
    {
      name: 'selfsubjectaccessreviews',
      kind: 'SelfSubjectAccessReview',
      namespaced: false,
      verbs: ['create'],
    },
  ],
  'authentication.k8s.io/v1': [
    { name: 'selfsubjectreviews', kind: 'SelfSubjectReview', namespaced: false, verbs: ['create'] },
  ],
};

function resourceList(gv: string): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: groups[gv].map((r) => ({
      name: r.name,
      singularName: r.name.includes('/') ? '' : r.kind.toLowerCase(),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs ?? crud,
      ...(r.group !== undefined ? { group: r.group, version: r.version } : {}),
    })),
  };
}

function openapiRoot(): unknown {
  const paths: Record<string, unknown> = {};
  for (const gv of Object.keys(groups)) {
    const p = gv === 'v1' ? 'api/v1' : `apis/${gv}`;
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=H1` };
  }
  return { paths };
}

function openapiGroup(gv: string): unknown {
  const [group, version] = gv.includes('/') ? gv.split('/') : ['', gv];
  const prefix = gv === 'v1' ? '/api/v1' : `/apis/${gv}`;
  const paths: Record<string, unknown> = {};
  for (const r of groups[gv]) {
    if (r.name.includes('/')) continue;
    const url = r.namespaced
      ? `${prefix}/namespaces/{namespace}/${r.name}/{name}`
      : `${prefix}/${r.name}/{name}`;
    paths[url] = {
      patch: {
        'x-kubernetes-group-version-kind': { group, version, kind: r.kind },
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }],
        responses: {},
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'stub', version: 'v1' }, paths, components: { schemas: {} } };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startKubeStub(): Promise<KubeStub> {
  const stub: KubeStub = {
    port: 0,
    minor: '32',
    posts: [],
    respond: () => ({
      status: 201,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' },
    }),
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname;
      if (req.method === 'POST') {
        const post = {
          path,
          contentType: String(req.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks),
        };
        stub.posts.push(post);
        const r = stub.respond(post);
        return send(res, r.status, r.body);
      }
      if (path === '/version') {
        return send(res, 200, {
          major: '1',
          minor: stub.minor,
          gitVersion: `v1.${stub.minor}.0`,
          gitCommit: 'stub',
          gitTreeState: 'clean',
          buildDate: '2025-01-01T00:00:00Z',
          goVersion: 'go1.23',
          compiler: 'gc',
          platform: 'linux/amd64',
        });
      }
      if (path === '/api') {
        return send(res, 200, {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${stub.port}` }],
        });
      }
      if (path === '/apis') {
        return send(res, 200, {
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: Object.keys(groups)
            .filter((g) => g !== 'v1')
            .map((gv) => {
              const [name, version] = gv.split('/');
              const v = { groupVersion: gv, version };
              return { name, versions: [v], preferredVersion: v };
            }),
        });
      }
      if (path === '/api/v1') return send(res, 200, resourceList('v1'));
      const m = /^\/apis\/([^/]+\/[^/]+)$/.exec(path);
      if (m && groups[m[1]]) return send(res, 200, resourceList(m[1]));
      if (path === '/openapi/v3') return send(res, 200, openapiRoot());
      const o = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))$/.exec(path);
      if (o && groups[o[1] ?? o[2]]) return send(res, 200, openapiGroup(o[1] ?? o[2]));
      return send(res, 404, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        code: 404,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.port = (server.address() as AddressInfo).port;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}

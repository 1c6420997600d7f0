import type { KubeObject } from './types.js';
import { revSuffix } from './revision.js';

interface RbacContext {
  values: Record<string, unknown>;
  namespace: string;
  name: string;
  labels: Record<string, string>;
}

const GET_LIST_WATCH = ['get', 'list', 'watch'];
const ALL_WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const ISTIO_GROUPS = [
  'config.istio.io',
  'security.istio.io',
  'networking.istio.io',
  'authentication.istio.io',
  'rbac.istio.io',
  'telemetry.istio.io',
  'extensions.istio.io',
];

const rule = (apiGroups: string[], resources: string[], verbs: string[]) => ({ apiGroups, resources, verbs });

const ISTIOD_RULES = [
  rule(
    ['admissionregistration.k8s.io'],
    ['mutatingwebhookconfigurations'],
    ['get', 'list', 'watch', 'update', 'patch'],
  ),
  rule(
    ['admissionregistration.k8s.io'],
    ['validatingwebhookconfigurations'],
    ['get', 'list', 'watch', 'update'],
  ),
  rule(ISTIO_GROUPS, ['*'], GET_LIST_WATCH),
  rule(['networking.istio.io'], ['workloadentries'], ALL_WRITE),
  rule(['networking.istio.io'], ['workloadentries/status', 'serviceentries/status'], ALL_WRITE),
  rule(['security.istio.io'], ['authorizationpolicies/status'], ALL_WRITE),
  rule(['apiextensions.k8s.io'], ['customresourcedefinitions'], GET_LIST_WATCH),
  rule(
    [''],
    ['pods', 'nodes', 'services', 'namespaces', 'endpoints', 'secrets', 'serviceaccounts'],
    GET_LIST_WATCH,
  ),
  rule(['discovery.k8s.io'], ['endpointslices'], GET_LIST_WATCH),
  rule(['networking.k8s.io'], ['ingresses', 'ingressclasses'], GET_LIST_WATCH),
  rule(['networking.k8s.io'], ['ingresses/status'], ['*']),
  rule([''], ['configmaps'], ['create', 'get', 'list', 'watch', 'update']),
  rule(['authentication.k8s.io'], ['tokenreviews'], ['create']),
  rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
  rule(['gateway.networking.k8s.io', 'gateway.networking.x-k8s.io'], ['*'], GET_LIST_WATCH),
  rule(['gateway.networking.k8s.io', 'gateway.networking.x-k8s.io'], ['*'], ['update', 'patch']),
  rule(['gateway.networking.k8s.io'], ['gatewayclasses'], ['create', 'update', 'patch', 'delete']),
  rule([''], ['events'], ['create', 'patch']),
];

const GATEWAY_CONTROLLER_RULES = [
  rule(['apps'], ['deployments'], ALL_WRITE),
  rule([''], ['services', 'serviceaccounts'], ALL_WRITE),
  rule(['autoscaling'], ['horizontalpodautoscalers'], ALL_WRITE),
  rule(['policy'], ['poddisruptionbudgets'], ALL_WRITE),
];

const READER_RULES = [
  rule(ISTIO_GROUPS, ['*'], GET_LIST_WATCH),
  rule(
    [''],
    ['endpoints', 'pods', 'services', 'nodes', 'replicationcontrollers', 'namespaces', 'secrets'],
    GET_LIST_WATCH,
  ),
  rule(['networking.istio.io'], ['workloadentries'], GET_LIST_WATCH),
  rule(['discovery.k8s.io'], ['endpointslices'], GET_LIST_WATCH),
  rule(['apps'], ['replicasets'], GET_LIST_WATCH),
  rule(['authentication.k8s.io'], ['tokenreviews'], ['create']),
  rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
];

function clusterRolePair(
  ctx: RbacContext,
  name: string,
  rules: unknown[],
  serviceAccount: string,
): KubeObject[] {
  const labels = { ...ctx.labels, app: 'istiod' };
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels }, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace: ctx.namespace }],
    },
  ];
}

/** Cluster-wide RBAC: names carry the revision and namespace so several control planes coexist. */
export function istiodClusterRoles(ctx: RbacContext): KubeObject[] {
  const suffix = `${revSuffix(ctx.values)}-${ctx.namespace}`;
  return [
    ...clusterRolePair(ctx, `istiod-clusterrole${suffix}`, ISTIOD_RULES, ctx.name),
    ...clusterRolePair(ctx, `istiod-gateway-controller${suffix}`, GATEWAY_CONTROLLER_RULES, ctx.name),
    ...clusterRolePair(
      ctx,
      `istio-reader-clusterrole${suffix}`,
      READER_RULES,
      'istio-reader-service-account',
    ),
  ];
}

/** istiod's namespaced Role: its CA secret, config maps and leader-election leases. */
export function istiodRoles(ctx: RbacContext): KubeObject[] {
  const labels = { ...ctx.labels, app: 'istiod' };
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: ctx.name, namespace: ctx.namespace, labels },
      rules: [
        rule(['networking.istio.io'], ['gateways'], ['create']),
        rule([''], ['secrets'], ['create', 'get', 'watch', 'list', 'update', 'delete']),
        rule([''], ['configmaps'], ['delete']),
        rule(['coordination.k8s.io'], ['leases'], ['get', 'update', 'patch', 'create']),
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: ctx.name, namespace: ctx.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: ctx.name },
      subjects: [{ kind: 'ServiceAccount', name: ctx.name, namespace: ctx.namespace }],
    },
  ];
}

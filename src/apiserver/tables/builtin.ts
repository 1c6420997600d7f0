// Which convertor serves which built-in resource.

import type { TableConvertor } from './types.js';
import { podTable } from './pods.js';
import {
  cronJobTable,
  daemonSetTable,
  deploymentTable,
  jobTable,
  replicaSetTable,
  statefulSetTable,
} from './workloads.js';
import {
  configMapTable,
  endpointsTable,
  eventTable,
  namespaceTable,
  nodeTable,
  secretTable,
  serviceAccountTable,
  serviceTable,
} from './core.js';
import {
  clusterRoleBindingTable,
  endpointSliceTable,
  hpaTable,
  leaseTable,
  pdbTable,
  roleBindingTable,
  webhookConfigurationTable,
} from './cluster.js';
import { defaultTableConvertor } from './defaults.js';

const byResource: Record<string, TableConvertor> = {
  '/pods': podTable,
  '/services': serviceTable,
  '/endpoints': endpointsTable,
  '/configmaps': configMapTable,
  '/secrets': secretTable,
  '/serviceaccounts': serviceAccountTable,
  '/namespaces': namespaceTable,
  '/nodes': nodeTable,
  '/events': eventTable,
  'events.k8s.io/events': eventTable,
  'discovery.k8s.io/endpointslices': endpointSliceTable,
  'apps/deployments': deploymentTable,
  'apps/replicasets': replicaSetTable,
  'apps/daemonsets': daemonSetTable,
  'apps/statefulsets': statefulSetTable,
  'batch/jobs': jobTable,
  'batch/cronjobs': cronJobTable,
  'autoscaling/horizontalpodautoscalers': hpaTable,
  'policy/poddisruptionbudgets': pdbTable,
  'coordination.k8s.io/leases': leaseTable,
  'admissionregistration.k8s.io/mutatingwebhookconfigurations': webhookConfigurationTable,
  'admissionregistration.k8s.io/validatingwebhookconfigurations': webhookConfigurationTable,
  'rbac.authorization.k8s.io/rolebindings': roleBindingTable,
  'rbac.authorization.k8s.io/clusterrolebindings': clusterRoleBindingTable,
  // Upstream registers no printer for these, so they get the default NAME / CREATED AT table.
  'rbac.authorization.k8s.io/roles': defaultTableConvertor,
  'rbac.authorization.k8s.io/clusterroles': defaultTableConvertor,
  'apiextensions.k8s.io/customresourcedefinitions': defaultTableConvertor,
};

/** The printer for a built-in resource (group "" for core), or undefined when there is none. */
export function builtinTableConvertor(group: string, resource: string): TableConvertor | undefined {
  return byResource[`${group}/${resource}`];
}

// Strategic-merge and list-type metadata that Kubernetes attaches to built-in fields through Go
// struct tags (patchStrategy/patchMergeKey) and markers (+listType, +listMapKey, +structType).
// The client-node models do not carry them, so they are listed here per `<Model>.<field>`.
import type { Schema } from '../types.js';

type Ext = Partial<Schema>;

const mergeMap = (key: string, keys: string[] = [key], strategy = 'merge'): Ext => ({
  'x-kubernetes-list-map-keys': keys,
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-patch-merge-key': key,
  'x-kubernetes-patch-strategy': strategy,
});
const map = (...keys: string[]): Ext => ({
  'x-kubernetes-list-map-keys': keys,
  'x-kubernetes-list-type': 'map',
});
const atomic: Ext = { 'x-kubernetes-list-type': 'atomic' };
const set: Ext = { 'x-kubernetes-list-type': 'set' };

const containerFields: Record<string, Ext> = {
  ports: mergeMap('containerPort', ['containerPort', 'protocol']),
  env: mergeMap('name'),
  envFrom: atomic,
  volumeMounts: mergeMap('mountPath'),
  volumeDevices: mergeMap('devicePath'),
  resizePolicy: atomic,
  command: atomic,
  args: atomic,
};

const FIELD_EXTENSIONS: Record<string, Ext> = {
  'V1ObjectMeta.ownerReferences': mergeMap('uid'),
  'V1ObjectMeta.finalizers': { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
  'V1ObjectMeta.managedFields': atomic,
  'V1PodSpec.containers': mergeMap('name'),
  'V1PodSpec.initContainers': mergeMap('name'),
  'V1PodSpec.ephemeralContainers': mergeMap('name'),
  'V1PodSpec.volumes': mergeMap('name', ['name'], 'merge,retainKeys'),
  'V1PodSpec.imagePullSecrets': mergeMap('name'),
  'V1PodSpec.hostAliases': mergeMap('ip'),
  'V1PodSpec.topologySpreadConstraints': mergeMap('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
  'V1PodSpec.tolerations': atomic,
  'V1PodSpec.readinessGates': atomic,
  'V1PodSpec.resourceClaims': mergeMap('name', ['name'], 'merge,retainKeys'),
  'V1PodSpec.schedulingGates': mergeMap('name'),
  'V1PodSecurityContext.supplementalGroups': atomic,
  'V1PodSecurityContext.sysctls': atomic,
  'V1PodStatus.podIPs': mergeMap('ip'),
  'V1PodStatus.hostIPs': {
    ...atomic,
    'x-kubernetes-patch-merge-key': 'ip',
    'x-kubernetes-patch-strategy': 'merge',
  },
  'V1PodStatus.containerStatuses': atomic,
  'V1PodStatus.initContainerStatuses': atomic,
  'V1PodStatus.ephemeralContainerStatuses': atomic,
  'V1ResourceRequirements.claims': map('name'),
  'V1ServiceSpec.ports': mergeMap('port', ['port', 'protocol']),
  'V1ServiceSpec.clusterIPs': atomic,
  'V1ServiceSpec.externalIPs': atomic,
  'V1ServiceSpec.ipFamilies': atomic,
  'V1ServiceSpec.loadBalancerSourceRanges': atomic,
  'V1LoadBalancerStatus.ingress': atomic,
  'V1NodeStatus.addresses': mergeMap('type'),
  'V1NodeSpec.taints': atomic,
  'V1NodeSpec.podCIDRs': { ...set, 'x-kubernetes-patch-strategy': 'merge' },
  'V1LabelSelector.matchExpressions': atomic,
  'V1LabelSelectorRequirement.values': atomic,
  'V1NodeSelector.nodeSelectorTerms': atomic,
  'V1NodeSelectorTerm.matchExpressions': atomic,
  'V1NodeSelectorTerm.matchFields': atomic,
  'V1JobStatus.conditions': {
    ...atomic,
    'x-kubernetes-patch-merge-key': 'type',
    'x-kubernetes-patch-strategy': 'merge',
  },
  'V1PolicyRule.verbs': atomic,
  'V1PolicyRule.apiGroups': atomic,
  'V1PolicyRule.resources': atomic,
  'V1PolicyRule.resourceNames': atomic,
  'V1PolicyRule.nonResourceURLs': atomic,
  'V1Role.rules': atomic,
  'V1ClusterRole.rules': atomic,
  'V1RoleBinding.subjects': atomic,
  'V1ClusterRoleBinding.subjects': atomic,
  'V1PersistentVolumeClaimSpec.accessModes': atomic,
  'V1StatefulSetSpec.volumeClaimTemplates': atomic,
};

/** The extensions of one field; `itemModel` is the element model of an array field, if any. */
export function fieldExtensions(
  model: string,
  field: string,
  itemModel?: string,
  itemAttrs?: string[],
): Ext | undefined {
  const direct = FIELD_EXTENSIONS[`${model}.${field}`];
  if (direct) return direct;
  if ((model === 'V1Container' || model === 'V1EphemeralContainer') && containerFields[field])
    return containerFields[field];
  // Status conditions everywhere are merged by type (+listType=map, +listMapKey=type).
  if (field === 'conditions' && itemModel && itemAttrs?.includes('type')) return mergeMap('type');
  return undefined;
}

/** Fields typed as resource.Quantity (or a ResourceList of them) that the models flatten to strings. */
const QUANTITY_FIELDS = new Set([
  'V1ResourceRequirements.limits',
  'V1ResourceRequirements.requests',
  'V1VolumeResourceRequirements.limits',
  'V1VolumeResourceRequirements.requests',
  'V1NodeStatus.capacity',
  'V1NodeStatus.allocatable',
  'V1PersistentVolumeSpec.capacity',
  'V1PersistentVolumeClaimStatus.capacity',
  'V1PersistentVolumeClaimStatus.allocatedResources',
  'V1ResourceQuotaSpec.hard',
  'V1ResourceQuotaStatus.hard',
  'V1ResourceQuotaStatus.used',
  'V1LimitRangeItem.max',
  'V1LimitRangeItem.min',
  'V1LimitRangeItem._default',
  'V1LimitRangeItem.defaultRequest',
  'V1LimitRangeItem.maxLimitRequestRatio',
  'V1PodSpec.overhead',
  'V1Overhead.podFixed',
  'V1ContainerStatus.allocatedResources',
  'V1EmptyDirVolumeSource.sizeLimit',
  'V1CSIStorageCapacity.capacity',
  'V1CSIStorageCapacity.maximumVolumeSize',
]);

export function isQuantityField(model: string, attrName: string): boolean {
  return QUANTITY_FIELDS.has(`${model}.${attrName}`);
}

/** Maps whose Go type is the named v1.ResourceList (shown in decode errors). */
export function isResourceList(model: string, attrName: string): boolean {
  return isQuantityField(model, attrName) && !/sizeLimit|CSIStorageCapacity/.test(`${model}.${attrName}`);
}

/** Structs marked +structType=atomic (x-kubernetes-map-type: atomic). */
export const ATOMIC_STRUCTS = new Set([
  'V1LabelSelector',
  'V1LocalObjectReference',
  'V1ObjectReference',
  'V1NodeSelector',
  'V1NodeSelectorTerm',
  'V1TypedLocalObjectReference',
  'V1ConfigMapKeySelector',
  'V1SecretKeySelector',
  'V1ObjectFieldSelector',
  'V1ResourceFieldSelector',
  'V1TopologySelectorTerm',
]);

/**
 * Scalar defaults the published OpenAPI carries; server-side apply needs them to key list items
 * whose map key was left out (a container port without protocol is keyed as TCP).
 */
export const FIELD_DEFAULTS: Record<string, string> = {
  'V1ContainerPort.protocol': 'TCP',
  'V1ServicePort.protocol': 'TCP',
  'V1EndpointPort.protocol': 'TCP',
  'DiscoveryV1EndpointPort.protocol': 'TCP',
  'CoreV1EndpointPort.protocol': 'TCP',
};

/** Struct fields with a patch strategy of their own (Deployment strategy keeps only the chosen variant). */
export const STRUCT_FIELD_EXTENSIONS: Record<string, Ext> = {
  'V1DeploymentSpec.strategy': { 'x-kubernetes-patch-strategy': 'retainKeys' },
};

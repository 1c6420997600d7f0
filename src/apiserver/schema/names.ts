// Component names for client-node models, following the Go packages Kubernetes publishes its
// OpenAPI under (io.k8s.api.apps.v1.Deployment, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta, ...).

export const SCHEMA_PREFIX = '#/components/schemas/';

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';
export const TIME = `${META}.Time`;
export const MICRO_TIME = `${META}.MicroTime`;
export const FIELDS_V1 = `${META}.FieldsV1`;
export const OBJECT_META = `${META}.ObjectMeta`;
export const JSON_VALUE = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON';

/** Models that live in apimachinery's meta/v1 whatever group reaches them. */
const META_MODELS = new Set([
  'ObjectMeta',
  'ListMeta',
  'LabelSelector',
  'LabelSelectorRequirement',
  'OwnerReference',
  'ManagedFieldsEntry',
  'Condition',
  'Status',
  'StatusDetails',
  'StatusCause',
  'DeleteOptions',
  'Preconditions',
  'APIResource',
  'APIResourceList',
  'APIGroup',
  'APIGroupList',
  'APIVersions',
  'GroupVersionForDiscovery',
  'ServerAddressByClientCIDR',
  'WatchEvent',
  'FieldSelectorRequirement',
]);

export interface ParsedModel {
  /** Lower-case group prefix when the model name carries one (CoreV1EventSeries -> "core"). */
  prefix?: string;
  version: string;
  kind: string;
}

export function parseModelName(model: string): ParsedModel | undefined {
  const m = /^([A-Z][a-z]+)?(V\d+(?:(?:alpha|beta)\d+)?)([A-Z]\w*)$/.exec(model);
  if (!m) return undefined;
  return { prefix: m[1]?.toLowerCase(), version: m[2].toLowerCase(), kind: m[3] };
}

/** Go package path segment for an API group ("" -> core, "apps" -> apps, "rbac.authorization.k8s.io" -> rbac). */
export function groupPackage(group: string): string {
  if (!group) return 'core';
  if (group === 'internal.apiserver.k8s.io') return 'apiserverinternal';
  return group.split('.')[0];
}

function packageBase(pkg: string): string {
  if (pkg === 'apiextensions') return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions';
  if (pkg === 'apiregistration') return 'io.k8s.kube-aggregator.pkg.apis.apiregistration';
  return `io.k8s.api.${pkg}`;
}

/** Whether the model's package is fixed by its name alone (meta types and group-prefixed models). */
export function fixedComponentName(model: string): string | undefined {
  const p = parseModelName(model);
  if (!p) return undefined;
  if (p.version === 'v1' && META_MODELS.has(p.kind) && !p.prefix) return `${META}.${p.kind}`;
  if (p.prefix) return `${packageBase(p.prefix)}.${p.version}.${p.kind}`;
  return undefined;
}

export function componentName(model: string, group: string): string {
  const fixed = fixedComponentName(model);
  if (fixed) return fixed;
  const p = parseModelName(model);
  if (!p) return `io.k8s.unknown.${model}`;
  return `${packageBase(groupPackage(group))}.${p.version}.${p.kind}`;
}

/** The Go type name encoding/json prints for a component (v1.Container, intstr.IntOrString, ...). */
export function goTypeName(component: string): string {
  const parts = component.split('.');
  return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
}

export function shortName(component: string): string {
  return component.slice(component.lastIndexOf('.') + 1);
}

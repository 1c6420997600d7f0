// Column-definition helpers and the descriptions shared by most tables.

import type { KubeObject } from '../types.js';
import type { ColumnDefinition } from './types.js';
import { since } from './duration.js';

/** ObjectMeta's API documentation for `name`, which upstream uses for every Name column. */
export const NAME_DOC =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

/** ObjectMeta's API documentation for `creationTimestamp`, used for every Age column. */
export const CREATION_DOC =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const CONTAINERS_DOC = 'Names of each container in the template.';
export const IMAGES_DOC = 'Images referenced by each container in the template.';

export function col(
  name: string,
  type: string,
  description: string,
  priority = 0,
  format = '',
): ColumnDefinition {
  return { name, type, format, description, priority };
}

export const nameCol = (): ColumnDefinition => col('Name', 'string', NAME_DOC, 0, 'name');
export const ageCol = (): ColumnDefinition => col('Age', 'string', CREATION_DOC);
export const wide = (name: string, description: string, type = 'string'): ColumnDefinition =>
  col(name, type, description, 1);

export const nameOf = (obj: KubeObject): string => obj.metadata?.name ?? '';
export const ageOf = (obj: KubeObject, now: Date): string => since(obj.metadata?.creationTimestamp, now);

/** layoutContainerCells: comma-joined container names and images. */
export function containerCells(containers: unknown): [string, string] {
  const list = Array.isArray(containers) ? containers : [];
  return [list.map((c: any) => c?.name ?? '').join(','), list.map((c: any) => c?.image ?? '').join(',')];
}

/** Count of keys in a map-valued field (len() of a Go map; nil counts as 0). */
export function countKeys(v: unknown): number {
  return v !== null && typeof v === 'object' ? Object.keys(v).length : 0;
}

export const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);

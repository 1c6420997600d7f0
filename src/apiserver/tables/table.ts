// Assembles a meta.k8s.io/v1 Table response from a convertor and objects.

import type { KubeObject } from '../types.js';
import type { TableConvertor } from './types.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  includeObject: IncludeObject;
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  /** TableOptions.noHeaders: omit column definitions (upstream sends null). */
  noHeaders?: boolean;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableConvertor['columns'] | null;
  rows: { cells: unknown[]; conditions?: unknown[]; object: unknown }[];
}

/** The `includeObject` query parameter; upstream treats an absent value as Metadata. */
export function parseIncludeObject(value: string | null | undefined): IncludeObject | undefined {
  if (value === null || value === undefined || value === '') return 'Metadata';
  return value === 'None' || value === 'Metadata' || value === 'Object' ? value : undefined;
}

function rowObject(obj: KubeObject, mode: IncludeObject): unknown {
  switch (mode) {
    case 'None':
      return null;
    case 'Object':
      return obj;
    default:
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
  }
}

export function toTable(
  convertor: TableConvertor,
  objects: readonly KubeObject[],
  now: Date,
  opts: TableOptions,
): Table {
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined && opts.remainingItemCount !== null) {
    metadata.remainingItemCount = opts.remainingItemCount;
  }
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: opts.noHeaders ? null : convertor.columns,
    rows: objects.map((obj) => {
      const conditions = convertor.conditions?.(obj);
      const cells = convertor.row(obj, now);
      const object = rowObject(obj, opts.includeObject);
      return conditions && conditions.length ? { cells, conditions, object } : { cells, object };
    }),
  };
}

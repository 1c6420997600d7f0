// Tables for custom resources from a CRD version's additionalPrinterColumns, following
// apiextensions' tableconvertor: Name first, then one cell per column from its JSONPath.

import type { KubeObject } from '../types.js';
import type { ColumnDefinition, TableConvertor } from './types.js';
import { CREATION_DOC, nameCol, nameOf } from './columns.js';
import { humanDuration, parseTime } from './duration.js';
import { findResults, parseJSONPath } from './jsonpath.js';
import { jsonPathText } from './gotext.js';

export interface CrdColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

/** What upstream serves for a version that declares no printer columns. */
export const DEFAULT_CRD_COLUMNS: CrdColumn[] = [
  { name: 'Age', type: 'date', description: CREATION_DOC, jsonPath: '.metadata.creationTimestamp' },
];

function dateCell(value: unknown, now: Date): unknown {
  if (typeof value !== 'string') return null;
  // metav1.Time treats "" and "null" as the zero time.
  if (value === '' || value === 'null') return '<unknown>';
  const t = parseTime(value);
  return t ? humanDuration(now.getTime() - t.getTime()) : '<invalid>';
}

/** cellForJSONValue: values of the wrong JSON type become null rather than an error. */
function typedCell(type: string, value: unknown, now: Date): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return dateCell(value, now);
    default:
      return null;
  }
}

/**
 * Builds the convertor for one CRD version. An invalid JSONPath makes upstream fall back to the
 * default convertor; here that column simply yields null cells, and the error is left to CRD
 * validation, which rejects such paths on write.
 */
export function crdTableConvertor(columns: readonly CrdColumn[]): TableConvertor {
  const cols = columns.length ? columns : DEFAULT_CRD_COLUMNS;
  const paths = cols.map((c) => {
    try {
      return parseJSONPath(c.jsonPath);
    } catch {
      return undefined;
    }
  });
  const defs: ColumnDefinition[] = [
    nameCol(),
    ...cols.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
    })),
  ];
  return {
    columns: defs,
    row(obj: KubeObject, now: Date): unknown[] {
      const cells: unknown[] = [nameOf(obj)];
      cols.forEach((c, i) => {
        const steps = paths[i];
        let results: unknown[] = [];
        try {
          results = steps ? findResults(steps, obj) : [];
        } catch {
          results = [];
        }
        if (results.length === 0) {
          cells.push(null);
          return;
        }
        // Only simple paths are expected, so the first match is the value.
        const value = results[0];
        cells.push(c.type === 'string' ? jsonPathText(value) : typedCell(c.type, value, now));
      });
      return cells;
    },
  };
}

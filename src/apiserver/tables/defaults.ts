// Fallback tables for kinds without a printer of their own.

import type { TableConvertor } from './types.js';
import { CREATION_DOC, ageCol, ageOf, col, nameCol, nameOf } from './columns.js';
import { parseTime } from './duration.js';

/** Go's time.RFC3339 rendering of a UTC time (no fractional seconds). */
function rfc3339UTC(value: unknown): string {
  const t = parseTime(value);
  if (!t) return '0001-01-01T00:00:00Z';
  return t.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Upstream's rest.DefaultTableConvertor, used for kinds without a printer (roles, clusterroles,
 * customresourcedefinitions, ...): NAME and CREATED AT, the latter a `date` column holding the
 * creation time in RFC 3339.
 */
export const defaultTableConvertor: TableConvertor = {
  columns: [nameCol(), col('Created At', 'date', CREATION_DOC)],
  row: (obj) => [nameOf(obj), rfc3339UTC(obj.metadata?.creationTimestamp)],
};

/** NAME and AGE, what kubectl itself falls back to when a server sends no Table. */
export const nameAgeTableConvertor: TableConvertor = {
  columns: [nameCol(), ageCol()],
  row: (obj, now) => [nameOf(obj), ageOf(obj, now)],
};

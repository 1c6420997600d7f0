// Query parameters of list and watch requests, parsed once.
import { badRequest } from '../errors.js';
import {
  crdFieldsFor,
  fieldSelectorMatcher,
  fieldsFor,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from '../selectors/index.js';
import type { ResourceInfo } from '../resources/resource.js';
import type { KubeObject } from '../types.js';

export interface ListOptions {
  matches(obj: KubeObject): boolean;
  limit: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
}

export function parseListOptions(q: URLSearchParams, info: ResourceInfo): ListOptions {
  const labelSel = q.get('labelSelector');
  const fieldSel = q.get('fieldSelector');
  const labels = labelSel ? parseLabelSelector(labelSel) : undefined;
  let fieldMatch: ((o: KubeObject) => boolean) | undefined;
  if (fieldSel) {
    const parsed = parseFieldSelector(fieldSel);
    fieldMatch = fieldSelectorMatcher(
      parsed,
      info.origin === 'crd'
        ? crdFieldsFor((info.selectableFields ?? []).map((p) => ({ jsonPath: p })))
        : fieldsFor(info.group, info.plural),
    );
  }
  const limitText = q.get('limit');
  const limit = limitText ? Number(limitText) : 0;
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`invalid limit: ${limitText}`);
  const timeoutText = q.get('timeoutSeconds');
  const timeoutSeconds = timeoutText ? Number(timeoutText) : undefined;
  return {
    matches: (o) => (!labels || matchesLabels(labels, o.metadata?.labels)) && (!fieldMatch || fieldMatch(o)),
    limit,
    continueToken: q.get('continue') || undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
    timeoutSeconds:
      timeoutSeconds !== undefined && Number.isFinite(timeoutSeconds) ? timeoutSeconds : undefined,
    allowBookmarks: q.get('allowWatchBookmarks') === 'true',
    sendInitialEvents: q.get('sendInitialEvents') === 'true',
  };
}

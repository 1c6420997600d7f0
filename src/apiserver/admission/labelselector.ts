// A private metav1.LabelSelector matcher. Kept small and local on purpose: the shared selectors
// module is being written in parallel; swap this out for it once it lands.

import type { LabelSelector } from './types.js';

/** Why a selector cannot be used; the callers turn it into an InternalError as upstream does. */
export class SelectorError extends Error {}

/** True when the selector has no requirements, so it matches anything, even a missing object. */
export function selectorIsEmpty(sel: LabelSelector | undefined | null): boolean {
  if (!sel) return true;
  return Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

export function selectorMatches(
  sel: LabelSelector | undefined | null,
  labels: Record<string, string> | undefined,
): boolean {
  if (!sel) return true;
  const have = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (have[k] !== v) return false;
  }
  for (const req of sel.matchExpressions ?? []) {
    const values = req.values ?? [];
    const present = Object.prototype.hasOwnProperty.call(have, req.key);
    switch (req.operator) {
      case 'In':
        if (values.length === 0)
          throw new SelectorError(
            `values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty`,
          );
        if (!present || !values.includes(have[req.key])) return false;
        break;
      case 'NotIn':
        if (values.length === 0)
          throw new SelectorError(
            `values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty`,
          );
        // An absent key satisfies NotIn, as in apimachinery.
        if (present && values.includes(have[req.key])) return false;
        break;
      case 'Exists':
        if (values.length > 0)
          throw new SelectorError(
            `values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist`,
          );
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (values.length > 0)
          throw new SelectorError(
            `values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist`,
          );
        if (present) return false;
        break;
      default:
        throw new SelectorError(`"${req.operator}" is not a valid label selector operator`);
    }
  }
  return true;
}

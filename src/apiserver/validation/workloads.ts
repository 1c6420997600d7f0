// Validation for the apps/v1 workload kinds and their selectors.
import type { FieldError } from '../errors.js';
import { validateLabels } from './names.js';
import { validatePodSpec } from './pods.js';

/** Deployment, ReplicaSet, DaemonSet and StatefulSet share selector/template rules. */
export function validateWorkloadSpec(
  spec: any,
  opts: { replicas: boolean; restartPolicies?: string[] },
): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec) return [{ type: 'FieldValueRequired', field: 'spec' }];
  if (opts.replicas && spec.replicas !== undefined && spec.replicas < 0)
    errs.push({
      type: 'FieldValueInvalid',
      field: 'spec.replicas',
      value: spec.replicas,
      detail: 'must be greater than or equal to 0',
    });
  const sel = spec.selector;
  if (
    !sel ||
    (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)
  ) {
    errs.push({ type: 'FieldValueRequired', field: 'spec.selector' });
    if (sel)
      errs.push({
        type: 'FieldValueInvalid',
        field: 'spec.selector',
        value: sel,
        detail: 'empty selector is invalid for deployment',
      });
  } else {
    errs.push(...validateLabels(sel.matchLabels, 'spec.selector.matchLabels'));
    const labels = spec.template?.metadata?.labels ?? {};
    if (!selectorMatches(sel, labels))
      errs.push({
        type: 'FieldValueInvalid',
        field: 'spec.template.metadata.labels',
        valueText: goMap(labels),
        detail: '`selector` does not match template `labels`',
      });
  }
  errs.push(...validateLabels(spec.template?.metadata?.labels, 'spec.template.metadata.labels'));
  errs.push(
    ...validatePodSpec(spec.template?.spec, 'spec.template.spec', {
      restartPolicies: opts.restartPolicies ?? ['Always'],
    }),
  );
  return errs;
}

function selectorMatches(sel: any, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const vals: string[] = e.values ?? [];
    if (e.operator === 'In' && !(has && vals.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && vals.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Go's %v of a map[string]string, which upstream prints in this message. */
const goMap = (m: Record<string, string>): string =>
  `map[string]string{${Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`)
    .join(', ')}}`;

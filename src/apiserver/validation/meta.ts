// ObjectMeta validation shared by every kind.
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { checkName, dns1123Subdomain, validateAnnotations, validateLabels, type NameRule } from './names.js';

export function validateObjectMeta(
  obj: KubeObject,
  opts: { namespaced: boolean; nameRule: NameRule },
): FieldError[] {
  const m = obj.metadata ?? {};
  const errs: FieldError[] = [];
  if (!m.name) {
    errs.push({
      type: 'FieldValueRequired',
      field: 'metadata.name',
      detail: 'name or generateName is required',
    });
  } else {
    for (const d of checkName(opts.nameRule, m.name))
      errs.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: m.name, detail: d });
  }
  if (opts.namespaced) {
    if (!m.namespace) errs.push({ type: 'FieldValueRequired', field: 'metadata.namespace' });
  } else if (m.namespace) {
    errs.push({
      type: 'FieldValueForbidden',
      field: 'metadata.namespace',
      detail: 'not allowed on this type',
    });
  }
  errs.push(...validateLabels(m.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  (m.ownerReferences ?? []).forEach((ref, i) => {
    const p = `metadata.ownerReferences[${i}]`;
    if (!ref.apiVersion)
      errs.push({
        type: 'FieldValueInvalid',
        field: `${p}.apiVersion`,
        value: ref.apiVersion ?? '',
        detail: 'version must not be empty',
      });
    if (!ref.kind)
      errs.push({
        type: 'FieldValueInvalid',
        field: `${p}.kind`,
        value: ref.kind ?? '',
        detail: 'kind must not be empty',
      });
    if (!ref.name)
      errs.push({
        type: 'FieldValueInvalid',
        field: `${p}.name`,
        value: ref.name ?? '',
        detail: 'name must not be empty',
      });
    if (!ref.uid)
      errs.push({
        type: 'FieldValueInvalid',
        field: `${p}.uid`,
        value: ref.uid ?? '',
        detail: 'uid must not be empty',
      });
  });
  if ((m.ownerReferences ?? []).filter((r) => r.controller).length > 1)
    errs.push({
      type: 'FieldValueInvalid',
      field: 'metadata.ownerReferences',
      value: m.ownerReferences,
      detail: 'Only one reference can have Controller set to true',
    });
  (m.finalizers ?? []).forEach((f, i) => {
    if (!f.includes('/') && !standardFinalizers.has(f))
      errs.push({
        type: 'FieldValueInvalid',
        field: `metadata.finalizers[${i}]`,
        value: f,
        detail: 'name is neither a standard finalizer name nor is it fully qualified',
      });
    else if (f.includes('/')) {
      const [prefix] = f.split('/');
      for (const d of dns1123Subdomain(prefix))
        errs.push({
          type: 'FieldValueInvalid',
          field: `metadata.finalizers[${i}]`,
          value: f,
          detail: `prefix part ${d}`,
        });
    }
  });
  return errs;
}

const standardFinalizers = new Set([
  'kubernetes',
  'orphan',
  'foregroundDeletion',
  'customresourcecleanup.apiextensions.k8s.io',
]);

/** Fields a user can never change once set; checked on every update. */
export function validateMetaUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const m = obj.metadata;
  const o = old.metadata;
  if (m.name !== o.name)
    errs.push({
      type: 'FieldValueInvalid',
      field: 'metadata.name',
      value: m.name,
      detail: 'field is immutable',
    });
  if ((m.namespace ?? '') !== (o.namespace ?? ''))
    errs.push({
      type: 'FieldValueInvalid',
      field: 'metadata.namespace',
      value: m.namespace,
      detail: 'field is immutable',
    });
  if (o.deletionTimestamp) {
    const added = (m.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f));
    if (added.length > 0)
      errs.push({
        type: 'FieldValueForbidden',
        field: 'metadata.finalizers',
        detail: `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
      });
  }
  return errs;
}

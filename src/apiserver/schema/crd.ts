// CustomResourceDefinition checks (the subset of apiextensions' validation a server needs to refuse
// unusable CRDs) and the per-version root schema custom resources are processed with.
import type { FieldError } from '../errors.js';
import type { KubeObject, Schema } from '../types.js';
import { OBJECT_META_REF } from './structural.js';

const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_MSG =
  "a lowercase RFC 1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PRINTER_TYPES = ['integer', 'number', 'string', 'boolean', 'date'];
const PRINTER_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password'];

const required = (field: string, detail?: string): FieldError => ({
  type: 'FieldValueRequired',
  field,
  detail,
});
const invalidErr = (field: string, value: unknown, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  value,
  detail,
});
const unsupported = (field: string, value: unknown, values: string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  value,
  detail: `supported values: ${values.map((v) => JSON.stringify(v)).join(', ')}`,
});

function dnsLabel(field: string, value: unknown, errs: FieldError[], allowEmpty = false): void {
  if (value === undefined || value === '') {
    if (!allowEmpty) errs.push(required(field));
    return;
  }
  if (typeof value !== 'string' || value.length > 63 || !DNS1035.test(value))
    errs.push(invalidErr(field, value, DNS1035_MSG));
}

export function validateCrd(crd: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const group: unknown = spec.group;
  if (!group) errs.push(required('spec.group'));
  else if (typeof group !== 'string' || !DNS1123_SUBDOMAIN.test(group) || group.length > 253) {
    errs.push(
      invalidErr(
        'spec.group',
        group,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      ),
    );
  } else if (!group.includes('.'))
    errs.push(invalidErr('spec.group', group, 'should be a domain with at least one dot'));
  if (names.plural && group && crd.metadata?.name !== `${names.plural}.${group}`) {
    errs.push(invalidErr('metadata.name', crd.metadata?.name, 'must be spec.names.plural+"."+spec.group'));
  }
  dnsLabel('spec.names.plural', names.plural, errs);
  dnsLabel('spec.names.singular', names.singular, errs, true);
  if (!names.kind) errs.push(required('spec.names.kind'));
  else dnsLabel('spec.names.kind', String(names.kind).toLowerCase(), errs);
  if (names.listKind) {
    dnsLabel('spec.names.listKind', String(names.listKind).toLowerCase(), errs);
    if (names.listKind === names.kind)
      errs.push(invalidErr('spec.names.listKind', names.listKind, 'kind and listKind may not be the same'));
  }
  (names.shortNames ?? []).forEach((s: unknown, i: number) =>
    dnsLabel(`spec.names.shortNames[${i}]`, s, errs),
  );
  (names.categories ?? []).forEach((s: unknown, i: number) =>
    dnsLabel(`spec.names.categories[${i}]`, s, errs),
  );
  if (!spec.scope) errs.push(required('spec.scope'));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced')
    errs.push(unsupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));

  const versions: any[] = Array.isArray(spec.versions) ? spec.versions : [];
  if (!versions.length)
    errs.push(
      invalidErr('spec.versions', versions, 'must have exactly one version marked as storage version'),
    );
  const seen = new Set<string>();
  let storage = 0;
  versions.forEach((v, i) => {
    const at = `spec.versions[${i}]`;
    dnsLabel(`${at}.name`, v?.name, errs);
    if (seen.has(v?.name)) errs.push({ type: 'FieldValueDuplicate', field: `${at}.name`, value: v.name });
    seen.add(v?.name);
    if (typeof v?.served !== 'boolean') errs.push(required(`${at}.served`));
    if (typeof v?.storage !== 'boolean') errs.push(required(`${at}.storage`));
    if (v?.storage === true) storage++;
    const schema = v?.schema?.openAPIV3Schema;
    if (!schema) errs.push(required(`${at}.schema.openAPIV3Schema`, 'schemas are required'));
    else structural(schema, `${at}.schema.openAPIV3Schema`, errs);
    (v?.additionalPrinterColumns ?? []).forEach((c: any, j: number) =>
      printerColumn(c, `${at}.additionalPrinterColumns[${j}]`, errs),
    );
  });
  if (versions.length && storage !== 1)
    errs.push(
      invalidErr(
        'spec.versions',
        versions.map((v) => v?.name),
        'must have exactly one version marked as storage version',
      ),
    );

  const conversion = spec.conversion;
  if (conversion?.strategy !== undefined) {
    if (conversion.strategy !== 'None' && conversion.strategy !== 'Webhook') {
      errs.push(unsupported('spec.conversion.strategy', conversion.strategy, ['None', 'Webhook']));
    } else if (conversion.strategy === 'Webhook') {
      if (!conversion.webhook?.clientConfig)
        errs.push(required('spec.conversion.webhook', 'required when strategy is set to Webhook'));
      if (!conversion.webhook?.conversionReviewVersions?.length)
        errs.push(
          required(
            'spec.conversion.webhook.conversionReviewVersions',
            'must include at least one of v1, v1beta1',
          ),
        );
    } else if (conversion.webhook) {
      errs.push({
        type: 'FieldValueForbidden',
        field: 'spec.conversion.webhook',
        detail: 'should not be set when strategy is not set to Webhook',
      });
    }
  }
  return errs;
}

function printerColumn(c: any, at: string, errs: FieldError[]): void {
  if (!c?.name) errs.push(required(`${at}.name`));
  if (!c?.type) errs.push(required(`${at}.type`));
  else if (!PRINTER_TYPES.includes(c.type)) errs.push(unsupported(`${at}.type`, c.type, PRINTER_TYPES));
  if (c?.format && !PRINTER_FORMATS.includes(c.format))
    errs.push(unsupported(`${at}.format`, c.format, PRINTER_FORMATS));
  if (!c?.jsonPath) errs.push(required(`${at}.jsonPath`));
  else if (typeof c.jsonPath !== 'string' || !/^\.|^\{/.test(c.jsonPath))
    errs.push(invalidErr(`${at}.jsonPath`, c.jsonPath, 'must be a simple json path starting with .'));
  if (c?.priority !== undefined && (typeof c.priority !== 'number' || c.priority < 0))
    errs.push(invalidErr(`${at}.priority`, c.priority, 'must be greater than or equal to 0'));
}

/**
 * Structural schema rules: every specified node carries a type (except int-or-string and
 * preserve-unknown-fields nodes, and nodes inside allOf/anyOf/oneOf/not, which only validate).
 */
function structural(s: Schema, at: string, errs: FieldError[], root = true): void {
  if (root && s.type !== 'object')
    errs.push(invalidErr(`${at}.type`, s.type ?? '', 'must be object at the root'));
  walkStructural(s, at, errs, false);
  if (root) {
    const meta = s.properties?.metadata;
    if (meta?.properties) {
      for (const k of Object.keys(meta.properties)) {
        if (k !== 'name' && k !== 'generateName') {
          errs.push({
            type: 'FieldValueForbidden',
            field: `${at}.properties[metadata].properties[${k}]`,
            detail: 'must not be specified',
          });
        }
      }
    }
  }
}

function walkStructural(s: Schema, at: string, errs: FieldError[], inJunctor: boolean): void {
  if (!s || typeof s !== 'object') return;
  if (s.$ref)
    errs.push({ type: 'FieldValueForbidden', field: `${at}.$ref`, detail: '$ref is not supported' });
  if (
    !inJunctor &&
    !s.type &&
    !s['x-kubernetes-int-or-string'] &&
    !s['x-kubernetes-preserve-unknown-fields']
  ) {
    errs.push(required(`${at}.type`, 'must not be empty for specified object fields'));
  }
  if (s.type && !['object', 'array', 'string', 'integer', 'number', 'boolean'].includes(s.type)) {
    errs.push(
      unsupported(`${at}.type`, s.type, ['array', 'boolean', 'integer', 'number', 'object', 'string']),
    );
  }
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false) {
    errs.push({
      type: 'FieldValueForbidden',
      field: `${at}.additionalProperties`,
      detail: 'additionalProperties and properties are mutual exclusive',
    });
  }
  if (s.type === 'array' && !s.items && !inJunctor) errs.push(required(`${at}.items`, 'must be specified'));
  if (s['x-kubernetes-list-type'] === 'map' && !s['x-kubernetes-list-map-keys']?.length) {
    errs.push(
      required(`${at}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'),
    );
  }
  for (const [k, p] of Object.entries(s.properties ?? {}))
    walkStructural(p, `${at}.properties[${k}]`, errs, inJunctor);
  if (s.items) walkStructural(s.items, `${at}.items`, errs, inJunctor);
  if (typeof s.additionalProperties === 'object')
    walkStructural(s.additionalProperties, `${at}.additionalProperties`, errs, inJunctor);
  for (const j of ['allOf', 'anyOf', 'oneOf'] as const)
    s[j]?.forEach((b, i) => walkStructural(b, `${at}.${j}[${i}]`, errs, true));
  if (s.not) walkStructural(s.not, `${at}.not`, errs, true);
}

const rootCache = new WeakMap<object, Map<string, Schema>>();

/**
 * The root schema of a custom resource at `version`: the CRD's openAPIV3Schema with apiVersion and
 * kind as strings and metadata as ObjectMeta (resolved through the built-in resolver).
 */
export function crdVersionSchema(crd: KubeObject, version: string): Schema {
  let perCrd = rootCache.get(crd);
  const hit = perCrd?.get(version);
  if (hit) return hit;
  const v = (crd.spec?.versions ?? []).find((x: any) => x?.name === version);
  if (!v) throw new Error(`version ${version} not found in CustomResourceDefinition ${crd.metadata?.name}`);
  const base: Schema = v.schema?.openAPIV3Schema ?? {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  };
  const root: Schema = {
    ...base,
    type: 'object',
    properties: {
      ...(base.properties ?? {}),
      apiVersion: { type: 'string', ...(base.properties?.apiVersion ?? {}) },
      kind: { type: 'string', ...(base.properties?.kind ?? {}) },
      metadata: { $ref: OBJECT_META_REF },
    },
  };
  if (!perCrd) rootCache.set(crd, (perCrd = new Map()));
  perCrd.set(version, root);
  return root;
}

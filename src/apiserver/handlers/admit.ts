// The admission chain every write goes through, in the apiserver's order: decode against the schema
// (types, unknown fields, pruning, defaults), mutating webhooks, validation, validating webhooks.
import {
  mountServiceAccountToken,
  runMutatingWebhooks,
  runValidatingWebhooks,
  type AdmissionAttributes,
} from '../admission/index.js';
import { badRequest, forbidden, invalid, notFound, type FieldError } from '../errors.js';
import { storageResource, type ResourceInfo } from '../resources/resource.js';
import { validateBuiltin, builtinKinds } from '../resources/builtins.js';
import { processObject } from '../schema/index.js';
import { validateCrd } from '../schema/index.js';
import type { KubeObject } from '../types.js';
import { validateMetaUpdate } from '../validation/meta.js';
import { validateObjectMeta } from '../validation/meta.js';
import { apiVersionOf, type ApiContext, type Scope } from './context.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation parameter unsupported: ${v}. Supported values are Ignore, Warn, Strict`);
}

export function dryRunOf(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  if (values.length === 0) return false;
  for (const v of values)
    if (v !== 'All') throw badRequest(`Invalid dry run value: ${v}. Only "All" is supported`);
  return true;
}

/** Type-checks, prunes and defaults an incoming object against its schema. CRD value errors are returned, not thrown. */
export function decodeWithSchema(
  info: ResourceInfo,
  version: string,
  obj: KubeObject,
  fieldValidation: FieldValidation,
  applyDefaults = true,
): { obj: KubeObject; warnings: string[]; errors: FieldError[] } {
  const sch = info.schema(version);
  if (!sch) return { obj, warnings: [], errors: [] };
  const r = processObject(obj, sch.schema, sch.resolve, {
    mode: info.origin,
    fieldValidation,
    kind: info.kind,
    apiVersion: apiVersionOf(info, version),
    applyDefaults,
  });
  return { obj: r.object as KubeObject, warnings: r.warnings, errors: r.errors };
}

const builtinByKind = new Map(builtinKinds.map((k) => [`${k.group}/${k.kind}`, k]));

export function validateObject(
  info: ResourceInfo,
  obj: KubeObject,
  old: KubeObject | undefined,
  schemaErrors: FieldError[],
  skipUpdateRules = false,
): void {
  let errs: FieldError[];
  const builtin = info.origin === 'builtin' ? builtinByKind.get(`${info.group}/${info.kind}`) : undefined;
  if (builtin) errs = validateBuiltin(builtin, obj, skipUpdateRules ? undefined : old);
  else
    errs = [
      ...validateObjectMeta(obj, { namespaced: info.namespaced, nameRule: 'subdomain' }),
      ...schemaErrors,
    ];
  if (info.kind === 'CustomResourceDefinition' && info.group === 'apiextensions.k8s.io')
    errs.push(...validateCrd(obj));
  if (old) errs.unshift(...validateMetaUpdate(obj, old));
  if (errs.length > 0) throw invalid(info.kind, info.group, obj.metadata?.name ?? '', errs);
}

/** NamespaceLifecycle admission: namespaced writes need an existing namespace that is not terminating. */
export function checkNamespace(
  ctx: ApiContext,
  info: ResourceInfo,
  ns: string | undefined,
  operation: 'CREATE' | 'UPDATE',
): void {
  if (!info.namespaced || !ns) return;
  const entry = ctx.store.latest('namespaces', '', ns);
  if (!entry) throw notFound('namespaces', ns);
  if (operation === 'CREATE' && entry.obj.status?.phase === 'Terminating') {
    const message = `unable to create new content in namespace ${ns} because it is being terminated`;
    throw forbidden(`${info.plural}${info.group ? '.' + info.group : ''} is forbidden: ${message}`, {
      name: ns,
      kind: 'namespaces',
      causes: [{ reason: 'NamespaceTerminating', message, field: 'metadata.namespace' }],
    });
  }
}

function webhookConfigs(ctx: ApiContext, res: string): KubeObject[] {
  return ctx.store.list(res).map((e) => e.obj);
}

export interface AdmitArgs {
  operation: 'CREATE' | 'UPDATE';
  obj: KubeObject;
  old?: KubeObject;
  dryRun: boolean;
  fieldValidation: FieldValidation;
  subresource?: string;
  skipUpdateRules?: boolean;
  /** Runs after mutation and before validation (upstream's PrepareForCreate/PrepareForUpdate slot). */
  prepare?: (obj: KubeObject) => KubeObject | Promise<KubeObject>;
}

/** Runs the chain; returns the admitted object and the warnings for the response. */
export async function admit(
  ctx: ApiContext,
  s: Scope,
  a: AdmitArgs,
): Promise<{ obj: KubeObject; warnings: string[] }> {
  const info = s.info;
  const decoded = decodeWithSchema(info, s.version, a.obj, a.fieldValidation);
  let { obj, errors } = decoded;
  const warnings = decoded.warnings;
  info.strategy.defaults?.(obj);
  const attrs = (o: KubeObject): AdmissionAttributes => ({
    operation: a.operation,
    group: info.group,
    version: s.version,
    kind: info.kind,
    resource: info.plural,
    subresource: a.subresource,
    namespace: info.namespaced ? o.metadata.namespace : undefined,
    name: o.metadata.name ?? '',
    object: o,
    oldObject: a.old,
    dryRun: a.dryRun,
    options: {
      kind: a.operation === 'CREATE' ? 'CreateOptions' : 'UpdateOptions',
      apiVersion: 'meta.k8s.io/v1',
    },
    userInfo: s.user,
  });
  const deps = {
    resolveService: ctx.resolveService,
    namespaceLabels: (ns: string) => ctx.store.latest('namespaces', '', ns)?.obj.metadata.labels,
  };
  // Built-in mutating admission runs before the webhooks, as upstream orders its plugins.
  if (a.operation === 'CREATE' && !a.subresource && info.group === '' && info.kind === 'Pod') {
    const ns = obj.metadata.namespace ?? '';
    const saName = (obj as any).spec?.serviceAccountName ?? 'default';
    mountServiceAccountToken(obj, ctx.store.latest('serviceaccounts', ns, saName)?.obj);
  }
  const mutating = webhookConfigs(ctx, 'mutatingwebhookconfigurations.admissionregistration.k8s.io');
  if (mutating.length > 0) {
    const before = JSON.stringify(obj);
    const r = await runMutatingWebhooks(mutating, attrs(obj), deps);
    warnings.push(...r.warnings);
    if (JSON.stringify(r.object) !== before) {
      const again = decodeWithSchema(info, s.version, r.object, 'Ignore');
      obj = again.obj;
      errors = again.errors;
      info.strategy.defaults?.(obj);
    }
  }
  if (a.prepare) obj = await a.prepare(obj);
  validateObject(info, obj, a.old, errors, a.skipUpdateRules);
  const validating = webhookConfigs(ctx, 'validatingwebhookconfigurations.admissionregistration.k8s.io');
  if (validating.length > 0) {
    const r = await runValidatingWebhooks(validating, attrs(obj), deps);
    warnings.push(...r.warnings);
  }
  return { obj, warnings };
}

export const storeKey = (info: ResourceInfo): string => storageResource(info);

// The rules the CRDs state in CEL (which the embedded API server does not evaluate) and the
// operator's own consistency checks, as field-path messages. The reconcilers call this too, so the
// rules hold on any API server.
import type { SailKindName } from './kinds.js';

type Obj = { metadata?: { name?: string }; spec?: any };

const has = (v: unknown): boolean => v !== undefined && v !== null;

function checkIstioNamespace(spec: any, required: boolean, errs: string[]): void {
  const ns = spec?.values?.global?.istioNamespace;
  if (!has(ns) ? required : ns !== spec?.namespace)
    errs.push(
      `spec.values.global.istioNamespace: Invalid value: ${JSON.stringify(ns ?? '')}: spec.values.global.istioNamespace must match spec.namespace`,
    );
}

function checkImmutable(obj: Obj, old: Obj | undefined, errs: string[]): void {
  if (old && has(old.spec?.namespace) && old.spec.namespace !== obj.spec?.namespace)
    errs.push(
      `spec.namespace: Invalid value: ${JSON.stringify(obj.spec?.namespace ?? '')}: Value is immutable`,
    );
}

function checkSingleton(obj: Obj, errs: string[]): void {
  if (obj.metadata?.name !== 'default')
    errs.push(
      `metadata.name: Invalid value: ${JSON.stringify(obj.metadata?.name ?? '')}: metadata.name must be 'default'`,
    );
}

/**
 * Problems with `obj` (a Sail kind, defaults applied) that its schema cannot express; `old` is the
 * stored object on updates. Empty when valid.
 */
export function validate(kind: SailKindName | string, obj: Obj, old?: Obj): string[] {
  const errs: string[] = [];
  const spec = obj.spec ?? {};
  switch (kind) {
    case 'Istio': {
      checkIstioNamespace(spec, false, errs);
      checkImmutable(obj, old, errs);
      break;
    }
    case 'IstioRevision': {
      checkIstioNamespace(spec, true, errs);
      checkImmutable(obj, old, errs);
      const rev = spec.values?.revision ?? '';
      const name = obj.metadata?.name;
      if (name === 'default' ? rev !== '' : rev !== name)
        errs.push(
          `spec.values.revision: Invalid value: ${JSON.stringify(rev)}: spec.values.revision must match metadata.name or be empty when the name is 'default'`,
        );
      break;
    }
    case 'IstioRevisionTag':
      if (!spec.targetRef) errs.push('spec.targetRef: Required value');
      break;
    case 'IstioCNI':
      checkSingleton(obj, errs);
      checkImmutable(obj, old, errs);
      break;
    case 'ZTunnel':
      checkSingleton(obj, errs);
      break;
  }
  return errs;
}

// Mutating admission: matching webhooks in order, each seeing the previous ones' patches, with
// one reinvocation round for IfNeeded webhooks when a later webhook changed the object.

import type { KubeObject } from '../types.js';
import { internalError, StatusError } from '../errors.js';
import { matchingWebhooks, orderedWebhooks, webhookMatches } from './matching.js';
import { applyJsonPatch, decodePatch, deepEqual, PatchApplyError, UndecodablePatch } from './patch.js';
import {
  callFailed,
  CallFailure,
  collectAuditAnnotations,
  denial,
  invokeWebhook,
  type AdmissionDeps,
} from './invoke.js';
import type { AdmissionAttributes, MutatingResult, WebhookRef } from './types.js';

const MUTATION_ANNOTATION_PREFIX = 'mutation.webhook.admission.k8s.io/';
const PATCH_ANNOTATION_PREFIX = 'patch.webhook.admission.k8s.io/';

interface CallOutcome {
  object: KubeObject | undefined;
  changed: boolean;
}

async function callMutating(
  ref: WebhookRef,
  attrs: AdmissionAttributes,
  object: KubeObject | undefined,
  round: number,
  deps: AdmissionDeps,
  out: MutatingResult,
): Promise<CallOutcome> {
  const hook = ref.webhook;
  const key = `round_${round}_index_${ref.index}`;
  let changed = false;
  try {
    const res = await invokeWebhook(ref, attrs, object, true, deps);
    collectAuditAnnotations(hook.name, res.auditAnnotations, out.annotations);
    out.warnings.push(...res.warnings);
    if (!res.allowed) throw denial(hook.name, res.status);
    if (!res.patch || res.patch.length === 0) return { object, changed };

    let ops: unknown[];
    try {
      ops = decodePatch(res.patch);
    } catch (e) {
      if (e instanceof UndecodablePatch)
        throw new CallFailure(`received undecodable patch in webhook response: ${e.message}`);
      throw e;
    }
    if (ops.length === 0) return { object, changed };
    if (!object) {
      throw internalError(
        `admission webhook ${JSON.stringify(hook.name)} attempted to modify the object, which is not supported for this operation`,
      );
    }
    if (res.patchType !== 'JSONPatch')
      throw new CallFailure(`unsupported patch type ${JSON.stringify(res.patchType)}`);
    let patched: KubeObject;
    try {
      patched = applyJsonPatch(object, ops);
    } catch (e) {
      if (e instanceof PatchApplyError) throw internalError(e.message);
      throw e;
    }
    out.annotations[PATCH_ANNOTATION_PREFIX + key] = JSON.stringify({
      configuration: ref.configurationName,
      webhook: hook.name,
      patch: ops,
      patchType: 'JSONPatch',
    });
    changed = !deepEqual(object, patched);
    return { object: patched, changed };
  } finally {
    out.annotations[MUTATION_ANNOTATION_PREFIX + key] = JSON.stringify({
      configuration: ref.configurationName,
      webhook: hook.name,
      mutated: changed,
    });
  }
}

/**
 * Runs the mutating webhooks of `configs` (MutatingWebhookConfiguration objects) for one request.
 * `object` in the result is the patched copy of attrs.object (undefined when the request had none).
 * Throws only StatusError.
 */
export async function runMutatingWebhooks(
  configs: KubeObject[],
  attrs: AdmissionAttributes,
  deps: AdmissionDeps,
): Promise<MutatingResult> {
  const out: MutatingResult = { object: attrs.object as KubeObject, warnings: [], annotations: {} };
  try {
    // Cheap exit, and it surfaces namespace/selector errors the same way for an empty chain.
    if (matchingWebhooks(configs, attrs, deps.namespaceLabels).length === 0) return out;

    const hooks = orderedWebhooks(configs);
    let object = attrs.object ? structuredClone(attrs.object) : undefined;
    // Upstream bookkeeping: IfNeeded webhooks already called, and those owed a second call.
    const invokedReinvocable = new Set<number>();
    const owedReinvocation = new Set<number>();
    let anyChange = false;

    for (let round = 0; round < 2; round++) {
      if (round === 1 && !anyChange) break;
      for (const ref of hooks) {
        const current: AdmissionAttributes = { ...attrs, object };
        if (!webhookMatches(ref.webhook, current, deps.namespaceLabels)) continue;
        // A webhook first matching in the second round is not called then, as upstream.
        if (round === 1 && !owedReinvocation.has(ref.index)) continue;
        try {
          const r = await callMutating(ref, current, object, round, deps, out);
          object = r.object;
          if (r.changed) {
            anyChange = true;
            for (const i of invokedReinvocable) owedReinvocation.add(i);
          }
        } catch (e) {
          if (!(e instanceof CallFailure)) throw e;
          if (ref.webhook.failurePolicy === 'Ignore') continue;
          throw callFailed(ref.webhook.name, e.message);
        } finally {
          if (ref.webhook.reinvocationPolicy === 'IfNeeded') invokedReinvocable.add(ref.index);
        }
      }
    }
    out.object = object as KubeObject;
    return out;
  } catch (e) {
    if (e instanceof StatusError) throw e;
    throw internalError(e instanceof Error ? e.message : String(e));
  }
}

// Validating admission: all matching webhooks are called at once; any denial or (Fail) call
// failure rejects the request.

import type { KubeObject } from '../types.js';
import { internalError, StatusError } from '../errors.js';
import { matchingWebhooks } from './matching.js';
import {
  callFailed,
  CallFailure,
  collectAuditAnnotations,
  denial,
  invokeWebhook,
  type AdmissionDeps,
} from './invoke.js';
import type { VerifiedResponse } from './review.js';
import type { AdmissionAttributes, ValidatingResult } from './types.js';

/**
 * Runs the validating webhooks of `configs` (ValidatingWebhookConfiguration objects) for one
 * request, after mutation. When several reject, the first in webhook order is reported (upstream
 * reports the first to finish). Throws only StatusError.
 */
export async function runValidatingWebhooks(
  configs: KubeObject[],
  attrs: AdmissionAttributes,
  deps: AdmissionDeps,
): Promise<ValidatingResult> {
  const out: ValidatingResult = { warnings: [], annotations: {} };
  try {
    const refs = matchingWebhooks(configs, attrs, deps.namespaceLabels);
    const settled = await Promise.allSettled(
      refs.map((ref) => invokeWebhook(ref, attrs, attrs.object, false, deps)),
    );
    let firstError: StatusError | undefined;
    settled.forEach((s, i) => {
      const hook = refs[i].webhook;
      let err: StatusError | undefined;
      if (s.status === 'fulfilled') {
        const res: VerifiedResponse = s.value;
        collectAuditAnnotations(hook.name, res.auditAnnotations, out.annotations);
        out.warnings.push(...res.warnings);
        if (!res.allowed) err = denial(hook.name, res.status);
      } else if (s.reason instanceof CallFailure) {
        if (hook.failurePolicy !== 'Ignore') err = callFailed(hook.name, s.reason.message);
      } else if (s.reason instanceof StatusError) {
        err = s.reason;
      } else {
        err = internalError(s.reason instanceof Error ? s.reason.message : String(s.reason));
      }
      if (err && !firstError) firstError = err;
    });
    if (firstError) throw firstError;
    return out;
  } catch (e) {
    if (e instanceof StatusError) throw e;
    throw internalError(e instanceof Error ? e.message : String(e));
  }
}

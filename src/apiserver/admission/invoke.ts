// One call of one webhook, shared by the mutating and validating runners, and the Status errors
// that upstream derives from its outcome.

import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../types.js';
import { badRequest, internalError, StatusError, type StatusDetails } from '../errors.js';
import { postAdmissionReview, WebhookCallError } from './client.js';
import {
  buildAdmissionReview,
  InvalidResponseError,
  verifyAdmissionResponse,
  type AdmissionStatus,
  type VerifiedResponse,
} from './review.js';
import type { AdmissionAttributes, NamespaceLabels, WebhookDeps, WebhookRef } from './types.js';

/** What the run functions need besides the request. */
export interface AdmissionDeps extends WebhookDeps {
  namespaceLabels: NamespaceLabels;
}

/** A failure of the call itself; failurePolicy decides whether it stops the request. */
export class CallFailure extends Error {}

export function dryRunUnsupported(webhookName: string): StatusError {
  return badRequest(`admission webhook ${JSON.stringify(webhookName)} does not support dry run`);
}

/** `admission webhook "<name>" denied the request: <message>`; code from the status, at least 400. */
export function denial(webhookName: string, status: AdmissionStatus | undefined): StatusError {
  const deniedBy = `admission webhook ${JSON.stringify(webhookName)} denied the request`;
  const s = status ?? {};
  const message = s.message
    ? `${deniedBy}: ${s.message}`
    : s.reason
      ? `${deniedBy}: ${s.reason}`
      : `${deniedBy} without explanation`;
  const code = typeof s.code === 'number' && s.code >= 400 ? s.code : 400;
  // Upstream passes the webhook's reason through untouched, empty included (kubectl then prints "Error from server: ...").
  const details = s.details && typeof s.details === 'object' ? (s.details as StatusDetails) : undefined;
  return new StatusError(code, typeof s.reason === 'string' ? s.reason : '', message, details);
}

export function callFailed(webhookName: string, reason: string): StatusError {
  return internalError(`failed calling webhook ${JSON.stringify(webhookName)}: ${reason}`);
}

/**
 * Sends the review for `object` and returns the verified answer. Throws CallFailure (subject to
 * failurePolicy) or StatusError (always fatal: dry-run refusal).
 */
export async function invokeWebhook(
  ref: WebhookRef,
  attrs: AdmissionAttributes,
  object: KubeObject | undefined,
  mutating: boolean,
  deps: WebhookDeps,
): Promise<VerifiedResponse> {
  const hook = ref.webhook;
  if (attrs.dryRun) {
    if (!hook.sideEffects) throw new CallFailure('Webhook SideEffects is nil');
    if (hook.sideEffects !== 'None' && hook.sideEffects !== 'NoneOnDryRun')
      throw dryRunUnsupported(hook.name);
  }
  const versions = hook.admissionReviewVersions ?? [];
  if (versions.length > 0 && !versions.includes('v1')) {
    // Only v1 reviews are produced here; v1beta1-only webhooks are treated like unknown versions.
    throw new CallFailure(
      'could not create admission objects: webhook does not accept known AdmissionReview versions (v1)',
    );
  }
  const uid = deps.newUid ? deps.newUid() : randomUUID();
  const review = buildAdmissionReview(uid, attrs, object);
  let body: unknown;
  try {
    body = await postAdmissionReview(hook, review, deps);
  } catch (e) {
    if (e instanceof WebhookCallError) throw new CallFailure(e.message);
    throw new CallFailure(`failed to call webhook: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return verifyAdmissionResponse(uid, mutating, body);
  } catch (e) {
    if (e instanceof InvalidResponseError)
      throw new CallFailure(`received invalid webhook response: ${e.message}`);
    throw e;
  }
}

export function collectAuditAnnotations(
  webhookName: string,
  from: Record<string, string>,
  into: Record<string, string>,
): void {
  for (const [k, v] of Object.entries(from)) into[`${webhookName}/${k}`] = v;
}

// Admission webhooks (admissionregistration.k8s.io/v1): matching, calling, patching.

export type {
  AdmissionAttributes,
  AdmissionOperation,
  AdmissionUserInfo,
  LabelSelector,
  MutatingResult,
  NamespaceLabels,
  RuleWithOperations,
  ValidatingResult,
  WebhookClientConfig,
  WebhookDeps,
  WebhookRef,
  WebhookSpec,
} from './types.js';
export type { AdmissionDeps } from './invoke.js';
export {
  isExemptFromWebhooks,
  matchingWebhooks,
  orderedWebhooks,
  ruleMatches,
  webhookMatches,
} from './matching.js';
export { runMutatingWebhooks } from './mutating.js';
export { runValidatingWebhooks } from './validating.js';
export { mountServiceAccountToken, SERVICE_ACCOUNT_MOUNT_PATH } from './service-account.js';
export { buildAdmissionReview } from './review.js';
export { DEFAULT_TIMEOUT_SECONDS, effectiveTimeoutSeconds } from './client.js';

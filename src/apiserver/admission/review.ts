// AdmissionReview v1: the request body we send and the checks upstream applies to the answer.

import type { KubeObject } from '../types.js';
import type { AdmissionAttributes } from './types.js';

export interface AdmissionStatus {
  code?: number;
  message?: string;
  reason?: string;
  status?: string;
  details?: Record<string, unknown>;
}

export interface VerifiedResponse {
  allowed: boolean;
  status?: AdmissionStatus;
  /** Decoded JSONPatch bytes (mutating only). */
  patch?: Buffer;
  patchType?: string;
  warnings: string[];
  auditAnnotations: Record<string, string>;
}

/** Failures upstream reports as "received invalid webhook response: ...". */
export class InvalidResponseError extends Error {}

const optionKinds: Partial<Record<AdmissionAttributes['operation'], string>> = {
  CREATE: 'CreateOptions',
  UPDATE: 'UpdateOptions',
  DELETE: 'DeleteOptions',
};

function requestOptions(attrs: AdmissionAttributes): object | null {
  if (!attrs.options) return null;
  const opts = attrs.options as Record<string, unknown>;
  const kind = optionKinds[attrs.operation];
  // Webhooks decode options by their type meta, so give the meta.k8s.io ones theirs.
  if (kind && !opts.kind) return { kind, apiVersion: 'meta.k8s.io/v1', ...opts };
  return opts;
}

export function buildAdmissionReview(
  uid: string,
  attrs: AdmissionAttributes,
  object: KubeObject | undefined,
): Record<string, unknown> {
  const userInfo: Record<string, unknown> = { username: attrs.userInfo.username };
  if (attrs.userInfo.uid) userInfo.uid = attrs.userInfo.uid;
  if (attrs.userInfo.groups?.length) userInfo.groups = attrs.userInfo.groups;
  if (attrs.userInfo.extra && Object.keys(attrs.userInfo.extra).length) userInfo.extra = attrs.userInfo.extra;

  const kind = { group: attrs.group, version: attrs.version, kind: attrs.kind };
  const resource = { group: attrs.group, version: attrs.version, resource: attrs.resource };
  const request: Record<string, unknown> = { uid, kind, resource };
  if (attrs.subresource) request.subResource = attrs.subresource;
  // With one served version per resource the requested and the webhook's GVK/GVR coincide.
  request.requestKind = { ...kind };
  request.requestResource = { ...resource };
  if (attrs.subresource) request.requestSubResource = attrs.subresource;
  if (attrs.name) request.name = attrs.name;
  if (attrs.namespace) request.namespace = attrs.namespace;
  request.operation = attrs.operation;
  request.userInfo = userInfo;
  request.object = object ?? null;
  request.oldObject = attrs.oldObject ?? null;
  request.dryRun = attrs.dryRun;
  request.options = requestOptions(attrs);
  return { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1', request };
}

/** Checks a decoded response the way k8s.io/apiserver's VerifyAdmissionResponse does for v1. */
export function verifyAdmissionResponse(uid: string, mutating: boolean, body: unknown): VerifiedResponse {
  const review = (body && typeof body === 'object' ? body : {}) as Record<string, any>;
  const r = review.response;
  if (!r || typeof r !== 'object') throw new InvalidResponseError('webhook response was absent');
  const gotUid = typeof r.uid === 'string' ? r.uid : '';
  if (gotUid !== uid)
    throw new InvalidResponseError(
      `expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(gotUid)}`,
    );
  const apiVersion = String(review.apiVersion ?? '');
  const kind = String(review.kind ?? '');
  if (apiVersion !== 'admission.k8s.io/v1' || kind !== 'AdmissionReview') {
    throw new InvalidResponseError(
      `expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${gvkString(apiVersion, kind)}`,
    );
  }
  const hasPatch = typeof r.patch === 'string' && r.patch.length > 0;
  const hasPatchType = r.patchType !== undefined && r.patchType !== null;
  const out: VerifiedResponse = {
    allowed: r.allowed === true,
    warnings: Array.isArray(r.warnings)
      ? r.warnings.filter((w: unknown): w is string => typeof w === 'string')
      : [],
    auditAnnotations: isStringMap(r.auditAnnotations) ? r.auditAnnotations : {},
  };
  if (r.status && typeof r.status === 'object') out.status = r.status as AdmissionStatus;
  if (mutating) {
    if (hasPatch && !hasPatchType)
      throw new InvalidResponseError('webhook returned response.patch but not response.patchType');
    if (!hasPatch && hasPatchType)
      throw new InvalidResponseError('webhook returned response.patchType but not response.patch');
    if (hasPatch) {
      if (typeof r.patchType !== 'string' || r.patchType === '') {
        throw new InvalidResponseError(
          `webhook returned invalid response.patchType of ${JSON.stringify(String(r.patchType ?? ''))}`,
        );
      }
      out.patch = Buffer.from(r.patch, 'base64');
      out.patchType = r.patchType;
    }
  } else {
    if (hasPatch) throw new InvalidResponseError('validating webhook may not return response.patch');
    if (hasPatchType) throw new InvalidResponseError('validating webhook may not return response.patchType');
  }
  return out;
}

// Go's schema.GroupVersionKind.String(): "group/version, Kind=kind".
function gvkString(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  const gv = slash < 0 ? `/${apiVersion}` : apiVersion;
  return `${gv}, Kind=${kind}`;
}

function isStringMap(v: unknown): v is Record<string, string> {
  return (
    !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string')
  );
}

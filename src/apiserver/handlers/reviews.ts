// Create-only kinds that compute an answer instead of storing an object: token and access reviews.
// Authorization is allow-all for authenticated users until RBAC is enforced, and the answers say so.
import { badRequest } from '../errors.js';
import { decodeObject, readBody } from '../http/body.js';
import { sendJson } from '../http/respond.js';
import type { ApiContext, Scope } from './context.js';
import { checkTypeMeta } from './write.js';

export async function createReview(ctx: ApiContext, s: Scope): Promise<void> {
  const obj = decodeObject(await readBody(s.req), s.req.headers['content-type']);
  checkTypeMeta(obj, s.info, s.version);
  const spec = obj.spec ?? {};
  let status: Record<string, unknown>;
  switch (s.info.kind) {
    case 'TokenReview': {
      if (!spec.token)
        throw badRequest('TokenReview.authentication.k8s.io "" is invalid: spec.token: Required value');
      const r = await ctx.tokens.reviewToken(spec.token, spec.audiences);
      status = r.authenticated
        ? { authenticated: true, user: r.user, audiences: r.audiences }
        : { user: {}, error: r.error };
      break;
    }
    case 'SelfSubjectReview':
      status = { userInfo: s.user };
      break;
    case 'SelfSubjectAccessReview':
    case 'SubjectAccessReview':
    case 'LocalSubjectAccessReview':
      status = {
        allowed: true,
        reason: 'mizzen: every authenticated user is authorized (RBAC is not enforced yet)',
      };
      break;
    case 'SelfSubjectRulesReview':
      status = {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      };
      break;
    default:
      throw badRequest(`${s.info.kind} cannot be created`);
  }
  sendJson(s.res, 201, { ...obj, metadata: { ...obj.metadata, creationTimestamp: null }, status });
}

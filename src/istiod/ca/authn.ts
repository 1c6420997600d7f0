// Who is calling: the Kubernetes service-account token in `authorization: Bearer ...`, checked with a
// TokenReview as upstream's kube JWT authenticator does (audience `istio-ca`).
import type { KubeClient } from '../../kube/index.js';

export interface CallerIdentity {
  namespace: string;
  serviceAccount: string;
  /** The Kubernetes user name, system:serviceaccount:<ns>:<sa>. */
  username: string;
}

/** Thrown for every authentication failure; the gRPC layer maps it to UNAUTHENTICATED. */
export class AuthenticationError extends Error {}

export type Authenticator = (authorization: string | undefined) => Promise<CallerIdentity>;

export const DEFAULT_TOKEN_AUDIENCES = ['istio-ca'];

const SA_PREFIX = 'system:serviceaccount:';

export function bearerToken(authorization: string | undefined): string {
  if (!authorization)
    throw new AuthenticationError('no "authorization: Bearer <token>" metadata in the request');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!m) throw new AuthenticationError('the authorization metadata is not of the form "Bearer <token>"');
  return m[1]!;
}

export function identityFromUsername(username: string | undefined): CallerIdentity {
  if (!username?.startsWith(SA_PREFIX))
    throw new AuthenticationError(`the token belongs to ${username ?? 'nobody'}, not to a service account`);
  const [namespace, serviceAccount, ...rest] = username.slice(SA_PREFIX.length).split(':');
  if (!namespace || !serviceAccount || rest.length)
    throw new AuthenticationError(`malformed service account user name ${username}`);
  return { namespace, serviceAccount, username };
}

export interface TokenReviewOptions {
  client: Pick<KubeClient, 'request'>;
  /** Audiences the token must carry; default ['istio-ca']. */
  audiences?: string[];
  /**
   * Also accept tokens for the API server's own default audience (a second TokenReview without
   * audiences), for clusters or clients that cannot mint istio-ca tokens.
   */
  allowDefaultAudience?: boolean;
}

export function tokenReviewAuthenticator(opts: TokenReviewOptions): Authenticator {
  const audiences = opts.audiences ?? DEFAULT_TOKEN_AUDIENCES;
  const review = async (token: string, aud: string[] | undefined) => {
    const body = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token, ...(aud ? { audiences: aud } : {}) },
    };
    let res: any;
    try {
      res = await opts.client.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', body);
    } catch (err) {
      throw new AuthenticationError(`the TokenReview failed: ${(err as Error).message}`);
    }
    return res?.status ?? {};
  };
  return async (authorization) => {
    const token = bearerToken(authorization);
    let status = await review(token, audiences);
    if (!status.authenticated && opts.allowDefaultAudience) {
      const fallback = await review(token, undefined);
      if (fallback.authenticated) status = fallback;
    }
    if (!status.authenticated)
      throw new AuthenticationError(
        `the token was not accepted for audience ${audiences.join(',')}${status.error ? `: ${status.error}` : ''}`,
      );
    return identityFromUsername(status.user?.username);
  };
}

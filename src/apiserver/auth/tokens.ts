// Service-account JWTs with the claim layout the Kubernetes token signer uses, so in-cluster clients,
// TokenReview consumers and OIDC verifiers (via /openid/v1/jwks) treat them like the real thing.
import { randomUUID } from 'node:crypto';
import { CompactSign, compactVerify, decodeProtectedHeader, exportJWK, type JWK } from 'jose';
import {
  type CryptoKey,
  importPrivateKeyPem,
  importPublicKeyPem,
  keyIdFromPublicKey,
  publicKeyFromPrivate,
} from './keys.js';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** Issuer of the long-lived tokens stored in kubernetes.io/service-account-token Secrets. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
export const DEFAULT_EXPIRATION_SECONDS = 3600;
/** Same tolerance as go-jose's default leeway that the upstream validator relies on. */
export const LEEWAY_SECONDS = 60;
export const SERVICE_ACCOUNT_USERNAME_PREFIX = 'system:serviceaccount:';

const ALG = 'ES256';

export interface ObjectRef {
  name: string;
  uid: string;
}

export interface KubernetesPrivateClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  warnafter?: number;
}

export interface BoundTokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesPrivateClaim;
}

export interface LegacyTokenClaims {
  iss: typeof LEGACY_ISSUER;
  sub: string;
  'kubernetes.io/serviceaccount/namespace': string;
  'kubernetes.io/serviceaccount/secret.name': string;
  'kubernetes.io/serviceaccount/service-account.name': string;
  'kubernetes.io/serviceaccount/service-account.uid': string;
}

export interface TokenRequestSpec {
  namespace: string;
  serviceAccount: ObjectRef;
  /** Defaults to the API audiences (the issuer unless configured otherwise). */
  audiences?: string[];
  expirationSeconds?: number;
  /** At most one of pod/secret is the bound object; node may accompany a pod (its scheduling node). */
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
}

export interface IssuedToken {
  token: string;
  expirationTimestamp: Date;
  claims: BoundTokenClaims;
}

export interface LegacyTokenSpec {
  namespace: string;
  serviceAccount: ObjectRef;
  secretName: string;
}

export type TokenVerification =
  | { ok: true; kind: 'bound'; claims: BoundTokenClaims }
  | { ok: true; kind: 'legacy'; claims: LegacyTokenClaims }
  | { ok: false; reason: string };

export interface VerifyOptions {
  /** Audiences the caller accepts; the token must name at least one. Defaults to the API audiences. */
  audiences?: string[];
}

export interface ServiceAccountTokenService {
  readonly issuer: string;
  readonly keyId: string;
  readonly apiAudiences: string[];
  issueServiceAccountToken(spec: TokenRequestSpec): Promise<IssuedToken>;
  issueLegacyServiceAccountToken(spec: LegacyTokenSpec): Promise<string>;
  verifyServiceAccountToken(token: string, opts?: VerifyOptions): Promise<TokenVerification>;
  /** Body of GET /openid/v1/jwks. */
  jwks(): { keys: JWK[] };
  /** Body of GET /.well-known/openid-configuration. */
  openidConfiguration(): Record<string, unknown>;
}

export interface TokenServiceOptions {
  privateKeyPem: string;
  issuer?: string;
  /** Audiences the API server itself accepts (upstream --api-audiences); default [issuer]. */
  apiAudiences?: string[];
  /** Further keys still accepted for verification (e.g. after a signing-key rotation). */
  extraPublicKeyPems?: string[];
  /** Advertised jwks_uri; default `<issuer>/openid/v1/jwks`. */
  jwksUri?: string;
  /** Clock override in milliseconds, for tests. */
  now?: () => number;
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USERNAME_PREFIX}${namespace}:${name}`;
}

export async function createServiceAccountTokenService(
  opts: TokenServiceOptions,
): Promise<ServiceAccountTokenService> {
  const issuer = opts.issuer ?? DEFAULT_ISSUER;
  const apiAudiences = opts.apiAudiences ?? [issuer];
  const now = opts.now ?? Date.now;
  const signingKey = await importPrivateKeyPem(opts.privateKeyPem);
  const signingPublic = await publicKeyFromPrivate(signingKey);
  const keyId = await keyIdFromPublicKey(signingPublic);

  const verifyKeys = new Map<string, CryptoKey>([[keyId, signingPublic]]);
  for (const pem of opts.extraPublicKeyPems ?? []) {
    const key = await importPublicKeyPem(pem);
    verifyKeys.set(await keyIdFromPublicKey(key), key);
  }
  const jwkSet: JWK[] = [];
  for (const [kid, key] of verifyKeys) {
    jwkSet.push({ use: 'sig', ...(await exportJWK(key)), kid, alg: ALG });
  }

  const sign = (payload: object): Promise<string> =>
    new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: ALG, kid: keyId })
      .sign(signingKey);

  async function verifySignature(token: string): Promise<Record<string, unknown> | string> {
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== ALG) return `unsupported signing algorithm ${String(header.alg)}`;
      kid = header.kid;
    } catch {
      return 'token is not a JWT';
    }
    // Upstream tries every key when the header names none.
    const candidates =
      kid !== undefined ? [verifyKeys.get(kid)].filter((k) => k !== undefined) : [...verifyKeys.values()];
    for (const key of candidates) {
      try {
        const { payload } = await compactVerify(token, key, { algorithms: [ALG] });
        const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
        if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
          return 'token payload is not a JSON object';
        return claims as Record<string, unknown>;
      } catch {
        // try the next key
      }
    }
    return 'invalid signature';
  }

  return {
    issuer,
    keyId,
    apiAudiences,

    async issueServiceAccountToken(spec) {
      const iat = Math.floor(now() / 1000);
      const exp = iat + (spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS);
      const k8s: KubernetesPrivateClaim = {
        namespace: spec.namespace,
        serviceaccount: { name: spec.serviceAccount.name, uid: spec.serviceAccount.uid },
      };
      if (spec.pod) k8s.pod = { name: spec.pod.name, uid: spec.pod.uid };
      else if (spec.secret) k8s.secret = { name: spec.secret.name, uid: spec.secret.uid };
      if (spec.node) k8s.node = { name: spec.node.name, uid: spec.node.uid };
      const claims: BoundTokenClaims = {
        aud: spec.audiences && spec.audiences.length > 0 ? [...spec.audiences] : [...apiAudiences],
        exp,
        iat,
        iss: issuer,
        jti: randomUUID(),
        'kubernetes.io': k8s,
        nbf: iat,
        sub: serviceAccountUsername(spec.namespace, spec.serviceAccount.name),
      };
      return { token: await sign(claims), expirationTimestamp: new Date(exp * 1000), claims };
    },

    async issueLegacyServiceAccountToken(spec) {
      const claims: LegacyTokenClaims = {
        iss: LEGACY_ISSUER,
        'kubernetes.io/serviceaccount/namespace': spec.namespace,
        'kubernetes.io/serviceaccount/secret.name': spec.secretName,
        'kubernetes.io/serviceaccount/service-account.name': spec.serviceAccount.name,
        'kubernetes.io/serviceaccount/service-account.uid': spec.serviceAccount.uid,
        sub: serviceAccountUsername(spec.namespace, spec.serviceAccount.name),
      };
      return sign(claims);
    },

    async verifyServiceAccountToken(token, verifyOpts = {}) {
      const claims = await verifySignature(token);
      if (typeof claims === 'string') return { ok: false, reason: claims };
      if (claims.iss === LEGACY_ISSUER) return checkLegacyClaims(claims);
      if (claims.iss !== issuer)
        return { ok: false, reason: `token issuer ${JSON.stringify(claims.iss)} is not recognized` };
      return checkBoundClaims(claims, verifyOpts.audiences ?? apiAudiences, Math.floor(now() / 1000));
    },

    jwks: () => ({ keys: jwkSet.map((k) => ({ ...k })) }),

    openidConfiguration: () => ({
      issuer,
      jwks_uri: opts.jwksUri ?? `${issuer}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [ALG],
    }),
  };
}

function isRef(v: unknown): v is ObjectRef {
  const r = v as ObjectRef | undefined;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.name === 'string' &&
    r.name !== '' &&
    typeof r.uid === 'string'
  );
}

function checkBoundClaims(
  claims: Record<string, unknown>,
  accepted: string[],
  nowSec: number,
): TokenVerification {
  const k8s = claims['kubernetes.io'] as KubernetesPrivateClaim | undefined;
  if (
    typeof k8s !== 'object' ||
    k8s === null ||
    typeof k8s.namespace !== 'string' ||
    !isRef(k8s.serviceaccount)
  ) {
    return { ok: false, reason: 'kubernetes.io claim is missing or malformed' };
  }
  for (const key of ['pod', 'secret', 'node'] as const) {
    if (k8s[key] !== undefined && !isRef(k8s[key]))
      return { ok: false, reason: `kubernetes.io ${key} claim is malformed` };
  }
  if (claims.sub !== serviceAccountUsername(k8s.namespace, k8s.serviceaccount.name)) {
    return { ok: false, reason: 'sub claim is invalid' };
  }
  const exp = claims.exp;
  if (typeof exp !== 'number') return { ok: false, reason: 'exp claim is missing' };
  if (nowSec > exp + LEEWAY_SECONDS) return { ok: false, reason: 'service account token has expired' };
  const nbf = claims.nbf;
  if (typeof nbf === 'number' && nbf > nowSec + LEEWAY_SECONDS) {
    return { ok: false, reason: 'service account token is not valid yet' };
  }
  const aud =
    typeof claims.aud === 'string'
      ? [claims.aud]
      : Array.isArray(claims.aud)
        ? claims.aud.filter((a) => typeof a === 'string')
        : [];
  if (!aud.some((a) => accepted.includes(a))) {
    return {
      ok: false,
      reason: `token audiences ${JSON.stringify(aud)} is invalid for the target audiences ${JSON.stringify(accepted)}`,
    };
  }
  const typed: BoundTokenClaims = {
    iss: claims.iss as string,
    sub: claims.sub,
    aud,
    exp,
    iat: typeof claims.iat === 'number' ? claims.iat : 0,
    nbf: typeof nbf === 'number' ? nbf : 0,
    jti: typeof claims.jti === 'string' ? claims.jti : '',
    'kubernetes.io': k8s,
  };
  return { ok: true, kind: 'bound', claims: typed };
}

function checkLegacyClaims(claims: Record<string, unknown>): TokenVerification {
  const field = (name: string): string | undefined => {
    const v = claims[`kubernetes.io/serviceaccount/${name}`];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const namespace = field('namespace');
  const secretName = field('secret.name');
  const saName = field('service-account.name');
  const saUid = field('service-account.uid');
  if (typeof claims.sub !== 'string' || claims.sub === '')
    return { ok: false, reason: 'sub claim is missing' };
  if (!namespace) return { ok: false, reason: 'namespace claim is missing' };
  if (!secretName) return { ok: false, reason: 'secretName claim is missing' };
  if (!saName) return { ok: false, reason: 'serviceAccountName claim is missing' };
  if (!saUid) return { ok: false, reason: 'serviceAccountUID claim is missing' };
  if (claims.sub !== serviceAccountUsername(namespace, saName))
    return { ok: false, reason: 'sub claim is invalid' };
  return {
    ok: true,
    kind: 'legacy',
    claims: {
      iss: LEGACY_ISSUER,
      sub: claims.sub,
      'kubernetes.io/serviceaccount/namespace': namespace,
      'kubernetes.io/serviceaccount/secret.name': secretName,
      'kubernetes.io/serviceaccount/service-account.name': saName,
      'kubernetes.io/serviceaccount/service-account.uid': saUid,
    },
  };
}

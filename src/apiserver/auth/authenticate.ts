// Request authentication in the order upstream's union authenticator uses: verified client
// certificate first, then a bearer token. Anything else is anonymous, which this server answers with 401.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { type X509Certificate } from 'node:crypto';
import {
  LEEWAY_SECONDS,
  type BoundTokenClaims,
  type LegacyTokenClaims,
  type ServiceAccountTokenService,
  serviceAccountUsername,
} from './tokens.js';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const ALL_AUTHENTICATED_GROUP = 'system:authenticated';
export const ALL_SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';
export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';
export const EXTRA_CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';
const WEBSOCKET_BEARER_PREFIX = 'base64url.bearer.authorization.k8s.io.';
const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const EKU_ANY = '2.5.29.37.0';

type MaybePromise<T> = T | Promise<T>;

/** The bits of a stored object the token validator needs. */
export interface LookedUpObject {
  uid: string;
  deletionTimestamp?: string | Date | null;
}

export interface LookedUpSecret extends LookedUpObject {
  /** Decoded `data.token`; a legacy token is only valid while it equals the Secret's copy. */
  token?: string;
}

/** Current state of the objects a token is bound to; undefined means "not found". */
export interface AuthLookup {
  serviceAccount(namespace: string, name: string): MaybePromise<LookedUpObject | undefined>;
  pod(namespace: string, name: string): MaybePromise<LookedUpObject | undefined>;
  secret(namespace: string, name: string): MaybePromise<LookedUpSecret | undefined>;
  node(name: string): MaybePromise<LookedUpObject | undefined>;
}

export interface AuthenticateDeps {
  tokens?: ServiceAccountTokenService;
  /** Audiences this server accepts for bearer tokens; default the token service's API audiences. */
  audiences?: string[];
  /** Without it, tokens are trusted on signature and time alone (upstream --service-account-lookup=false). */
  lookup?: AuthLookup;
  /** Fixed bearer tokens (upstream --token-auth-file). */
  staticTokens?: ReadonlyMap<string, UserInfo>;
  now?: () => number;
  /** Called with the reason a presented credential was refused, for logging. */
  onReject?: (reason: string) => void;
}

export type TokenAuthentication =
  { ok: true; user: UserInfo; audiences: string[] } | { ok: false; reason: string };

// A TLS connection's peer certificate cannot change, so keep-alive requests reuse the parsed identity.
const certUserCache = new WeakMap<object, UserInfo | null>();

export async function authenticateRequest(
  req: IncomingMessage,
  deps: AuthenticateDeps,
): Promise<UserInfo | undefined> {
  const certUser = userFromClientCertificate(req);
  if (certUser) return certUser;
  const token = bearerToken(req);
  if (token === undefined) return undefined;
  const result = await authenticateToken(token, deps);
  if (result.ok) return result.user;
  deps.onReject?.(result.reason);
  return undefined;
}

export function userFromClientCertificate(req: IncomingMessage): UserInfo | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (!socket.encrypted || socket.authorized !== true || typeof socket.getPeerX509Certificate !== 'function')
    return undefined;
  const cached = certUserCache.get(socket);
  if (cached !== undefined) return cached ?? undefined;
  const user = certUser(socket.getPeerX509Certificate());
  certUserCache.set(socket, user ?? null);
  return user;
}

/** Node's native X.509 parser: the hot path of every new connection, so no JS ASN.1 decoding here. */
function certUser(cert: X509Certificate | undefined): UserInfo | undefined {
  if (!cert) return undefined;
  // OpenSSL already checks the purpose of a client chain; checking again keeps this safe if that ever changes.
  const eku = cert.keyUsage;
  if (eku && eku.length > 0 && !eku.some((u) => u === EKU_CLIENT_AUTH || u === EKU_ANY)) return undefined;
  const fields = subjectFields(cert.subject);
  const cn = fields.get('CN')?.[0];
  if (!cn) return undefined;
  return {
    username: cn,
    groups: withAuthenticated(fields.get('O') ?? []),
    extra: { [EXTRA_CREDENTIAL_ID]: [`X509SHA256=${cert.fingerprint256.replace(/:/g, '').toLowerCase()}`] },
  };
}

/** Parses Node's subject text ("O=a\nO=b\nCN=x"; values with special characters come JSON-quoted). */
function subjectFields(subject: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of subject.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    let value = line.slice(eq + 1);
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        /* keep as written */
      }
    }
    const list = out.get(key) ?? [];
    list.push(value);
    out.set(key, list);
  }
  return out;
}

/** The bearer token from `Authorization`, or from the WebSocket subprotocol browsers are limited to. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const parts = auth.trim().split(' ');
    if (parts.length >= 2 && parts[0]!.toLowerCase() === 'bearer' && parts[1] !== '') return parts[1];
    return undefined;
  }
  const protocols = req.headers['sec-websocket-protocol'];
  if (protocols && (req.headers.upgrade ?? '').toLowerCase() === 'websocket') {
    for (const p of protocols.split(',').map((s) => s.trim())) {
      if (!p.startsWith(WEBSOCKET_BEARER_PREFIX)) continue;
      const token = Buffer.from(p.slice(WEBSOCKET_BEARER_PREFIX.length), 'base64url').toString('utf8');
      return token !== '' ? token : undefined;
    }
  }
  return undefined;
}

/** Token authentication alone; also what a TokenReview answers. */
export async function authenticateToken(
  token: string,
  deps: AuthenticateDeps,
  audiences?: string[],
): Promise<TokenAuthentication> {
  const fixed = deps.staticTokens?.get(token);
  if (fixed)
    return {
      ok: true,
      user: { ...fixed, groups: withAuthenticated(fixed.groups) },
      audiences: audiences ?? [],
    };
  if (!deps.tokens) return { ok: false, reason: 'invalid bearer token' };
  const accepted = audiences ?? deps.audiences ?? deps.tokens.apiAudiences;
  const verified = await deps.tokens.verifyServiceAccountToken(token, { audiences: accepted });
  if (!verified.ok) return verified;
  const nowSec = Math.floor((deps.now ?? Date.now)() / 1000);
  if (verified.kind === 'bound') {
    const failure = deps.lookup ? await checkBoundObjects(verified.claims, deps.lookup, nowSec) : undefined;
    if (failure) return { ok: false, reason: failure };
    return {
      ok: true,
      user: boundTokenUser(verified.claims),
      audiences: verified.claims.aud.filter((a) => accepted.includes(a)),
    };
  }
  const failure = deps.lookup ? await checkLegacyObjects(verified.claims, token, deps.lookup) : undefined;
  if (failure) return { ok: false, reason: failure };
  // Legacy tokens carry no audience; upstream treats them as meant for the API server itself.
  return { ok: true, user: legacyTokenUser(verified.claims), audiences: accepted };
}

function withAuthenticated(groups: string[]): string[] {
  return groups.includes(ALL_AUTHENTICATED_GROUP) ? [...groups] : [...groups, ALL_AUTHENTICATED_GROUP];
}

function serviceAccountGroups(namespace: string): string[] {
  return [ALL_SERVICE_ACCOUNTS_GROUP, `system:serviceaccounts:${namespace}`, ALL_AUTHENTICATED_GROUP];
}

export function boundTokenUser(claims: BoundTokenClaims): UserInfo {
  const k8s = claims['kubernetes.io'];
  const extra: Record<string, string[]> = {};
  if (k8s.pod && k8s.pod.uid) {
    extra[EXTRA_POD_NAME] = [k8s.pod.name];
    extra[EXTRA_POD_UID] = [k8s.pod.uid];
  }
  if (k8s.node && k8s.node.uid) {
    extra[EXTRA_NODE_NAME] = [k8s.node.name];
    extra[EXTRA_NODE_UID] = [k8s.node.uid];
  }
  if (claims.jti) extra[EXTRA_CREDENTIAL_ID] = [`JTI=${claims.jti}`];
  const user: UserInfo = {
    username: serviceAccountUsername(k8s.namespace, k8s.serviceaccount.name),
    uid: k8s.serviceaccount.uid,
    groups: serviceAccountGroups(k8s.namespace),
  };
  if (Object.keys(extra).length > 0) user.extra = extra;
  return user;
}

export function legacyTokenUser(claims: LegacyTokenClaims): UserInfo {
  const namespace = claims['kubernetes.io/serviceaccount/namespace'];
  return {
    username: serviceAccountUsername(namespace, claims['kubernetes.io/serviceaccount/service-account.name']),
    uid: claims['kubernetes.io/serviceaccount/service-account.uid'],
    groups: serviceAccountGroups(namespace),
  };
}

function deletedBefore(obj: LookedUpObject, cutoffSec: number): boolean {
  if (!obj.deletionTimestamp) return false;
  return new Date(obj.deletionTimestamp).getTime() / 1000 < cutoffSec;
}

/** Reason the token's bound objects make it invalid, or undefined when they are all still there. */
export async function checkBoundObjects(
  claims: BoundTokenClaims,
  lookup: AuthLookup,
  nowSec: number,
): Promise<string | undefined> {
  const k8s = claims['kubernetes.io'];
  const ns = k8s.namespace;
  // Objects deleted within the leeway still count, matching the leeway on expiry.
  const cutoff = nowSec - LEEWAY_SECONDS;

  const sa = await lookup.serviceAccount(ns, k8s.serviceaccount.name);
  if (!sa) return `serviceaccounts "${k8s.serviceaccount.name}" not found`;
  if (deletedBefore(sa, cutoff)) return `service account ${ns}/${k8s.serviceaccount.name} has been deleted`;
  if (sa.uid !== k8s.serviceaccount.uid) {
    return `service account UID (${sa.uid}) does not match claim (${k8s.serviceaccount.uid})`;
  }

  if (k8s.secret) {
    const secret = await lookup.secret(ns, k8s.secret.name);
    if (!secret || deletedBefore(secret, cutoff)) return 'service account token has been invalidated';
    if (secret.uid !== k8s.secret.uid) {
      return `secret UID (${secret.uid}) does not match service account secret ref claim (${k8s.secret.uid})`;
    }
  }

  if (k8s.pod) {
    const pod = await lookup.pod(ns, k8s.pod.name);
    if (!pod || deletedBefore(pod, cutoff)) return 'service account token has been invalidated';
    if (pod.uid !== k8s.pod.uid)
      return `pod UID (${pod.uid}) does not match service account pod ref claim (${k8s.pod.uid})`;
  } else if (k8s.node) {
    // A node claim next to a pod only describes where the pod runs; on its own it is the binding.
    const node = await lookup.node(k8s.node.name);
    if (!node || deletedBefore(node, cutoff)) return 'service account token has been invalidated';
    if (node.uid !== k8s.node.uid)
      return `node UID (${node.uid}) does not match service account node ref claim (${k8s.node.uid})`;
  }
  return undefined;
}

export async function checkLegacyObjects(
  claims: LegacyTokenClaims,
  token: string,
  lookup: AuthLookup,
): Promise<string | undefined> {
  const ns = claims['kubernetes.io/serviceaccount/namespace'];
  const saName = claims['kubernetes.io/serviceaccount/service-account.name'];
  const saUid = claims['kubernetes.io/serviceaccount/service-account.uid'];
  const secret = await lookup.secret(ns, claims['kubernetes.io/serviceaccount/secret.name']);
  if (!secret || secret.deletionTimestamp) return 'token has been invalidated';
  if (secret.token !== token) return "token does not match server's copy";
  const sa = await lookup.serviceAccount(ns, saName);
  if (!sa) return `serviceaccounts "${saName}" not found`;
  if (sa.deletionTimestamp) return `service account ${ns}/${saName} has been deleted`;
  if (sa.uid !== saUid) return `service account UID (${sa.uid}) does not match claim (${saUid})`;
  return undefined;
}

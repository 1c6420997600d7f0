import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import {
  createServiceAccountTokenService,
  DEFAULT_ISSUER,
  LEGACY_ISSUER,
  type ServiceAccountTokenService,
} from './tokens.js';

const run = promisify(execFile);
const sa = { name: 'default', uid: '0b7c4c6e-1111-4a4a-9b9b-000000000001' };
let keyPem: string;
let svc: ServiceAccountTokenService;
let clock = Date.now();

async function genKey(): Promise<string> {
  const { stdout } = await run('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
  ]);
  return stdout;
}

before(async () => {
  keyPem = await genKey();
  svc = await createServiceAccountTokenService({ privateKeyPem: keyPem, now: () => clock });
});

test('kid is base64url(SHA-256(DER SubjectPublicKeyInfo)), computed by openssl independently', () => {
  const der = execFileSync('openssl', ['pkey', '-pubout', '-outform', 'DER'], { input: keyPem });
  assert.equal(svc.keyId, createHash('sha256').update(der).digest('base64url'));
});

test('TokenRequest token has the upstream claim layout', async () => {
  clock = Date.now();
  const { token, claims, expirationTimestamp } = await svc.issueServiceAccountToken({
    namespace: 'default',
    serviceAccount: sa,
    pod: { name: 'web-0', uid: 'pod-uid-1' },
    node: { name: 'node-a', uid: 'node-uid-1' },
    expirationSeconds: 600,
  });
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'ES256', kid: svc.keyId });
  const payload = decodeJwt(token);
  assert.deepEqual(payload, claims);
  assert.equal(payload.iss, DEFAULT_ISSUER);
  assert.equal(payload.sub, 'system:serviceaccount:default:default');
  assert.deepEqual(payload.aud, [DEFAULT_ISSUER]);
  const now = Math.floor(clock / 1000);
  assert.equal(payload.iat, now);
  assert.equal(payload.nbf, now);
  assert.equal(payload.exp, now + 600);
  assert.equal(expirationTimestamp.getTime(), (now + 600) * 1000);
  assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
  assert.deepEqual(payload['kubernetes.io'], {
    namespace: 'default',
    serviceaccount: sa,
    pod: { name: 'web-0', uid: 'pod-uid-1' },
    node: { name: 'node-a', uid: 'node-uid-1' },
  });
});

test('a fresh token verifies and returns its claims', async () => {
  clock = Date.now();
  const { token, claims } = await svc.issueServiceAccountToken({ namespace: 'default', serviceAccount: sa });
  const r = await svc.verifyServiceAccountToken(token);
  assert.ok(r.ok && r.kind === 'bound');
  assert.deepEqual(r.claims, claims);
});

test('expiry honours the 60 s leeway and no more', async () => {
  const issuedAt = Date.now();
  clock = issuedAt;
  const { token } = await svc.issueServiceAccountToken({
    namespace: 'default',
    serviceAccount: sa,
    expirationSeconds: 600,
  });
  clock = issuedAt + 650_000;
  assert.equal((await svc.verifyServiceAccountToken(token)).ok, true);
  clock = issuedAt + 662_000;
  assert.deepEqual(await svc.verifyServiceAccountToken(token), {
    ok: false,
    reason: 'service account token has expired',
  });
  clock = issuedAt - 120_000;
  assert.deepEqual(await svc.verifyServiceAccountToken(token), {
    ok: false,
    reason: 'service account token is not valid yet',
  });
  clock = Date.now();
});

test('audiences: default is the issuer, custom ones must intersect', async () => {
  clock = Date.now();
  const { token } = await svc.issueServiceAccountToken({
    namespace: 'ns1',
    serviceAccount: sa,
    audiences: ['vault', 'other'],
  });
  const denied = await svc.verifyServiceAccountToken(token);
  assert.equal(denied.ok, false);
  assert.match((denied as { reason: string }).reason, /token audiences \["vault","other"\] is invalid/);
  const ok = await svc.verifyServiceAccountToken(token, { audiences: ['x', 'vault'] });
  assert.equal(ok.ok, true);
});

test('tampered, foreign-key and foreign-issuer tokens are rejected', async () => {
  clock = Date.now();
  const { token } = await svc.issueServiceAccountToken({ namespace: 'default', serviceAccount: sa });
  const [h, p, s] = token.split('.');
  const forged = JSON.parse(Buffer.from(p!, 'base64url').toString());
  forged.sub = 'system:serviceaccount:kube-system:admin';
  forged['kubernetes.io'].namespace = 'kube-system';
  forged['kubernetes.io'].serviceaccount.name = 'admin';
  const tampered = `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`;
  assert.deepEqual(await svc.verifyServiceAccountToken(tampered), { ok: false, reason: 'invalid signature' });

  const other = await createServiceAccountTokenService({ privateKeyPem: await genKey(), now: () => clock });
  const foreign = (await other.issueServiceAccountToken({ namespace: 'default', serviceAccount: sa })).token;
  assert.equal((await svc.verifyServiceAccountToken(foreign)).ok, false);

  const otherIssuer = await createServiceAccountTokenService({
    privateKeyPem: keyPem,
    issuer: 'https://elsewhere',
    now: () => clock,
  });
  const t2 = (
    await otherIssuer.issueServiceAccountToken({
      namespace: 'default',
      serviceAccount: sa,
      audiences: [DEFAULT_ISSUER],
    })
  ).token;
  const r2 = await svc.verifyServiceAccountToken(t2);
  assert.equal(r2.ok, false);
  assert.match((r2 as { reason: string }).reason, /issuer/);

  assert.deepEqual(await svc.verifyServiceAccountToken('not-a-jwt'), {
    ok: false,
    reason: 'token is not a JWT',
  });
});

test('a rotated-out key listed as extra still verifies, and shows up in the JWKS', async () => {
  clock = Date.now();
  const oldPem = await genKey();
  const old = await createServiceAccountTokenService({ privateKeyPem: oldPem, now: () => clock });
  const token = (await old.issueServiceAccountToken({ namespace: 'default', serviceAccount: sa })).token;
  const oldPub = execFileSync('openssl', ['pkey', '-pubout'], { input: oldPem }).toString();
  const rotated = await createServiceAccountTokenService({
    privateKeyPem: keyPem,
    extraPublicKeyPems: [oldPub],
    now: () => clock,
  });
  assert.equal((await rotated.verifyServiceAccountToken(token)).ok, true);
  assert.deepEqual(
    rotated
      .jwks()
      .keys.map((k) => k.kid)
      .sort(),
    [old.keyId, svc.keyId].sort(),
  );
});

test('JWKS and discovery document let a generic OIDC verifier check the token', async () => {
  clock = Date.now();
  const { token } = await svc.issueServiceAccountToken({ namespace: 'default', serviceAccount: sa });
  const jwks = svc.jwks();
  assert.equal(jwks.keys.length, 1);
  assert.deepEqual(Object.keys(jwks.keys[0]!).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  assert.equal(jwks.keys[0]!.d, undefined, 'private part must never be published');
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: DEFAULT_ISSUER,
    audience: DEFAULT_ISSUER,
  });
  assert.equal(payload.sub, 'system:serviceaccount:default:default');
  assert.deepEqual(svc.openidConfiguration(), {
    issuer: DEFAULT_ISSUER,
    jwks_uri: `${DEFAULT_ISSUER}/openid/v1/jwks`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
  });
});

test('legacy secret-based token: upstream claims, no expiry, verifies', async () => {
  const token = await svc.issueLegacyServiceAccountToken({
    namespace: 'default',
    serviceAccount: sa,
    secretName: 'default-token-abcde',
  });
  const payload = decodeJwt(token);
  assert.deepEqual(payload, {
    iss: LEGACY_ISSUER,
    'kubernetes.io/serviceaccount/namespace': 'default',
    'kubernetes.io/serviceaccount/secret.name': 'default-token-abcde',
    'kubernetes.io/serviceaccount/service-account.name': 'default',
    'kubernetes.io/serviceaccount/service-account.uid': sa.uid,
    sub: 'system:serviceaccount:default:default',
  });
  clock = Date.now() + 10 * 365 * 86_400_000;
  const r = await svc.verifyServiceAccountToken(token, { audiences: ['anything'] });
  assert.ok(r.ok && r.kind === 'legacy');
  assert.equal(r.claims['kubernetes.io/serviceaccount/secret.name'], 'default-token-abcde');
  clock = Date.now();
});

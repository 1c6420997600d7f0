import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateClusterPki, type ClusterPki } from './pki.js';
import {
  createServiceAccountTokenService,
  type ServiceAccountTokenService,
  type TokenRequestSpec,
} from './tokens.js';
import {
  authenticateRequest,
  authenticateToken,
  type AuthenticateDeps,
  type LookedUpObject,
  type LookedUpSecret,
  type UserInfo,
} from './authenticate.js';
import { renderKubeconfig } from './kubeconfig.js';

const run = promisify(execFile);

let dir: string;
let pki: ClusterPki;
let tokens: ServiceAccountTokenService;
let server: Server;
let base: string;
let clock = Date.now();
const seen: (UserInfo | undefined)[] = [];

// In-memory stand-in for the store the real server consults.
const serviceAccounts = new Map<string, LookedUpObject>();
const pods = new Map<string, LookedUpObject>();
const secrets = new Map<string, LookedUpSecret>();
const nodes = new Map<string, LookedUpObject>();
let deps: AuthenticateDeps;

const DEFAULT_SA = { name: 'default', uid: 'sa-uid-default' };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mizzen-authn-'));
  pki = await loadOrCreateClusterPki(join(dir, 'pki'), { hosts: [], ips: [] });
  tokens = await createServiceAccountTokenService({
    privateKeyPem: pki.serviceAccountPrivateKeyPem,
    now: () => clock,
  });
  deps = {
    tokens,
    now: () => clock,
    lookup: {
      serviceAccount: (ns, name) => serviceAccounts.get(`${ns}/${name}`),
      pod: (ns, name) => pods.get(`${ns}/${name}`),
      secret: async (ns, name) => secrets.get(`${ns}/${name}`),
      node: (name) => nodes.get(name),
    },
  };
  serviceAccounts.set('default/default', { uid: DEFAULT_SA.uid });

  server = createServer(
    {
      key: pki.serverKeyPem,
      cert: pki.serverCertPem,
      ca: pki.caCertPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      if (req.url?.startsWith('/version')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.4', platform: 'linux/amd64' }));
        return;
      }
      authenticateRequest(req, deps).then(
        (user) => {
          seen.push(user);
          if (!user) {
            res.writeHead(401, { 'content-type': 'application/json' });
            res.end(
              JSON.stringify({
                kind: 'Status',
                apiVersion: 'v1',
                metadata: {},
                status: 'Failure',
                message: 'Unauthorized',
                reason: 'Unauthorized',
                code: 401,
              }),
            );
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ path: req.url, user }));
        },
        (err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function curl(path: string, ...args: string[]): Promise<{ code: number; body: any }> {
  const { stdout } = await run('curl', [
    '-sS',
    '--cacert',
    pki.paths.caCert,
    '-w',
    '\n%{http_code}',
    ...args,
    `${base}${path}`,
  ]);
  const nl = stdout.lastIndexOf('\n');
  return { code: Number(stdout.slice(nl + 1)), body: JSON.parse(stdout.slice(0, nl)) };
}

const bearer = (token: string) => ['-H', `Authorization: Bearer ${token}`];

async function saToken(extra: Partial<TokenRequestSpec> = {}) {
  return (
    await tokens.issueServiceAccountToken({ namespace: 'default', serviceAccount: DEFAULT_SA, ...extra })
  ).token;
}

test('(a) curl with the admin client cert is kubernetes-admin in system:masters', async () => {
  const r = await curl('/', '--cert', pki.paths.adminCert, '--key', pki.paths.adminKey);
  assert.equal(r.code, 200);
  const { stdout: der } = await run('openssl', ['x509', '-in', pki.paths.adminCert, '-outform', 'DER'], {
    encoding: 'buffer',
  });
  assert.deepEqual(r.body.user, {
    username: 'kubernetes-admin',
    groups: ['system:masters', 'system:authenticated'],
    extra: {
      'authentication.kubernetes.io/credential-id': [
        `X509SHA256=${createHash('sha256').update(der).digest('hex')}`,
      ],
    },
  });
});

test('(b) no client cert and no token -> undefined -> 401', async () => {
  seen.length = 0;
  const r = await curl('/');
  assert.equal(r.code, 401);
  assert.deepEqual(seen, [undefined]);
});

test('a cert from another CA, or a cluster cert without clientAuth, is not a user', async () => {
  const other = await loadOrCreateClusterPki(join(dir, 'other'), { hosts: [], ips: [] });
  seen.length = 0;
  const r1 = await curl('/', '--cert', other.paths.adminCert, '--key', other.paths.adminKey);
  assert.equal(r1.code, 401);
  const r2 = await curl('/', '--cert', pki.paths.serverCert, '--key', pki.paths.serverKey);
  assert.equal(r2.code, 401);
  assert.deepEqual(seen, [undefined, undefined]);
});

test('(c) a service-account token for default/default is accepted', async () => {
  clock = Date.now();
  const token = await saToken();
  const r = await curl('/', ...bearer(token));
  assert.equal(r.code, 200);
  const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti;
  assert.deepEqual(r.body.user, {
    username: 'system:serviceaccount:default:default',
    uid: DEFAULT_SA.uid,
    groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
    extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${jti}`] },
  });
});

test('(c) expired and wrong-audience tokens are rejected', async () => {
  clock = Date.now() - 3 * 3600_000;
  const expired = await saToken({ expirationSeconds: 3600 });
  clock = Date.now();
  const wrongAud = await saToken({ audiences: ['https://vault.example'] });
  assert.equal((await curl('/', ...bearer(expired))).code, 401);
  assert.equal((await curl('/', ...bearer(wrongAud))).code, 401);
  assert.equal((await curl('/', ...bearer('garbage'))).code, 401);
  const r = await authenticateToken(expired, deps);
  assert.deepEqual(r, { ok: false, reason: 'service account token has expired' });
  // The same token is fine for a caller (TokenReview) that asks for that audience.
  const review = await authenticateToken(wrongAud, deps, ['https://vault.example']);
  assert.ok(review.ok);
  assert.deepEqual(review.audiences, ['https://vault.example']);
});

test('(c) a pod-bound token carries pod extras and dies with its pod', async () => {
  clock = Date.now();
  pods.set('default/web-0', { uid: 'pod-uid-1' });
  const token = await saToken({
    pod: { name: 'web-0', uid: 'pod-uid-1' },
    node: { name: 'node-a', uid: 'node-uid-a' },
  });
  const ok = await curl('/', ...bearer(token));
  assert.equal(ok.code, 200);
  assert.deepEqual(ok.body.user.extra['authentication.kubernetes.io/pod-name'], ['web-0']);
  assert.deepEqual(ok.body.user.extra['authentication.kubernetes.io/pod-uid'], ['pod-uid-1']);
  assert.deepEqual(ok.body.user.extra['authentication.kubernetes.io/node-name'], ['node-a']);

  // Deleting but still within the 60 s grace: accepted; past it: rejected.
  pods.set('default/web-0', { uid: 'pod-uid-1', deletionTimestamp: new Date(clock - 10_000).toISOString() });
  assert.equal((await authenticateToken(token, deps)).ok, true);
  pods.set('default/web-0', { uid: 'pod-uid-1', deletionTimestamp: new Date(clock - 120_000).toISOString() });
  assert.deepEqual(await authenticateToken(token, deps), {
    ok: false,
    reason: 'service account token has been invalidated',
  });

  pods.delete('default/web-0');
  assert.equal((await curl('/', ...bearer(token))).code, 401);

  pods.set('default/web-0', { uid: 'pod-uid-2' });
  const r = await authenticateToken(token, deps);
  assert.equal(r.ok, false);
  assert.match((r as { reason: string }).reason, /pod UID \(pod-uid-2\) does not match/);
});

test('a token outlives neither its service account nor a re-created one', async () => {
  clock = Date.now();
  serviceAccounts.set('team/builder', { uid: 'sa-uid-b1' });
  const token = (
    await tokens.issueServiceAccountToken({
      namespace: 'team',
      serviceAccount: { name: 'builder', uid: 'sa-uid-b1' },
    })
  ).token;
  assert.equal((await authenticateToken(token, deps)).ok, true);
  serviceAccounts.set('team/builder', { uid: 'sa-uid-b2' });
  assert.match(((await authenticateToken(token, deps)) as { reason: string }).reason, /service account UID/);
  serviceAccounts.delete('team/builder');
  assert.equal((await authenticateToken(token, deps)).ok, false);
});

test('secret- and node-bound tokens are checked against their object', async () => {
  clock = Date.now();
  secrets.set('default/bound', { uid: 'sec-uid-1' });
  nodes.set('node-b', { uid: 'node-uid-b' });
  const secretBound = await saToken({ secret: { name: 'bound', uid: 'sec-uid-1' } });
  const nodeBound = await saToken({ node: { name: 'node-b', uid: 'node-uid-b' } });
  assert.equal((await authenticateToken(secretBound, deps)).ok, true);
  assert.equal((await authenticateToken(nodeBound, deps)).ok, true);
  secrets.delete('default/bound');
  nodes.set('node-b', { uid: 'node-uid-other' });
  assert.equal((await authenticateToken(secretBound, deps)).ok, false);
  assert.equal((await authenticateToken(nodeBound, deps)).ok, false);
});

test('legacy Secret token: valid while the Secret holds it', async () => {
  const token = await tokens.issueLegacyServiceAccountToken({
    namespace: 'default',
    serviceAccount: DEFAULT_SA,
    secretName: 'default-token-x1',
  });
  secrets.set('default/default-token-x1', { uid: 's1', token });
  const r = await curl('/', ...bearer(token));
  assert.equal(r.code, 200);
  assert.deepEqual(r.body.user, {
    username: 'system:serviceaccount:default:default',
    uid: DEFAULT_SA.uid,
    groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
  });
  secrets.set('default/default-token-x1', { uid: 's1', token: 'something-else' });
  assert.deepEqual(await authenticateToken(token, deps), {
    ok: false,
    reason: "token does not match server's copy",
  });
  secrets.delete('default/default-token-x1');
  assert.equal((await curl('/', ...bearer(token))).code, 401);
});

test('bearer token in the WebSocket subprotocol is accepted on upgrades only', async () => {
  clock = Date.now();
  const token = await saToken();
  const proto = `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`;
  const ws = await curl(
    '/',
    '-H',
    'Connection: Upgrade',
    '-H',
    'Upgrade: websocket',
    '-H',
    `Sec-WebSocket-Protocol: v5.channel.k8s.io, ${proto}`,
  );
  assert.equal(ws.code, 200);
  assert.equal(ws.body.user.username, 'system:serviceaccount:default:default');
  assert.equal((await curl('/', '-H', `Sec-WebSocket-Protocol: ${proto}`)).code, 401);
});

async function kubectl(kubeconfig: string, ...args: string[]): Promise<string> {
  const path = join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
  await writeFile(path, kubeconfig, { mode: 0o600 });
  const { stdout } = await run('kubectl', ['--kubeconfig', path, ...args], {
    env: { ...process.env, HOME: dir, KUBECONFIG: '' },
    timeout: 20_000,
  });
  return stdout;
}

test('(d) real kubectl with a rendered kubeconfig presents the admin client cert', async () => {
  const config = renderKubeconfig({
    clusterName: 'mizzen',
    server: base,
    caPem: pki.caCertPem,
    user: { certPem: pki.adminCertPem, keyPem: pki.adminKeyPem },
  });
  const out = JSON.parse(await kubectl(config, 'get', '--raw', '/x'));
  assert.equal(out.path, '/x');
  assert.equal(out.user.username, 'kubernetes-admin');
  assert.deepEqual(out.user.groups, ['system:masters', 'system:authenticated']);
});

test('(d) real kubectl with a token kubeconfig sends the bearer token', async () => {
  clock = Date.now();
  const config = renderKubeconfig({
    clusterName: 'mizzen',
    server: base,
    caPem: pki.caCertPem,
    user: { token: await saToken() },
    namespace: 'default',
  });
  const out = JSON.parse(await kubectl(config, 'get', '--raw', '/x'));
  assert.equal(out.user.username, 'system:serviceaccount:default:default');
});

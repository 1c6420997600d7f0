// Runs the real kubectl generator commands against a stub server, decodes the protobuf bodies they
// POST and compares each with the JSON that the same command prints with --dry-run=client -o json.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeProtobufObject, isProtobufContentType } from './index.js';
import { checkWire } from './wire-check.js';
import { protobufKinds } from './schema-groups.js';
import { startKubeStub, type KubeStub, type CapturedPost } from './kube-stub-server.js';

let stub: KubeStub;
let dir: string;
let env: NodeJS.ProcessEnv;
const binary = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x01, 0x02, 0x7f, 0x0a]);

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      [`--server=http://127.0.0.1:${stub.port}`, `--cache-dir=${path.join(dir, 'cache')}`, ...args],
      { env, cwd: dir, timeout: 15000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// A throwaway self-signed P-256 pair made for this test with openssl (kubectl only checks that the
// certificate and key match; expiry does not matter).
const tlsCert = `-----BEGIN CERTIFICATE-----
MIIBgDCCASegAwIBAgIULA/59NqoMp63ovD8uecUxmvVEv4wCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKY29kZWMtdGVzdDAgFw0yNjExMjYxMTM5NTZaGA8yMTI2MTEw
MjExMzk1NlowFTETMBEGA1UEAwwKY29kZWMtdGVzdDBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABJjj8ciaHa+Fxx+Jay6J7qAkbKr6yVF9c7FUOkgYW7w1+dtUFajm
2Zrdr2swc8Q4ZJ/UHBsO2Kw3WwoV4szHSrqjUzBRMB0GA1UdDgQWBBS6QS/TCNnb
S4y3yVi4HcA7hqNuYTAfBgNVHSMEGDAWgBS6QS/TCNnbS4y3yVi4HcA7hqNuYTAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIAJHTWHgvxVgzA3cBLmT
EIcJzKgy2b+ZLva/j0YWSYX7AiA8q+wf8+DRzgdnGxvgW82rgbdBwp2g9xEOwxxL
Qn9SSA==
-----END CERTIFICATE-----
`;
const tlsKey = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOMpMaghymg8Om4uN
+md/eudsD+DrIejO8CLDnKRc5MOhRANCAASY4/HImh2vhccfiWsuie6gJGyq+slR
fXOxVDpIGFu8NfnbVBWo5tma3a9rMHPEOGSf1BwbDtisN1sKFeLMx0q6
-----END PRIVATE KEY-----
`;

// Answers each create the way an API server would, so kubectl prints its success line and exits 0.
function reply(post: CapturedPost): { status: number; body: unknown } {
  const obj = decodeProtobufObject(post.body) as Record<string, any>;
  if (obj.kind === 'TokenRequest')
    obj.status = { token: 'tok-123', expirationTimestamp: '2030-01-01T00:00:00Z' };
  if (obj.kind === 'SelfSubjectAccessReview') obj.status = { allowed: true };
  if (obj.kind === 'SelfSubjectReview') obj.status = { userInfo: { username: 'alice', groups: ['devs'] } };
  obj.metadata = {
    ...obj.metadata,
    name: obj.metadata?.name || 'generated',
    uid: 'u1',
    resourceVersion: '1',
  };
  return { status: 201, body: obj };
}

before(async () => {
  stub = await startKubeStub();
  stub.respond = reply;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codec-kubectl-'));
  fs.writeFileSync(path.join(dir, 'kubeconfig'), 'apiVersion: v1\nkind: Config\n');
  fs.writeFileSync(path.join(dir, 'bin.dat'), binary);
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'line one\nline two\n');
  fs.writeFileSync(path.join(dir, 'tls.crt'), tlsCert);
  fs.writeFileSync(path.join(dir, 'tls.key'), tlsKey);
  env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: path.join(dir, 'kubeconfig') };
});

after(async () => {
  await stub?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// Generator commands with a --dry-run=client -o json twin.
const generators: string[][] = [
  ['create', 'namespace', 'ns1'],
  [
    'create',
    'configmap',
    'cm1',
    '--from-literal=a=b',
    '--from-literal=c=d',
    '--from-file=notes.txt',
    '--from-file=bin.dat',
  ],
  ['create', 'secret', 'generic', 's1', '--from-literal=user=admin', '--from-file=bin.dat', '--type=Opaque'],
  ['create', 'secret', 'tls', 'tls1', '--cert=tls.crt', '--key=tls.key'],
  [
    'create',
    'secret',
    'docker-registry',
    'reg1',
    '--docker-server=r.example',
    '--docker-username=u',
    '--docker-password=p',
    '--docker-email=e@example.com',
  ],
  ['create', 'serviceaccount', 'sa1', '-n', 'ns1'],
  [
    'create',
    'deployment',
    'web',
    '--image=nginx:1.27',
    '--replicas=3',
    '--port=8080',
    '--',
    '/bin/sh',
    '-c',
    'echo hi',
  ],
  ['create', 'deployment', 'multi', '--image=nginx', '--image=busybox'],
  ['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080', '--tcp=443:8443', '--tcp=53'],
  ['create', 'service', 'clusterip', 'headless', '--clusterip=None'],
  ['create', 'service', 'nodeport', 'np1', '--tcp=80:8080', '--node-port=30080'],
  ['create', 'service', 'loadbalancer', 'lb1', '--tcp=80:http'],
  ['create', 'service', 'externalname', 'ext1', '--external-name=example.com', '--tcp=80'],
  ['create', 'job', 'job1', '--image=busybox', '--', 'echo', 'hi'],
  [
    'create',
    'cronjob',
    'cj1',
    '--image=busybox',
    '--schedule=*/5 * * * *',
    '--restart=OnFailure',
    '--',
    'date',
  ],
  ['create', 'role', 'r1', '--verb=get,list', '--resource=pods,deployments.apps', '--resource-name=x'],
  ['create', 'rolebinding', 'rb1', '--role=r1', '--user=alice', '--group=devs', '--serviceaccount=ns1:sa1'],
  ['create', 'clusterrole', 'cr1', '--verb=get', '--non-resource-url=/healthz', '--non-resource-url=/livez'],
  ['create', 'clusterrole', 'agg', '--aggregation-rule=rbac.example.com/aggregate=true'],
  ['create', 'clusterrolebinding', 'crb1', '--clusterrole=cr1', '--user=bob'],
  ['create', 'poddisruptionbudget', 'pdb1', '--selector=app=web', '--min-available=50%'],
  ['create', 'poddisruptionbudget', 'pdb2', '--selector=app=web', '--max-unavailable=1'],
  ['create', 'priorityclass', 'pc1', '--value=1000', '--description=important', '--preemption-policy=Never'],
  ['create', 'quota', 'q1', '--hard=cpu=1,memory=1Gi,pods=10', '--scopes=BestEffort'],
  [
    'create',
    'ingress',
    'ing1',
    '--class=nginx',
    '--rule=foo.com/bar*=svc:8080,tls=secret1',
    '--rule=/exact=other:http',
    '--default-backend=defsvc:http',
    '--annotation=a=b',
  ],
];

// Flags must go before a `--`, after which everything is the container command.
function withDryRun(args: string[]): string[] {
  const dashes = args.indexOf('--');
  const flags = ['--dry-run=client', '-o', 'json'];
  return dashes < 0 ? [...args, ...flags] : [...args.slice(0, dashes), ...flags, ...args.slice(dashes)];
}

async function compareGenerators(minor: string, commands: string[][]): Promise<void> {
  stub.minor = minor;
  stub.posts.length = 0;
  const pending = [...commands];
  const failures: string[] = [];
  const worker = async (): Promise<void> => {
    for (let args = pending.shift(); args; args = pending.shift()) {
      const printed = await kubectl(withDryRun(args));
      assert.equal(printed.code, 0, `${args.join(' ')} --dry-run: ${printed.stderr}`);
      const created = await kubectl(args);
      assert.equal(created.code, 0, `${args.join(' ')}: ${created.stderr}`);
      // Workers run concurrently, so find this command's body by its (unique) object name.
      const name = args[args[1] === 'secret' || args[1] === 'service' ? 3 : 2];
      const decoded = stub.posts
        .map((p) => decodeProtobufObject(p.body))
        .find((o) => o.metadata?.name === name);
      if (!decoded) {
        failures.push(`${args.join(' ')}: no protobuf POST named ${name}`);
        continue;
      }
      try {
        assert.deepStrictEqual(decoded, JSON.parse(printed.stdout));
      } catch (e) {
        failures.push(`${args.join(' ')}:\n${(e as Error).message}`);
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  assert.deepEqual(failures, []);
  assert.equal(stub.posts.length, commands.length);
  for (const p of stub.posts) {
    assert.ok(isProtobufContentType(p.contentType), `${p.path} sent ${p.contentType}`);
  }
}

// The dispatcher runs kubectl 1.33 for a server reporting minor 33, whose Go types may differ; a
// subset with the richest shapes keeps the run short.
const richest = ['cm1', 's1', 'web', 'svc1', 'cj1', 'ing1', 'pdb1', 'q1'];
test(
  'kubectl 1.33 generator commands: decoded protobuf equals the --dry-run=client -o json object',
  { timeout: 20000 },
  () =>
    compareGenerators(
      '33',
      generators.filter((a) => a.some((x) => richest.includes(x))),
    ),
);

// Last, so the following tests see the bodies of kubectl 1.32, the version the server reports.
test(
  'kubectl 1.32 generator commands: decoded protobuf equals the --dry-run=client -o json object',
  { timeout: 20000 },
  () => compareGenerators('32', generators),
);

test('every protobuf field kubectl sends is declared (no silently dropped fields)', () => {
  for (const p of stub.posts) {
    const obj = decodeProtobufObject(p.body);
    const message = protobufKinds[`${obj.apiVersion}/${obj.kind}`];
    // The raw object follows the envelope; re-walk it to list field numbers not in the declarations.
    const unknown = checkWire('Unknown', p.body.subarray(4));
    assert.deepEqual(unknown, []);
    const { raw } = rawOf(p.body);
    assert.deepEqual(checkWire(message, raw), [], `${obj.kind} has undeclared fields`);
  }
});

function rawOf(body: Buffer): { raw: Uint8Array } {
  // Minimal envelope read: field 2 of runtime.Unknown after the 4-byte magic.
  let pos = 4;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = body[pos++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  while (pos < body.length) {
    const tag = varint();
    const len = varint();
    if (tag >>> 3 === 2) return { raw: body.subarray(pos, pos + len) };
    pos += len;
  }
  return { raw: new Uint8Array(0) };
}

async function postedBy(args: string[]): Promise<{ obj: Record<string, any>; out: string }> {
  const before = stub.posts.length;
  const r = await kubectl(args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  const posts = stub.posts.slice(before);
  assert.equal(posts.length, 1, `${args.join(' ')} posted ${posts.length} bodies`);
  assert.ok(isProtobufContentType(posts[0].contentType));
  return { obj: decodeProtobufObject(posts[0].body), out: r.stdout };
}

test('kubectl create token with audience, duration and bound object', async () => {
  const { obj, out } = await postedBy([
    'create',
    'token',
    'sa1',
    '-n',
    'ns1',
    '--audience=api',
    '--audience=vault',
    '--duration=10m',
    '--bound-object-kind=Pod',
    '--bound-object-name=p1',
    '--bound-object-uid=uid-1',
  ]);
  assert.equal(out.trim(), 'tok-123');
  // Go prints TokenRequestStatus fields without omitempty, and metadata.creationTimestamp as null.
  assert.deepStrictEqual(obj, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: {
      audiences: ['api', 'vault'],
      expirationSeconds: 600,
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p1', uid: 'uid-1' },
    },
    status: { token: '', expirationTimestamp: null },
  });
});

test('kubectl create token without options sends audiences null', async () => {
  const { obj } = await postedBy(['create', 'token', 'sa1']);
  assert.deepStrictEqual(obj.spec, { audiences: null });
});

test('kubectl auth can-i sends a SelfSubjectAccessReview', async () => {
  const { obj, out } = await postedBy([
    'auth',
    'can-i',
    'create',
    'deployments.apps',
    '--subresource=scale',
    '-n',
    'ns1',
  ]);
  assert.equal(out.trim(), 'yes');
  assert.deepStrictEqual(obj, {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: {
      resourceAttributes: {
        namespace: 'ns1',
        verb: 'create',
        group: 'apps',
        resource: 'deployments',
        subresource: 'scale',
      },
    },
    status: { allowed: false },
  });
  const nonResource = await postedBy(['auth', 'can-i', 'get', '/healthz']);
  assert.deepStrictEqual(nonResource.obj.spec, { nonResourceAttributes: { path: '/healthz', verb: 'get' } });
});

test('kubectl auth whoami sends a SelfSubjectReview', async () => {
  const { obj, out } = await postedBy(['auth', 'whoami']);
  assert.match(out, /alice/);
  assert.deepStrictEqual(obj, {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    status: { userInfo: {} },
  });
});

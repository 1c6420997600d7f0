import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import { decodeProtobufObject, isProtobufContentType } from './index.js';

// A tiny independent protobuf writer, so these tests do not reuse the decoder's own declarations.
function varint(n: number): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}
const tag = (id: number, wt: number): Buffer => varint((id << 3) | wt);
const bytes = (id: number, b: Buffer | string): Buffer => {
  const data = Buffer.isBuffer(b) ? b : Buffer.from(b);
  return Buffer.concat([tag(id, 2), varint(data.length), data]);
};
const num = (id: number, n: number): Buffer => Buffer.concat([tag(id, 0), varint(n)]);
const msg = (...parts: Buffer[]): Buffer => Buffer.concat(parts);
const entry = (id: number, key: string, value: Buffer): Buffer =>
  bytes(id, msg(bytes(1, key), bytes(2, value)));

function envelope(apiVersion: string, kind: string, raw: Buffer, extra: Buffer = Buffer.alloc(0)): Buffer {
  const unknown = msg(bytes(1, msg(bytes(1, apiVersion), bytes(2, kind))), bytes(2, raw), extra);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), unknown]);
}

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, `threw ${String(e)}`);
    return e;
  }
  assert.fail('expected a StatusError');
}

test('isProtobufContentType matches the media type with or without parameters', () => {
  assert.equal(isProtobufContentType('application/vnd.kubernetes.protobuf'), true);
  assert.equal(isProtobufContentType('Application/VND.Kubernetes.Protobuf; charset=utf-8'), true);
  assert.equal(isProtobufContentType('application/json'), false);
  assert.equal(isProtobufContentType('application/vnd.kubernetes.protobuf.extra'), false);
  assert.equal(isProtobufContentType(''), false);
});

test('ConfigMap: maps sorted, binaryData base64, pointer bool false kept, unknown fields ignored', () => {
  const raw = msg(
    bytes(1, msg(bytes(1, 'cm'), bytes(3, 'ns'), bytes(8, Buffer.alloc(0)))),
    entry(2, 'z', Buffer.from('last')),
    entry(2, 'a', Buffer.from('first')),
    entry(3, 'bin', Buffer.from([0, 255, 128])),
    num(4, 0),
    bytes(99, 'from a newer client'),
  );
  const obj = decodeProtobufObject(envelope('v1', 'ConfigMap', raw));
  assert.deepStrictEqual(obj, {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: { name: 'cm', namespace: 'ns', creationTimestamp: null },
    immutable: false,
    data: { a: 'first', z: 'last' },
    binaryData: { bin: 'AP+A' },
  });
  assert.deepStrictEqual(Object.keys(obj.data), ['a', 'z']);
});

test('metav1.Time prints RFC3339 in UTC without fractions; zero time prints null', () => {
  const meta = msg(
    bytes(1, 'x'),
    bytes(8, msg(num(1, 1700000000), num(2, 500))),
    bytes(9, msg(num(1, -62135596800))),
  );
  const obj = decodeProtobufObject(envelope('v1', 'Namespace', msg(bytes(1, meta))));
  assert.equal(obj.metadata.creationTimestamp, '2023-11-14T22:13:20Z');
  assert.equal(obj.metadata.deletionTimestamp, null);
  assert.deepStrictEqual(obj.spec, {});
  assert.deepStrictEqual(obj.status, {});
});

test('Service: IntOrString as number or string, Quantity and struct fields as Go prints them', () => {
  const port = (name: string, p: number, target: Buffer): Buffer =>
    bytes(1, msg(bytes(1, name), num(3, p), bytes(4, target)));
  const spec = msg(
    port('a', 80, msg(num(1, 0), num(2, 8080))),
    port('b', 443, msg(num(1, 1), bytes(3, 'https'))),
    port('c', 53, Buffer.alloc(0)),
  );
  const obj = decodeProtobufObject(envelope('v1', 'Service', msg(bytes(1, bytes(1, 's')), bytes(2, spec))));
  assert.deepStrictEqual(obj.spec.ports, [
    { name: 'a', port: 80, targetPort: 8080 },
    { name: 'b', port: 443, targetPort: 'https' },
    { name: 'c', port: 53, targetPort: 0 },
  ]);
  assert.deepStrictEqual(obj.status, { loadBalancer: {} });

  const quota = msg(
    bytes(1, bytes(1, 'q')),
    bytes(2, msg(entry(1, 'memory', bytes(1, '1Gi')), entry(1, 'cpu', Buffer.alloc(0)))),
  );
  const q = decodeProtobufObject(envelope('v1', 'ResourceQuota', quota));
  assert.deepStrictEqual(q.spec, { hard: { cpu: '0', memory: '1Gi' } });
});

test('Deployment with an empty spec prints nil pointers and nil slices the way Go does', () => {
  const obj = decodeProtobufObject(envelope('apps/v1', 'Deployment', msg(bytes(1, bytes(1, 'd')))));
  assert.deepStrictEqual(obj.spec, {
    selector: null,
    template: { metadata: { creationTimestamp: null }, spec: { containers: null } },
    strategy: {},
  });
  assert.deepStrictEqual(obj.status, {});
});

test('int64 and pointer fields: TokenRequest expirationSeconds and bound object', () => {
  const spec = msg(bytes(1, 'a'), num(4, 2 ** 40), bytes(3, msg(bytes(1, 'Secret'), bytes(3, 's'))));
  const obj = decodeProtobufObject(envelope('authentication.k8s.io/v1', 'TokenRequest', msg(bytes(2, spec))));
  assert.deepStrictEqual(obj.spec, {
    audiences: ['a'],
    expirationSeconds: 2 ** 40,
    boundObjectRef: { kind: 'Secret', name: 's' },
  });
  assert.deepStrictEqual(obj.status, { token: '', expirationTimestamp: null });
});

test('an unsupported kind is 415 naming the kind and pointing at JSON/YAML', () => {
  const err = statusOf(() => decodeProtobufObject(envelope('v1', 'Pod', msg(bytes(1, bytes(1, 'p'))))));
  assert.equal(err.code, 415);
  assert.equal(err.reason, 'UnsupportedMediaType');
  assert.match(err.message, /kind Pod \(v1\)/);
  assert.match(err.message, /ConfigMap/);
  assert.match(err.message, /JSON or YAML/);
  assert.match(err.message, /kubectl create -f/);
  assert.equal(
    statusOf(() => decodeProtobufObject(envelope('apps/v1beta1', 'Deployment', Buffer.alloc(0)))).code,
    415,
  );
});

test('a missing magic prefix or an empty body is 400', () => {
  for (const body of [Buffer.alloc(0), Buffer.from('k8s'), Buffer.from('{"kind":"ConfigMap"}')]) {
    const err = statusOf(() => decodeProtobufObject(body));
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    assert.match(err.message, /k8s\\x00/);
  }
});

test('malformed bytes are 400 naming the problem and the field', () => {
  const truncated = envelope('v1', 'ConfigMap', Buffer.from([0x0a, 0x10, 0x0a, 0x01]));
  const e1 = statusOf(() => decodeProtobufObject(truncated));
  assert.equal(e1.code, 400);
  assert.match(e1.message, /ConfigMap \(v1\) is malformed: metadata: length 16 runs past the end/);

  const wrongWire = envelope('v1', 'ConfigMap', bytes(1, num(1, 5)));
  const e2 = statusOf(() => decodeProtobufObject(wrongWire));
  assert.equal(e2.code, 400);
  assert.match(e2.message, /metadata\.name: wire type 0 where 2 was expected/);

  const badEnvelope = Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x12, 0x05, 0x01])]);
  const e3 = statusOf(() => decodeProtobufObject(badEnvelope));
  assert.equal(e3.code, 400);
  assert.match(e3.message, /envelope \(runtime\.Unknown\) is malformed: raw: length 5/);
});

test('an envelope without kind is 400; a content encoding is 415', () => {
  const noKind = Buffer.concat([Buffer.from('k8s\0', 'latin1'), bytes(2, Buffer.alloc(0))]);
  const e1 = statusOf(() => decodeProtobufObject(noKind));
  assert.equal(e1.code, 400);
  assert.match(e1.message, /typeMeta\.kind is empty/);

  const gz = envelope('v1', 'ConfigMap', Buffer.alloc(0), bytes(3, 'gzip'));
  const e2 = statusOf(() => decodeProtobufObject(gz));
  assert.equal(e2.code, 415);
  assert.match(e2.message, /gzip/);
});

test('random bytes never raise anything but a 400 or 415 StatusError', () => {
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const kinds = [
    ['v1', 'ConfigMap'],
    ['apps/v1', 'Deployment'],
    ['v1', 'Service'],
    ['batch/v1', 'CronJob'],
  ];
  for (let i = 0; i < 400; i++) {
    const junk = Buffer.from(Array.from({ length: rand() % 40 }, () => rand() & 0xff));
    const [av, k] = kinds[i % kinds.length];
    const body = i % 2 ? envelope(av, k, junk) : Buffer.concat([Buffer.from('k8s\0', 'latin1'), junk]);
    try {
      decodeProtobufObject(body);
    } catch (e) {
      assert.ok(e instanceof StatusError, `iteration ${i}: ${String(e)}`);
      assert.ok(e.code === 400 || e.code === 415, `iteration ${i}: ${e.code} ${e.message}`);
    }
  }
});

test('managedFields fieldsV1 is carried as JSON; invalid JSON in it is 400', () => {
  const mf = (json: string): Buffer =>
    bytes(17, msg(bytes(1, 'kubectl'), bytes(6, 'FieldsV1'), bytes(7, bytes(1, json))));
  const ok = decodeProtobufObject(
    envelope('v1', 'Secret', msg(bytes(1, msg(bytes(1, 's'), mf('{"f:data":{}}'))))),
  );
  assert.deepStrictEqual(ok.metadata.managedFields, [
    { manager: 'kubectl', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } },
  ]);
  const err = statusOf(() => decodeProtobufObject(envelope('v1', 'Secret', msg(bytes(1, mf('{nope'))))));
  assert.equal(err.code, 400);
  assert.match(err.message, /fieldsV1/);
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type Started, request, start, stopAll } from '../testkit.js';

const json = (s: string) => JSON.parse(s) as any;

describe('go-httpbin', () => {
  let bin: Started;
  before(async () => {
    bin = await start('docker.io/mccutchen/go-httpbin:v2.15.0', { env: { MAX_DURATION: '2s' } });
  });
  after(() => stopAll(bin));

  it('/get echoes args and headers as arrays, in Go canonical form', async () => {
    const r = await request(`${bin.url}/get?a=1&a=2&b=x`, {
      headers: { 'x-request-id': 'r1', 'x-b3-traceid': 't' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.match(r.body, /^\{\n  "args": \{/); // pretty-printed like Go's encoder with indent
    const b = json(r.body);
    assert.deepEqual(b.args, { a: ['1', '2'], b: ['x'] });
    assert.deepEqual(b.headers['X-Request-Id'], ['r1']);
    assert.deepEqual(b.headers['X-B3-Traceid'], ['t']);
    assert.deepEqual(b.headers.Host, [`127.0.0.1:${bin.port}`]);
    assert.equal(b.method, 'GET');
    assert.equal(b.origin, '127.0.0.1');
    assert.equal(b.url, `http://127.0.0.1:${bin.port}/get?a=1&a=2&b=x`);
    assert.deepEqual(Object.keys(b), ['args', 'headers', 'method', 'origin', 'url']);
    const post = await request(`${bin.url}/get`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.deepEqual(json(post.body), { status_code: 405, error: 'Method Not Allowed' });
  });

  it('answers with the real curl binary', async () => {
    const { stdout } = await promisify(execFile)('curl', ['-sS', '-H', 'X-Test: yes', `${bin.url}/headers`]);
    const h = json(stdout).headers;
    assert.deepEqual(h['X-Test'], ['yes']);
    assert.match(h['User-Agent'][0], /^curl\//);
  });

  it('/status returns the code, special bodies and weighted random choices', async () => {
    assert.equal((await request(`${bin.url}/status/204`)).status, 204);
    const teapot = await request(`${bin.url}/status/418`);
    assert.equal(teapot.status, 418);
    assert.equal(teapot.body, "I'm a teapot!");
    const redirect = await request(`${bin.url}/status/302`);
    assert.equal(redirect.headers.location, '/redirect/1');
    const seen = new Set<number>();
    for (let i = 0; i < 30; i++) seen.add((await request(`${bin.url}/status/200,503`)).status);
    assert.deepEqual([...seen].sort(), [200, 503]);
    for (let i = 0; i < 10; i++) assert.equal((await request(`${bin.url}/status/200:0,503:1`)).status, 503);
    assert.equal((await request(`${bin.url}/status/abc`)).status, 400);
    assert.equal((await request(`${bin.url}/status/700`)).status, 400);
  });

  it('/delay waits, bounded by the max duration', async () => {
    const t0 = Date.now();
    const r = await request(`${bin.url}/delay/0.3`);
    assert.equal(r.status, 200);
    assert.ok(Date.now() - t0 >= 290, 'responded too early');
    assert.equal(json(r.body).method, 'GET');
    assert.equal((await request(`${bin.url}/delay/200ms`)).status, 200);
    assert.equal((await request(`${bin.url}/delay/3`)).status, 400); // MAX_DURATION=2s
  });

  it('/anything and /post parse bodies', async () => {
    const put = json(
      (
        await request(`${bin.url}/anything/x?q=1`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: '{"k":[1,2]}',
        })
      ).body,
    );
    assert.equal(put.method, 'PUT');
    assert.deepEqual(put.json, { k: [1, 2] });
    assert.equal(put.data, '{"k":[1,2]}');
    assert.deepEqual(put.args, { q: ['1'] });
    const form = json(
      (
        await request(`${bin.url}/post`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'a=1&a=2',
        })
      ).body,
    );
    assert.deepEqual(form.form, { a: ['1', '2'] });
    assert.equal(form.json, null);
    assert.equal((await request(`${bin.url}/post`)).status, 405);
  });

  it('small endpoints: uuid, ip, user-agent, response-headers, bytes, stream, base64', async () => {
    assert.match(
      json((await request(`${bin.url}/uuid`)).body).uuid,
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.equal(json((await request(`${bin.url}/ip`)).body).origin, '127.0.0.1');
    assert.equal(
      json((await request(`${bin.url}/ip`, { headers: { 'x-forwarded-for': '10.1.2.3, 10.0.0.1' } })).body)
        .origin,
      '10.1.2.3',
    );
    assert.deepEqual(
      json((await request(`${bin.url}/user-agent`, { headers: { 'user-agent': 'ua/9' } })).body),
      {
        'user-agent': 'ua/9',
      },
    );
    const rh = await request(`${bin.url}/response-headers?X-Custom=v1&X-Custom=v2`);
    assert.equal(rh.headers['x-custom'], 'v1, v2');
    assert.deepEqual(json(rh.body), { 'X-Custom': ['v1', 'v2'] });
    const bytes = await request(`${bin.url}/bytes/64`);
    assert.equal(bytes.headers['content-length'], '64');
    assert.equal(bytes.headers['content-type'], 'application/octet-stream');
    const s1 = (await request(`${bin.url}/bytes/32?seed=7`)).body;
    assert.equal((await request(`${bin.url}/bytes/32?seed=7`)).body, s1);
    const lines = (await request(`${bin.url}/stream/3`)).body.trim().split('\n').map(json);
    assert.deepEqual(
      lines.map((l: any) => l.id),
      [0, 1, 2],
    );
    assert.ok(lines[0].headers.Host);
    assert.equal((await request(`${bin.url}/base64/aGVsbG8gd29ybGQ=`)).body, 'hello world');
    assert.equal((await request(`${bin.url}/base64/encode/hi?`)).body, 'aGk=');
    assert.equal((await request(`${bin.url}/base64/decode/!!`)).status, 400);
    assert.deepEqual(json((await request(`${bin.url}/nope`)).body), { status_code: 404, error: 'Not Found' });
  });

  it('logs each request', () => {
    assert.match(bin.out.text, /msg="go-httpbin listening on http:\/\/127\.0\.0\.1:\d+"/);
    assert.match(
      bin.out.text,
      /status=200 method="GET" uri="\/uuid" size_bytes=\d+ duration_ms=[\d.]+ user_agent="" client_ip=127\.0\.0\.1/,
    );
  });
});

describe('python httpbin flavour', () => {
  it('flattens headers and args to strings', async () => {
    const bin = await start('docker.io/kennethreitz/httpbin');
    try {
      const b = json((await request(`${bin.url}/get?a=1`, { headers: { 'x-test': 'v' } })).body);
      assert.deepEqual(b.args, { a: '1' });
      assert.equal(b.headers['X-Test'], 'v');
      assert.equal(b.method, undefined);
    } finally {
      await stopAll(bin);
    }
  });
});

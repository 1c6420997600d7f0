import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { portFromArgv } from './args.js';
import { catalogueNames, containerArgv, imageNotInCatalogueMessage, resolveImage } from './catalogue.js';
import { parseDelay, parseGoDuration, parseHttpbinArgs } from './httpbin/config.js';
import { parseImageReference } from './image-ref.js';
import { parseSleep } from './toolbox.js';

describe('parseImageReference', () => {
  it('splits registry, path, tag and digest', () => {
    assert.deepEqual(parseImageReference('docker.io/istio/examples-bookinfo-productpage-v1:1.20.3'), {
      registry: 'docker.io',
      path: 'istio/examples-bookinfo-productpage-v1',
      tag: '1.20.3',
      digest: '',
    });
    assert.deepEqual(parseImageReference('localhost:5000/Team/App@sha256:abc'), {
      registry: 'localhost:5000',
      path: 'team/app',
      tag: '',
      digest: 'sha256:abc',
    });
    assert.equal(parseImageReference('curlimages/curl')?.registry, '');
    assert.equal(parseImageReference('curlimages/curl')?.path, 'curlimages/curl');
    assert.equal(parseImageReference('docker.io/library/busybox:1')?.path, 'busybox');
    assert.equal(parseImageReference(''), undefined);
    assert.equal(parseImageReference('a//b'), undefined);
  });
});

describe('resolveImage', () => {
  const cases: [string, string | undefined][] = [
    [
      'docker.io/istio/examples-bookinfo-productpage-v1:1.20.3',
      'docker.io/istio/examples-bookinfo-productpage-v1',
    ],
    [
      'registry.istio.io/release/examples-bookinfo-details-v1:1.20.3',
      'docker.io/istio/examples-bookinfo-details-v1',
    ],
    ['quay.io/sail-dev/examples-bookinfo-reviews-v2:1.20.3', 'docker.io/istio/examples-bookinfo-reviews-v2'],
    [
      'quay.io/sail-dev/examples-bookinfo-reviews-v3@sha256:0123',
      'docker.io/istio/examples-bookinfo-reviews-v3',
    ],
    ['examples-bookinfo-ratings-v1', 'docker.io/istio/examples-bookinfo-ratings-v1'],
    ['docker.io/mccutchen/go-httpbin:v2.15.0', 'docker.io/mccutchen/go-httpbin'],
    ['mccutchen/go-httpbin', 'docker.io/mccutchen/go-httpbin'],
    ['curlimages/curl', 'docker.io/curlimages/curl'],
    ['docker.io/curlimages/curl:8.16.0', 'docker.io/curlimages/curl'],
    ['docker.io/istio/examples-helloworld-v1', 'docker.io/istio/examples-helloworld-v1'],
    ['registry.istio.io/release/examples-helloworld-v2:1.0', 'docker.io/istio/examples-helloworld-v2'],
    ['registry.access.redhat.com/ubi8/ubi', undefined],
    ['docker.io/library/curl', undefined],
    ['someone/go-httpbin', undefined],
    ['examples-bookinfo-productpage-v9', undefined],
    ['auto', undefined],
    ['', undefined],
  ];
  for (const [ref, name] of cases) {
    it(`${ref || '(empty)'} -> ${name ?? 'undefined'}`, () => assert.equal(resolveImage(ref)?.name, name));
  }

  it('bakes the images env: reviews v1 without ratings, v2 black, v3 red', () => {
    assert.equal(resolveImage('examples-bookinfo-reviews-v1')?.env.ENABLE_RATINGS, 'false');
    assert.deepEqual(
      [
        resolveImage('examples-bookinfo-reviews-v2')?.env.STAR_COLOR,
        resolveImage('examples-bookinfo-reviews-v3')?.env.STAR_COLOR,
      ],
      ['black', 'red'],
    );
    assert.equal(resolveImage('examples-helloworld-v2')?.env.SERVICE_VERSION, 'v2');
  });

  it('names the image and the catalogue in the error message', () => {
    const msg = imageNotInCatalogueMessage('registry.access.redhat.com/ubi8/ubi');
    assert.match(
      msg,
      /^image "registry\.access\.redhat\.com\/ubi8\/ubi" is not in the catalogue; available: /,
    );
    for (const n of catalogueNames()) assert.ok(msg.includes(n));
    assert.ok(catalogueNames().includes('docker.io/curlimages/curl'));
  });
});

describe('containerArgv (Kubernetes command/args rules)', () => {
  const curl = resolveImage('curlimages/curl')!;
  it('uses ENTRYPOINT + CMD by default', () =>
    assert.deepEqual(containerArgv(curl), ['/entrypoint.sh', 'curl']));
  it('args replace CMD', () =>
    assert.deepEqual(containerArgv(curl, undefined, ['-s', 'http://x']), [
      '/entrypoint.sh',
      '-s',
      'http://x',
    ]));
  it('command replaces ENTRYPOINT and drops CMD', () =>
    assert.deepEqual(containerArgv(curl, ['/bin/sleep', 'infinity']), ['/bin/sleep', 'infinity']));
  it('command + args', () => assert.deepEqual(containerArgv(curl, ['sleep'], ['3600']), ['sleep', '3600']));
  it('empty lists count as unset', () =>
    assert.deepEqual(containerArgv(curl, [], []), ['/entrypoint.sh', 'curl']));
});

describe('argument parsing', () => {
  it('finds ports the way the upstream images take them', () => {
    assert.equal(portFromArgv(['python', 'productpage.py', '9080'], 1), 9080);
    assert.equal(portFromArgv(['gunicorn', '-b', '[::]:5000', 'app:app'], 1), 5000);
    assert.equal(portFromArgv(['gunicorn', '--bind=0.0.0.0:8000', 'app:app', '-w', '4'], 1), 8000);
    assert.equal(portFromArgv(['/opt/ol/wlp/bin/server', 'run', 'defaultServer'], 9080), 9080);
  });

  it('parses sleep operands', () => {
    assert.equal(parseSleep(['infinity']), Infinity);
    assert.equal(parseSleep(['3600']), 3_600_000);
    assert.equal(parseSleep(['1m', '30s']), 90_000);
    assert.equal(parseSleep(['0.5']), 500);
    assert.equal(parseSleep(['soon']), undefined);
    assert.equal(parseSleep([]), undefined);
  });

  it('parses Go durations and httpbin delays', () => {
    assert.equal(parseGoDuration('1m30s'), 90_000);
    assert.equal(parseGoDuration('250ms'), 250);
    assert.equal(parseGoDuration('1.5h'), 5_400_000);
    assert.equal(parseGoDuration('10'), undefined);
    assert.equal(parseDelay('1.5'), 1500);
    assert.equal(parseDelay('2s'), 2000);
    assert.equal(parseDelay('x'), undefined);
  });

  it('lets go-httpbin flags win over env, env over defaults', () => {
    assert.equal(parseHttpbinArgs([], {}).port, 8080);
    assert.equal(parseHttpbinArgs([], { PORT: '9000' }).port, 9000);
    assert.equal(parseHttpbinArgs(['-port', '7000'], { PORT: '9000' }).port, 7000);
    assert.equal(parseHttpbinArgs(['--port=7001'], {}).port, 7001);
    assert.equal(parseHttpbinArgs(['-max-duration', '2s'], {}).maxDurationMs, 2000);
    assert.equal(parseHttpbinArgs([], { MAX_DURATION: '3s' }).maxDurationMs, 3000);
    assert.throws(() => parseHttpbinArgs(['-bogus', '1'], {}), /flag provided but not defined: -bogus/);
    assert.throws(() => parseHttpbinArgs(['-port', 'x'], {}), /invalid value "x" for port/);
  });
});

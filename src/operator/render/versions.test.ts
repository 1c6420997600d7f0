import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  DEFAULT_VERSION,
  isEndOfLife,
  resolveVersion,
  supportedVersionNames,
  versionNames,
} from './versions.js';
import { RenderValidationError } from './types.js';

test('concrete versions resolve to themselves with their semver and minor', () => {
  assert.deepEqual(resolveVersion('v1.24.3'), { name: 'v1.24.3', version: '1.24.3', minor: '1.24' });
  assert.deepEqual(resolveVersion('v1.31.0-beta.1'), {
    name: 'v1.31.0-beta.1',
    version: '1.31.0-beta.1',
    minor: '1.31',
  });
});

test('vX.Y-latest aliases resolve to the newest patch of that minor', () => {
  assert.equal(resolveVersion('v1.24-latest').name, 'v1.24.6');
  assert.equal(resolveVersion('v1.23-latest').name, 'v1.23.6');
  assert.equal(resolveVersion('v1.30-latest').name, 'v1.30.3');
  assert.equal(resolveVersion('master').name, 'v1.32.0-alpha.527f8d6c');
});

test('latest and an empty version resolve to the default, the first supported concrete version', () => {
  assert.equal(DEFAULT_VERSION, 'v1.31.0-beta.1');
  assert.equal(resolveVersion('latest').name, DEFAULT_VERSION);
  assert.equal(resolveVersion(undefined).name, DEFAULT_VERSION);
  assert.equal(resolveVersion('').name, DEFAULT_VERSION);
});

test('unknown versions are rejected with the supported list', () => {
  assert.throws(
    () => resolveVersion('v9.9.9'),
    (e: unknown) =>
      e instanceof RenderValidationError &&
      /unsupported version "v9\.9\.9"/.test(e.message) &&
      /v1\.24-latest/.test(e.message),
  );
});

test('end-of-life versions stay in the accepted names but are rejected at resolution', () => {
  assert.ok(versionNames().includes('v1.22.8'));
  assert.ok(isEndOfLife('v1.22.8'));
  assert.ok(isEndOfLife('v1.22-latest'));
  assert.ok(!isEndOfLife('v1.24.6'));
  assert.ok(!supportedVersionNames().includes('v1.22.8'));
  assert.throws(() => resolveVersion('v1.22.8'), /end-of-life/);
  assert.throws(() => resolveVersion('v1.22-latest'), /end-of-life/);
});

test('every alias points at a concrete version and every name is unique', () => {
  const names = versionNames();
  assert.equal(new Set(names).size, names.length);
  for (const name of supportedVersionNames()) assert.doesNotThrow(() => resolveVersion(name), name);
});

test('the guide versions (v1.23.0, v1.24.3, v1.24.6) are supported', () => {
  for (const v of ['v1.23.0', 'v1.24.3', 'v1.24.6']) assert.equal(resolveVersion(v).name, v);
});

test('every version name the upstream Istio CRD accepts is known here', (t) => {
  const crd = new URL(
    '../../../../../shared/upstream/sail-operator/chart/crds/sailoperator.io_istios.yaml',
    import.meta.url,
  );
  if (!existsSync(crd)) return t.skip('upstream CRD not available');
  const doc = parse(readFileSync(crd, 'utf8'));
  const upstream: string[] =
    doc.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.version.enum;
  const ours = new Set(versionNames());
  assert.deepEqual(
    upstream.filter((v) => !ours.has(v)),
    [],
  );
});

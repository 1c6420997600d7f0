// The generated CRDs against the upstream ones (read as test input only): names, scope, versions,
// printer columns, defaults and enums must match, and every typed field must exist upstream with
// the same type. The generated sailoperator.io CRDs are also kept as golden files.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { istioConfigCrds, sailCrds } from './index.js';

const upstreamDir = new URL('../../../../../shared/upstream/sail-operator/chart/crds/', import.meta.url);
const golden = (name: string) => new URL(`../../../../src/operator/api/testdata/${name}`, import.meta.url);

type Obj = any;
const upstream = new Map<string, Obj>();
const generated = new Map<string, Obj>(
  [...sailCrds(), ...istioConfigCrds()].map((c: Obj) => [c.metadata.name, c]),
);

before(() => {
  for (const f of readdirSync(upstreamDir).filter((n) => n.endsWith('.yaml'))) {
    const crd = parse(readFileSync(new URL(f, upstreamDir), 'utf8'));
    upstream.set(crd.metadata.name, crd);
  }
});

test('every upstream CRD is generated, and nothing else', () => {
  assert.deepEqual([...generated.keys()].sort(), [...upstream.keys()].sort());
});

const column = (c: Obj) => ({
  name: c.name,
  jsonPath: c.jsonPath,
  type: c.type,
  priority: c.priority,
  format: c.format,
});

test('names, scope, versions and printer columns equal upstream', () => {
  for (const [name, up] of upstream) {
    const ours = generated.get(name);
    assert.ok(ours, name);
    assert.equal(ours.spec.group, up.spec.group, name);
    assert.equal(ours.spec.scope, up.spec.scope, name);
    assert.deepEqual(ours.spec.names, up.spec.names, name);
    const versions = (crd: Obj) =>
      crd.spec.versions.map((v: Obj) => ({
        name: v.name,
        served: v.served,
        storage: v.storage,
        deprecated: v.deprecated ?? false,
        subresources: v.subresources,
        columns: (v.additionalPrinterColumns ?? []).map(column),
      }));
    assert.deepEqual(versions(ours), versions(up), name);
  }
});

const specOf = (crd: Obj, version: string) =>
  crd.spec.versions.find((v: Obj) => v.name === version).schema.openAPIV3Schema.properties.spec;

test('sailoperator.io defaults, enums, required fields and CEL rules equal upstream', () => {
  for (const [name, up] of upstream) {
    if (up.spec.group !== 'sailoperator.io') continue;
    const ours = generated.get(name);
    for (const v of up.spec.versions) {
      const [u, o] = [specOf(up, v.name), specOf(ours, v.name)];
      const at = `${name} ${v.name}`;
      assert.deepEqual(o.default, u.default, at);
      assert.deepEqual(o.required, u.required, at);
      assert.deepEqual(Object.keys(o.properties).sort(), Object.keys(u.properties).sort(), at);
      for (const k of Object.keys(u.properties)) {
        if (k === 'values') continue;
        const strip = (s: Obj) =>
          JSON.parse(
            JSON.stringify(s, (key, val) =>
              key === 'description' ? undefined : key === 'enum' ? [...val].sort() : val,
            ),
          );
        assert.deepEqual(strip(o.properties[k]), strip(u.properties[k]), `${at} spec.${k}`);
      }
      const rules = (s: Obj) => (s['x-kubernetes-validations'] ?? []).map((r: Obj) => r.message);
      assert.deepEqual(rules(o), rules(u), at);
      const root = (c: Obj) => c.spec.versions.find((x: Obj) => x.name === v.name).schema.openAPIV3Schema;
      assert.deepEqual(rules(root(ours)), rules(root(up)), at);
      const status = (c: Obj) => root(c).properties.status;
      const statusKeys = (c: Obj) => Object.keys(status(c).properties).sort();
      assert.deepEqual(statusKeys(ours), statusKeys(up), at);
    }
  }
});

/** Every typed property we declare exists upstream with the same type (values included). */
function compareTyped(ours: Obj, up: Obj, at: string, problems: string[]): void {
  if (!up) return void problems.push(`${at}: not in the upstream schema`);
  if (up['x-kubernetes-preserve-unknown-fields'] && !up.properties && !up.items && !up.additionalProperties)
    return;
  const kind = (s: Obj) => (s['x-kubernetes-int-or-string'] ? 'int-or-string' : (s.type ?? 'any'));
  if (
    kind(ours) !== kind(up) &&
    kind(ours) !== 'any' &&
    !(kind(ours) === 'int-or-string' && kind(up) === 'string')
  )
    problems.push(`${at}: ${kind(ours)} here, ${kind(up)} upstream`);
  for (const [k, p] of Object.entries<Obj>(ours.properties ?? {}))
    compareTyped(p, up.properties?.[k], `${at}.${k}`, problems);
  if (ours.items && up.items) compareTyped(ours.items, up.items, `${at}[]`, problems);
  if (ours.additionalProperties && up.additionalProperties)
    compareTyped(ours.additionalProperties, up.additionalProperties, `${at}{}`, problems);
}

test('typed fields exist upstream with the same type', () => {
  const problems: string[] = [];
  for (const [name, up] of upstream) {
    const ours = generated.get(name);
    for (const v of up.spec.versions) {
      const root = (c: Obj) => c.spec.versions.find((x: Obj) => x.name === v.name).schema.openAPIV3Schema;
      compareTyped(root(ours).properties.spec, root(up).properties.spec, `${name}/${v.name} spec`, problems);
    }
  }
  assert.deepEqual(problems, []);
});

test('generated sailoperator.io CRDs match the golden files', () => {
  for (const crd of sailCrds() as Obj[]) {
    const file = golden(`${crd.metadata.name}.yaml`);
    if (process.env.UPDATE_GOLDEN)
      writeFileSync(file, stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false }));
    // Compared as data, so reformatting the YAML (prettier) does not break the test.
    assert.deepEqual(
      crd,
      parse(readFileSync(file, 'utf8')),
      `${crd.metadata.name} (rerun with UPDATE_GOLDEN=1 after review)`,
    );
  }
});

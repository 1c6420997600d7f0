// Test fixtures: the real CRDs and samples under /work/shared/upstream. Parsing ~4 MB of CRD YAML
// takes seconds, so the parsed documents are cached as JSON in the OS temp dir, keyed by file stat.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import type { KubeObject } from '../types.js';

export const UPSTREAM = '/work/shared/upstream';
export const CRD_DIRS = [
  `${UPSTREAM}/sail-operator/chart/crds`,
  `${UPSTREAM}/gateway-api/config/crd/standard`,
];
export const SAMPLES_DIR = `${UPSTREAM}/sail-operator/chart/samples`;

export function loadYamlDocs(file: string): KubeObject[] {
  const st = statSync(file);
  const dir = join(tmpdir(), 'mizzen-schema-fixtures');
  const cached = join(dir, `${file.replace(/[^a-zA-Z0-9]/g, '_')}-${st.size}-${Math.floor(st.mtimeMs)}.json`);
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as KubeObject[];
  const docs = YAML.parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: false })
    .map((d) => d.toJS({ maxAliasCount: -1 }) as KubeObject)
    .filter((d) => d && typeof d === 'object');
  mkdirSync(dir, { recursive: true });
  writeFileSync(cached, JSON.stringify(docs));
  return docs;
}

export function upstreamCrds(): KubeObject[] {
  const out: KubeObject[] = [];
  for (const d of CRD_DIRS) {
    for (const f of readdirSync(d).sort())
      out.push(...loadYamlDocs(join(d, f)).filter((o) => o.kind === 'CustomResourceDefinition'));
  }
  return out;
}

export function sampleFiles(): string[] {
  return [
    ...readdirSync(SAMPLES_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(SAMPLES_DIR, f)),
    ...readdirSync(join(SAMPLES_DIR, 'ambient')).map((f) => join(SAMPLES_DIR, 'ambient', f)),
  ].sort();
}

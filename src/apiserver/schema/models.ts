// Field lists of the @kubernetes/client-node models. The generated classes expose them through
// `getAttributeTypeMap()`, but importing the model modules costs ~350 ms of ESM loading, so the
// default source reads the same `attributeTypeMap` literal straight from the installed .js files
// (a few ms for the ~150 models a server needs). `classModelSource` gives the class-based view;
// the tests check that both agree.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface ModelAttribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

/** Returns the attributes of a model class (e.g. "V1DeploymentSpec"), or undefined if none exists. */
export type ModelSource = (model: string) => ModelAttribute[] | undefined;

let modelsDir: string | undefined;

/** Directory holding the generated model files (.js with attribute maps, .d.ts with JSDoc). */
export function clientNodeModelsDir(): string {
  if (!modelsDir) {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('@kubernetes/client-node/package.json');
    modelsDir = join(dirname(pkg), 'dist', 'gen', 'models');
  }
  return modelsDir;
}

const fileCache = new Map<string, ModelAttribute[] | null>();

export const fileModelSource: ModelSource = (model) => {
  const hit = fileCache.get(model);
  if (hit !== undefined) return hit ?? undefined;
  let attrs: ModelAttribute[] | null = null;
  if (/^[A-Za-z0-9]+$/.test(model)) {
    try {
      const text = readFileSync(join(clientNodeModelsDir(), `${model}.js`), 'utf8');
      const marker = `${model}.attributeTypeMap = `;
      const start = text.indexOf(marker);
      if (start >= 0) {
        const from = start + marker.length;
        const end = text.indexOf('\n];', from);
        attrs = JSON.parse(text.slice(from, end + 2)) as ModelAttribute[];
      }
    } catch {
      attrs = null;
    }
  }
  fileCache.set(model, attrs);
  return attrs ?? undefined;
};

interface ModelClass {
  getAttributeTypeMap(): ModelAttribute[];
}

/** A source backed by already-imported model classes (e.g. `import * as k8s from '@kubernetes/client-node'`). */
export function classModelSource(classes: Record<string, unknown>): ModelSource {
  return (model) => {
    const cls = classes[model] as ModelClass | undefined;
    return cls && typeof cls.getAttributeTypeMap === 'function' ? cls.getAttributeTypeMap() : undefined;
  };
}

// Server-owned metadata: what a create assigns and what an update may not change.
import { randomBytes, randomUUID } from 'node:crypto';
import type { ResourceInfo } from '../resources/resource.js';
import type { KubeObject } from '../types.js';

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** generateName plus five characters from the apiserver's alphabet (no vowels, no look-alikes). */
export function generatedName(prefix: string): string {
  const base = prefix.length > 58 ? prefix.slice(0, 58) : prefix;
  const bytes = randomBytes(5);
  let suffix = '';
  for (const b of bytes) suffix += alphabet[b % alphabet.length];
  return base + suffix;
}

export function stampCreate(obj: KubeObject, info: ResourceInfo, now: string): void {
  const m = obj.metadata;
  m.uid = randomUUID();
  m.creationTimestamp = now;
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  if (info.generation !== 'none') m.generation = 1;
  else delete m.generation;
  if (!info.namespaced) delete m.namespace;
}

/** Copies what only the server sets from the stored object. */
export function carryServerFields(obj: KubeObject, old: KubeObject): void {
  const m = obj.metadata;
  const o = old.metadata;
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  m.generation = o.generation;
  if (o.generation === undefined) delete m.generation;
  if (o.deletionTimestamp) {
    m.deletionTimestamp = o.deletionTimestamp;
    m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  } else {
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
  }
  if (m.selfLink !== undefined) delete m.selfLink;
}

const stable = (v: unknown): string => JSON.stringify(v ?? null);

/** Moves generation on as upstream does for the kind's rule. */
export function bumpGeneration(obj: KubeObject, old: KubeObject, info: ResourceInfo): void {
  if (info.generation === 'none') return;
  const gen = old.metadata.generation ?? 1;
  let changed: boolean;
  if (info.generation === 'spec') changed = stable(obj.spec) !== stable(old.spec);
  else {
    const strip = (o: KubeObject) => {
      const { metadata: _m, status, ...rest } = o;
      return stable(info.status ? rest : { ...rest, status });
    };
    changed = strip(obj) !== strip(old);
  }
  obj.metadata.generation = changed ? gen + 1 : gen;
}

/** True when a deleting object has no finalizers left, so the update completes the delete. */
export function deletionComplete(obj: KubeObject): boolean {
  if (!obj.metadata.deletionTimestamp) return false;
  if ((obj.metadata.finalizers ?? []).length > 0) return false;
  if (obj.kind === 'Namespace' && (obj.spec?.finalizers ?? []).length > 0) return false;
  return true;
}

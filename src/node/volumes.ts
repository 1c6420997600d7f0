// The files of configMap, secret, downwardAPI and projected volumes, computed from the API objects
// (pure), and written the way kubelet's atomic writer does: a new timestamped directory, then the
// `..data` symlink swapped to it by rename, with each top-level entry a symlink through `..data`, so a
// reader never sees a half-updated volume.
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, posix } from 'node:path';
import {
  configMapData,
  fieldPathValue,
  resourceFieldValue,
  secretData,
  DEFAULT_ALLOCATABLE,
  type PodFacts,
} from './env.js';

type Obj = any;

export interface ProjectedFile {
  /** Relative to the volume's root. */
  path: string;
  data: Buffer;
  mode: number;
}

export interface TokenSource {
  audience?: string;
  expirationSeconds?: number;
}

/** What projection reads: fetched objects (undefined when missing), issued tokens, the pod. */
export interface VolumeInputs {
  configMap(name: string): Obj | undefined;
  secret(name: string): Obj | undefined;
  token(source: TokenSource): string | undefined;
  pod: PodFacts;
  podSpec: Obj;
  allocatable?: Readonly<Record<string, string>>;
}

export type Projection = { files: ProjectedFile[] } | { error: string };

const DEFAULT_MODE = 0o644;
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

/** The kinds whose content the node writes (and keeps read-only); every other volume is a directory. */
export function isProjectedVolume(vol: Obj): boolean {
  return Boolean(vol.configMap || vol.secret || vol.downwardAPI || vol.projected);
}

/** The ConfigMaps, Secrets and token requests a pod's volumes read. */
export function volumeReferences(volumes: Obj[]): {
  configMaps: Set<string>;
  secrets: Set<string>;
  tokens: TokenSource[];
} {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const tokens: TokenSource[] = [];
  for (const v of volumes) {
    if (v.configMap?.name) configMaps.add(v.configMap.name);
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap?.name) configMaps.add(s.configMap.name);
      if (s.secret?.name) secrets.add(s.secret.name);
      if (s.serviceAccountToken)
        tokens.push({
          audience: s.serviceAccountToken.audience || undefined,
          expirationSeconds: s.serviceAccountToken.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS,
        });
    }
  }
  return { configMaps, secrets, tokens };
}

interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

function keyed(
  data: Record<string, Buffer>,
  items: KeyToPath[] | undefined,
  mode: number,
  optional: boolean,
  missingKey: (key: string) => string,
): ProjectedFile[] | string {
  if (!items?.length) return Object.entries(data).map(([path, d]) => ({ path, data: d, mode }));
  const out: ProjectedFile[] = [];
  for (const it of items) {
    const d = data[it.key];
    if (d === undefined) {
      if (optional) continue;
      return missingKey(it.key);
    }
    out.push({ path: it.path, data: d, mode: it.mode ?? mode });
  }
  return out;
}

function downward(items: Obj[], mode: number, inputs: VolumeInputs): ProjectedFile[] | string {
  const out: ProjectedFile[] = [];
  for (const it of items ?? []) {
    let value: string | undefined;
    if (it.fieldRef) {
      value = fieldPathValue(it.fieldRef.fieldPath, inputs.pod);
      if (value === undefined) return `unsupported fieldPath: ${it.fieldRef.fieldPath}`;
    } else if (it.resourceFieldRef) {
      try {
        value = resourceFieldValue(
          it.resourceFieldRef,
          inputs.podSpec,
          undefined,
          inputs.allocatable ?? DEFAULT_ALLOCATABLE,
        );
      } catch (err) {
        return (err as Error).message;
      }
    } else continue;
    out.push({ path: it.path, data: Buffer.from(value), mode: it.mode ?? mode });
  }
  return out;
}

function configMapFiles(src: Obj, mode: number, inputs: VolumeInputs): ProjectedFile[] | string {
  const cm = inputs.configMap(src.name);
  if (!cm) return src.optional ? [] : `configmap "${src.name}" not found`;
  return keyed(
    configMapData(cm),
    src.items,
    mode,
    Boolean(src.optional),
    (k) => `configmap references non-existent config key: ${k}`,
  );
}

function secretFiles(name: string, src: Obj, mode: number, inputs: VolumeInputs): ProjectedFile[] | string {
  const s = inputs.secret(name);
  if (!s) return src.optional ? [] : `secret "${name}" not found`;
  return keyed(
    secretData(s),
    src.items,
    mode,
    Boolean(src.optional),
    (k) => `references non-existent secret key: ${k}`,
  );
}

/** The files of one volume; undefined for a volume that is a plain directory (emptyDir and the rest). */
export function projectVolume(vol: Obj, inputs: VolumeInputs): Projection | undefined {
  let r: ProjectedFile[] | string;
  if (vol.configMap) r = configMapFiles(vol.configMap, vol.configMap.defaultMode ?? DEFAULT_MODE, inputs);
  else if (vol.secret)
    r = secretFiles(vol.secret.secretName, vol.secret, vol.secret.defaultMode ?? DEFAULT_MODE, inputs);
  else if (vol.downwardAPI)
    r = downward(vol.downwardAPI.items, vol.downwardAPI.defaultMode ?? DEFAULT_MODE, inputs);
  else if (vol.projected) {
    const mode = vol.projected.defaultMode ?? DEFAULT_MODE;
    const files: ProjectedFile[] = [];
    for (const s of vol.projected.sources ?? []) {
      let part: ProjectedFile[] | string = [];
      if (s.configMap) part = configMapFiles(s.configMap, mode, inputs);
      else if (s.secret) part = secretFiles(s.secret.name, s.secret, mode, inputs);
      else if (s.downwardAPI) part = downward(s.downwardAPI.items, mode, inputs);
      else if (s.serviceAccountToken) {
        const src = s.serviceAccountToken;
        const token = inputs.token({
          audience: src.audience || undefined,
          expirationSeconds: src.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS,
        });
        if (token === undefined)
          part = `failed to fetch token for service account ${inputs.pod.serviceAccountName}`;
        else part = [{ path: src.path, data: Buffer.from(token), mode }];
      }
      if (typeof part === 'string') {
        r = part;
        break;
      }
      files.push(...part);
    }
    r ??= files;
  } else return undefined;
  if (typeof r === 'string') return { error: r };
  for (const f of r) {
    const bad = checkPath(f.path);
    if (bad) return { error: bad };
  }
  return { files: r };
}

/** Volume file paths are relative, without `..`, and may not start with `..` (the writer's own names). */
function checkPath(p: string): string | undefined {
  if (!p || p.startsWith('/')) return `invalid volume file path ${JSON.stringify(p)}: must be relative`;
  const parts = p.split('/');
  if (parts.some((x) => x === '..'))
    return `invalid volume file path ${JSON.stringify(p)}: must not contain '..'`;
  if (parts[0]!.startsWith('..'))
    return `invalid volume file path ${JSON.stringify(p)}: must not start with '..'`;
  return undefined;
}

/** A stable fingerprint of a file set, to skip rewriting a volume whose content did not change. */
export function fingerprint(files: ProjectedFile[]): string {
  return JSON.stringify(
    [...files]
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((f) => [f.path, f.mode, f.data.toString('base64')]),
  );
}

const DATA = '..data';
const DATA_TMP = '..data_tmp';

const stamp = () => {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `..${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.`;
};

/** Replaces the volume's content at `dir` with `files` in one rename of `..data`. */
export function writeAtomic(dir: string, files: ProjectedFile[]): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const next = mkdtempSync(join(dir, stamp()));
  chmodSync(next, 0o755);
  for (const f of files) {
    const path = join(next, ...posix.normalize(f.path).split('/'));
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    writeFileSync(path, f.data, { mode: f.mode });
    // The umask applies at creation; the mode is the volume's, not the agent's.
    chmodSync(path, f.mode);
  }
  const tmp = join(dir, DATA_TMP);
  rmSync(tmp, { force: true });
  symlinkSync(next.slice(dir.length + 1), tmp);
  renameSync(tmp, join(dir, DATA));
  const top = new Set(files.map((f) => posix.normalize(f.path).split('/')[0]!));
  for (const name of top) {
    const link = join(dir, name);
    const target = `${DATA}/${name}`;
    let current: string | undefined;
    try {
      current = readlinkSync(link);
    } catch {
      /* missing, or not a symlink */
    }
    if (current === target) continue;
    rmSync(link, { recursive: true, force: true });
    symlinkSync(target, link);
  }
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry === DATA || path === next) continue;
    if (entry.startsWith('..')) rmSync(path, { recursive: true, force: true });
    else if (!top.has(entry) && lstatSync(path).isSymbolicLink()) rmSync(path, { force: true });
  }
}

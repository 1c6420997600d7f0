import { RenderValidationError } from './types.js';

/**
 * The Istio versions the operator accepts. Every supported version is served by the istiod of this build;
 * the name still flows into revision names, images, labels and status as it does upstream, so the guide's
 * upgrade procedures behave the same. Order matters: newest first, and the first supported concrete version
 * is the default (upstream's rule). v1.23/v1.24 stay supported (upstream marks them end-of-life) because
 * the OpenShift Service Mesh 3.0 guide installs them.
 */
type Entry = { name: string; version: string } | { name: string; ref: string } | { name: string; eol: true };

const concrete = (minor: string, patches: (number | string)[]): Entry[] =>
  patches.map((p) => ({ name: `v${minor}.${p}`, version: `${minor}.${p}` }));
const alias = (minor: string, ref: string): Entry => ({ name: `v${minor}-latest`, ref });
const eol = (names: string[]): Entry[] => names.map((name) => ({ name, eol: true as const }));

const ENTRIES: readonly Entry[] = [
  alias('1.31', 'v1.31.0-beta.1'),
  ...concrete('1.31', ['0-beta.1']),
  alias('1.30', 'v1.30.3'),
  ...concrete('1.30', [3, 2, 1, 0]),
  alias('1.29', 'v1.29.6'),
  ...concrete('1.29', [6, 5, 4, 3, 2, 1, 0]),
  alias('1.28', 'v1.28.10'),
  ...concrete('1.28', [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]),
  alias('1.27', 'v1.27.9'),
  ...concrete('1.27', [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]),
  alias('1.26', 'v1.26.8'),
  ...concrete('1.26', [8, 7, 6, 5, 4, 3, 2, 1, 0]),
  alias('1.25', 'v1.25.5'),
  ...concrete('1.25', [5, 4, 3, 2, 1]),
  alias('1.24', 'v1.24.6'),
  ...concrete('1.24', [6, 5, 4, 3, 2, 1, 0]),
  alias('1.23', 'v1.23.6'),
  ...concrete('1.23', [6, 5, 4, 3, 2, 0]),
  ...eol(['v1.22-latest', 'v1.22.8', 'v1.22.7', 'v1.22.6', 'v1.22.5', 'v1.21.6']),
  { name: 'master', ref: 'v1.32.0-alpha.527f8d6c' },
  { name: 'v1.32.0-alpha.527f8d6c', version: '1.32.0-alpha.527f8d6c' },
];

const BY_NAME = new Map(ENTRIES.map((e) => [e.name, e]));

/** A concrete version: `name` as in specs (`v1.24.6`), `version` the semver (`1.24.6`). */
export interface ResolvedVersion {
  name: string;
  version: string;
  /** `1.24`: for `vX.Y-latest` and compatibility decisions. */
  minor: string;
}

/** Every name the API accepts (CRD enum order), end-of-life names included for compatibility. */
export function versionNames(): string[] {
  return ENTRIES.map((e) => e.name);
}

/** Names that resolve to a usable version (concrete, aliases and `latest`). */
export function supportedVersionNames(): string[] {
  return [...ENTRIES.filter((e) => !('eol' in e)).map((e) => e.name), 'latest'];
}

export const DEFAULT_VERSION: string = (ENTRIES.find((e) => 'version' in e) as { name: string }).name;

export function isEndOfLife(name: string): boolean {
  const e = BY_NAME.get(name);
  return e !== undefined && 'eol' in e;
}

/**
 * Maps a spec.version (concrete, `vX.Y-latest`, `latest`, `master` or empty for the default) to the
 * concrete version. Unknown and end-of-life names throw RenderValidationError.
 */
export function resolveVersion(name: string | undefined): ResolvedVersion {
  const wanted = !name || name === 'latest' ? DEFAULT_VERSION : name;
  let entry = BY_NAME.get(wanted);
  for (let hops = 0; entry && 'ref' in entry && hops < 4; hops++) entry = BY_NAME.get(entry.ref);
  if (!entry) {
    throw new RenderValidationError(
      `spec.version: unsupported version "${name}"; supported versions: ${supportedVersionNames().join(', ')}`,
    );
  }
  if ('eol' in entry) {
    throw new RenderValidationError(
      `spec.version: version "${name}" has reached end-of-life and is no longer supported; ` +
        `upgrade to one of ${supportedVersionNames().join(', ')}`,
    );
  }
  if (!('version' in entry)) throw new RenderValidationError(`spec.version: cannot resolve "${name}"`);
  return { name: entry.name, version: entry.version, minor: entry.version.split('.').slice(0, 2).join('.') };
}

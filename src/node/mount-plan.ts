// The mounts a container gets (volume directory on the host → path in the container) and the pure
// path logic container-init uses to build the container's root: /proc/self/mountinfo parsing, which
// mounts sit directly under a path, and symlink resolution confined to a root.
import { lstatSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';

export interface MountSpec {
  /** Absolute host path: a volume directory, or a file or directory inside one (subPath). */
  source: string;
  /** Absolute path inside the container. */
  target: string;
  readOnly: boolean;
}

export interface MountPlan {
  /**
   * A directory in the pod's state dir on which container-init mounts a private tmpfs for the overlay
   * layers (so a mountPath that does not exist is created in the container's own layer, never on the host).
   */
  scratch: string;
  mounts: MountSpec[];
}

export interface MountEntry {
  id: number;
  parent: number;
  mountPoint: string;
  fsType: string;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
const unescape = (s: string) =>
  s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    out.push({
      id: Number(f[0]),
      parent: Number(f[1]),
      mountPoint: unescape(f[4] ?? ''),
      fsType: sep > 0 ? (f[sep + 1] ?? '') : '',
    });
  }
  return out;
}

/** True when `path` is `base` or below it (component-wise). */
export function isUnder(path: string, base: string): boolean {
  return base === '/' ? path.startsWith('/') : path === base || path.startsWith(base + '/');
}

/**
 * The mount points strictly below `base` that no other listed mount point below `base` contains:
 * what `mount --rbind` of each recreates the visible tree under `base`. Mount points under `exclude`
 * are left out.
 */
export function topLevelUnder(
  mountPoints: readonly string[],
  base: string,
  exclude: readonly string[] = [],
): string[] {
  const below = [...new Set(mountPoints)]
    .filter((p) => p !== base && isUnder(p, base) && !exclude.some((x) => isUnder(p, x)))
    .sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const kept: string[] = [];
  for (const p of below) if (!kept.some((k) => isUnder(p, k))) kept.push(p);
  return kept;
}

/** The mount point whose mount holds `path`: the longest listed mount point above or at it. */
export function containingMount(path: string, mountPoints: readonly string[]): string {
  let best = '/';
  for (const p of mountPoints) if (isUnder(path, p) && p.length > best.length) best = p;
  return best;
}

export interface Resolved {
  /** The deepest existing directory or file, symlinks resolved, as a path inside the root. */
  existing: string;
  /** The components below it that do not exist yet. */
  missing: string[];
}

const MAX_SYMLINKS = 40;

/**
 * Resolves `path` as if `root` were `/`: absolute symlinks restart at `root`, `..` stops at it. The
 * container's /var/run → /run must land in the container's /run, never the host's.
 */
export function resolveInRoot(root: string, path: string): Resolved {
  const host = (p: string) => (root === '/' ? p : posix.join(root, p));
  let pending = posix
    .normalize('/' + path)
    .split('/')
    .filter(Boolean);
  let cur = '/';
  let hops = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    const next = posix.join(cur, name);
    let st;
    try {
      st = lstatSync(host(next));
    } catch {
      return { existing: cur, missing: [name, ...pending] };
    }
    if (st.isSymbolicLink()) {
      if (++hops > MAX_SYMLINKS) throw new Error(`too many levels of symbolic links in ${path}`);
      const link = readlinkSync(host(next));
      const base = link.startsWith('/') ? '/' : cur;
      // normalize clamps `..` at `/`, so a relative link cannot climb out of the root.
      const joined = posix.normalize(posix.join('/', base, link));
      pending = [...joined.split('/').filter(Boolean), ...pending];
      cur = '/';
      continue;
    }
    cur = next;
    if (!st.isDirectory() && pending.length > 0) throw new Error(`${next} is not a directory (in ${path})`);
  }
  return { existing: cur, missing: [] };
}

/** Parents before children, so a mount inside another mount's path lands on top of it. */
export function mountOrder(mounts: readonly MountSpec[]): MountSpec[] {
  const depth = (m: MountSpec) => posix.normalize(m.target).split('/').filter(Boolean).length;
  return [...mounts]
    .map((m, i) => ({ m, i }))
    .sort((a, b) => depth(a.m) - depth(b.m) || a.i - b.i)
    .map((x) => x.m);
}

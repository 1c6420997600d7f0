#!/usr/bin/env node
// A container's first process when it has volumes:
//   node container-init.js <plan.json> <program.js> [program args...]
// It runs inside the container's fresh mount namespace (unshare made every mount private, so nothing
// here reaches the host's mount table), builds the container's root, then runs the program in this
// same process so the container's pid 1 stays one node process.
//
// The root is an overlay whose lower layer is the host's `/` and whose upper layer lives on a tmpfs
// private to this namespace, with the host's other mounts bound back in. Directories a mountPath needs
// are created in an upper layer (the host tree is never written); a mount whose own tree would be
// written (say /run as a tmpfs) gets an overlay of its own. The volume directories are bound in, and
// pivot_root makes that tree the namespace's root, which is also what `nsenter --mount` enters.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  containingMount,
  isUnder,
  mountOrder,
  parseMountinfo,
  resolveInRoot,
  topLevelUnder,
  type MountPlan,
} from './mount-plan.js';

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')}: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`,
    );
}

/** Mizzen's own files (the "image" contents) stay reachable here whatever the volumes shadow. */
export const INSTALL_DIR_IN_CONTAINER = '/.mizzen';
// dist/src/node/container-init.js → the package root.
const installDir = posix.resolve(posix.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where a file of the installation is found inside the container's root. */
export function pathInContainer(p: string): string {
  return isUnder(p, installDir) ? posix.join(INSTALL_DIR_IN_CONTAINER, posix.relative(installDir, p)) : p;
}

const mountPoints = () =>
  parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).map((m) => m.mountPoint);
const inRoot = (root: string, p: string) => (p === '/' ? root : posix.join(root, p));

export function setUpMounts(plan: MountPlan): void {
  const scratch = plan.scratch;
  run('mount', ['-t', 'tmpfs', '-o', 'mode=0700', 'mizzen-scratch', scratch]);
  const host = mountPoints().filter((p) => !isUnder(p, scratch));
  const root = posix.join(scratch, 'root');
  let layers = 0;
  // Stacks an overlay of the host's mount at `mp` onto the root's copy of it, and binds back the
  // host mounts below `mp` that the overlay hides.
  const overlay = (mp: string) => {
    const n = layers++;
    const upper = posix.join(scratch, `upper${n}`);
    const work = posix.join(scratch, `work${n}`);
    mkdirSync(upper);
    mkdirSync(work);
    const at = inRoot(root, mp);
    if (mp === '/') mkdirSync(root);
    run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${mp},upperdir=${upper},workdir=${work}`, at]);
    // Unbindable, so the rbinds below never copy the root under construction into itself.
    run('mount', ['--make-unbindable', at]);
    for (const p of topLevelUnder(host, mp, [scratch])) {
      try {
        run('mount', ['--rbind', p, inRoot(root, p)]);
      } catch (err) {
        // A mount point the overlay cannot show (say, over a deleted path) is left out.
        process.stderr.write(`container-init: ${(err as Error).message}\n`);
      }
    }
  };
  overlay('/');
  const writable = new Set(['/']);

  // Every host mount a missing mountPath would be created in gets its own overlay, parents first.
  const needed = new Set<string>();
  for (const m of plan.mounts) {
    const r = resolveInRoot('/', m.target);
    if (r.missing.length > 0) needed.add(containingMount(r.existing, host));
  }
  for (const mp of [...needed].filter((p) => p !== '/').sort((a, b) => a.length - b.length)) {
    overlay(mp);
    writable.add(mp);
  }

  const bound: string[] = [];
  for (const m of mountOrder(plan.mounts)) {
    const r = resolveInRoot(root, m.target);
    let target = r.existing;
    if (r.missing.length > 0) {
      const holder = containingMount(inRoot(root, r.existing), mountPoints());
      const ours = [...writable].map((p) => inRoot(root, p)).concat(bound.map((p) => inRoot(root, p)));
      if (!ours.includes(holder))
        throw new Error(`refusing to create ${m.target}: ${r.existing} is not in the container's own layer`);
      target = posix.join(r.existing, ...r.missing);
      const isFile = !statIsDir(m.source);
      mkdirSync(inRoot(root, isFile ? posix.dirname(target) : target), { recursive: true, mode: 0o755 });
      if (isFile) closeSync(openSync(inRoot(root, target), 'a', 0o644));
    }
    run('mount', ['--bind', m.source, inRoot(root, target)]);
    bound.push(target);
    if (m.readOnly) run('mount', ['-o', 'remount,bind,ro', inRoot(root, target)]);
  }

  // A volume at, say, /tmp must not hide the program when Mizzen is installed below it.
  mkdirSync(inRoot(root, INSTALL_DIR_IN_CONTAINER));
  run('mount', ['--rbind', '-o', 'ro', installDir, inRoot(root, INSTALL_DIR_IN_CONTAINER)]);

  const cwd = process.cwd();
  // pivot_root(".", ".") stacks the old root on the new one; detaching it leaves the new root alone.
  run('sh', ['-c', 'cd "$1" && pivot_root . . && umount -l .', 'sh', root]);
  try {
    process.chdir(cwd);
  } catch {
    process.chdir('/');
  }
}

const statIsDir = (p: string) => statSync(p).isDirectory();

async function main(): Promise<void> {
  const [planFile, program, ...args] = process.argv.slice(2);
  if (!planFile || !program) {
    process.stderr.write('usage: container-init.js <plan.json> <program.js> [args...]\n');
    process.exit(2);
  }
  // Until the program installs its own handlers, a stop request ends the set-up at once.
  const early = () => process.exit(143);
  process.on('SIGTERM', early);
  let entry = program;
  try {
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as MountPlan;
    if (plan.mounts.length > 0) {
      setUpMounts(plan);
      entry = pathInContainer(posix.resolve(program));
    }
  } catch (err) {
    process.stderr.write(`container-init: ${(err as Error).message}\n`);
    process.exit(128);
  }
  process.off('SIGTERM', early);
  process.argv = [process.argv[0]!, entry, ...args];
  await import(pathToFileURL(entry).href);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();

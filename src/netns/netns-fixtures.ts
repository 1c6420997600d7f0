// Helpers for this folder's tests: real namespaces with unique names, always removed.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { run } from './exec.js';

export const IS_ROOT = process.getuid?.() === 0;
export const SKIP_UNLESS_ROOT = IS_ROOT ? false : 'needs root (CAP_NET_ADMIN) for network namespaces';

/** A cluster name unique to this test process; short so that derived names stay readable. */
export function testClusterName(tag: string): string {
  return `t${tag}-${randomBytes(3).toString('hex')}`;
}

export async function addTestNetns(name: string): Promise<void> {
  await run(['ip', 'netns', 'add', name]);
  await run(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
}

export async function deleteNetns(name: string): Promise<void> {
  await run(['ip', 'netns', 'del', name]).catch(() => {});
}

/**
 * Starts `node -e <script>` inside a namespace and resolves with the first line it prints (e.g. its
 * port). The caller kills the returned process by its pid.
 */
export function nodeInNetns(
  netns: string,
  script: string,
): Promise<{ child: ChildProcess; firstLine: string }> {
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node in ${netns} printed nothing in 5 s: ${err}`));
    }, 5000);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve({ child, firstLine: out.slice(0, nl) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node in ${netns} exited with ${code}: ${err}`));
    });
  });
}

export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

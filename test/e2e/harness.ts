// End-to-end test harness: a real cluster started through the `mizzen` CLI in a private
// MIZZEN_HOME, and the real kubectl pointed at it. Every cluster is torn down after the test,
// whether it passed or not.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const sharedDir = resolve(repoRoot, '..', 'shared');
export const mizzenBin = join(repoRoot, 'bin', 'mizzen.js');

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestCluster {
  name: string;
  home: string;
  kubeconfig: string;
  env: NodeJS.ProcessEnv;
  /** Runs the real kubectl against this cluster. */
  kubectl(
    args: string[],
    opts?: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv },
  ): CommandResult;
  /** Like kubectl() but throws with the output when the exit code is not 0. */
  kubectlOk(args: string[], opts?: { input?: string; timeoutMs?: number }): string;
  /** Starts kubectl in the background (for -w and wait). */
  kubectlSpawn(args: string[]): ReturnType<typeof spawn>;
  mizzen(args: string[]): CommandResult;
  apiUrl(): string;
  down(): void;
}

const result = (r: SpawnSyncReturns<string>): CommandResult => ({
  code: r.status ?? -1,
  stdout: r.stdout ?? '',
  stderr: r.stderr ?? '',
});

export interface StartOptions {
  /**
   * Nodes that run pods. Default 0: most API tests need no pods, and without nodes a cluster starts
   * in a fraction of the time (`mizzen up` itself defaults to 2).
   */
  nodes?: number;
}

/** Starts a cluster with a unique name in a fresh MIZZEN_HOME. Call down() in an after hook. */
export function startCluster(prefix = 'e2e', opts: StartOptions = {}): TestCluster {
  const home = mkdtempSync(join(tmpdir(), 'mizzen-e2e-'));
  const name = `${prefix}-${process.pid}-${Math.floor(Math.random() * 1e6)}`.slice(0, 40);
  const cacheDir = join(home, 'kube-cache');
  const env: NodeJS.ProcessEnv = { ...process.env, MIZZEN_HOME: home, HOME: home, KUBECACHEDIR: cacheDir };
  const mizzen = (args: string[]) =>
    result(spawnSync(process.execPath, [mizzenBin, ...args], { env, encoding: 'utf8', timeout: 120_000 }));
  const up = mizzen(['up', '--name', name, '--nodes', String(opts.nodes ?? 0)]);
  if (up.code !== 0) {
    mizzen(['down', '--name', name]);
    rmSync(home, { recursive: true, force: true });
    throw new Error(`mizzen up failed (${up.code}): ${up.stdout}\n${up.stderr}`);
  }
  const kubeconfig = join(home, 'clusters', name, 'kubeconfig');
  env.KUBECONFIG = kubeconfig;
  let stopped = false;
  const kubectl: TestCluster['kubectl'] = (args, opts = {}) =>
    result(
      spawnSync('kubectl', args, {
        env: { ...env, ...(opts.env ?? {}) },
        encoding: 'utf8',
        input: opts.input,
        timeout: opts.timeoutMs ?? 60_000,
      }),
    );
  return {
    name,
    home,
    kubeconfig,
    env,
    kubectl,
    kubectlOk(args, opts) {
      const r = kubectl(args, opts);
      if (r.code !== 0)
        throw new Error(
          `kubectl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
        );
      return r.stdout;
    },
    kubectlSpawn: (args) => spawn('kubectl', args, { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    mizzen,
    apiUrl: () =>
      `https://127.0.0.1:${JSON.parse(readFileSync(join(home, 'clusters', name, 'cluster.json'), 'utf8')).port}`,
    down() {
      if (stopped) return;
      stopped = true;
      mizzen(['down', '--name', name]);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface PrivateCluster {
  home: string;
  name: string;
  env: NodeJS.ProcessEnv;
  run(cmd: string, args: string[], input?: string): CommandResult;
  /** Like run() but throws with the output when the exit code is not 0. */
  ok(cmd: string, args: string[], input?: string): string;
}

/**
 * A fresh MIZZEN_HOME and cluster name, and commands run against them (`mizzen`, `kubectl`, `ip`, ...),
 * for tests that start the cluster themselves (with nodes, and arguments of their own).
 */
export function privateCluster(prefix: string): PrivateCluster {
  const home = mkdtempSync(join(tmpdir(), `mizzen-${prefix}-`));
  const name = `${prefix}-${process.pid % 100000}-${Math.floor(Math.random() * 1e4)}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MIZZEN_HOME: home,
    HOME: home,
    KUBECACHEDIR: join(home, 'kube-cache'),
    KUBECONFIG: join(home, 'clusters', name, 'kubeconfig'),
  };
  const run = (cmd: string, args: string[], input?: string) =>
    result(spawnSync(cmd, args, { env, encoding: 'utf8', input, timeout: 120_000 }));
  const ok = (cmd: string, args: string[], input?: string): string => {
    const r = run(cmd, args, input);
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  return { home, name, env, run, ok };
}

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Env, Program, RunContext } from './program.js';

/**
 * What a container runs when its command is not the image's own program: `sleep` is emulated (so an idle
 * client pod costs no extra process and stops at once on SIGTERM); anything else (`curl`, `sh -c ...`) is the
 * host's binary of that name, as `kubectl exec` runs host binaries. The runner starts this process inside the
 * pod's network namespace, so these reach only what the pod reaches.
 */

const SLEEP_UNITS: Record<string, number> = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** GNU/busybox sleep operands: numbers with optional s/m/h/d suffixes, summed; `infinity` never ends. */
export function parseSleep(args: readonly string[]): number | undefined {
  if (args.length === 0) return undefined;
  let total = 0;
  for (const a of args) {
    if (/^(inf|infinity)$/i.test(a)) return Infinity;
    const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(a);
    if (!m) return undefined;
    total += Number(m[1]) * SLEEP_UNITS[m[2]!]!;
  }
  return total;
}

function sleepProgram(args: readonly string[], ctx: RunContext): Program {
  const ms = parseSleep(args);
  if (ms === undefined) {
    ctx.stderr.write(
      args.length ? `sleep: invalid time interval '${args[0]}'\n` : 'sleep: missing operand\n',
    );
    return { ports: [], exited: Promise.resolve(1), stop() {} };
  }
  let finish!: (code: number) => void;
  const exited = new Promise<number>((r) => (finish = r));
  // setTimeout caps at ~24.8 days, so long sleeps re-arm in steps.
  const deadline = Date.now() + ms;
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = deadline - Date.now();
    if (left <= 0) return finish(0);
    timer = setTimeout(arm, Math.min(left, 2 ** 31 - 1));
  };
  arm();
  return {
    ports: [],
    exited,
    stop() {
      clearTimeout(timer);
      finish(0);
    },
  };
}

/** `command -v`: an absolute/relative path that exists, or the first PATH entry holding the name. */
export function which(cmd: string, env: Env): string | undefined {
  const executable = (p: string) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (cmd.includes('/')) return executable(cmd) ? cmd : undefined;
  for (const dir of (env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const p = path.join(dir || '.', cmd);
    if (executable(p)) return p;
  }
  return undefined;
}

function childProgram(file: string, argv: readonly string[], ctx: RunContext): Program {
  const inherit = ctx.stdout === process.stdout && ctx.stderr === process.stderr;
  const env = Object.fromEntries(Object.entries(ctx.env).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const child = spawn(file, argv.slice(1), {
    argv0: argv[0],
    env,
    stdio: [ctx.stdin ?? 'ignore', inherit ? 'inherit' : 'pipe', inherit ? 'inherit' : 'pipe'],
  });
  if (!inherit) {
    child.stdout?.pipe(ctx.stdout, { end: false });
    child.stderr?.pipe(ctx.stderr, { end: false });
  }
  const exited = new Promise<number>((resolve) => {
    child.on('error', (err) => {
      ctx.stderr.write(`exec ${argv[0]}: ${err.message}\n`);
      resolve(126);
    });
    // Wait for the pipes to drain too, so callers see all output once `exited` resolves.
    child.on('close', (code, signal) => {
      const signo = signal
        ? (({ SIGTERM: 15, SIGKILL: 9, SIGINT: 2 } as Record<string, number>)[signal] ?? 1)
        : 0;
      resolve(code ?? 128 + signo);
    });
  });
  return {
    ports: [],
    exited,
    stop() {
      child.kill('SIGTERM');
    },
  };
}

/** Runs argv as a generic command: emulated sleep, else the host binary, else exit 127 like a shell would. */
export function runCommand(argv: readonly string[], ctx: RunContext): Program {
  const name = path.basename(argv[0] ?? '');
  if (name === 'sleep') return sleepProgram(argv.slice(1), ctx);
  const file = which(argv[0]!, ctx.env) ?? (argv[0]!.includes('/') ? which(name, ctx.env) : undefined);
  if (!file) {
    ctx.stderr.write(`exec: "${argv[0]}": executable file not found in $PATH\n`);
    return { ports: [], exited: Promise.resolve(127), stop() {} };
  }
  return childProgram(file, argv, ctx);
}

/**
 * curlimages/curl's entrypoint script: when the first argument is an option or not a command, the
 * arguments are curl's (`args: ["-sS", "http://httpbin:8000/get"]`); otherwise they are a command to run.
 */
export function runCurlEntrypoint(args: readonly string[], ctx: RunContext): Program {
  const first = args[0];
  const isCommand =
    first !== undefined &&
    !first.startsWith('-') &&
    (path.basename(first) === 'sleep' || which(first, ctx.env) !== undefined);
  return runCommand(isCommand ? args : ['curl', ...args], ctx);
}

#!/usr/bin/env node
import { closeSync, writeSync } from 'node:fs';
import { catalogueNames, containerEnv, imageNotInCatalogueMessage, resolveImage } from './catalogue.js';
import type { Program, RunContext } from './program.js';

/**
 * Container entry point for catalogue images:
 *   node main.js --image <ref> [--started-fd N] [-- <argv...>]
 * argv is what the runtime would exec (entrypoint/command + args, see sampleNodeArgs); without it the image's
 * own ENTRYPOINT and CMD run. The image's ENV fills in variables the process env lacks. SIGTERM/SIGINT stop the
 * program gracefully and the process exits with the program's code.
 */
const USAGE =
  'usage: main.js --image <reference> [--started-fd <fd>] [-- <command> [args...]]\n       main.js --list\n';

/**
 * How long a server keeps accepting after SIGTERM, answering with `Connection: close`: the time a
 * deleted pod's endpoint takes to leave every Service's rules, so no client is refused meanwhile.
 */
const LAME_DUCK_MS = 2000;

interface Parsed {
  image?: string;
  argv?: string[];
  list: boolean;
  /** A pipe from the runtime: "started" is written to it once the program serves (ports bound). */
  startedFd?: number;
}

function parse(args: string[]): Parsed {
  const out: Parsed = { list: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.argv = args.slice(i + 1);
      break;
    }
    if (a === '--list') out.list = true;
    else if (a === '--image') out.image = args[++i];
    else if (a.startsWith('--image=')) out.image = a.slice(8);
    else if (a === '--started-fd') {
      out.startedFd = Number(args[++i]);
      if (!Number.isInteger(out.startedFd) || out.startedFd < 3)
        throw new Error('--started-fd needs an fd >= 3');
    } else throw new Error(`unexpected argument ${JSON.stringify(a)}`);
  }
  return out;
}

// Installed before anything else runs, so a SIGTERM during startup still ends in a graceful stop.
let program: Program | undefined;
let stopRequested = false;
const onSignal = () => {
  stopRequested = true;
  program?.stop();
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

async function main(): Promise<number> {
  let opts: ReturnType<typeof parse>;
  try {
    opts = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts.list) {
    process.stdout.write(catalogueNames().join('\n') + '\n');
    return 0;
  }
  if (!opts.image) {
    process.stderr.write(USAGE);
    return 2;
  }
  const entry = resolveImage(opts.image);
  if (!entry) {
    process.stderr.write(`${imageNotInCatalogueMessage(opts.image)}\n`);
    return 1;
  }
  const argv = opts.argv && opts.argv.length > 0 ? opts.argv : [...entry.entrypoint, ...entry.cmd];
  const ctx: RunContext = {
    env: containerEnv(entry, process.env),
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: 'inherit',
    lameDuckMs: LAME_DUCK_MS,
  };
  program = await entry.run(argv, ctx);
  if (opts.startedFd !== undefined) notifyStarted(opts.startedFd);
  if (stopRequested) program.stop();
  return program.exited;
}

function notifyStarted(fd: number): void {
  try {
    writeSync(fd, 'started\n');
    closeSync(fd);
  } catch {
    /* the runtime went away; it will see the container as running anyway */
  }
}

main().then(
  (code) => {
    // Flush stdout before exiting: container logs are pipes, and process.exit would drop buffered writes.
    process.stdout.write('', () => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

import { fileURLToPath } from 'node:url';
import {
  type CatalogueEntry,
  containerArgv,
  containerEnv,
  imageNotInCatalogueMessage,
  resolveImage,
} from './catalogue.js';
import type { Program, RunContext } from './program.js';

export class ImageNotInCatalogueError extends Error {
  constructor(readonly image: string) {
    super(imageNotInCatalogueMessage(image));
  }
}

export interface StartOptions {
  /** The container's command and args (Kubernetes semantics); default: the image's ENTRYPOINT and CMD. */
  command?: readonly string[];
  args?: readonly string[];
  /** The container's env; the image's ENV fills in the rest. */
  env?: Readonly<Record<string, string | undefined>>;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  bindHost?: string;
  port?: number;
}

/** Runs an image's behaviour in this process (tests, and anything embedding a sample). */
export function startImage(image: string, opts: StartOptions = {}): Promise<Program> {
  const entry = resolveImage(image);
  if (!entry) return Promise.reject(new ImageNotInCatalogueError(image));
  return startEntry(entry, containerArgv(entry, opts.command, opts.args), opts);
}

export function startEntry(
  entry: CatalogueEntry,
  argv: readonly string[],
  opts: StartOptions,
): Promise<Program> {
  const ctx: RunContext = {
    env: containerEnv(entry, opts.env ?? {}),
    stdout: opts.stdout ?? process.stdout,
    stderr: opts.stderr ?? process.stderr,
    bindHost: opts.bindHost,
    port: opts.port,
    stdin: 'ignore',
  };
  return entry.run(argv, ctx);
}

/** Absolute path of the compiled entry point, for a node agent to spawn. */
export function mainScriptPath(): string {
  return fileURLToPath(new URL('./main.js', import.meta.url));
}

/**
 * Arguments for `node` that run a container of `image` with the given command and args:
 * `[main.js, '--image', image, '--', ...argv]`. The env to pass is the container's own (see containerEnv for
 * what main.js adds from the image).
 */
export function sampleNodeArgs(
  image: string,
  command?: readonly string[],
  args?: readonly string[],
): string[] {
  const entry = resolveImage(image);
  if (!entry) throw new ImageNotInCatalogueError(image);
  return [mainScriptPath(), '--image', image, '--', ...containerArgv(entry, command, args)];
}

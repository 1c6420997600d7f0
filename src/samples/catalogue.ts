import path from 'node:path';
import { portFromArgv } from './args.js';
import { runDetails } from './bookinfo/details.js';
import { runProductpage } from './bookinfo/productpage.js';
import { runRatings } from './bookinfo/ratings.js';
import { runReviews } from './bookinfo/reviews.js';
import { runHelloworld } from './helloworld.js';
import { runHttpbin } from './httpbin/run.js';
import { parseImageReference } from './image-ref.js';
import type { Program, RunContext } from './program.js';
import { runCommand, runCurlEntrypoint } from './toolbox.js';

/** A built-in implementation of a container image, with the image config a runtime would read from it. */
export interface CatalogueEntry {
  /** Canonical reference, as the upstream manifests spell it (without tag). */
  readonly name: string;
  /**
   * Repository paths this entry answers to. A path with a slash must match the end of the reference's path
   * (`curlimages/curl`); a bare name matches the last component under any registry and namespace, since the
   * Istio samples are mirrored widely (docker.io/istio, registry.istio.io/release, quay.io/sail-dev, ...).
   */
  readonly repositories: readonly string[];
  readonly description: string;
  /** The image's ENTRYPOINT and CMD, for composing argv from a container's command and args. */
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  /** ENV baked into the image; the container's env overrides it. */
  readonly env: Readonly<Record<string, string>>;
  /** EXPOSE'd ports. */
  readonly ports: readonly number[];
  readonly workingDir: string;
  /** Starts the behaviour for the final argv (entrypoint/command + args) with the merged env. */
  run(argv: readonly string[], ctx: RunContext): Promise<Program>;
}

const SHELL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * An image whose own program is recognised by argv[0]'s basename; any other command (`sleep 3600`,
 * `sh -c ...`) runs as a generic command, as it would in the real image.
 */
function image(
  spec: Omit<CatalogueEntry, 'run' | 'workingDir'> & {
    workingDir?: string;
    programs: readonly string[];
    /** The program takes flags, so argv starting with one runs it (see run below). */
    flagsToProgram?: boolean;
  },
  start: (argv: readonly string[], ctx: RunContext) => Promise<Program>,
): CatalogueEntry {
  const { programs, flagsToProgram, ...rest } = spec;
  return {
    workingDir: '/',
    ...rest,
    env: { PATH: SHELL_PATH, ...spec.env },
    run: async (argv, ctx) => {
      if (argv.length === 0) {
        ctx.stderr.write('no command specified\n');
        return { ports: [], exited: Promise.resolve(127), stop() {} };
      }
      // argv starting with a flag is a container's args without the entrypoint in front (a lenient reading):
      // they go to the ENTRYPOINT, or to the program of a CMD-only image that takes flags.
      if (argv[0]!.startsWith('-')) {
        if (spec.entrypoint.length > 0) argv = [...spec.entrypoint, ...argv];
        else if (flagsToProgram) argv = [programs[0]!, ...argv];
      }
      const argv0 = argv[0]!;
      return programs.includes(path.basename(argv0)) ? start(argv, ctx) : runCommand(argv, ctx);
    },
  };
}

const ISTIO = 'docker.io/istio/';

function bookinfo(
  service: string,
  version: string,
  cmd: string[],
  env: Record<string, string>,
  programs: string[],
  start: (port: number, ctx: RunContext) => Promise<Program>,
): CatalogueEntry {
  const repo = `examples-bookinfo-${service}-${version}`;
  return image(
    {
      name: ISTIO + repo,
      repositories: [repo],
      description: `Bookinfo ${service} ${version}`,
      entrypoint: [],
      cmd,
      env,
      ports: [9080],
      workingDir: '/opt/microservices',
      programs,
    },
    (argv, ctx) => start(portFromArgv(argv, 9080), ctx),
  );
}

const PRODUCTPAGE_PROGRAMS = [
  'python',
  'python3',
  'productpage.py',
  'gunicorn',
  'flask',
  'opentelemetry-instrument',
];
const RATINGS_PROGRAMS = ['node', 'nodejs', 'ratings.js', 'npm'];
const REVIEWS_PROGRAMS = ['server', 'java'];
const REVIEWS_CMD = ['/opt/ol/wlp/bin/server', 'run', 'defaultServer'];
const HELLO_PROGRAMS = ['gunicorn', 'python', 'python3', 'flask', 'app.py'];

const ratings = (version: string) =>
  bookinfo(
    'ratings',
    version,
    ['node', '/opt/microservices/ratings.js', '9080'],
    { SERVICE_VERSION: version },
    RATINGS_PROGRAMS,
    runRatings,
  );

const reviews = (version: string, enableRatings: boolean, color: string) =>
  bookinfo(
    'reviews',
    version,
    REVIEWS_CMD,
    { SERVICE_VERSION: version, ENABLE_RATINGS: String(enableRatings), STAR_COLOR: color },
    REVIEWS_PROGRAMS,
    runReviews,
  );

const helloworld = (version: string) =>
  image(
    {
      name: `${ISTIO}examples-helloworld-${version}`,
      repositories: [`examples-helloworld-${version}`],
      description: `helloworld ${version}`,
      entrypoint: [],
      cmd: ['gunicorn', '-b', '[::]:5000', 'app:app', '-k', 'gevent'],
      env: { SERVICE_VERSION: version },
      ports: [5000],
      workingDir: '/opt/microservices',
      programs: HELLO_PROGRAMS,
    },
    runHelloworld,
  );

const ENTRIES: readonly CatalogueEntry[] = [
  bookinfo(
    'productpage',
    'v1',
    ['python', 'productpage.py', '9080'],
    {},
    PRODUCTPAGE_PROGRAMS,
    runProductpage,
  ),
  bookinfo(
    'details',
    'v1',
    ['ruby', 'details.rb', '9080'],
    { SERVICE_VERSION: 'v1', ENABLE_EXTERNAL_BOOK_SERVICE: 'false' },
    ['ruby', 'details.rb'],
    runDetails,
  ),
  bookinfo(
    'details',
    'v2',
    ['ruby', 'details.rb', '9080'],
    { SERVICE_VERSION: 'v2', ENABLE_EXTERNAL_BOOK_SERVICE: 'true' },
    ['ruby', 'details.rb'],
    runDetails,
  ),
  ratings('v1'),
  ratings('v2'),
  ratings('v-faulty'),
  ratings('v-delayed'),
  ratings('v-unavailable'),
  ratings('v-unhealthy'),
  reviews('v1', false, 'black'),
  reviews('v2', true, 'black'),
  reviews('v3', true, 'red'),
  helloworld('v1'),
  helloworld('v2'),
  image(
    {
      name: 'docker.io/mccutchen/go-httpbin',
      repositories: ['mccutchen/go-httpbin'],
      description: 'go-httpbin, HTTP request and response service',
      entrypoint: [],
      cmd: ['/bin/go-httpbin'],
      env: {},
      ports: [8080],
      programs: ['go-httpbin'],
      flagsToProgram: true,
    },
    (argv, ctx) => runHttpbin(argv, ctx, 'go'),
  ),
  image(
    {
      name: 'docker.io/kennethreitz/httpbin',
      repositories: ['kennethreitz/httpbin'],
      description: 'httpbin (original Python implementation)',
      entrypoint: [],
      cmd: ['gunicorn', '-b', '0.0.0.0:80', 'httpbin:app', '-k', 'gevent'],
      env: {},
      ports: [80],
      programs: ['gunicorn', 'python', 'python3'],
    },
    (argv, ctx) => runHttpbin(argv, ctx, 'python'),
  ),
  image(
    {
      name: 'docker.io/curlimages/curl',
      repositories: ['curlimages/curl'],
      description: 'curl client (the curl and sleep samples)',
      entrypoint: ['/entrypoint.sh'],
      cmd: ['curl'],
      env: {},
      ports: [],
      workingDir: '/home/curl_user',
      programs: ['entrypoint.sh'],
    },
    async (argv, ctx) => runCurlEntrypoint(argv.slice(1), ctx),
  ),
];

/** Finds the built-in implementation of an image reference, ignoring registry, tag and digest. */
export function resolveImage(image: string): CatalogueEntry | undefined {
  const ref = parseImageReference(image);
  if (!ref) return undefined;
  const last = ref.path.slice(ref.path.lastIndexOf('/') + 1);
  return ENTRIES.find((e) =>
    e.repositories.some((r) => (r.includes('/') ? ref.path === r || ref.path.endsWith('/' + r) : last === r)),
  );
}

export function catalogueEntries(): readonly CatalogueEntry[] {
  return ENTRIES;
}

/** Canonical names of every image in the catalogue, for error messages. */
export function catalogueNames(): string[] {
  return ENTRIES.map((e) => e.name);
}

export function imageNotInCatalogueMessage(image: string): string {
  return `image ${JSON.stringify(image)} is not in the catalogue; available: ${catalogueNames().join(', ')}`;
}

/**
 * The argv a runtime executes for a container, by Kubernetes' rules: `command` replaces the ENTRYPOINT (and
 * drops CMD), `args` replaces CMD; empty lists count as unset.
 */
export function containerArgv(
  entry: CatalogueEntry,
  command?: readonly string[],
  args?: readonly string[],
): string[] {
  const hasCommand = !!command && command.length > 0;
  const hasArgs = !!args && args.length > 0;
  if (hasCommand) return [...command, ...(hasArgs ? args : [])];
  return [...entry.entrypoint, ...(hasArgs ? args : entry.cmd)];
}

/** The image's ENV with the container's env on top. */
export function containerEnv(
  entry: CatalogueEntry,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  return { ...entry.env, ...env };
}

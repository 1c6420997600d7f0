// One container's process: `ip netns exec <pod netns> unshare --pid --mount --fork --mount-proc -- node
// <sample args>`, restarted per the pod's restartPolicy with kubelet's doubling back-off.
import { readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { imageNotInCatalogueMessage, resolveImage, sampleNodeArgs } from '../samples/index.js';

const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;

export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | {
      terminated: {
        exitCode: number;
        signal?: number;
        reason: string;
        startedAt: string;
        finishedAt: string;
        containerID: string;
      };
    };

export interface ContainerLaunch {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env: Record<string, string>;
  netns: string;
  logDir: string;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
}

export const timestamp = (ms = Date.now()): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

const SIGNALS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2 };

export class Container {
  state: ContainerState = { waiting: { reason: 'ContainerCreating' } };
  lastState: ContainerState | undefined;
  restartCount = 0;
  started = false;
  containerID = '';
  private child: ChildProcess | undefined;
  private stopping = false;
  private backoffTimer: NodeJS.Timeout | undefined;
  private readonly done: Promise<number>;
  private resolveDone!: (code: number) => void;

  constructor(
    readonly spec: ContainerLaunch,
    private readonly onChange: () => void,
  ) {
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  /**
   * The host pid of the container's first process (pid 1 inside its PID namespace): the child
   * `unshare --fork` made. `kubectl exec` enters its namespaces.
   */
  namespacePid(): number | undefined {
    const pid = this.child?.pid;
    if (!pid || this.child?.exitCode !== null) return undefined;
    try {
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean);
      return children.length > 0 ? Number(children[0]) : undefined;
    } catch {
      return undefined;
    }
  }

  get imageID(): string {
    const entry = resolveImage(this.spec.image);
    return entry ? `mizzen-sample://${entry.name}` : '';
  }

  get running(): boolean {
    return 'running' in this.state;
  }

  /** Starts the first run; later runs follow the restart policy. False when the image is unknown. */
  start(): boolean {
    if (!resolveImage(this.spec.image)) {
      this.state = {
        waiting: { reason: 'ImagePullBackOff', message: imageNotInCatalogueMessage(this.spec.image) },
      };
      this.onChange();
      return false;
    }
    this.launch();
    return true;
  }

  /** The exit code of the last run, once the restart policy starts no further run. */
  finished(): Promise<number> {
    return this.done;
  }

  private launch(): void {
    if (this.stopping) return;
    const argv = sampleNodeArgs(this.spec.image, this.spec.command, this.spec.args);
    const run = this.restartCount;
    this.containerID = `mizzen://${this.spec.netns}/${this.spec.name}/${run}`;
    mkdirSync(this.spec.logDir, { recursive: true });
    const log = createWriteStream(join(this.spec.logDir, `${this.spec.name}-${run}.log`), { flags: 'a' });
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        this.spec.netns,
        'unshare',
        '--pid',
        '--mount',
        '--fork',
        '--mount-proc',
        '--',
        process.execPath,
        ...argv,
      ],
      // Its own process group, so a signal reaches the container's process behind unshare.
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: this.spec.env },
    );
    this.child = child;
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    const startedAt = timestamp();
    this.state = { running: { startedAt } };
    this.started = true;
    this.onChange();
    let ended = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (ended) return;
      ended = true;
      log.end();
      this.child = undefined;
      const exitCode = code ?? 128 + (signal ? (SIGNALS[signal] ?? 15) : 0);
      this.lastState = undefined;
      this.state = {
        terminated: {
          exitCode,
          ...(signal ? { signal: SIGNALS[signal] ?? 15 } : {}),
          reason: exitCode === 0 ? 'Completed' : 'Error',
          startedAt,
          finishedAt: timestamp(),
          containerID: this.containerID,
        },
      };
      this.started = false;
      const policy = this.spec.restartPolicy;
      if (!this.stopping && (policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0)))
        this.scheduleRestart();
      else this.resolveDone(exitCode);
      this.onChange();
    };
    child.once('error', () => finish(127, null));
    child.once('exit', finish);
  }

  private scheduleRestart(): void {
    const delay = Math.min(BACKOFF_BASE_MS * 2 ** this.restartCount, BACKOFF_MAX_MS);
    this.lastState = this.state;
    this.state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${this.spec.name}`,
      },
    };
    this.backoffTimer = setTimeout(() => {
      this.restartCount++;
      this.launch();
    }, delay);
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.backoffTimer);
    if ('waiting' in this.state && this.lastState) this.state = this.lastState;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    /* already gone */
  }
}

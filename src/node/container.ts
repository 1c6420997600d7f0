// One container's process: `ip netns exec <pod netns> unshare --pid --mount --fork --mount-proc -- node
// [container-init.js <mount plan>] <sample args>`, restarted per the pod's restartPolicy with kubelet's
// doubling back-off. Its output goes straight to the log file (the agent holds no pipe, so a container
// outlives an agent crash without SIGPIPE), and its pid-1 process is published in <pod dir>/<name>.pid.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageNotInCatalogueMessage, resolveImage, sampleNodeArgs } from '../samples/index.js';

const BACKOFF_BASE_MS = 10_000;
/** A program that never reports it serves still counts as running after this long. */
const STARTED_WAIT_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
const CONFIG_RETRY_BASE_MS = 1_000;
const CONFIG_RETRY_MAX_MS = 10_000;
const PID_POLL_MS = 50;
const PID_POLL_LIMIT_MS = 30_000;

const CONTAINER_INIT = fileURLToPath(new URL('./container-init.js', import.meta.url));

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

/** What one run starts with; built anew before every run, as kubelet does. */
export interface LaunchConfig {
  env: Record<string, string>;
  command?: string[];
  args?: string[];
  /** A MountPlan file for container-init; without it the program runs directly. */
  mountPlan?: string;
}

export interface ContainerLaunch {
  name: string;
  image: string;
  netns: string;
  /** The pod's state dir: `<name>-<run>.log` and `<name>.pid` go there. */
  logDir: string;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  /** An error keeps the container Waiting with CreateContainerConfigError and is retried. */
  prepare(): Promise<LaunchConfig | { error: string }>;
}

export interface ContainerHooks {
  /** A run's process was started (probes begin). */
  onRunStart?(run: number): void;
  /** A run's process exited (probes stop). */
  onRunEnd?(run: number): void;
}

export const timestamp = (ms = Date.now()): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

const SIGNALS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2 };

export class Container {
  state: ContainerState = { waiting: { reason: 'ContainerCreating' } };
  lastState: ContainerState | undefined;
  restartCount = 0;
  /** The current run's process is up (kubelet's `started` also waits for the startup probe). */
  started = false;
  containerID = '';
  /** When the current run started (ms), for probes' initialDelaySeconds. */
  runStartedAt = 0;
  private child: ChildProcess | undefined;
  private stopping = false;
  private restartRequested = false;
  private configAttempts = 0;
  private timer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private pidTimer: NodeJS.Timeout | undefined;
  private lastExitCode = 0;
  private readonly done: Promise<number>;
  private resolveDone!: (code: number) => void;

  constructor(
    readonly spec: ContainerLaunch,
    private readonly onChange: () => void,
    private readonly hooks: ContainerHooks = {},
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

  /** `<pod dir>/<container>.pid`: the namespace pid of the running container, for another process to exec. */
  get pidFile(): string {
    return join(this.spec.logDir, `${this.spec.name}.pid`);
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

  /** Starts a run; a run that cannot start waits with the reason and is tried again. */
  private launch(): void {
    this.tryLaunch().catch((err: Error) => this.retry('RunContainerError', err.message));
  }

  private retry(reason: string, message: string): void {
    if (this.stopping) return;
    this.state = { waiting: { reason, message } };
    this.onChange();
    const delay = Math.min(CONFIG_RETRY_BASE_MS * 2 ** this.configAttempts++, CONFIG_RETRY_MAX_MS);
    this.timer = setTimeout(() => this.launch(), delay);
  }

  private async tryLaunch(): Promise<void> {
    if (this.stopping) return;
    let config: LaunchConfig | { error: string };
    try {
      config = await this.spec.prepare();
    } catch (err) {
      config = { error: (err as Error).message };
    }
    if (this.stopping) return;
    if ('error' in config) return this.retry('CreateContainerConfigError', config.error);
    this.configAttempts = 0;
    const [mainScript, ...mainArgs] = sampleNodeArgs(this.spec.image, config.command, config.args);
    // fd 3: the program says "started" once it serves, which is when the run counts as running.
    const argv = [mainScript!, '--started-fd', '3', ...mainArgs];
    const program = config.mountPlan ? [CONTAINER_INIT, config.mountPlan, ...argv] : argv;
    const run = this.restartCount;
    this.containerID = `mizzen://${this.spec.netns}/${this.spec.name}/${run}`;
    mkdirSync(this.spec.logDir, { recursive: true });
    // O_APPEND: stdout and stderr share the file without overwriting each other.
    const log = openSync(join(this.spec.logDir, `${this.spec.name}-${run}.log`), 'a', 0o644);
    let child: ChildProcess;
    try {
      child = spawn(
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
          ...program,
        ],
        // Its own process group, so a signal reaches the container's process behind unshare.
        { detached: true, stdio: ['ignore', log, log, 'pipe'], env: config.env },
      );
    } finally {
      closeSync(log);
    }
    this.child = child;
    let startedAt = timestamp();
    this.state = { waiting: { reason: 'ContainerCreating' } };
    this.publishPid(child);
    let ended = false;
    let up = false;
    // Running (and so Ready without a readiness probe) once the program serves: a Service must not
    // send a rolled-out pod traffic before it listens.
    const markRunning = () => {
      if (up || ended || this.child !== child) return;
      up = true;
      clearTimeout(startTimer);
      startedAt = timestamp();
      this.runStartedAt = Date.now();
      this.state = { running: { startedAt } };
      this.started = true;
      this.hooks.onRunStart?.(run);
      this.onChange();
    };
    const notify = child.stdio[3] as NodeJS.ReadableStream;
    notify.on('data', markRunning);
    notify.on('error', () => {});
    notify.on('end', () => setImmediate(markRunning));
    const startTimer = setTimeout(markRunning, STARTED_WAIT_MS);
    const logPath = join(this.spec.logDir, `${this.spec.name}-${run}.log`);
    const finish = (exitStatus: number | null, exitSignal: NodeJS.Signals | null) => {
      if (ended) return;
      const { code, signal } = unshareKilled(exitStatus, logPath)
        ? { code: null, signal: 'SIGKILL' as const }
        : { code: exitStatus, signal: exitSignal };
      ended = true;
      clearTimeout(startTimer);
      clearTimeout(this.killTimer);
      clearTimeout(this.pidTimer);
      rmSync(this.pidFile, { force: true });
      this.child = undefined;
      const exitCode = code ?? 128 + (signal ? (SIGNALS[signal] ?? 15) : 0);
      this.lastExitCode = exitCode;
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
      // A run killed for a failed liveness or startup probe restarts unless the policy is Never.
      const forced = this.restartRequested;
      this.restartRequested = false;
      this.hooks.onRunEnd?.(run);
      const policy = this.spec.restartPolicy;
      if (!this.stopping && (policy === 'Always' || (policy === 'OnFailure' && (exitCode !== 0 || forced))))
        this.scheduleRestart();
      else this.resolveDone(exitCode);
      this.onChange();
    };
    child.once('error', () => finish(127, null));
    child.once('exit', finish);
  }

  /** Writes the pid file once unshare has forked the container's first process. */
  private publishPid(child: ChildProcess): void {
    const deadline = Date.now() + PID_POLL_LIMIT_MS;
    const poll = () => {
      if (this.child !== child) return;
      const pid = this.namespacePid();
      if (pid === undefined) {
        if (Date.now() < deadline) this.pidTimer = setTimeout(poll, PID_POLL_MS);
        return;
      }
      const tmp = `${this.pidFile}.tmp`;
      try {
        writeFileSync(tmp, `${pid}\n`);
        renameSync(tmp, this.pidFile);
      } catch {
        /* the pod's directory is gone: the pod is being removed */
      }
    };
    poll();
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
    this.timer = setTimeout(() => {
      this.restartCount++;
      this.launch();
    }, delay);
  }

  /**
   * Ends the current run after a failed liveness or startup probe: SIGTERM, SIGKILL after the grace
   * period; the restart policy then decides (a run killed this way counts as failed for OnFailure).
   */
  killRun(graceMs: number): void {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null || this.restartRequested) return;
    this.restartRequested = true;
    signalGroup(child, 'SIGTERM');
    this.killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    if ('waiting' in this.state && this.lastState) this.state = this.lastState;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.resolveDone(this.lastExitCode);
      return;
    }
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

const UNSHARE_SIGKILL_MESSAGE = 'unshare: sigprocmask unblock failed: Invalid argument\n';

/**
 * util-linux 2.38's `unshare --fork` re-raises a signal that ended its child, except SIGKILL: it
 * fails resetting that one's handler, writes this line to the container's stderr and exits 1. Seen
 * so, the run was killed by SIGKILL (137); the line is unshare's, so it is cut from the log.
 */
function unshareKilled(code: number | null, logPath: string): boolean {
  if (code !== 1) return false;
  try {
    const size = statSync(logPath).size;
    const n = Buffer.byteLength(UNSHARE_SIGKILL_MESSAGE);
    if (size < n) return false;
    const fd = openSync(logPath, 'r+');
    try {
      const buf = Buffer.alloc(n);
      readSync(fd, buf, 0, n, size - n);
      if (buf.toString() !== UNSHARE_SIGKILL_MESSAGE) return false;
      ftruncateSync(fd, size - n);
      return true;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

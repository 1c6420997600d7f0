/** The environment a container sees: image defaults overlaid by the pod spec's env. */
export type Env = Readonly<Record<string, string | undefined>>;

/** What the runner gives an image's behaviour. */
export interface RunContext {
  env: Env;
  /** Where the program writes its logs (the container's stdout/stderr). */
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /**
   * Listen address override. Pods listen on all addresses of their own network namespace; tests on the host
   * must bind loopback only. Falls back to env MIZZEN_SAMPLES_BIND.
   */
  bindHost?: string;
  /** Port override (tests pass 0 for an ephemeral port). */
  port?: number;
  /** How long servers keep accepting after stop() before closing their listeners (default 0). */
  lameDuckMs?: number;
  /** Whether child processes share the runner's stdin (main) or get none (tests). */
  stdin?: 'inherit' | 'ignore';
}

/** A running image behaviour: a server, a sleeper or a child process. */
export interface Program {
  /** Ports actually bound, once `run` resolved (empty for programs that do not listen). */
  readonly ports: number[];
  /** Resolves with the exit code the container should report. */
  readonly exited: Promise<number>;
  /** SIGTERM: stop accepting, finish what is in flight, then exit. */
  stop(): void;
}

// A per-key work queue like client-go's rate-limited queue: a key is never processed by two workers
// at once, keys added while processing run again afterwards, failures retry with exponential
// back-off, and handlers may ask to be called again after a delay (minReadySeconds, deadlines).

export type SyncResult = void | { requeueAfterMs?: number };
export type SyncHandler = (key: string) => Promise<SyncResult>;

export interface WorkQueueOptions {
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Awaited once before the first key runs (informer caches synced). */
  ready?: Promise<unknown>;
  onError?: (key: string, err: unknown) => void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirtyWhileProcessing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; t: NodeJS.Timeout }>();
  private active = 0;
  private stopped = false;
  private isReady = false;
  private readonly workers: number;
  private readonly base: number;
  private readonly max: number;

  constructor(
    readonly name: string,
    private readonly handler: SyncHandler,
    private readonly opts: WorkQueueOptions = {},
  ) {
    this.workers = opts.workers ?? 4;
    this.base = opts.baseDelayMs ?? 5;
    this.max = opts.maxDelayMs ?? 30_000;
    void Promise.resolve(opts.ready).then(() => {
      this.isReady = true;
      this.pump();
    });
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Adds the key after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const prev = this.timers.get(key);
    if (prev && prev.at <= at) return;
    if (prev) clearTimeout(prev.t);
    const t = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    t.unref?.();
    this.timers.set(key, { at, t });
  }

  /** Retries after an exponentially growing delay; conflicts retry fast since the cache catches up quickly. */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, Math.min(this.max, this.base * 2 ** n));
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  get length(): number {
    return this.queue.length;
  }

  stop(): void {
    this.stopped = true;
    for (const { t } of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
  }

  /** Resolves when nothing is queued or running (timers excluded); for tests. */
  async idle(): Promise<void> {
    while (this.queue.length > 0 || this.active > 0) await new Promise((r) => setTimeout(r, 2));
  }

  private pump(): void {
    if (!this.isReady || this.stopped) return;
    while (this.active < this.workers && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.processing.add(key);
      this.active++;
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    try {
      const r = await this.handler(key);
      this.forget(key);
      if (r && r.requeueAfterMs !== undefined) this.addAfter(key, r.requeueAfterMs);
    } catch (err) {
      // Conflicts and vanished objects (KubeError codes) are routine: retried without a log line.
      const code = (err as { code?: unknown } | null)?.code;
      const expected = code === 409 || code === 404;
      if (!expected) this.opts.onError?.(key, err);
      this.addRateLimited(key);
    } finally {
      this.processing.delete(key);
      this.active--;
      if (this.dirtyWhileProcessing.delete(key)) this.add(key);
      this.pump();
    }
  }
}

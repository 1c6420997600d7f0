// A keyed work queue like client-go's: one key is never processed twice at once, keys added while
// processing run again afterwards, failures back off exponentially, handlers may ask for a later run.
export type SyncResult = void | { requeueAfterMs?: number };

export class KeyQueue {
  private readonly pending = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; t: NodeJS.Timeout }>();
  private active = 0;
  private stopped = false;

  constructor(
    private readonly handler: (key: string) => Promise<SyncResult>,
    private readonly onError: (key: string, err: unknown) => void,
    private readonly workers = 2,
    private readonly maxDelayMs = 60_000,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.pending.add(key);
    this.pump();
  }

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
    this.timers.set(key, { at, t });
  }

  /** Back-off for a failing key: 100 ms doubling up to maxDelayMs. */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, Math.min(this.maxDelayMs, 100 * 2 ** n));
  }

  stop(): void {
    this.stopped = true;
    for (const { t } of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
  }

  private pump(): void {
    while (!this.stopped && this.active < this.workers) {
      const key = [...this.pending].find((k) => !this.running.has(k));
      if (key === undefined) return;
      this.pending.delete(key);
      this.running.add(key);
      this.active++;
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    try {
      const r = await this.handler(key);
      this.failures.delete(key);
      if (r && r.requeueAfterMs !== undefined) this.addAfter(key, r.requeueAfterMs);
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code;
      if (code !== 409 && code !== 404) this.onError(key, err);
      this.addRateLimited(key);
    } finally {
      this.running.delete(key);
      this.active--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }
}

// The store's write path to disk: batches go to a worker thread that commits them (WAL,
// synchronous=FULL) and answers once they are durable. Requests are answered in order.
import { Worker } from 'node:worker_threads';
import type { LogRow } from './sqlite-log.js';

interface Waiter {
  resolve: (v: any) => void;
  reject: (e: Error) => void;
}

export class LogWriter {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  private dead?: Error;

  constructor(path: string) {
    this.worker = new Worker(new URL('./log-writer-worker.js', import.meta.url), { workerData: { path } });
    this.worker.on('message', (m: { id: number; ok: boolean; error?: string; removed?: number }) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.ok) w.resolve(m.removed);
      else w.reject(new Error(m.error));
    });
    const fail = (err: Error) => {
      this.dead = err;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the store writer stopped (exit code ${code})`)));
  }

  append(rows: LogRow[]): Promise<void> {
    return this.call({ op: 'append', rows });
  }

  compact(target: number): Promise<number> {
    return this.call({ op: 'compact', target });
  }

  async close(): Promise<void> {
    if (this.dead) return;
    await this.call({ op: 'close' });
    await this.worker.terminate();
  }

  private call(msg: Record<string, unknown>): Promise<any> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...msg });
    });
  }
}

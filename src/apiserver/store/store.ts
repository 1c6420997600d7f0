// The object store: every current object in memory (served to reads and lists without touching
// disk), every write appended to the SQLite log before it is acknowledged, and a window of recent
// events in memory so watches resume without reading the log.
//
// Writes use group commit: each write is checked and given its revision at once, then the writes
// gathered so far go to SQLite in one transaction, committed by a worker thread (./log-writer.ts).
// While one batch is being made durable the next one gathers, so the fsync never blocks requests.
// Callers see the write (and watchers see the event) only after its transaction is durable.
import type { KubeObject } from '../types.js';
import { LogWriter } from './log-writer.js';
import { SqliteLog, type LogRow } from './sqlite-log.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One stored revision of an object. `obj` is shared: never mutate it, copy it with `cloneObject`. */
export interface Entry {
  readonly res: string;
  readonly ns: string;
  readonly name: string;
  readonly rev: number;
  readonly createRev: number;
  readonly obj: KubeObject;
  readonly json: string;
}

export interface StoreEvent {
  readonly type: EventType;
  readonly rev: number;
  /** For DELETED, the last state of the object carrying the deletion's revision. */
  readonly entry: Entry;
  /** The state before this event, when known (used to turn selector transitions into ADDED/DELETED). */
  readonly prev?: Entry;
}

export type StoreErrorKind = 'exists' | 'not-found' | 'conflict' | 'compacted' | 'internal';

export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export interface StoreOptions {
  /** Events kept in memory for resuming watches. */
  windowSize?: number;
  /** Revisions of history kept in the log by compaction. */
  retainRevisions?: number;
}

interface Pending {
  row: LogRow;
  event: StoreEvent;
  resolve: (e: Entry) => void;
  reject: (err: Error) => void;
}

type Listener = (event: StoreEvent) => void;

export const cloneObject = <T>(o: T): T => (o === undefined ? o : (JSON.parse(JSON.stringify(o)) as T));

export class Store {
  /** Read connection: start-up state and history beyond the in-memory window. */
  private readonly log: SqliteLog;
  private readonly writer: LogWriter;
  private committing = false;
  /** res -> ns -> name -> entry; committed state only. */
  private readonly data = new Map<string, Map<string, Map<string, Entry>>>();
  /** Writes assigned a revision but not yet durable, by key. */
  private readonly overlay = new Map<string, { entry: Entry | null; rev: number }>();
  private pending: Pending[] = [];
  private flushScheduled = false;
  private committedRev: number;
  private nextRev: number;
  private compactRev: number;
  private readonly window: StoreEvent[] = [];
  private readonly windowSize: number;
  private readonly retain: number;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly anyListeners = new Set<Listener>();
  private closed = false;

  constructor(path: string, opts: StoreOptions = {}) {
    this.log = new SqliteLog(path);
    this.windowSize = opts.windowSize ?? 20000;
    this.retain = opts.retainRevisions ?? 50000;
    for (const row of this.log.current()) {
      this.install(this.entryFromRow(row));
    }
    this.committedRev = this.log.maxRevision();
    this.nextRev = this.committedRev;
    this.compactRev = this.log.compactRevision();
    this.writer = new LogWriter(path);
  }

  get revision(): number {
    return this.committedRev;
  }

  get compactRevision(): number {
    return this.compactRev;
  }

  get(res: string, ns: string, name: string): Entry | undefined {
    return this.data.get(res)?.get(ns)?.get(name);
  }

  /** The newest state including writes not yet durable: what a read-modify-write must start from. */
  latest(res: string, ns: string, name: string): Entry | undefined {
    const k = keyOf(res, ns, name);
    const o = this.overlay.get(k);
    if (o) return o.entry ?? undefined;
    return this.get(res, ns, name);
  }

  /** Committed objects of a resource (in one namespace, or all when ns is undefined), sorted by namespace then name. */
  list(res: string, ns?: string): Entry[] {
    const byNs = this.data.get(res);
    if (!byNs) return [];
    const out: Entry[] = [];
    const namespaces = ns === undefined ? [...byNs.keys()].sort() : [ns];
    for (const n of namespaces) {
      const m = byNs.get(n);
      if (!m) continue;
      const names = [...m.keys()].sort();
      for (const name of names) out.push(m.get(name)!);
    }
    return out;
  }

  count(res: string): number {
    let n = 0;
    for (const m of this.data.get(res)?.values() ?? []) n += m.size;
    return n;
  }

  resources(): string[] {
    return [...this.data.keys()];
  }

  create(res: string, ns: string, name: string, obj: KubeObject): Promise<Entry> {
    if (this.latest(res, ns, name)) return Promise.reject(new StoreError('exists', 'already exists'));
    const rev = ++this.nextRev;
    const entry = makeEntry(res, ns, name, rev, rev, obj);
    return this.enqueue(entry, { type: 'ADDED', rev, entry }, { created: true, deleted: false, prevRev: 0 });
  }

  /** Replaces an object. With `expectedRev`, fails with 'conflict' unless the object is still at that revision. */
  update(res: string, ns: string, name: string, obj: KubeObject, expectedRev?: number): Promise<Entry> {
    const prev = this.latest(res, ns, name);
    if (!prev) return Promise.reject(new StoreError('not-found', 'not found'));
    if (expectedRev !== undefined && prev.rev !== expectedRev)
      return Promise.reject(new StoreError('conflict', 'conflict'));
    const rev = ++this.nextRev;
    const entry = makeEntry(res, ns, name, rev, prev.createRev, obj);
    return this.enqueue(
      entry,
      { type: 'MODIFIED', rev, entry, prev },
      { created: false, deleted: false, prevRev: prev.rev },
    );
  }

  /** Removes an object. `last` is the state the DELETED event carries (default: the stored one). */
  delete(res: string, ns: string, name: string, expectedRev?: number, last?: KubeObject): Promise<Entry> {
    const prev = this.latest(res, ns, name);
    if (!prev) return Promise.reject(new StoreError('not-found', 'not found'));
    if (expectedRev !== undefined && prev.rev !== expectedRev)
      return Promise.reject(new StoreError('conflict', 'conflict'));
    const rev = ++this.nextRev;
    const entry = makeEntry(res, ns, name, rev, prev.createRev, last ?? prev.obj);
    return this.enqueue(
      entry,
      { type: 'DELETED', rev, entry, prev },
      { created: false, deleted: true, prevRev: prev.rev },
    );
  }

  /** Listens to committed events of one resource (or all resources with '*'). */
  subscribe(res: string, fn: Listener): () => void {
    if (res === '*') {
      this.anyListeners.add(fn);
      return () => this.anyListeners.delete(fn);
    }
    let set = this.listeners.get(res);
    if (!set) this.listeners.set(res, (set = new Set()));
    set.add(fn);
    return () => {
      set!.delete(fn);
    };
  }

  /**
   * Committed events of a resource after `fromRev`, oldest first. Throws 'compacted' when that part
   * of history is gone, so the caller can answer 410 Gone.
   */
  history(res: string, fromRev: number): StoreEvent[] {
    if (fromRev >= this.committedRev) return [];
    const first = this.window[0];
    if (first && fromRev >= first.rev - 1) {
      const start = lowerBound(this.window, fromRev + 1);
      const out: StoreEvent[] = [];
      for (let i = start; i < this.window.length; i++)
        if (this.window[i].entry.res === res) out.push(this.window[i]);
      return out;
    }
    if (fromRev < this.compactRev) {
      throw new StoreError('compacted', `too old resource version: ${fromRev} (${this.compactRev})`);
    }
    return this.log.since(res, fromRev).map((row) => this.eventFromRow(row));
  }

  /**
   * Objects of a resource as they were at `rev`, sorted like list(): what consistent list pages and
   * exact-revision lists serve. Throws 'compacted' when that state can no longer be rebuilt.
   */
  snapshot(res: string, ns: string | undefined, rev: number): Entry[] {
    const current = this.list(res, ns);
    if (rev >= this.committedRev) return current;
    const events = this.history(res, rev);
    const byKey = new Map(current.map((e) => [`${e.ns}/${e.name}`, e]));
    for (let i = events.length - 1; i >= 0; i--) {
      const ev = events[i];
      const e = ev.entry;
      if (ns !== undefined && e.ns !== ns) continue;
      const k = `${e.ns}/${e.name}`;
      if (ev.type === 'ADDED') byKey.delete(k);
      else if (ev.prev) byKey.set(k, ev.prev);
      else throw new StoreError('compacted', `the state at resource version ${rev} is no longer available`);
    }
    return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
  }

  /** Compacts the log, keeping the configured number of recent revisions. */
  async compact(): Promise<number> {
    const target = this.committedRev - this.retain;
    if (target <= this.compactRev) return 0;
    const removed = await this.writer.compact(target);
    this.compactRev = Math.max(this.compactRev, target);
    return removed;
  }

  /** Resolves once every write issued so far is durable. */
  flushed(): Promise<void> {
    if (this.pending.length === 0 && !this.committing) return Promise.resolve();
    return new Promise((resolve) => setTimeout(() => void this.flushed().then(resolve), 1));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flushed();
    this.closed = true;
    await this.writer.close();
    this.log.close();
  }

  private enqueue(
    entry: Entry,
    event: StoreEvent,
    flags: { created: boolean; deleted: boolean; prevRev: number },
  ): Promise<Entry> {
    if (this.closed) return Promise.reject(new StoreError('internal', 'store is closed'));
    const row: LogRow = {
      rev: entry.rev,
      res: entry.res,
      ns: entry.ns,
      name: entry.name,
      createRev: entry.createRev,
      prevRev: flags.prevRev,
      created: flags.created,
      deleted: flags.deleted,
      value: entry.json,
    };
    this.overlay.set(keyOf(entry.res, entry.ns, entry.name), {
      entry: flags.deleted ? null : entry,
      rev: entry.rev,
    });
    return new Promise((resolve, reject) => {
      this.pending.push({ row, event, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.committing || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.committing = true;
    this.writer.append(batch.map((p) => p.row)).then(
      () => {
        this.committing = false;
        this.commit(batch);
        if (this.pending.length > 0) this.flush();
      },
      (err: Error) => {
        this.committing = false;
        // Nothing of the batch reached disk, and writes queued behind it were checked against it:
        // fail them all, so memory matches the log again.
        const failed = [...batch, ...this.pending];
        this.pending = [];
        this.overlay.clear();
        this.nextRev = this.committedRev;
        const e = new StoreError('internal', `writing to the store failed: ${err.message}`);
        for (const p of failed) p.reject(e);
      },
    );
  }

  private commit(batch: Pending[]): void {
    for (const p of batch) {
      const { event } = p;
      if (event.type === 'DELETED') this.uninstall(event.entry);
      else this.install(event.entry);
      this.committedRev = event.rev;
      this.window.push(event);
      const k = keyOf(event.entry.res, event.entry.ns, event.entry.name);
      if (this.overlay.get(k)?.rev === event.rev) this.overlay.delete(k);
    }
    if (this.window.length > this.windowSize) this.window.splice(0, this.window.length - this.windowSize);
    for (const p of batch) {
      this.emit(p.event);
      p.resolve(p.event.entry);
    }
  }

  private emit(event: StoreEvent): void {
    const set = this.listeners.get(event.entry.res);
    if (set) for (const fn of set) safeCall(fn, event);
    for (const fn of this.anyListeners) safeCall(fn, event);
  }

  private install(e: Entry): void {
    let byNs = this.data.get(e.res);
    if (!byNs) this.data.set(e.res, (byNs = new Map()));
    let byName = byNs.get(e.ns);
    if (!byName) byNs.set(e.ns, (byName = new Map()));
    byName.set(e.name, e);
  }

  private uninstall(e: Entry): void {
    const byNs = this.data.get(e.res);
    const byName = byNs?.get(e.ns);
    byName?.delete(e.name);
    if (byName && byName.size === 0) byNs!.delete(e.ns);
  }

  private entryFromRow(row: LogRow): Entry {
    return {
      res: row.res,
      ns: row.ns,
      name: row.name,
      rev: row.rev,
      createRev: row.createRev,
      obj: JSON.parse(row.value),
      json: row.value,
    };
  }

  private eventFromRow(row: LogRow): StoreEvent {
    const entry = this.entryFromRow(row);
    const type: EventType = row.deleted ? 'DELETED' : row.created ? 'ADDED' : 'MODIFIED';
    let prev: Entry | undefined;
    if (row.prevRev > 0) {
      const p = this.log.byRevision(row.prevRev);
      if (p) prev = this.entryFromRow(p);
    }
    return { type, rev: row.rev, entry, prev };
  }
}

function makeEntry(
  res: string,
  ns: string,
  name: string,
  rev: number,
  createRev: number,
  obj: KubeObject,
): Entry {
  const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rev) } };
  return { res, ns, name, rev, createRev, obj: stored, json: JSON.stringify(stored) };
}

const keyOf = (res: string, ns: string, name: string): string => `${res}\u0000${ns}\u0000${name}`;

function lowerBound(events: StoreEvent[], rev: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].rev < rev) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function safeCall(fn: Listener, event: StoreEvent): void {
  try {
    fn(event);
  } catch (err) {
    // A broken listener must not stop the others or the write path.
    console.error('store listener failed:', err);
  }
}

// Watch: a chunked stream of one JSON event per line. Starts from history (or a synthetic ADDED per
// current object), then follows the store. Selector transitions become ADDED/DELETED as upstream.
import { badRequest } from '../errors.js';
import { includeObjectPolicy, wantsTable } from '../http/negotiate.js';
import { storageResource } from '../resources/resource.js';
import { StoreError, type Entry, type StoreEvent } from '../store/index.js';
import { toTable } from '../tables/index.js';
import type { KubeObject } from '../types.js';
import { apiVersionOf, atVersion, jsonAtVersion, type ApiContext, type Scope } from './context.js';
import { parseListOptions } from './list-options.js';
import { convertorFor } from './tables.js';

const BOOKMARK_INTERVAL_MS = 10_000;
/** A client this far behind is cut off rather than buffered without bound; it will re-watch. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export function watchObjects(ctx: ApiContext, s: Scope): void {
  const opts = parseListOptions(s.query, s.info);
  const res = storageResource(s.info);
  const ns = s.info.namespaced ? s.namespace : undefined;
  const nameFilter = s.name;
  const inScope = (e: Entry): boolean =>
    (ns === undefined || e.ns === ns) && (nameFilter === undefined || e.name === nameFilter);
  const table = wantsTable(s.req.headers.accept);
  const includeObject = includeObjectPolicy(s.query);
  const convertor = table ? convertorFor(s.info, s.version) : undefined;

  let fromRev: number | undefined;
  if (opts.resourceVersion && opts.resourceVersion !== '0') {
    fromRev = Number(opts.resourceVersion);
    if (!Number.isInteger(fromRev) || fromRev < 0)
      throw badRequest(`invalid resource version: ${opts.resourceVersion}`);
  }

  s.res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  s.res.flushHeaders();
  s.req.socket.setNoDelay(true);

  let lastRev = 0;
  let closed = false;
  let live = false;
  const queued: StoreEvent[] = [];

  const write = (line: string): void => {
    if (closed) return;
    s.res.write(line);
    if (s.res.writableLength > MAX_BUFFERED_BYTES) finish();
  };

  const encode = (type: string, obj: KubeObject, entry?: Entry): string => {
    if (convertor) {
      const t = toTable(convertor, [obj], ctx.now(), {
        includeObject,
        resourceVersion: obj.metadata?.resourceVersion,
      });
      return `{"type":"${type}","object":${JSON.stringify(t)}}\n`;
    }
    const json =
      entry && entry.obj === obj
        ? jsonAtVersion(entry.json, entry.obj, s.info, s.version)
        : JSON.stringify(obj);
    return `{"type":"${type}","object":${json}}\n`;
  };

  const send = (type: string, entry: Entry): void => {
    const obj = atVersion(entry.obj, s.info, s.version);
    write(encode(type, obj, obj === entry.obj ? entry : undefined));
  };

  const handle = (ev: StoreEvent): void => {
    if (ev.rev <= lastRev) return;
    lastRev = ev.rev;
    const e = ev.entry;
    if (!inScope(e)) return;
    if (ev.type === 'ADDED') {
      if (opts.matches(e.obj)) send('ADDED', e);
    } else if (ev.type === 'DELETED') {
      if (opts.matches(ev.prev?.obj ?? e.obj)) send('DELETED', e);
    } else {
      const now = opts.matches(e.obj);
      const before = ev.prev ? opts.matches(ev.prev.obj) : now;
      if (now && before) send('MODIFIED', e);
      else if (now) send('ADDED', e);
      else if (before) send('DELETED', e);
    }
  };

  const unsubscribe = ctx.store.subscribe(res, (ev) => {
    if (!live) queued.push(ev);
    else handle(ev);
  });

  const timers: NodeJS.Timeout[] = [];
  function finish(): void {
    if (closed) return;
    closed = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    s.res.end();
  }
  s.req.on('close', finish);
  s.res.on('error', finish);

  const bookmark = (annotations?: Record<string, string>): void => {
    const metadata: Record<string, unknown> = {
      resourceVersion: String(Math.max(lastRev, ctx.store.revision)),
    };
    if (annotations) metadata.annotations = annotations;
    write(
      `{"type":"BOOKMARK","object":${JSON.stringify({ kind: s.info.kind, apiVersion: apiVersionOf(s.info, s.version), metadata })}}\n`,
    );
  };

  try {
    if (fromRev === undefined || opts.sendInitialEvents) {
      const start = ctx.store.revision;
      for (const e of ctx.store.list(res, ns)) if (inScope(e) && opts.matches(e.obj)) send('ADDED', e);
      lastRev = start;
      if (opts.sendInitialEvents && opts.allowBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
    } else {
      for (const ev of ctx.store.history(res, fromRev)) handle(ev);
      lastRev = Math.max(lastRev, fromRev);
    }
  } catch (err) {
    if (err instanceof StoreError && err.kind === 'compacted') {
      const status = {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${fromRev} (${ctx.store.compactRevision})`,
        reason: 'Expired',
        code: 410,
      };
      write(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
      finish();
      return;
    }
    finish();
    throw err;
  }
  live = true;
  for (const ev of queued.splice(0)) handle(ev);

  if (opts.allowBookmarks) {
    const tick = (): void => {
      if (closed) return;
      bookmark();
      timers[0] = setTimeout(tick, BOOKMARK_INTERVAL_MS);
    };
    timers[0] = setTimeout(tick, BOOKMARK_INTERVAL_MS);
  }
  if (opts.timeoutSeconds !== undefined && opts.timeoutSeconds > 0)
    timers[1] = setTimeout(finish, opts.timeoutSeconds * 1000);
}

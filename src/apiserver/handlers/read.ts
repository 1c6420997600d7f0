// GET of one object and LIST of a collection, served from the store's memory.
import { badRequest, gone, notFound, timeout } from '../errors.js';
import { includeObjectPolicy, wantsTable, wantsYaml } from '../http/negotiate.js';
import { sendJson, sendText, sendYaml } from '../http/respond.js';
import { storageResource } from '../resources/resource.js';
import { toTable } from '../tables/index.js';
import { StoreError, type Entry } from '../store/index.js';
import {
  apiVersionOf,
  atVersion,
  jsonAtVersion,
  qualifiedResource,
  type ApiContext,
  type Scope,
} from './context.js';
import { parseListOptions } from './list-options.js';
import { convertorFor } from './tables.js';

export function getObject(ctx: ApiContext, s: Scope): void {
  const entry = ctx.store.get(storageResource(s.info), s.namespace ?? '', s.name!);
  if (!entry) throw notFound(qualifiedResource(s.info), s.name!);
  respondWithObject(ctx, s, entry);
}

export function respondWithObject(ctx: ApiContext, s: Scope, entry: Entry): void {
  const accept = s.req.headers.accept;
  if (wantsTable(accept)) {
    const table = toTable(
      convertorFor(s.info, s.version),
      [atVersion(entry.obj, s.info, s.version)],
      ctx.now(),
      {
        includeObject: includeObjectPolicy(s.query),
        resourceVersion: String(entry.rev),
      },
    );
    sendJson(s.res, 200, table);
  } else if (wantsYaml(accept)) {
    sendYaml(s.res, 200, atVersion(entry.obj, s.info, s.version));
  } else {
    sendText(s.res, 200, jsonAtVersion(entry.json, entry.obj, s.info, s.version), 'application/json');
  }
}

interface ContinueToken {
  rv: number;
  start: string;
}

const encodeContinue = (t: ContinueToken): string => Buffer.from(JSON.stringify(t)).toString('base64url');

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof t.rv === 'number' && typeof t.start === 'string') return t;
  } catch {
    /* reported below */
  }
  throw badRequest(`invalid continue token: ${token}`);
}

/** The objects a list request selects (also used by deletecollection). */
export function selectEntries(ctx: ApiContext, s: Scope, matches: (o: any) => boolean): Entry[] {
  return ctx.store
    .list(storageResource(s.info), s.info.namespaced ? s.namespace : undefined)
    .filter((e) => matches(e.obj));
}

export function listObjects(ctx: ApiContext, s: Scope): void {
  const opts = parseListOptions(s.query, s.info);
  const current = ctx.store.revision;
  if (opts.resourceVersion && opts.resourceVersion !== '0') {
    const rv = Number(opts.resourceVersion);
    if (!Number.isInteger(rv) || rv < 0)
      throw badRequest(`invalid resource version: ${opts.resourceVersion}`);
    if (rv > current) throw timeout(`Too large resource version: ${rv}, current: ${current}`, 1);
  }
  let rv = current;
  let start: string | undefined;
  if (opts.continueToken) {
    const t = decodeContinue(opts.continueToken);
    rv = t.rv;
    start = t.start;
  } else if (opts.resourceVersionMatch === 'Exact' && opts.resourceVersion) {
    rv = Number(opts.resourceVersion);
  }
  let entries: Entry[];
  try {
    // Later pages of a paginated list show the collection as it was when the first page was served.
    entries = ctx.store
      .snapshot(storageResource(s.info), s.info.namespaced ? s.namespace : undefined, rv)
      .filter((e) => opts.matches(e.obj));
  } catch (err) {
    if (err instanceof StoreError && err.kind === 'compacted')
      throw gone(
        opts.continueToken
          ? 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.'
          : `too old resource version: ${rv} (${ctx.store.compactRevision})`,
      );
    throw err;
  }
  if (start !== undefined) entries = entries.filter((e) => `${e.ns}/${e.name}` > start!);
  let cont: string | undefined;
  let remaining: number | undefined;
  if (opts.limit > 0 && entries.length > opts.limit) {
    remaining = entries.length - opts.limit;
    entries = entries.slice(0, opts.limit);
    const last = entries[entries.length - 1];
    cont = encodeContinue({ rv, start: `${last.ns}/${last.name}` });
  }
  const accept = s.req.headers.accept;
  if (wantsTable(accept)) {
    const objs = entries.map((e) => atVersion(e.obj, s.info, s.version));
    const table = toTable(convertorFor(s.info, s.version), objs, ctx.now(), {
      includeObject: includeObjectPolicy(s.query),
      resourceVersion: String(rv),
      continue: cont,
      remainingItemCount: remaining,
    });
    sendJson(s.res, 200, table);
    return;
  }
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (cont) metadata.continue = cont;
  if (remaining !== undefined) metadata.remainingItemCount = remaining;
  const head = `{"kind":${JSON.stringify(s.info.listKind)},"apiVersion":${JSON.stringify(apiVersionOf(s.info, s.version))},"metadata":${JSON.stringify(metadata)},"items":[`;
  if (wantsYaml(accept)) {
    sendYaml(
      s.res,
      200,
      JSON.parse(head + entries.map((e) => jsonAtVersion(e.json, e.obj, s.info, s.version)).join(',') + ']}'),
    );
    return;
  }
  const body = head + entries.map((e) => jsonAtVersion(e.json, e.obj, s.info, s.version)).join(',') + ']}';
  sendText(s.res, 200, body, 'application/json');
}

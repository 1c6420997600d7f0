// Dispatches an authenticated request to discovery, OpenAPI, or a resource handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from './auth/index.js';
import {
  aggregated,
  aggregatedFormat,
  AGGREGATED_V2,
  AGGREGATED_V2BETA1,
  apiGroupDocument,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from './discovery.js';
import { StatusError, methodNotAllowed } from './errors.js';
import type { ApiContext, Scope } from './handlers/context.js';
import { deleteCollection, deleteObject } from './handlers/delete.js';
import { getObject, listObjects } from './handlers/read.js';
import { createReview } from './handlers/reviews.js';
import { bindPod, createToken, finalizeNamespace, handleScale, podLog } from './handlers/subresources.js';
import { watchObjects } from './handlers/watch.js';
import { createObject, patchObject, replaceObject } from './handlers/write.js';
import { parseRequest, type RequestInfo } from './http/request-info.js';
import { sendJson, sendText } from './http/respond.js';
import type { OpenApi } from './openapi.js';
import { virtualKinds } from './resources/builtins.js';

export const KUBE_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4',
  gitCommit: 'mizzen',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const notFoundPath = (): StatusError =>
  new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});

export interface RouterDeps {
  ctx: ApiContext;
  openapi: OpenApi;
  serverAddress: string;
  extraNonResource?: (path: string, req: IncomingMessage, res: ServerResponse) => boolean;
}

export async function route(
  deps: RouterDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  user: UserInfo,
): Promise<void> {
  const info = parseRequest(req.method ?? 'GET', url.pathname, url.searchParams);
  if (!info.isResource) return nonResource(deps, info, req, res, url);
  const { ctx } = deps;
  const r = ctx.registry.lookup(info.group, info.version, info.resource!);
  if (!r) throw notFoundPath();
  if (r.namespaced === false && info.namespace !== undefined) throw notFoundPath();
  const s: Scope = {
    req,
    res,
    query: url.searchParams,
    user,
    info: r,
    version: info.version,
    namespace: r.namespaced ? info.namespace : undefined,
    name: info.name,
    subresource: info.subresource,
    verb: info.verb,
  };
  if (info.subresource) return subresource(ctx, s);
  if (virtualKinds.has(r.kind)) {
    if (info.verb !== 'create')
      throw methodNotAllowed('the server does not allow this method on the requested resource');
    return createReview(ctx, s);
  }
  // One namespaced object is always addressed inside its namespace.
  if (
    r.namespaced &&
    info.namespace === undefined &&
    ['get', 'update', 'patch', 'delete'].includes(info.verb)
  )
    throw notFoundPath();
  switch (info.verb) {
    case 'get':
      return getObject(ctx, s);
    case 'list':
      return listObjects(ctx, s);
    case 'watch':
      return watchObjects(ctx, s);
    case 'create':
      if (info.name)
        throw methodNotAllowed('the server does not allow this method on the requested resource');
      if (r.namespaced && !info.namespace) throw notFoundPath();
      return createObject(ctx, s);
    case 'update':
      return replaceObject(ctx, s);
    case 'patch':
      return patchObject(ctx, s);
    case 'delete':
      return deleteObject(ctx, s);
    case 'deletecollection':
      return deleteCollection(ctx, s);
    default:
      throw methodNotAllowed('the server does not allow this method on the requested resource');
  }
}

async function subresource(ctx: ApiContext, s: Scope): Promise<void> {
  const r = s.info;
  const sub = s.subresource!;
  if (sub === 'status' && r.status) {
    if (s.verb === 'get') return getObject(ctx, s);
    if (s.verb === 'update') return replaceObject(ctx, s);
    if (s.verb === 'patch') return patchObject(ctx, s);
    throw methodNotAllowed('the server does not allow this method on the requested resource');
  }
  if (sub === 'scale' && r.scale) return handleScale(ctx, s);
  if (sub === 'token' && r.kind === 'ServiceAccount' && s.verb === 'create') return createToken(ctx, s);
  if (sub === 'finalize' && r.kind === 'Namespace' && s.verb === 'update') return finalizeNamespace(ctx, s);
  if (sub === 'binding' && r.kind === 'Pod' && s.verb === 'create') return bindPod(ctx, s);
  if (sub === 'log' && r.kind === 'Pod' && r.group === '' && s.verb === 'get') return podLog(ctx, s);
  if (r.kind === 'Pod' && (sub === 'exec' || sub === 'portforward'))
    throw new StatusError(400, 'BadRequest', 'Upgrade request required');
  if (r.extraSubresources.some((x) => x.name === sub)) {
    throw new StatusError(
      503,
      'ServiceUnavailable',
      `${r.plural}/${sub} is not available: this cluster has no node agents to serve it`,
    );
  }
  throw notFoundPath();
}

function nonResource(
  deps: RouterDeps,
  info: RequestInfo,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): void {
  const { registry } = deps.ctx;
  const p = url.pathname.replace(/\/+$/, '') || '/';
  const accept = req.headers.accept;
  if (p === '/version') return sendJson(res, 200, KUBE_VERSION);
  if (p === '/api') {
    const fmt = aggregatedFormat(accept);
    if (fmt) return sendAggregated(res, aggregated(registry, true, fmt), fmt);
    return sendJson(res, 200, apiVersions(deps.serverAddress));
  }
  if (p === '/apis') {
    const fmt = aggregatedFormat(accept);
    if (fmt) return sendAggregated(res, aggregated(registry, false, fmt), fmt);
    return sendJson(res, 200, apiGroupList(registry));
  }
  if (info.prefix === 'api' || info.prefix === 'apis') {
    const parts = p.split('/').filter(Boolean);
    if (parts[0] === 'api' && parts.length === 2) {
      const doc = apiResourceList(registry, '', parts[1]);
      if (doc) return sendJson(res, 200, doc);
    }
    if (parts[0] === 'apis' && parts.length === 2) {
      const doc = apiGroupDocument(registry, parts[1]);
      if (doc) return sendJson(res, 200, doc);
    }
    if (parts[0] === 'apis' && parts.length === 3) {
      const doc = apiResourceList(registry, parts[1], parts[2]);
      if (doc) return sendJson(res, 200, doc);
    }
    throw notFoundPath();
  }
  if (p === '/openapi/v3') return sendJson(res, 200, deps.openapi.root());
  if (p.startsWith('/openapi/v3/')) {
    const doc = deps.openapi.document(p.slice('/openapi/v3/'.length));
    if (!doc) throw notFoundPath();
    return sendText(res, 200, doc, 'application/json');
  }
  if (deps.extraNonResource?.(p, req, res)) return;
  throw notFoundPath();
}

function sendAggregated(res: ServerResponse, body: object, fmt: 'v2' | 'v2beta1'): void {
  sendText(res, 200, JSON.stringify(body), fmt === 'v2' ? AGGREGATED_V2 : AGGREGATED_V2BETA1);
}

// The injection webhook over HTTPS: `POST /inject[/k/v...]` takes an AdmissionReview and answers with a
// base64 JSONPatch; `/ready` answers 200. Errors inside a well-formed review are answered `allowed: false`
// with the message, as upstream; transport errors (no body, wrong content type) are plain HTTP errors.

import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { injectPod } from './inject.js';
import { injectRequired } from './policy.js';
import type { InjectionContext, Pod } from './types.js';

/** What the webhook needs per request; called each time so config changes apply without a restart. */
export type InjectionConfigSource = () => InjectionContext | Promise<InjectionContext>;

interface AdmissionRequest {
  uid?: string;
  namespace?: string;
  object?: unknown;
  kind?: { kind?: string };
}

interface AdmissionReview {
  apiVersion?: string;
  kind?: string;
  request?: AdmissionRequest;
}

export interface InjectPathParams {
  clusterId?: string;
  network?: string;
  env: Record<string, string>;
}

/** `/inject/cluster/<id>/net/<net>/<k>/<v>`: cluster and net become metadata, other pairs env vars. */
export function parseInjectPath(pathname: string): InjectPathParams | undefined {
  if (pathname !== '/inject' && !pathname.startsWith('/inject/')) return undefined;
  const parts = pathname.slice('/inject'.length).split('/').filter(Boolean);
  const out: InjectPathParams = { env: {} };
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const key = decodeURIComponent(parts[i]!);
    const value = decodeURIComponent(parts[i + 1]!).replaceAll('--slash--', '/');
    if (key === 'cluster') out.clusterId = value;
    else if (key === 'net') out.network = value;
    else out.env[key.toUpperCase()] = value;
  }
  return out;
}

function review(apiVersion: string, response: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion, kind: 'AdmissionReview', response });
}

/** Handles one AdmissionReview body; returns the response review (JSON text). Never throws. */
export async function handleAdmissionReview(
  body: string,
  params: InjectPathParams,
  getConfig: InjectionConfigSource,
): Promise<string> {
  let ar: AdmissionReview;
  try {
    ar = JSON.parse(body) as AdmissionReview;
  } catch (e) {
    return review('admission.k8s.io/v1', {
      uid: '',
      allowed: false,
      result: { message: `could not decode body: ${(e as Error).message}` },
    });
  }
  const apiVersion =
    ar.apiVersion === 'admission.k8s.io/v1beta1' ? 'admission.k8s.io/v1beta1' : 'admission.k8s.io/v1';
  const uid = ar.request?.uid ?? '';
  const deny = (message: string): string => review(apiVersion, { uid, allowed: false, result: { message } });
  if (ar.kind !== 'AdmissionReview' || !ar.request)
    return deny('could not decode body: not an AdmissionReview');
  const obj = ar.request.object;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj))
    return deny('could not unmarshal raw object: request.object is not a Pod');
  const pod = structuredClone(obj) as Pod;
  if (pod.kind !== undefined && pod.kind !== 'Pod')
    return deny(`could not unmarshal raw object: kind ${pod.kind}`);
  pod.metadata ??= {};
  delete pod.metadata.managedFields;
  // Pods created by controllers arrive without a namespace.
  if (!pod.metadata.namespace) pod.metadata.namespace = ar.request.namespace ?? 'default';
  try {
    const base = await getConfig();
    const ctx: InjectionContext = {
      ...base,
      clusterId: params.clusterId ?? base.clusterId,
      network: params.network ?? base.network,
      extraEnv: { ...base.extraEnv, ...params.env },
    };
    const decision = injectRequired(
      {
        namespace: pod.metadata.namespace,
        hostNetwork: pod.spec?.hostNetwork,
        labels: pod.metadata.labels,
        annotations: pod.metadata.annotations,
      },
      { ...ctx.config, policy: ctx.config.policy ?? ctx.values.global?.proxy?.autoInject ?? 'enabled' },
    );
    if (!decision.inject) return review(apiVersion, { uid, allowed: true });
    // The filled-in namespace is in both sides of the diff, so the patch never sets it.
    const result = injectPod(pod, ctx);
    if (!result.injected || result.patch.length === 0) return review(apiVersion, { uid, allowed: true });
    const patch = result.patch;
    return review(apiVersion, {
      uid,
      allowed: true,
      patchType: 'JSONPatch',
      patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
    });
  } catch (e) {
    return deny(`injection failed: ${(e as Error).message}`);
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function injectionRequestHandler(getConfig: InjectionConfigSource) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://istiod');
    const text = (status: number, message: string): void => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(message);
    };
    if (url.pathname === '/ready') return text(200, 'ok');
    const params = parseInjectPath(url.pathname);
    if (!params) return text(404, `404 page not found: ${url.pathname}`);
    if (req.method !== 'POST') return text(405, 'method not allowed: injection expects POST');
    let body: string;
    try {
      body = await readBody(req, 32 << 20);
    } catch (e) {
      return text(413, (e as Error).message);
    }
    if (!body) return text(400, 'no body found');
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (type !== 'application/json') return text(415, 'invalid Content-Type, want `application/json`');
    const out = await handleAdmissionReview(body, params, getConfig);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(out);
  };
}

export interface InjectionServerOptions {
  port: number;
  /** Listen address; default 127.0.0.1 (istiod in a pod passes its pod address or '0.0.0.0'). */
  host?: string;
  cert: string | Buffer;
  key: string | Buffer;
  getConfig: InjectionConfigSource;
}

export interface InjectionServer {
  server: https.Server;
  port: number;
  close(): Promise<void>;
}

export async function startInjectionServer(opts: InjectionServerOptions): Promise<InjectionServer> {
  const handler = injectionRequestHandler(opts.getConfig);
  const server = https.createServer({ cert: opts.cert, key: opts.key }, (req, res) => {
    handler(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`internal error: ${(e as Error).message}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

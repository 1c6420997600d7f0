// The HTTPS POST of an AdmissionReview to one webhook: where to connect, how to verify the
// server, the per-webhook deadline, and failure texts in kube-apiserver's wording.

import https from 'node:https';
import tls from 'node:tls';
import { isIP } from 'node:net';
import { goTransportError } from './goerrors.js';
import type { WebhookDeps, WebhookSpec } from './types.js';

/** A failed call; `message` is the reason part of `failed calling webhook "<name>": <reason>`. */
export class WebhookCallError extends Error {}

export const DEFAULT_TIMEOUT_SECONDS = 10;
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export function effectiveTimeoutSeconds(hook: WebhookSpec): number {
  const t = hook.timeoutSeconds;
  if (typeof t !== 'number' || !Number.isFinite(t)) return DEFAULT_TIMEOUT_SECONDS;
  return Math.min(30, Math.max(1, Math.ceil(t)));
}

interface Target {
  /** The URL as Go would print it, including `?timeout=`. */
  displayUrl: string;
  /** Path plus query sent on the request line. */
  requestPath: string;
  hostHeader: string;
  /** Name the server certificate must be valid for. */
  expectedName: string;
  /** Where to connect, once known. */
  dial: () => Promise<{ host: string; port: number }>;
  ca?: string;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function decodeCaBundle(caBundle: string | undefined): string | undefined {
  if (!caBundle) return undefined;
  const pem = Buffer.from(caBundle, 'base64').toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new WebhookCallError(
      'could not get REST client: unable to load root certificates: unable to parse bytes as PEM block',
    );
  }
  return pem;
}

function targetFor(hook: WebhookSpec, timeoutSeconds: number, deps: WebhookDeps): Target {
  const cc = hook.clientConfig ?? {};
  const query = `?timeout=${timeoutSeconds}s`;
  const ca = decodeCaBundle(cc.caBundle);
  if (cc.url) {
    let u: URL;
    try {
      u = new URL(cc.url);
    } catch {
      throw new WebhookCallError(
        `could not get REST client: Unparsable URL: parse ${JSON.stringify(cc.url)}: invalid URL`,
      );
    }
    if (u.protocol !== 'https:') {
      throw new WebhookCallError(
        `could not get REST client: webhook URL must use https, got ${JSON.stringify(u.protocol.replace(/:$/, ''))}`,
      );
    }
    const host = unbracket(u.hostname);
    const port = u.port ? Number(u.port) : 443;
    const path = u.pathname || '/';
    return {
      displayUrl: `https://${u.host}${path}${query}`,
      requestPath: path + query,
      hostHeader: u.host,
      expectedName: host,
      dial: async () => ({ host, port }),
      ca,
    };
  }
  if (cc.service) {
    const { namespace, name } = cc.service;
    const port = cc.service.port ?? 443;
    const serverName = `${name}.${namespace}.svc`;
    let path = cc.service.path ?? '/';
    if (!path.startsWith('/')) path = '/' + path;
    return {
      displayUrl: `https://${serverName}:${port}${path}${query}`,
      requestPath: path + query,
      hostHeader: `${serverName}:${port}`,
      expectedName: serverName,
      // Only the cluster knows where a service lives; without a resolver, DNS gets a try (as upstream).
      dial: deps.resolveService
        ? () => deps.resolveService!(namespace, name, port)
        : async () => ({ host: serverName, port }),
      ca,
    };
  }
  throw new WebhookCallError('could not get REST client: webhook clientConfig has neither url nor service');
}

class DeadlineExceeded extends Error {}

interface RawResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

function post(
  target: Target,
  addr: { host: string; port: number },
  payload: Buffer,
  deps: WebhookDeps,
  signal: AbortSignal,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = {
      host: addr.host,
      port: addr.port,
      method: 'POST',
      path: target.requestPath,
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, */*',
        'Content-Length': payload.length,
        Host: target.hostHeader,
        'User-Agent': 'mizzen-apiserver',
      },
      agent: false,
      // Verify against the name we meant to reach, not the address we happened to dial.
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(target.expectedName, cert),
      signal,
    };
    if (!isIP(target.expectedName)) options.servername = target.expectedName;
    if (target.ca) options.ca = target.ca;
    if (deps.clientCert) {
      options.cert = deps.clientCert.cert;
      options.key = deps.clientCert.key;
    }
    const req = https.request(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_RESPONSE_BYTES) {
          req.destroy(new Error(`response body exceeds ${MAX_RESPONSE_BYTES} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

// client-go's texts for an error response that is not a Status object.
function genericServerMessage(code: number, serverMessage: string): string {
  switch (code) {
    case 409:
      return 'the server reported a conflict';
    case 404:
      return 'the server could not find the requested resource';
    case 400:
      return 'the server rejected our request for an unknown reason';
    case 401:
      return 'the server has asked for the client to provide credentials';
    case 403:
      return serverMessage;
    case 405:
      return 'the server does not allow this method on the requested resource';
    case 422:
      return 'the server rejected our request due to an error in our request';
    case 503:
      return 'the server is currently unable to handle the request';
    case 504:
      return 'the server was unable to return a response in the time allotted, but may still be processing the request';
    case 429:
      return 'the server has received too many requests and has asked us to try again later';
  }
  if (code >= 500)
    return `an error on the server (${JSON.stringify(serverMessage)}) has prevented the request from succeeding`;
  return `the server responded with the status code ${code} but did not return more information`;
}

function errorResponseMessage(res: RawResponse): string {
  const text = res.body.toString('utf8');
  try {
    const status = JSON.parse(text);
    if (
      status &&
      typeof status === 'object' &&
      status.kind === 'Status' &&
      typeof status.message === 'string'
    )
      return status.message;
  } catch {
    // not a Status; fall through
  }
  const serverMessage = /^text\/plain/i.test(res.contentType) ? text.trim() : 'unknown';
  return genericServerMessage(res.status, serverMessage);
}

/**
 * POSTs the review and returns the decoded response body. Throws WebhookCallError for every failure
 * that upstream classes as "calling the webhook failed" (subject to failurePolicy).
 */
export async function postAdmissionReview(
  hook: WebhookSpec,
  review: unknown,
  deps: WebhookDeps,
): Promise<unknown> {
  const timeoutSeconds = effectiveTimeoutSeconds(hook);
  const target = targetFor(hook, timeoutSeconds, deps);
  const payload = Buffer.from(JSON.stringify(review));
  const fail = (why: string): WebhookCallError =>
    new WebhookCallError(`failed to call webhook: Post ${JSON.stringify(target.displayUrl)}: ${why}`);

  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new DeadlineExceeded('context deadline exceeded');
      controller.abort(err);
      reject(err);
    }, timeoutSeconds * 1000);
  });
  deadline.catch(() => undefined);
  try {
    let addr: { host: string; port: number };
    try {
      addr = await Promise.race([target.dial(), deadline]);
    } catch (e) {
      if (e instanceof DeadlineExceeded) throw fail('context deadline exceeded');
      // A resolver failure (e.g. no endpoints) keeps its own words, like a failed custom dialer in Go.
      throw fail(e instanceof Error ? e.message : String(e));
    }
    let res: RawResponse;
    try {
      res = await Promise.race([post(target, addr, payload, deps, controller.signal), deadline]);
    } catch (e) {
      if (e instanceof DeadlineExceeded || controller.signal.aborted) throw fail('context deadline exceeded');
      throw fail(goTransportError(e, addr, target.expectedName));
    }
    if (res.status < 200 || res.status > 299) {
      throw new WebhookCallError(`failed to call webhook: ${errorResponseMessage(res)}`);
    }
    try {
      return JSON.parse(res.body.toString('utf8'));
    } catch (e) {
      throw new WebhookCallError(
        `failed to call webhook: couldn't get version/kind; json parse error: ${(e as Error).message}`,
      );
    }
  } finally {
    clearTimeout(timer);
  }
}

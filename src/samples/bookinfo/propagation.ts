import type http from 'node:http';

/**
 * Headers the Bookinfo services copy from the request they serve to the requests they make, so that the mesh
 * can stitch traces together and route on the user (Istio's trace-context propagation guidance). The reviews
 * service copies end-user and user-agent as well; productpage derives end-user from its own session instead.
 */
export const TRACE_HEADERS = [
  'x-request-id',
  'x-ot-span-context',
  'x-datadog-trace-id',
  'x-datadog-parent-id',
  'x-datadog-sampling-priority',
  'traceparent',
  'tracestate',
  'x-cloud-trace-context',
  'grpc-trace-bin',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'sw8',
] as const;

export function pickHeaders(req: http.IncomingMessage, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = req.headers[name];
    if (typeof v === 'string') out[name] = v;
    else if (Array.isArray(v)) out[name] = v.join(', ');
  }
  return out;
}

/** `SERVICES_DOMAIN` is appended to every backend hostname, as the upstream services do. */
export function serviceUrl(
  env: Readonly<Record<string, string | undefined>>,
  hostVar: string,
  fallback: string,
): string {
  const domain = env.SERVICES_DOMAIN ? `.${env.SERVICES_DOMAIN}` : '';
  return `http://${env[hostVar] ?? fallback}${domain}:9080`;
}

/** Product ids are integers; anything else is the client's mistake. */
export function parseId(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^-?\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

import http from 'node:http';
import type { Env } from './program.js';

/**
 * Outbound HTTP for the samples. In a cluster, `http://details:9080` is found through cluster DNS. Tests (and
 * anything else without that DNS) map names to addresses with env MIZZEN_SAMPLES_HOSTS, e.g.
 * `details=127.0.0.1:4001,reviews:9080=127.0.0.1:4002`: the connection goes to the mapped address while the
 * Host header still names the service, like curl's --connect-to.
 */
export function parseHostMap(spec: string | undefined): Map<string, { host: string; port: number }> {
  const map = new Map<string, { host: string; port: number }>();
  for (const item of (spec ?? '').split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    const key = item.slice(0, eq).trim().toLowerCase();
    const target = item.slice(eq + 1).trim();
    const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(target);
    if (m) map.set(key, { host: m[1]!, port: Number(m[2]) });
    else if (target) map.set(key, { host: target, port: 0 });
  }
  return map;
}

export interface FetchResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class HttpClient {
  // A connection per request, as the upstream images make them (Python requests without a session):
  // without a mesh, kube-proxy balances per connection, so that is what spreads productpage's calls
  // over reviews v1, v2 and v3.
  private readonly agent = new http.Agent({ keepAlive: false, maxSockets: 64 });
  private readonly hosts: ReturnType<typeof parseHostMap>;

  constructor(env: Env) {
    this.hosts = parseHostMap(env.MIZZEN_SAMPLES_HOSTS);
  }

  /** GET `url`; rejects on connection errors and when the whole exchange takes longer than timeoutMs. */
  get(url: string, headers: Record<string, string>, timeoutMs: number): Promise<FetchResult> {
    const u = new URL(url);
    const port = Number(u.port || 80);
    const name = u.hostname.toLowerCase();
    const mapped = this.hosts.get(`${name}:${port}`) ?? this.hosts.get(name);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: mapped?.host ?? u.hostname,
          port: mapped && mapped.port > 0 ? mapped.port : port,
          path: u.pathname + u.search,
          method: 'GET',
          agent: this.agent,
          headers: { host: u.host, accept: 'application/json', ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString(),
            });
          });
          res.on('error', reject);
        },
      );
      const timer = setTimeout(
        () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${url}`)),
        timeoutMs,
      );
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

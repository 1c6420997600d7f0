// A small generic Kubernetes REST client over @kubernetes/client-node's KubeConfig (which handles
// credentials and TLS): raw requests for any resource path, discovery, and list-then-watch loops.
// The controllers, operator and CLI use it against the embedded cluster or any real one.
import https from 'node:https';
import http from 'node:http';
import { KubeConfig, Watch } from '@kubernetes/client-node';

export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly status?: any,
  ) {
    super(message);
  }
}

export interface ApiResource {
  group: string;
  version: string;
  /** "apps/v1" or "v1". */
  groupVersion: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

export class KubeClient {
  readonly kc: KubeConfig;
  private readonly agent: https.Agent | http.Agent;
  private readonly server: URL;
  private optsReady: Promise<https.RequestOptions>;

  constructor(kc: KubeConfig) {
    this.kc = kc;
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
    this.agent =
      this.server.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 32 })
        : new http.Agent({ keepAlive: true });
    this.optsReady = (async () => {
      const o: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(o);
      return o;
    })();
  }

  static fromFile(path: string): KubeClient {
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    return new KubeClient(kc);
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const base = await this.optsReady;
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const mod = this.server.protocol === 'https:' ? https : http;
    return await new Promise<T>((resolve, reject) => {
      const req = mod.request(
        {
          ...base,
          agent: this.agent,
          method,
          host: this.server.hostname,
          port: this.server.port,
          path: (this.server.pathname.replace(/\/$/, '') || '') + path,
          headers: {
            ...(base.headers ?? {}),
            Accept: 'application/json',
            ...(data !== undefined
              ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: any = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* not JSON */
            }
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) resolve(parsed as T);
            else
              reject(
                new KubeError(
                  code,
                  parsed?.reason ?? '',
                  parsed?.message ?? `${method} ${path}: HTTP ${code}`,
                  parsed,
                ),
              );
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (data !== undefined) req.write(data);
      req.end();
    });
  }

  get<T = any>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** GET that answers undefined for 404. */
  async find<T = any>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (err) {
      if (err instanceof KubeError && err.code === 404) return undefined;
      throw err;
    }
  }

  /** Every served resource (preferred version of each group), from legacy discovery. */
  async discover(): Promise<ApiResource[]> {
    const out: ApiResource[] = [];
    const gvs: string[] = ['v1'];
    const groups = await this.get<any>('/apis');
    for (const g of groups.groups ?? [])
      gvs.push(g.preferredVersion?.groupVersion ?? g.versions[0].groupVersion);
    const lists = await Promise.all(gvs.map((gv) => this.find<any>(gv === 'v1' ? '/api/v1' : `/apis/${gv}`)));
    lists.forEach((list, i) => {
      if (!list) return;
      const gv = gvs[i];
      const [group, version] = gv.includes('/') ? gv.split('/') : ['', gv];
      for (const r of list.resources ?? []) {
        if (r.name.includes('/')) continue;
        out.push({
          group,
          version,
          groupVersion: gv,
          plural: r.name,
          kind: r.kind,
          namespaced: r.namespaced,
          verbs: r.verbs ?? [],
        });
      }
    });
    return out;
  }

  /** Starts a list-then-watch loop on a collection path; relists after errors and 410s. */
  informer(path: string, handlers: InformerHandlers, query: Record<string, string> = {}): Informer {
    return new Informer(this, path, handlers, query);
  }
}

export const resourcePath = (
  r: Pick<ApiResource, 'group' | 'version' | 'plural' | 'namespaced'>,
  namespace?: string,
  name?: string,
): string => {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${r.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
};

export interface InformerHandlers {
  /** The full current set after each (re)list, replacing what came before. */
  onSync?(objects: any[]): void;
  onEvent?(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: any): void;
  onError?(err: unknown): void;
}

export class Informer {
  private stopped = false;
  private abort?: AbortController;
  private timer?: NodeJS.Timeout;
  private rv = '';
  readonly synced: Promise<void>;
  private markSynced!: () => void;

  constructor(
    private readonly client: KubeClient,
    private readonly path: string,
    private readonly handlers: InformerHandlers,
    private readonly query: Record<string, string>,
  ) {
    this.synced = new Promise((r) => (this.markSynced = r));
    void this.relist();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort?.abort();
  }

  private retry(ms = 1000): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.relist(), ms);
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const qs = new URLSearchParams(this.query).toString();
      const list = await this.client.get<any>(this.path + (qs ? `?${qs}` : ''));
      this.rv = list.metadata?.resourceVersion ?? '';
      this.handlers.onSync?.(list.items ?? []);
      this.markSynced();
      await this.watch();
    } catch (err) {
      if (this.stopped) return;
      this.handlers.onError?.(err);
      this.retry();
    }
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    const w = new Watch(this.client.kc);
    let expired = false;
    this.abort = await w.watch(
      this.path,
      { ...this.query, resourceVersion: this.rv, allowWatchBookmarks: true },
      (type, obj) => {
        if (type === 'BOOKMARK') {
          this.rv = obj?.metadata?.resourceVersion ?? this.rv;
          return;
        }
        if (type === 'ERROR') {
          if (obj?.code === 410) expired = true;
          return;
        }
        this.rv = obj?.metadata?.resourceVersion ?? this.rv;
        this.handlers.onEvent?.(type as 'ADDED' | 'MODIFIED' | 'DELETED', obj);
      },
      (err) => {
        if (this.stopped) return;
        if (err && !(err instanceof Error && err.name === 'AbortError')) this.handlers.onError?.(err);
        // A watch that ends normally resumes from the last version; an expired one relists.
        if (expired || err) this.retry(err ? 1000 : 0);
        else void this.watch().catch(() => this.retry());
      },
    );
  }
}

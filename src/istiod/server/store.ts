// A cache of one collection kept current by a list-then-watch Informer, keyed by namespace/name.
import { KubeError, type Informer, type KubeClient } from '../../kube/index.js';

export interface CachedCollection {
  readonly path: string;
  list(): Array<Record<string, any>>;
  get(namespace: string, name: string): Record<string, any> | undefined;
  /** True once the first list arrived. */
  synced(): boolean;
  stop(): void;
}

const key = (o: any): string => `${o?.metadata?.namespace ?? ''}/${o?.metadata?.name ?? ''}`;

export function cacheCollection(
  client: Pick<KubeClient, 'informer'>,
  path: string,
  onChange: () => void,
  log: (m: string) => void,
): CachedCollection {
  const items = new Map<string, Record<string, any>>();
  let isSynced = false;
  let lastError = '';
  const informer: Informer = client.informer(path, {
    onSync: (objects) => {
      items.clear();
      for (const o of objects) items.set(key(o), o);
      isSynced = true;
      lastError = '';
      onChange();
    },
    onEvent: (type, obj) => {
      if (type === 'DELETED') items.delete(key(obj));
      else items.set(key(obj), obj);
      onChange();
    },
    onError: (err) => {
      // A missing CRD answers 404 on every relist; say so once, the informer keeps retrying.
      const msg = err instanceof KubeError && err.code === 404 ? `${path}: not served (yet)` : String(err);
      if (msg !== lastError) log(`watch ${path}: ${msg}`);
      lastError = msg;
    },
  });
  return {
    path,
    list: () => [...items.values()],
    get: (namespace, name) => items.get(`${namespace}/${name}`),
    synced: () => isSynced,
    stop: () => informer.stop(),
  };
}

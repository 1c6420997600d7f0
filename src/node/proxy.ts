// kube-proxy for the cluster namespace: the MIZZEN- nat chains follow Services and EndpointSlices.
import { applyServiceRules, serviceRules, type EndpointSliceLike, type ServiceLike } from '../netns/index.js';
import type { Informer, KubeClient } from '../kube/index.js';

const SYNC_DELAY_MS = 50;

export interface ServiceProxy {
  /** Resolves after the first rules are in place. */
  ready: Promise<void>;
  stop(): void;
}

export function startServiceProxy(opts: {
  client: KubeClient;
  netns: string;
  /** Cluster IPs the daemon serves itself (DNS, API server): no NAT rules for them. */
  localAddresses: string[];
  log(msg: string): void;
}): ServiceProxy {
  const services = new Map<string, ServiceLike>();
  const slices = new Map<string, EndpointSliceLike>();
  const key = (o: { metadata: { namespace?: string; name?: string } }) =>
    `${o.metadata.namespace}/${o.metadata.name}`;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));

  const apply = async () => {
    const local = new Set(opts.localAddresses);
    const svcs = [...services.values()].filter(
      (s) => !(s.spec?.clusterIPs ?? [s.spec?.clusterIP]).some((ip) => ip && local.has(ip)),
    );
    await applyServiceRules(opts.netns, serviceRules(svcs, [...slices.values()]));
  };
  const sync = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = apply()
      .then(() => markReady())
      .catch((err) => opts.log(`service rules: ${(err as Error).message}`))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          schedule();
        }
      });
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(sync, SYNC_DELAY_MS);
  };
  const track = <T extends { metadata: { namespace?: string; name?: string } }>(into: Map<string, T>) => ({
    onSync: (items: T[]) => {
      into.clear();
      for (const o of items) into.set(key(o), o);
      schedule();
    },
    onEvent: (type: string, o: T) => {
      if (type === 'DELETED') into.delete(key(o));
      else into.set(key(o), o);
      schedule();
    },
    onError: (err: unknown) => opts.log(`proxy watch: ${(err as Error).message}`),
  });
  const informers: Informer[] = [
    opts.client.informer('/api/v1/services', track(services)),
    opts.client.informer('/apis/discovery.k8s.io/v1/endpointslices', track(slices)),
  ];
  return {
    ready,
    stop() {
      stopped = true;
      clearTimeout(timer);
      for (const i of informers) i.stop();
    },
  };
}

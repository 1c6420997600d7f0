// LoadBalancer addresses from one pool, as MetalLB's layer-2 mode or cloud-provider-kind hand them
// out: every Service of type LoadBalancer gets one IPv4 address, kept while the Service wants it.
// Pure: the controller feeds Services in and writes the decisions out.

/** Where the pool comes from when the controllers are not given one. */
export const POOL_CONFIGMAP = { namespace: 'kube-system', name: 'mizzen-loadbalancer', key: 'range' };

/** The widest pool accepted: the host routes LoadBalancer ranges of at most a /16. */
const MIN_PREFIX = 16;

export interface AddressPool {
  cidr: string;
  network: number;
  prefix: number;
}

function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) < 256))
    return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** A network in CIDR notation, e.g. 172.30.5.0/24; throws with the reason when it is not usable. */
export function parsePool(cidr: string): AddressPool {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim());
  const network = m ? parseIPv4(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (network === undefined || !(prefix >= 0 && prefix <= 32))
    throw new Error(`LoadBalancer pool "${cidr}" is not an IPv4 CIDR such as 172.30.5.0/24`);
  if (prefix < MIN_PREFIX || prefix > 30)
    throw new Error(`LoadBalancer pool ${cidr} must be between a /${MIN_PREFIX} and a /30`);
  if (network % 2 ** (32 - prefix) !== 0)
    throw new Error(`LoadBalancer pool ${cidr} has host bits set (its network is not its first address)`);
  return { cidr: `${formatIPv4(network)}/${prefix}`, network, prefix };
}

/** The addresses handed out: all but the network address, the first host (.1) and broadcast. */
function usableRange(pool: AddressPool): { first: number; last: number } {
  return { first: pool.network + 2, last: pool.network + 2 ** (32 - pool.prefix) - 2 };
}

export function poolSize(pool: AddressPool): number {
  const { first, last } = usableRange(pool);
  return last - first + 1;
}

export function inPool(pool: AddressPool, ip: string): boolean {
  const n = parseIPv4(ip);
  const { first, last } = usableRange(pool);
  return n !== undefined && n >= first && n <= last;
}

/** Services this controller serves: type LoadBalancer without a loadBalancerClass (another's). */
export function wantsAddress(svc: any): boolean {
  return svc?.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass;
}

export function ingressIPs(svc: any): string[] {
  return (svc?.status?.loadBalancer?.ingress ?? []).map((i: any) => i?.ip).filter(Boolean);
}

/** The status.loadBalancer a decision asks for. */
export function loadBalancerStatus(ip: string | undefined): {
  ingress?: Array<{ ip: string; ipMode: string }>;
} {
  return ip ? { ingress: [{ ip, ipMode: 'VIP' }] } : {};
}

/** True when the Service's status already says exactly that. */
export function statusMatches(svc: any, ip: string | undefined): boolean {
  const ingress = svc?.status?.loadBalancer?.ingress ?? [];
  if (!ip) return ingress.length === 0;
  return ingress.length === 1 && ingress[0].ip === ip && ingress[0].ipMode === 'VIP' && !ingress[0].hostname;
}

export type Decision =
  /** Not ours (a loadBalancerClass): leave the status alone. */
  | { kind: 'ignore' }
  /** Not (or no longer) a LoadBalancer: its status must hold no address. */
  | { kind: 'clear' }
  | { kind: 'assign'; ip: string; fresh: boolean }
  /** No address could be given: status empty, and a warning event with the message. */
  | { kind: 'fail'; message: string };

export const serviceKey = (svc: any): string => `${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`;

const requestedIP = (svc: any): string | undefined => {
  const ip = svc.spec?.loadBalancerIP;
  return typeof ip === 'string' && ip.trim() ? ip.trim() : undefined;
};

/** Which Service holds which address of the pool. */
export class AddressAllocator {
  private readonly byIp = new Map<string, string>();
  private readonly byKey = new Map<string, string>();

  constructor(readonly pool: AddressPool) {}

  /**
   * The allocations the Services' statuses record (oldest Service first when two claim one address),
   * so a restarted controller moves no address. An address outside the pool, or not the one the
   * Service now asks for, is not kept: that Service gets a new one when synced.
   */
  static rebuild(pool: AddressPool, services: any[]): AddressAllocator {
    const a = new AddressAllocator(pool);
    const ordered = services
      .filter(wantsAddress)
      .map((s) => ({ s, key: serviceKey(s), t: s.metadata.creationTimestamp ?? '' }))
      .sort((x, y) => (x.t < y.t ? -1 : x.t > y.t ? 1 : x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    for (const { s, key } of ordered) {
      const wanted = requestedIP(s);
      const ip = ingressIPs(s).find((i) => inPool(pool, i) && !a.byIp.has(i) && (!wanted || wanted === i));
      if (ip) a.claim(key, ip);
    }
    return a;
  }

  ipOf(key: string): string | undefined {
    return this.byKey.get(key);
  }

  ownerOf(ip: string): string | undefined {
    return this.byIp.get(ip);
  }

  get used(): number {
    return this.byIp.size;
  }

  /** Frees the Service's address; answers it, if it had one. */
  release(key: string): string | undefined {
    const ip = this.byKey.get(key);
    if (ip === undefined) return undefined;
    this.byKey.delete(key);
    this.byIp.delete(ip);
    return ip;
  }

  private claim(key: string, ip: string): void {
    this.release(key);
    this.byKey.set(key, ip);
    this.byIp.set(ip, key);
  }

  private firstFree(): string | undefined {
    const { first, last } = usableRange(this.pool);
    for (let n = first; n <= last; n++) {
      const ip = formatIPv4(n);
      if (!this.byIp.has(ip)) return ip;
    }
    return undefined;
  }

  /**
   * Decides the address of the Service under `key` (undefined: it is gone) and records it. The lowest
   * free address is given, or spec.loadBalancerIP when that is in the pool and free; a requested
   * address that cannot be had fails rather than handing out another one.
   */
  sync(key: string, svc: any | undefined): Decision {
    if (!svc) {
      this.release(key);
      return { kind: 'ignore' };
    }
    if (svc.spec?.type === 'LoadBalancer' && svc.spec.loadBalancerClass) {
      this.release(key);
      return { kind: 'ignore' };
    }
    if (!wantsAddress(svc)) {
      this.release(key);
      return { kind: 'clear' };
    }
    const current = this.byKey.get(key);
    const wanted = requestedIP(svc);
    if (wanted) {
      if (current === wanted) return { kind: 'assign', ip: current, fresh: false };
      this.release(key);
      if (!inPool(this.pool, wanted))
        return {
          kind: 'fail',
          message: `Failed to allocate IP for "${key}": requested IP "${wanted}" is not in the pool ${this.pool.cidr}`,
        };
      const owner = this.byIp.get(wanted);
      if (owner)
        return {
          kind: 'fail',
          message: `Failed to allocate IP for "${key}": requested IP "${wanted}" is already used by "${owner}"`,
        };
      this.claim(key, wanted);
      return { kind: 'assign', ip: wanted, fresh: true };
    }
    if (current) return { kind: 'assign', ip: current, fresh: false };
    const ip = this.firstFree();
    if (!ip)
      return {
        kind: 'fail',
        message: `Failed to allocate IP for "${key}": no available IPs in the pool ${this.pool.cidr}`,
      };
    this.claim(key, ip);
    return { kind: 'assign', ip, fresh: true };
  }
}

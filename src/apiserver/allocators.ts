// Service cluster IPs (from the service CIDR) and node ports (30000-32767), rebuilt from the stored
// Services at start so restarts never hand out an address twice.
import { StatusError } from './errors.js';
import type { StrategyContext } from './resources/resource.js';
import type { Store } from './store/index.js';

const ipToInt = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const intToIp = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

export class Allocators implements StrategyContext {
  private readonly ips = new Set<number>();
  private readonly ports = new Set<number>();
  private readonly base: number;
  private readonly size: number;
  private nextIp = 0;
  private nextPort = 0;

  constructor(
    readonly serviceCidr: string,
    store: Store,
    private readonly portRange: [number, number] = [30000, 32767],
  ) {
    const [addr, bits] = serviceCidr.split('/');
    this.base = ipToInt(addr);
    this.size = 2 ** (32 - Number(bits));
    for (const e of store.list('services')) {
      const spec = e.obj.spec ?? {};
      if (spec.clusterIP && spec.clusterIP !== 'None') this.ips.add(ipToInt(spec.clusterIP));
      for (const p of spec.ports ?? []) if (p.nodePort) this.ports.add(p.nodePort);
    }
  }

  /** The first usable address (.1), reserved for the `kubernetes` Service. */
  get apiServiceIP(): string {
    return intToIp(this.base + 1);
  }

  allocateClusterIP(_family: 'IPv4', requested?: string): string {
    if (requested) {
      const n = ipToInt(requested);
      if (!/^\d+\.\d+\.\d+\.\d+$/.test(requested) || n <= this.base || n >= this.base + this.size - 1)
        throw invalidIP(
          requested,
          `the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.serviceCidr}`,
        );
      if (this.ips.has(n))
        throw invalidIP(requested, `failed to allocate IP ${requested}: provided IP is already allocated`);
      this.ips.add(n);
      return requested;
    }
    // Start above the low addresses users and bootstrap pick by hand (.1 API, .10 DNS).
    const first = 16;
    for (let i = 0; i < this.size - first - 1; i++) {
      const off = first + ((this.nextIp + i) % (this.size - first - 1));
      if (!this.ips.has(this.base + off)) {
        this.ips.add(this.base + off);
        this.nextIp = off - first + 1;
        return intToIp(this.base + off);
      }
    }
    throw new StatusError(
      500,
      'InternalError',
      'Internal error occurred: failed to allocate a serviceIP: range is full',
    );
  }

  releaseClusterIP(ip: string): void {
    this.ips.delete(ipToInt(ip));
  }

  allocateNodePort(requested?: number): number {
    const [lo, hi] = this.portRange;
    if (requested !== undefined) {
      if (requested < lo || requested > hi)
        throw invalidPort(
          requested,
          `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`,
        );
      if (this.ports.has(requested)) throw invalidPort(requested, 'provided port is already allocated');
      this.ports.add(requested);
      return requested;
    }
    const span = hi - lo + 1;
    for (let i = 0; i < span; i++) {
      const p = lo + ((this.nextPort + i) % span);
      if (!this.ports.has(p)) {
        this.ports.add(p);
        this.nextPort = p - lo + 1;
        return p;
      }
    }
    throw new StatusError(
      500,
      'InternalError',
      'Internal error occurred: failed to allocate a nodePort: range is full',
    );
  }

  releaseNodePort(port: number): void {
    this.ports.delete(port);
  }
}

const invalidIP = (ip: string, detail: string): StatusError =>
  new StatusError(
    422,
    'Invalid',
    `Service "" is invalid: spec.clusterIPs: Invalid value: []string{"${ip}"}: ${detail}`,
    {
      kind: 'Service',
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: []string{"${ip}"}: ${detail}`,
          field: 'spec.clusterIPs',
        },
      ],
    },
  );

const invalidPort = (port: number, detail: string): StatusError =>
  new StatusError(
    422,
    'Invalid',
    `Service "" is invalid: spec.ports[0].nodePort: Invalid value: ${port}: ${detail}`,
    {
      kind: 'Service',
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${port}: ${detail}`,
          field: 'spec.ports[0].nodePort',
        },
      ],
    },
  );

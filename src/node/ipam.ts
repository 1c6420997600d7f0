// Pod IPs from the node's podCIDR: the network and broadcast addresses and .1 are never handed out.
export class PodIpAllocator {
  private readonly base: number;
  private readonly size: number;
  private readonly used = new Set<number>();

  constructor(readonly cidr: string) {
    const [ip, len] = cidr.split('/');
    const prefix = Number(len);
    const parts = (ip ?? '').split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
      throw new Error(`invalid pod CIDR ${cidr}`);
    if (!Number.isInteger(prefix) || prefix < 16 || prefix > 30)
      throw new Error(`pod CIDR ${cidr} must be between /16 and /30`);
    const mask = (0xffffffff << (32 - prefix)) >>> 0;
    this.base = ((((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0) & mask) >>> 0;
    this.size = 2 ** (32 - prefix);
  }

  allocate(): string {
    for (let offset = 2; offset < this.size - 1; offset++) {
      if (this.used.has(offset)) continue;
      this.used.add(offset);
      return formatIp(this.base + offset);
    }
    throw new Error(`pod CIDR ${this.cidr} is exhausted`);
  }

  release(ip: string): void {
    const parts = ip.split('.').map(Number);
    const n = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
    this.used.delete(n - this.base);
  }
}

const formatIp = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

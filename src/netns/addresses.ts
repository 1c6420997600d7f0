// IPv4 arithmetic and the address rules that keep the cluster network from touching real networks.

export function parseIPv4(text: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) throw new Error(`"${text}" is not an IPv4 address`);
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) throw new Error(`"${text}" is not an IPv4 address`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  network: number;
  prefix: number;
}

export function parseCidr(text: string): Cidr {
  const [addr, len, extra] = text.split('/');
  const prefix = Number(len);
  if (extra !== undefined || len === undefined || !/^\d{1,2}$/.test(len) || prefix > 32)
    throw new Error(`"${text}" is not an IPv4 CIDR (a.b.c.d/n)`);
  const ip = parseIPv4(addr!);
  const network = (ip & mask(prefix)) >>> 0;
  if (network !== ip)
    throw new Error(`"${text}" has host bits set (did you mean ${formatCidr({ network, prefix })}?)`);
  return { network, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.network)}/${c.prefix}`;
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function cidrContains(c: Cidr, ip: number): boolean {
  return (ip & mask(c.prefix)) >>> 0 === c.network;
}

export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return (a.network & mask(p)) >>> 0 === (b.network & mask(p)) >>> 0;
}

const PRIVATE_RANGES = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '198.18.0.0/15',
].map(parseCidr);
const UNUSABLE = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/3'].map(parseCidr);

/**
 * A LoadBalancer range becomes a route on the host, so it must be a private block no wider than a /16:
 * a public or wide range would capture the host's own traffic to real networks.
 */
export function checkLoadBalancerRange(text: string): Cidr {
  const c = parseCidr(text);
  if (c.prefix < 16) throw new Error(`LoadBalancer range ${text} is wider than a /16`);
  if (!PRIVATE_RANGES.some((p) => p.prefix <= c.prefix && cidrContains(p, c.network)))
    throw new Error(
      `LoadBalancer range ${text} is not inside a private block (10/8, 172.16/12, 192.168/16, 100.64/10, 198.18/15)`,
    );
  return c;
}

/** Pod and service addresses are host addresses that never leave the cluster namespaces. */
export function checkUnicast(text: string, what: string): number {
  const ip = parseIPv4(text);
  if (UNUSABLE.some((c) => cidrContains(c, ip)) || ip === 0xffffffff)
    throw new Error(
      `${what} ${text} is not a usable unicast address (loopback, link-local, multicast or reserved)`,
    );
  return ip;
}

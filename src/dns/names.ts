// Name helpers: normalised owner names, reverse-lookup names and the dashed-IP labels
// Kubernetes DNS uses for pods and for endpoints without a hostname.
import { isIPv4, isIPv6 } from 'node:net';
import { ipv6Bytes, ipv6Text } from './wire.js';

/** Lower case, no trailing dot: the form zone keys use. Comparisons in Kubernetes DNS are case-insensitive. */
export const normalizeName = (name: string): string => name.replace(/\.$/, '').toLowerCase();

export const ipFamily = (ip: string): 4 | 6 | 0 => (isIPv4(ip) ? 4 : isIPv6(ip) ? 6 : 0);

/** "10.0.0.1" -> "1.0.0.10.in-addr.arpa"; IPv6 -> nibbles under ip6.arpa. */
export function reverseName(ip: string): string {
  if (isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  if (isIPv6(ip)) {
    const hex = ipv6Bytes(ip).toString('hex');
    return `${[...hex].reverse().join('.')}.ip6.arpa`;
  }
  throw new Error(`not an IP address: ${ip}`);
}

/** The canonical text of an address, so "fd00::0:1" and "fd00::1" share one key. */
export function canonicalIp(ip: string): string {
  if (isIPv4(ip)) return ip.split('.').map(Number).join('.');
  return isIPv6(ip) ? ipv6Text(ipv6Bytes(ip)) : ip;
}

/** "10.244.1.5" -> "10-244-1-5"; IPv6 ":" become "-" (so "fd00::5" -> "fd00--5"). */
export const dashedIp = (ip: string): string => canonicalIp(ip).replace(/[.:]/g, '-');

/** Parses a dashed-IP label back to an address, or undefined when it is not one. */
export function parseDashedIp(label: string): string | undefined {
  const v4 = label.split('-');
  if (v4.length === 4 && v4.every((p) => /^\d{1,3}$/.test(p))) {
    const ip = v4.map(Number).join('.');
    return isIPv4(ip) ? ip : undefined;
  }
  const v6 = label.replace(/-/g, ':');
  return label.includes('-') && isIPv6(v6) ? canonicalIp(v6) : undefined;
}

/** True when `name` is `zone` or below it (both normalised). */
export const inZone = (name: string, zone: string): boolean => name === zone || name.endsWith(`.${zone}`);

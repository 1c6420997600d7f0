// Answers one question from a Zone: authoritative data for the cluster domain and the reverse
// zones, loopback for localhost, and a refusal for everything else — the cluster has no route out
// of the machine, so nothing is ever forwarded.
import { inZone, normalizeName } from './names.js';
import { RCode, RRType, type Record } from './wire.js';
import type { Zone } from './zone.js';

export interface Answer {
  rcode: number;
  /** Authoritative answer (set for the zones this server owns and for localhost). */
  aa: boolean;
  answers: Record[];
  authority: Record[];
  additional: Record[];
}

export interface ResolveOptions {
  /** Answer for names outside the cluster domain. Default REFUSED. */
  outsideRcode?: number;
  /** Rotates multi-record answers (round robin, like CoreDNS's loadbalance); off for deterministic tests. */
  rotate?: () => number;
}

/** CNAME chains longer than this are cut (and loops with them). */
const MAX_CHAIN = 8;

const typeMatches = (r: Record, qtype: number): boolean => qtype === RRType.ANY || r.type === qtype;

function localhost(qname: string, qtype: number, ttl: number): Answer {
  const answers: Record[] = [];
  if (qtype === RRType.A || qtype === RRType.ANY)
    answers.push({ name: qname, type: RRType.A, ttl, data: '127.0.0.1' });
  if (qtype === RRType.AAAA || qtype === RRType.ANY)
    answers.push({ name: qname, type: RRType.AAAA, ttl, data: '::1' });
  return { rcode: RCode.NOERROR, aa: true, answers, authority: [], additional: [] };
}

export const isLocalhost = (name: string): boolean => name === 'localhost' || name.endsWith('.localhost');

function rotate(list: Record[], qtype: number, pick?: () => number): Record[] {
  const same = list.filter((r) => r.type === qtype);
  if (!pick || same.length < 2) return list;
  const k = Math.floor(pick() * same.length) % same.length;
  const rotated = [...same.slice(k), ...same.slice(0, k)];
  return [...list.filter((r) => r.type !== qtype), ...rotated];
}

export function resolve(zone: Zone, qname: string, qtype: number, opts: ResolveOptions = {}): Answer {
  const asked = qname.replace(/\.$/, '');
  const name = normalizeName(qname);
  if (isLocalhost(name)) return localhost(asked, qtype, zone.ttl);
  if (!zone.apexOf(name))
    return {
      rcode: opts.outsideRcode ?? RCode.REFUSED,
      aa: false,
      answers: [],
      authority: [],
      additional: [],
    };

  const answers: Record[] = [];
  const authority: Record[] = [];
  let rcode: number = RCode.NOERROR;
  let cur = name;
  let owner = asked;
  for (let hop = 0; ; hop++) {
    const found = zone.lookup(cur);
    const cname = found.records.find((r) => r.type === RRType.CNAME);
    if (cname && qtype !== RRType.CNAME && qtype !== RRType.ANY) {
      answers.push({ ...cname, name: owner });
      const target = normalizeName(cname.data as string);
      // Follow the alias only inside the zones we own; outside it the client resolves it (or not).
      if (hop + 1 >= MAX_CHAIN || !zone.apexOf(target) || isLocalhost(target)) break;
      cur = owner = target;
      continue;
    }
    const matching = found.records
      .filter((r) => typeMatches(r, qtype))
      .map((r) => ({ ...r, name: owner }) as Record);
    if (matching.length) answers.push(...rotate(matching, qtype, opts.rotate));
    else {
      if (!found.exists) rcode = RCode.NXDOMAIN;
      // Negative answers carry the zone's SOA so resolvers can cache them (RFC 2308).
      authority.push(zone.soaRecord(zone.apexOf(cur) ?? zone.domain));
    }
    break;
  }
  return { rcode, aa: true, answers, authority, additional: additionalFor(zone, answers) };
}

/** Addresses of SRV targets and NS hosts, so clients need no second round trip. */
function additionalFor(zone: Zone, answers: Record[]): Record[] {
  const out: Record[] = [];
  const done = new Set<string>();
  for (const r of answers) {
    const target = r.type === RRType.SRV ? r.data.target : r.type === RRType.NS ? r.data : undefined;
    if (!target || done.has(target)) continue;
    done.add(target);
    if (!inZone(target, zone.domain)) continue;
    out.push(...zone.lookup(target).records.filter((x) => x.type === RRType.A || x.type === RRType.AAAA));
  }
  return out;
}

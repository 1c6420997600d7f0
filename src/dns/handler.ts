// One query in wire format -> one response in wire format: header checks, EDNS0, and truncation
// (TC bit) when a UDP answer exceeds what the client can take.
import { isLocalhost, resolve, type ResolveOptions } from './resolver.js';
import { normalizeName } from './names.js';
import { CLASS_IN, RCode, RRType, WireError, decodeMessage, encodeMessage, type Message } from './wire.js';
import type { Zone } from './zone.js';

export interface HandleOptions extends ResolveOptions {
  transport: 'udp' | 'tcp';
  /** The largest UDP payload this server sends, whatever the client advertises. */
  maxUdpSize?: number;
  /**
   * False until the informers have synced: names in our zones then get SERVFAIL (try again),
   * never a premature NXDOMAIN that resolvers would cache.
   */
  synced?: boolean;
}

/** Classic DNS over UDP without EDNS: 512 octets at most (RFC 1035). */
const CLASSIC_UDP = 512;
const DEFAULT_MAX_UDP = 4096;
const CLASS_ANY = 255;
const AXFR = 252;
const IXFR = 251;

const reply = (q: Message, rcode: number, extra: Partial<Message> = {}): Message => ({
  id: q.id,
  qr: true,
  opcode: q.opcode,
  aa: false,
  tc: false,
  rd: q.rd,
  ra: false,
  rcode,
  questions: q.questions,
  answers: [],
  authority: [],
  additional: [],
  ...extra,
});

/** Returns undefined for input that deserves no answer (responses, garbage shorter than a header). */
export function handleQuery(req: Buffer, zone: Zone, opts: HandleOptions): Buffer | undefined {
  let q: Message;
  try {
    q = decodeMessage(req);
  } catch (err) {
    if (!(err instanceof WireError) || req.length < 12 || req[2] & 0x80) return undefined;
    const id = req.readUInt16BE(0);
    return encodeMessage({
      id,
      qr: true,
      opcode: (req[2] >> 3) & 0xf,
      aa: false,
      tc: false,
      rd: (req[2] & 1) === 1,
      ra: false,
      rcode: RCode.FORMERR,
      questions: [],
      answers: [],
      authority: [],
      additional: [],
    });
  }
  if (q.qr) return undefined;
  const maxUdp = opts.maxUdpSize ?? DEFAULT_MAX_UDP;
  const limit =
    opts.transport === 'tcp'
      ? 65535
      : q.edns
        ? Math.min(Math.max(q.edns.udpSize, CLASSIC_UDP), maxUdp)
        : CLASSIC_UDP;
  // RFC 3225: the DO bit is copied into the response (there is no DNSSEC data to add).
  const edns = q.edns
    ? { udpSize: maxUdp, version: 0, extendedRcode: 0, dnssecOk: q.edns.dnssecOk }
    : undefined;
  const finish = (m: Message): Buffer => {
    let out = encodeMessage({ ...m, edns });
    if (out.length > limit) {
      // Too big for this datagram: say so and let the client retry over TCP.
      out = encodeMessage({ ...m, tc: true, answers: [], authority: [], additional: [], edns });
    }
    return out;
  };

  if (q.opcode !== 0) return finish(reply(q, RCode.NOTIMP));
  if (q.edns && q.edns.version > 0) return finish(reply(q, RCode.BADVERS));
  if (q.questions.length !== 1) return finish(reply(q, RCode.FORMERR));
  const question = q.questions[0];
  const name = normalizeName(question.name);
  if (question.class !== CLASS_IN && question.class !== CLASS_ANY) return finish(reply(q, RCode.REFUSED));
  if (question.type === AXFR || question.type === IXFR) return finish(reply(q, RCode.REFUSED));
  if (question.type === RRType.OPT) return finish(reply(q, RCode.FORMERR));
  if (opts.synced === false && zone.apexOf(name) && !isLocalhost(name))
    return finish(reply(q, RCode.SERVFAIL));
  const a = resolve(zone, question.name, question.type, opts);
  return finish(
    reply(q, a.rcode, { aa: a.aa, answers: a.answers, authority: a.authority, additional: a.additional }),
  );
}

// Value checks whose wording follows Go: float printing (%v), resource.Quantity parsing,
// RFC 3339 timestamps, and the string formats apiextensions validates in custom resources.

/** Go's %v for a float64: shortest digits, exponent form below 1e-4 and from 1e6 up (so 1000000 prints as 1e+06). */
export function goFloat(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
  if (v === 0) return '0';
  const [mant, expText] = v.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}

export const QUANTITY_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const QUANTITY_SUFFIXES = new Set([
  '',
  'Ki',
  'Mi',
  'Gi',
  'Ti',
  'Pi',
  'Ei',
  'n',
  'u',
  'm',
  'k',
  'M',
  'G',
  'T',
  'P',
  'E',
]);

/** Returns the error text resource.ParseQuantity gives, or undefined when the quantity parses. */
export function quantityError(text: string): string | undefined {
  const s = text.trim();
  if (!s) return 'quantities must match the regular expression';
  const m = QUANTITY_RE.exec(s);
  if (!m) return QUANTITY_ERROR;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(m[1])) return 'unable to parse numeric part of quantity';
  if (!QUANTITY_SUFFIXES.has(m[2]) && !/^[eE][-+]?\d+$/.test(m[2]))
    return "unable to parse quantity's suffix";
  return undefined;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The error metav1.Time gives for a string that is not RFC 3339, or undefined. */
export function timeError(s: string): string | undefined {
  const m = RFC3339.exec(s);
  if (
    m &&
    Number(m[2]) >= 1 &&
    Number(m[2]) <= 12 &&
    Number(m[3]) >= 1 &&
    Number(m[3]) <= 31 &&
    Number(m[4]) < 24 &&
    Number(m[5]) < 60 &&
    Number(m[6]) < 61
  ) {
    return undefined;
  }
  const layout = '2006-01-02T15:04:05Z07:00';
  // time.Parse names the first layout element it could not match; the leading year is by far the common case.
  const bad = /^\d{4}/.test(s) ? s.slice(4) : s;
  const elem = /^\d{4}/.test(s) ? '-' : '2006';
  return `parsing time ${JSON.stringify(s)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(bad)} as ${JSON.stringify(elem)}`;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** encoding/base64's error for a []byte field, or undefined. */
export function base64Error(s: string): string | undefined {
  if (BASE64.test(s)) return undefined;
  let i = 0;
  while (i < s.length && /[A-Za-z0-9+/]/.test(s[i])) i++;
  if (i === s.length) i = s.length - (s.length % 4 === 1 ? 1 : 0);
  return `illegal base64 data at input byte ${i}`;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
function isIPv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return false;
  const dbl = s.split('::');
  if (dbl.length > 2) return false;
  const groups = (part: string) => (part ? part.split(':') : []);
  const all = [...groups(dbl[0]), ...(dbl.length === 2 ? groups(dbl[1]) : [])];
  let count = 0;
  for (const [i, g] of all.entries()) {
    if (i === all.length - 1 && g.includes('.')) {
      if (!IPV4.test(g)) return false;
      count += 2;
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) count++;
    else return false;
  }
  return dbl.length === 2 ? count < 8 : count === 8;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const HOSTNAME =
  /^[a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)(\.[a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?))*\.?$/u;

/**
 * String formats apiextensions keeps (it strips every other format, including int32/int64, before
 * validating). Each returns true when the value conforms.
 */
const FORMAT_CHECKS: Record<string, (s: string) => boolean> = {
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  uri: (s) => /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$|^\/[^\s]*$/.test(s),
  email: (s) => /^[^\s@]+@[^\s@]+$/.test(s),
  hostname: (s) => s.length <= 255 && HOSTNAME.test(s),
  ipv4: (s) => IPV4.test(s),
  ipv6: isIPv6,
  cidr: (s) => {
    const [ip, bits, extra] = s.split('/');
    if (extra !== undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
    return IPV4.test(ip) ? Number(bits) <= 32 : isIPv6(ip) && Number(bits) <= 128;
  },
  mac: (s) =>
    /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$|^([0-9a-fA-F]{2}[:-]){7}[0-9a-fA-F]{2}$|^([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}$/.test(
      s,
    ),
  uuid: (s) => UUID.test(s),
  uuid3: (s) => UUID.test(s) && s.replace(/-/g, '')[12] === '3',
  uuid4: (s) => UUID.test(s) && s.replace(/-/g, '')[12] === '4' && /[89ab]/i.test(s.replace(/-/g, '')[16]),
  uuid5: (s) => UUID.test(s) && s.replace(/-/g, '')[12] === '5' && /[89ab]/i.test(s.replace(/-/g, '')[16]),
  isbn: (s) => /^(?:\d{9}[\dX]|\d{13})$/.test(s.replace(/[\s-]/g, '')),
  isbn10: (s) => /^\d{9}[\dX]$/.test(s.replace(/[\s-]/g, '')),
  isbn13: (s) => /^\d{13}$/.test(s.replace(/[\s-]/g, '')),
  creditcard: (s) => /^\d{12,19}$/.test(s.replace(/[\s-]/g, '')),
  ssn: (s) => /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(s),
  hexcolor: (s) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s),
  rgbcolor: (s) => /^rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)$/.test(s),
  byte: (s) => BASE64.test(s),
  password: () => true,
  date: (s) => /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(s),
  duration: (s) =>
    /^\s*(\d+\s*(ns|us|µs|ms|s|m|h|d|w)\s*)+$/.test(s) || /^[-+]?(\d+(\.\d*)?(ns|us|µs|ms|s|m|h))+$/.test(s),
  datetime: (s) =>
    timeError(s) === undefined ||
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/.test(s),
};

/** Whether `value` violates `format`; unknown and stripped formats never do. */
export function violatesFormat(format: string, value: string): boolean {
  const check = FORMAT_CHECKS[format.replace(/-/g, '')];
  return check ? !check(value) : false;
}

const regexCache = new Map<string, RegExp | null>();

/** Compiles an RE2 pattern as a JS RegExp (unanchored, like Go's MatchString); null if it cannot. */
export function compilePattern(pattern: string): RegExp | null {
  let re = regexCache.get(pattern);
  if (re !== undefined) return re;
  let src = pattern;
  let flags = 'u';
  const inline = /^\(\?([ims]+)\)/.exec(src);
  if (inline) {
    src = src.slice(inline[0].length);
    flags += inline[1];
  }
  src = src.replace(/\\z/g, '$').replace(/\\A/g, '^');
  try {
    re = new RegExp(src, flags);
  } catch {
    try {
      re = new RegExp(src, flags.replace('u', ''));
    } catch {
      re = null;
    }
  }
  regexCache.set(pattern, re);
  return re;
}

// Resource quantities ("250m", "1.5Gi", "2e3") as exact integers, for the downward API's
// resourceFieldRef: kubelet rounds up (MilliValue, Value), so floating point would be off by one.

const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const NANO = 1_000_000_000n;

/** The quantity times 10^9, rounded up; throws on a malformed quantity. */
export function quantityNanos(q: string | number): bigint {
  const s = String(q).trim();
  const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(s);
  if (!m)
    throw new Error(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
  const [, sign, number, exp, suffix = ''] = m;
  const [whole = '0', frac = ''] = number!.split('.');
  // digits / 10^frac.length, then the suffix's scale; all in integers.
  let num = BigInt((whole || '0') + frac);
  let den = 10n ** BigInt(frac.length);
  const pow10 = exp !== undefined ? Number(exp.slice(1)) : (DECIMAL[suffix] ?? 0);
  if (BINARY[suffix] !== undefined) num *= 2n ** BigInt(BINARY[suffix]!);
  else if (pow10 >= 0) num *= 10n ** BigInt(pow10);
  else den *= 10n ** BigInt(-pow10);
  num *= NANO;
  const value = (num + den - 1n) / den;
  return sign === '-' ? -value : value;
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? (a + b - 1n) / b : a / b);

/** kubelet's convertResourceCPUToString: ceil(milli(value) / milli(divisor)). */
export function cpuInDivisor(value: string | number, divisor: string | number = '1'): string {
  const milli = (q: string | number) => ceilDiv(quantityNanos(q), 1_000_000n);
  const d = milli(divisor);
  if (d <= 0n) throw new Error(`invalid divisor ${divisor}`);
  return String(ceilDiv(milli(value), d));
}

/** kubelet's convertResourceMemoryToString (also ephemeral-storage): ceil(value / divisor). */
export function bytesInDivisor(value: string | number, divisor: string | number = '1'): string {
  const units = (q: string | number) => ceilDiv(quantityNanos(q), NANO);
  const d = units(divisor);
  if (d <= 0n) throw new Error(`invalid divisor ${divisor}`);
  return String(ceilDiv(units(value), d));
}

// How client-go's jsonpath printer renders a value as text: objects and arrays as Go's
// encoding/json output (sorted keys, HTML-safe escapes), scalars as fmt.Fprint does.

function goJSON(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(goJSON).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${goJSONString(k)}:${goJSON(o[k])}`)
      .join(',')}}`;
  }
  if (typeof v === 'string') return goJSONString(v);
  return JSON.stringify(v);
}

function goJSONString(s: string): string {
  return JSON.stringify(s)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * fmt's %v for a non-integral float64: shortest round-trip digits, in exponent form when the
 * decimal exponent is below -4 or at least 6 (integral JSON numbers decode to int64 upstream).
 */
export function goFloat(x: number): string {
  const [mant, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(x);
}

/** Text for a value in a CRD column of type string. */
export function jsonPathText(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  if (typeof v === 'object') return goJSON(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : goFloat(v);
  return String(v);
}

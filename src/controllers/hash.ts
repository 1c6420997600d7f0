// Stable hashes for pod templates (pod-template-hash, controller-revision-hash): FNV-1a 32 over a
// canonical JSON rendering, printed as a decimal and mapped to apimachinery's safe alphabet, the
// same alphabet and length upstream names use (`nginx-7c5ddbdf54`).
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(s, 'utf8');
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** JSON with sorted keys and no null or undefined members, so equal objects render equally. */
export function canonicalJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== null && x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function safeEncode(s: string): string {
  return [...s].map((c) => SAFE[c.charCodeAt(0) % SAFE.length]).join('');
}

/** Ten characters of the safe alphabet, stable for equal templates; collisionCount perturbs it. */
export function templateHash(template: unknown, collisionCount?: number): string {
  const h = fnv32a(canonicalJson(template) + (collisionCount ? `#${collisionCount}` : ''));
  return safeEncode(String(h).padStart(10, '0'));
}

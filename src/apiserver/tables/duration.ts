// Ages as apimachinery's duration.HumanDuration prints them: about two or three significant
// figures, switching units at the same thresholds so columns match a real cluster.

export function humanDuration(ms: number): string {
  // Go converts to whole seconds by truncation toward zero; up to 2s in the future counts as now.
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    const d = Math.trunc(hours / 24);
    return h === 0 ? `${d}d` : `${d}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const y = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 timestamp (metav1.Time / MicroTime); undefined for empty or malformed input. */
export function parseTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !rfc3339.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** translateTimestampSince: "<unknown>" for a missing time, else the age at `now`. */
export function since(value: unknown, now: Date): string {
  const t = parseTime(value);
  return t ? humanDuration(now.getTime() - t.getTime()) : '<unknown>';
}

/** Human duration between two timestamps (b - a). */
export function between(a: Date, b: Date): string {
  return humanDuration(b.getTime() - a.getTime());
}

// A small evaluator for the JSONPath dialect of client-go (util/jsonpath) as CRD printer columns use
// it: `.a.b`, `['a.b']`, `[0]`, `[-1]`, `[1:3]`, `[*]`, `.*`, `..name` and filters such as
// `[?(@.type=="Ready")]`. Missing keys yield no result (AllowMissingKeys), as in the API server.

type Step =
  | { kind: 'field'; names: string[] }
  | { kind: 'wildcard' }
  | { kind: 'recursive' }
  | { kind: 'index'; start?: number; end?: number; step?: number; single: boolean }
  | { kind: 'filter'; left: Step[]; op: string; right: Operand };

type Operand = { path: Step[] } | { literal: unknown } | undefined;

export class JSONPathError extends Error {}

class PathParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(stopAt?: string): Step[] {
    const steps: Step[] = [];
    const s = this.s;
    if (s[this.i] === '$' || s[this.i] === '@') this.i++;
    while (this.i < s.length) {
      const c = s[this.i];
      if (stopAt && stopAt.includes(c)) break;
      if (c === '.') {
        if (s[this.i + 1] === '.') {
          this.i += 2;
          steps.push({ kind: 'recursive' });
          if (s[this.i] === '[') continue;
        } else {
          this.i++;
        }
        if (s[this.i] === '*') {
          this.i++;
          steps.push({ kind: 'wildcard' });
          continue;
        }
        const name = this.readName(stopAt);
        if (name === '') {
          if (this.i >= s.length || (stopAt && stopAt.includes(s[this.i]))) break; // a lone "." selects the current node
          continue;
        }
        steps.push({ kind: 'field', names: [name] });
      } else if (c === '[') {
        steps.push(this.parseBracket());
      } else if (c === ' ') {
        this.i++;
      } else {
        throw new JSONPathError(`unrecognized character in action: ${c}`);
      }
    }
    return steps;
  }

  private readName(stopAt?: string): string {
    let name = '';
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '\\' && this.i + 1 < s.length) {
        name += s[this.i + 1];
        this.i += 2;
        continue;
      }
      if (c === '.' || c === '[' || c === ' ' || (stopAt && stopAt.includes(c))) break;
      name += c;
      this.i++;
    }
    return name;
  }

  private parseBracket(): Step {
    const s = this.s;
    this.i++; // [
    const close = (): void => {
      while (s[this.i] === ' ') this.i++;
      if (s[this.i] !== ']') throw new JSONPathError('unterminated array');
      this.i++;
    };
    while (s[this.i] === ' ') this.i++;
    if (s[this.i] === '?') {
      this.i++;
      if (s[this.i] !== '(') throw new JSONPathError('unrecognized filter');
      this.i++;
      const step = this.parseFilter();
      if (s[this.i] !== ')') throw new JSONPathError('unterminated filter');
      this.i++;
      close();
      return step;
    }
    if (s[this.i] === "'" || s[this.i] === '"') {
      const names: string[] = [];
      for (;;) {
        names.push(this.readQuoted());
        while (s[this.i] === ' ') this.i++;
        if (s[this.i] !== ',') break;
        this.i++;
        while (s[this.i] === ' ') this.i++;
      }
      close();
      return { kind: 'field', names };
    }
    if (s[this.i] === '*') {
      this.i++;
      close();
      return { kind: 'index', single: false };
    }
    const end = s.indexOf(']', this.i);
    if (end < 0) throw new JSONPathError('unterminated array');
    const body = s.slice(this.i, end).trim();
    this.i = end + 1;
    const parts = body.split(':').map((p) => p.trim());
    if (parts.length > 3 || parts.some((p) => p !== '' && !/^-?\d+$/.test(p))) {
      throw new JSONPathError(`invalid array index ${body}`);
    }
    const num = (p: string | undefined): number | undefined =>
      p === undefined || p === '' ? undefined : Number(p);
    if (parts.length === 1) {
      if (parts[0] === '') throw new JSONPathError('invalid array index');
      return { kind: 'index', start: num(parts[0]), single: true };
    }
    return { kind: 'index', start: num(parts[0]), end: num(parts[1]), step: num(parts[2]), single: false };
  }

  private readQuoted(): string {
    const s = this.s;
    const q = s[this.i++];
    let out = '';
    while (this.i < s.length && s[this.i] !== q) {
      if (s[this.i] === '\\' && this.i + 1 < s.length) this.i++;
      out += s[this.i++];
    }
    if (s[this.i] !== q) throw new JSONPathError('unterminated quoted string');
    this.i++;
    return out;
  }

  private parseFilter(): Step {
    const s = this.s;
    while (s[this.i] === ' ') this.i++;
    const left = this.parseOperandPath();
    while (s[this.i] === ' ') this.i++;
    const m = /^(==|!=|<=|>=|<|>)/.exec(s.slice(this.i));
    if (!m) return { kind: 'filter', left, op: 'exists', right: undefined };
    this.i += m[1].length;
    while (s[this.i] === ' ') this.i++;
    let right: Operand;
    const c = s[this.i];
    if (c === '@' || c === '$') {
      right = { path: this.parseOperandPath() };
    } else if (c === "'" || c === '"') {
      right = { literal: this.readQuoted() };
    } else {
      const lit = /^[^)\s]+/.exec(s.slice(this.i))?.[0] ?? '';
      this.i += lit.length;
      if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(lit)) right = { literal: Number(lit) };
      else if (lit === 'true' || lit === 'false') right = { literal: lit === 'true' };
      else right = { literal: lit };
    }
    while (s[this.i] === ' ') this.i++;
    return { kind: 'filter', left, op: m[1], right };
  }

  private parseOperandPath(): Step[] {
    const start = this.i;
    if (this.s[this.i] !== '@' && this.s[this.i] !== '$') throw new JSONPathError('filter must start with @');
    const sub = new PathParser(this.s);
    sub.i = start;
    const steps = sub.parse(' )=!<>');
    this.i = sub.i;
    return steps;
  }
}

/** Parses the inside of a `{...}` template such as `.status.replicas`. */
export function parseJSONPath(path: string): Step[] {
  return new PathParser(path.trim()).parse();
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function descendants(v: unknown, out: unknown[]): void {
  out.push(v);
  if (Array.isArray(v)) v.forEach((x) => descendants(x, out));
  else if (isObj(v))
    Object.keys(v)
      .sort()
      .forEach((k) => descendants(v[k], out));
}

function compare(a: unknown, op: string, b: unknown): boolean {
  if (op === '==') return a === b || (typeof a === 'number' && typeof b === 'number' && a === b);
  if (op === '!=') return a !== b;
  const bothNum = typeof a === 'number' && typeof b === 'number';
  const bothStr = typeof a === 'string' && typeof b === 'string';
  if (!bothNum && !bothStr) throw new JSONPathError('incomparable types');
  const x = a as number | string;
  const y = b as number | string;
  switch (op) {
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    default:
      return x >= y;
  }
}

function evalSteps(steps: Step[], input: unknown[]): unknown[] {
  let cur = input;
  for (const step of steps) {
    const next: unknown[] = [];
    switch (step.kind) {
      case 'field':
        for (const v of cur) {
          if (!isObj(v)) continue;
          for (const n of step.names) if (Object.prototype.hasOwnProperty.call(v, n)) next.push(v[n]);
        }
        break;
      case 'wildcard':
        for (const v of cur) {
          if (Array.isArray(v)) next.push(...v);
          else if (isObj(v))
            Object.keys(v)
              .sort()
              .forEach((k) => next.push(v[k]));
        }
        break;
      case 'recursive':
        for (const v of cur) descendants(v, next);
        break;
      case 'index':
        for (const v of cur) {
          if (v === null || v === undefined) continue;
          if (!Array.isArray(v)) throw new JSONPathError('not array or slice');
          const len = v.length;
          if (step.single) {
            let i = step.start!;
            if (i < 0) i += len;
            if (i >= 0 && i < len) next.push(v[i]);
            continue;
          }
          let start = step.start ?? 0;
          let end = step.end ?? len;
          if (start < 0) start += len;
          if (end < 0) end += len;
          start = Math.max(0, Math.min(start, len));
          end = Math.max(0, Math.min(end, len));
          const inc = step.step && step.step > 0 ? step.step : 1;
          for (let i = start; i < end; i += inc) next.push(v[i]);
        }
        break;
      case 'filter':
        for (const v of cur) {
          if (v === null || v === undefined) continue;
          if (!Array.isArray(v)) throw new JSONPathError('not array or slice and cannot be filtered');
          for (const item of v) {
            const lefts = evalSteps(step.left, [item]);
            if (step.op === 'exists') {
              if (lefts.length) next.push(item);
              continue;
            }
            if (!lefts.length) continue;
            const right = step.right!;
            let r: unknown;
            if ('path' in right) {
              const rs = evalSteps(right.path, [item]);
              if (!rs.length) continue;
              r = rs[0];
            } else {
              r = right.literal;
            }
            if (compare(lefts[0], step.op, r)) next.push(item);
          }
        }
        break;
    }
    cur = next;
  }
  return cur;
}

/** All matches of a parsed path in `data`; throws JSONPathError on type errors. */
export function findResults(steps: Step[], data: unknown): unknown[] {
  return evalSteps(steps, [data]);
}

// Label selectors: the string form used in `?labelSelector=` and the structured metav1.LabelSelector
// form used inside objects. Parsing and error texts follow apimachinery's labels package so clients
// see the same messages as against a real API server.

import { badRequest } from '../errors.js';
import { goQuote, goStringSlice } from './goformat.js';
import { labelValueErrors, qualifiedNameErrors } from './validation.js';

/** Operators as apimachinery's selection.Operator spells them. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** Sorted, as upstream keeps them after parsing. */
  values: string[];
}

export interface LabelSelector {
  /** ANDed; sorted by key. */
  requirements: LabelRequirement[];
  /** A selector that matches nothing (a nil metav1.LabelSelector). */
  nothing?: boolean;
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}

export const everything = (): LabelSelector => ({ requirements: [] });
export const nothing = (): LabelSelector => ({ requirements: [], nothing: true });

export function isEverything(sel: LabelSelector): boolean {
  return !sel.nothing && sel.requirements.length === 0;
}

// ---- requirement construction (labels.NewRequirement) ----

type FieldErr = string;

function invalidErr(path: string, value: string | string[], detail: string): FieldErr {
  const shown = Array.isArray(value) ? goStringSlice(value) : goQuote(value);
  return `${path}: Invalid value: ${shown}: ${detail}`;
}

function aggregate(errs: FieldErr[]): string | undefined {
  if (errs.length === 0) return undefined;
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

function keyError(key: string, path: string): FieldErr | undefined {
  const errs = qualifiedNameErrors(key);
  return errs.length ? invalidErr(path, key, errs.join('; ')) : undefined;
}

/** Returns the requirement, or the aggregated error text upstream would produce. */
function newRequirement(
  key: string,
  op: LabelOperator,
  values: string[],
): LabelRequirement | { error: string } {
  const errs: FieldErr[] = [];
  const ke = keyError(key, 'key');
  if (ke) errs.push(ke);
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0)
        errs.push(invalidErr('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1)
        errs.push(invalidErr('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0)
        errs.push(invalidErr('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1)
        errs.push(invalidErr('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (!isGoInt64(v))
          errs.push(invalidErr(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const ve = labelValueErrors(v);
    if (ve.length) errs.push(invalidErr(`values[${i}][${key}]`, v, ve.join('; ')));
  });
  const msg = aggregate(errs);
  return msg ? { error: msg } : { key, operator: op, values };
}

function isGoInt64(s: string): boolean {
  if (!/^[+-]?\d+$/.test(s)) return false;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

const byKey = (a: LabelRequirement, b: LabelRequirement): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

// ---- lexer (labels.Lexer) ----

const enum Tok {
  Error,
  EOS,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const keywords: Record<string, Tok> = {
  ')': Tok.ClosedPar,
  ',': Tok.Comma,
  '!': Tok.DoesNotExist,
  '==': Tok.DoubleEquals,
  '=': Tok.Equals,
  '>': Tok.GreaterThan,
  in: Tok.In,
  '<': Tok.LessThan,
  '!=': Tok.NotEquals,
  notin: Tok.NotIn,
  '(': Tok.OpenPar,
};

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => '=!(),><'.includes(c) && c !== '';

interface Scanned {
  tok: Tok;
  lit: string;
}

function lex(s: string): Scanned[] {
  const out: Scanned[] = [];
  let pos = 0;
  const next = (): Scanned => {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) return { tok: Tok.EOS, lit: '' };
    if (isSpecial(s[pos])) {
      // Longest run of special symbols that still forms an operator.
      let buf = '';
      let last: Scanned | undefined;
      while (pos < s.length && isSpecial(s[pos])) {
        buf += s[pos];
        const t = Object.prototype.hasOwnProperty.call(keywords, buf) ? keywords[buf] : undefined;
        if (t !== undefined) {
          last = { tok: t, lit: buf };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      return last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buf}'` };
    }
    let buf = '';
    while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos])) buf += s[pos++];
    const kw = Object.prototype.hasOwnProperty.call(keywords, buf) ? keywords[buf] : undefined;
    return { tok: kw ?? Tok.Identifier, lit: buf };
  };
  for (;;) {
    const item = next();
    out.push(item);
    if (item.tok === Tok.EOS) return out;
  }
}

// ---- parser (labels.Parser) ----

const binaryOperators = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

class SyntaxError_ extends Error {}

class Parser {
  private pos = 0;
  constructor(private readonly items: Scanned[]) {}

  // In value context the keywords `in`/`notin` are ordinary identifiers.
  private view(i: number, values: boolean): Scanned {
    const it = this.items[Math.min(i, this.items.length - 1)];
    if (values && (it.tok === Tok.In || it.tok === Tok.NotIn)) return { tok: Tok.Identifier, lit: it.lit };
    return it;
  }
  private lookahead(values = true): Scanned {
    return this.view(this.pos, values);
  }
  private consume(values = true): Scanned {
    return this.view(this.pos++, values);
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead();
      if (tok === Tok.Identifier || tok === Tok.DoesNotExist) {
        let r: LabelRequirement;
        try {
          r = this.parseRequirement();
        } catch (e) {
          throw new SyntaxError_(`unable to parse requirement: ${(e as Error).message}`);
        }
        reqs.push(r);
        const t = this.consume();
        if (t.tok === Tok.EOS) return reqs;
        if (t.tok === Tok.Comma) {
          const t2 = this.lookahead();
          if (t2.tok !== Tok.Identifier && t2.tok !== Tok.DoesNotExist) {
            throw new SyntaxError_(`found '${t2.lit}', expected: identifier after ','`);
          }
        } else {
          throw new SyntaxError_(`found '${t.lit}', expected: ',' or 'end of string'`);
        }
      } else if (tok === Tok.EOS) {
        return reqs;
      } else {
        throw new SyntaxError_(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    const { key, op } = this.parseKeyAndInferOperator();
    let operator = op;
    let values: string[] = [];
    if (operator !== 'exists' && operator !== '!') {
      operator = this.parseOperator();
      values = operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    }
    const r = newRequirement(key, operator!, [...new Set(values)].sort());
    if ('error' in r) throw new Error(r.error);
    return r;
  }

  private parseKeyAndInferOperator(): { key: string; op?: LabelOperator } {
    let op: LabelOperator | undefined;
    let t = this.consume();
    if (t.tok === Tok.DoesNotExist) {
      op = '!';
      t = this.consume();
    }
    if (t.tok !== Tok.Identifier) throw new Error(`found '${t.lit}', expected: identifier`);
    // The parser validates the key with a nil field path, which Go prints as "<nil>".
    const ke = keyError(t.lit, '<nil>');
    if (ke) throw new Error(ke);
    const la = this.lookahead().tok;
    if ((la === Tok.EOS || la === Tok.Comma) && op !== '!') op = 'exists';
    return { key: t.lit, op };
  }

  private parseOperator(): LabelOperator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case Tok.In:
        return 'in';
      case Tok.Equals:
        return '=';
      case Tok.DoubleEquals:
        return '==';
      case Tok.GreaterThan:
        return 'gt';
      case Tok.LessThan:
        return 'lt';
      case Tok.NotIn:
        return 'notin';
      case Tok.NotEquals:
        return '!=';
      default:
        throw new Error(`found '${lit}', expected: ${binaryOperators.join(', ')}`);
    }
  }

  private parseValues(): string[] {
    let t = this.consume();
    if (t.tok !== Tok.OpenPar) throw new Error(`found '${t.lit}' expected: '('`);
    t = this.lookahead();
    if (t.tok === Tok.Identifier || t.tok === Tok.Comma) {
      const s = this.parseIdentifiersList();
      if (this.consume().tok !== Tok.ClosedPar) throw new Error(`found '${t.lit}', expected: ')'`);
      return s;
    }
    if (t.tok === Tok.ClosedPar) {
      this.consume();
      return [''];
    }
    throw new Error(`found '${t.lit}', expected: ',', ')' or identifier`);
  }

  private parseIdentifiersList(): string[] {
    const s = new Set<string>();
    for (;;) {
      const t = this.consume();
      if (t.tok === Tok.Identifier) {
        s.add(t.lit);
        const t2 = this.lookahead();
        if (t2.tok === Tok.Comma) continue;
        if (t2.tok === Tok.ClosedPar) return [...s];
        throw new Error(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (t.tok === Tok.Comma) {
        if (s.size === 0) s.add('');
        const t2 = this.lookahead().tok;
        if (t2 === Tok.ClosedPar) {
          s.add('');
          return [...s];
        }
        if (t2 === Tok.Comma) s.add('');
      } else {
        throw new Error(`found '${t.lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): string[] {
    const la = this.lookahead().tok;
    if (la === Tok.EOS || la === Tok.Comma) return [''];
    const t = this.consume();
    if (t.tok === Tok.Identifier) return [t.lit];
    throw new Error(`found '${t.lit}', expected: identifier`);
  }
}

/**
 * Parses the string form (`a=b,c in (x,y),!d`). Syntax errors throw a 400 BadRequest carrying
 * apimachinery's message, which the API server returns as is.
 */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    const reqs = new Parser(lex(s)).parse();
    return { requirements: reqs.sort(byKey) };
  } catch (e) {
    if (e instanceof SyntaxError_) throw badRequest(e.message);
    throw e;
  }
}

/** metav1.LabelSelectorAsSelector: null/undefined selects nothing, `{}` selects everything. */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return nothing();
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    const r = newRequirement(k, '=', [String(v)]);
    if ('error' in r) throw new Error(r.error);
    reqs.push(r);
  }
  const ops: Record<string, LabelOperator> = {
    In: 'in',
    NotIn: 'notin',
    Exists: 'exists',
    DoesNotExist: '!',
  };
  for (const expr of sel.matchExpressions ?? []) {
    const op = Object.prototype.hasOwnProperty.call(ops, expr.operator) ? ops[expr.operator] : undefined;
    if (!op) throw new Error(`${goQuote(String(expr.operator))} is not a valid label selector operator`);
    const r = newRequirement(expr.key, op, [...(expr.values ?? [])]);
    if ('error' in r) throw new Error(r.error);
    reqs.push(r);
  }
  return { requirements: reqs.sort(byKey) };
}

function requirementMatches(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const val = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(val!);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(val!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !isGoInt64(val!) || r.values.length !== 1 || !isGoInt64(r.values[0])) return false;
      const a = BigInt(val!);
      const b = BigInt(r.values[0]);
      return r.operator === 'gt' ? a > b : a < b;
    }
  }
}

export function matchesLabels(sel: LabelSelector, labels?: Record<string, string> | null): boolean {
  if (sel.nothing) return false;
  const ls = labels ?? {};
  return sel.requirements.every((r) => requirementMatches(r, ls));
}

function requirementToString(r: LabelRequirement): string {
  let out = r.operator === '!' ? '!' + r.key : r.key;
  const opText: Partial<Record<LabelOperator, string>> = {
    '=': '=',
    '==': '==',
    '!=': '!=',
    in: ' in ',
    notin: ' notin ',
    gt: '>',
    lt: '<',
  };
  if (r.operator === 'exists' || r.operator === '!') return out;
  out += opText[r.operator];
  const vals = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  return r.operator === 'in' || r.operator === 'notin' ? `${out}(${vals})` : out + vals;
}

/** Canonical string form (upstream Selector.String()); "" for everything and for nothing. */
export function labelSelectorToString(sel: LabelSelector): string {
  if (sel.nothing) return '';
  return sel.requirements.map(requirementToString).join(',');
}

/** labels.FormatLabels: `k=v` pairs sorted by key, or "<none>". */
export function formatLabels(labels?: Record<string, string> | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(',') : '<none>';
}

/** metav1.FormatLabelSelector: the selector's string form, "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(sel: LabelSelectorObject | null | undefined): string {
  let s: string;
  try {
    s = labelSelectorToString(labelSelectorFromObject(sel));
  } catch {
    return '<error>';
  }
  return s === '' ? '<none>' : s;
}

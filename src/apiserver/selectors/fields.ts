// Field selectors (`?fieldSelector=`): parsing, escaping and matching as apimachinery's fields
// package does, plus the per-kind label check the API server applies before listing.

import type { KubeObject } from '../types.js';
import { badRequest } from '../errors.js';

export interface FieldRequirement {
  field: string;
  /** `==` is folded into `=`, as upstream does. */
  operator: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  requirements: FieldRequirement[];
}

/**
 * The selectable fields of one object, as strings. `convertLabel` (when present) maps a label a
 * client sent to the field name used here, and throws a 400 for labels the kind does not support.
 */
export type FieldSetFn = ((obj: KubeObject) => Record<string, string>) & {
  convertLabel?: (label: string) => string;
};

// Backslash-escaped commas are data, not separators; the backslash is kept for unescaping later.
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

// `!=` and `==` are tried before `=` so that "a==b" does not leave "=b" as the value.
const termOperators = ['!=', '==', '='] as const;

function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** Undoes `\\`, `\,` and `\=`; anything else escaped, or a bare `,`/`=`, is an error (400). */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') {
      // Go formats the rune with %v, which prints its code point.
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else out += c;
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

export function escapeFieldValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
}

/** Parses `a=b,c!=d` (`==` allowed). Errors throw 400 BadRequest with upstream's text. */
export function parseFieldSelector(s: string): FieldSelector {
  const parts = splitTerms(s).sort();
  const requirements: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    const value = unescapeFieldValue(t.rhs);
    requirements.push({ field: t.lhs, operator: t.op === '!=' ? '!=' : '=', value });
  }
  return { requirements };
}

export function fieldSelectorToString(sel: FieldSelector): string {
  return sel.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
}

/**
 * Applies the kind's label conversion (throwing 400 for unsupported labels, as the API server does
 * before it lists anything) and returns the converted selector.
 */
export function convertFieldSelector(sel: FieldSelector, kindFields: FieldSetFn): FieldSelector {
  const convert = kindFields.convertLabel;
  if (!convert) return sel;
  return { requirements: sel.requirements.map((r) => ({ ...r, field: convert(r.field) })) };
}

/** Builds a predicate; unsupported labels throw 400 here, not at match time. */
export function fieldSelectorMatcher(
  sel: FieldSelector,
  kindFields: FieldSetFn,
): (obj: KubeObject) => boolean {
  const reqs = convertFieldSelector(sel, kindFields).requirements;
  if (reqs.length === 0) return () => true;
  return (obj) => {
    const set = kindFields(obj);
    return reqs.every((r) => {
      const actual = Object.prototype.hasOwnProperty.call(set, r.field) ? set[r.field] : '';
      return r.operator === '=' ? actual === r.value : actual !== r.value;
    });
  };
}

/** The value a selector requires for `field` (e.g. metadata.name for a cheap lookup), if exact. */
export function requiredFieldValue(sel: FieldSelector, field: string): string | undefined {
  return sel.requirements.find((r) => r.field === field && r.operator === '=')?.value;
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import {
  formatLabelSelector,
  formatLabels,
  labelSelectorFromObject,
  labelSelectorToString,
  matchesLabels,
  parseLabelSelector,
} from './index.js';

const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function badRequest(s: string): string {
  try {
    parseLabelSelector(s);
  } catch (e) {
    assert.ok(e instanceof StatusError, 'expected a StatusError');
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(s)} to be rejected`);
}

test('parses every operator and prints the canonical form', () => {
  const cases: [string, string][] = [
    ['a=b', 'a=b'],
    ['a==b', 'a==b'],
    ['a!=b', 'a!=b'],
    ['a in (y,x)', 'a in (x,y)'],
    ['a notin (x)', 'a notin (x)'],
    ['a', 'a'],
    ['!a', '!a'],
    ['a>1', 'a>1'],
    ['a<10', 'a<10'],
    ['  b = 1 , a = 2 ', 'a=2,b=1'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['example.com/app=web', 'example.com/app=web'],
    ['a=', 'a='],
    ['in in (in,notin)', 'in in (in,notin)'],
    ['', ''],
  ];
  for (const [input, out] of cases)
    assert.equal(labelSelectorToString(parseLabelSelector(input)), out, input);
});

test('requirements carry upstream operator names and sorted values', () => {
  const sel = parseLabelSelector('tier notin (b,a),!legacy,app');
  assert.deepEqual(sel.requirements, [
    { key: 'app', operator: 'exists', values: [] },
    { key: 'legacy', operator: '!', values: [] },
    { key: 'tier', operator: 'notin', values: ['a', 'b'] },
  ]);
});

test('matching follows set semantics', () => {
  const m = (s: string, labels?: Record<string, string>): boolean =>
    matchesLabels(parseLabelSelector(s), labels);
  assert.equal(m('app=web', { app: 'web' }), true);
  assert.equal(m('app=web', { app: 'db' }), false);
  assert.equal(m('app=web', {}), false);
  assert.equal(m('app!=web', {}), true, '!= matches when the label is missing');
  assert.equal(m('app!=web', { app: 'web' }), false);
  assert.equal(m('app in (a,b)', { app: 'b' }), true);
  assert.equal(m('app in (a,b)', undefined), false);
  assert.equal(m('app notin (a,b)', undefined), true);
  assert.equal(m('app notin (a,b)', { app: 'a' }), false);
  assert.equal(m('app', { app: '' }), true);
  assert.equal(m('!app', { app: '' }), false);
  assert.equal(m('!app', { other: 'x' }), true);
  assert.equal(m('a=', { a: '' }), true);
  assert.equal(m('a>1', { a: '2' }), true);
  assert.equal(m('a>1', { a: '1' }), false);
  assert.equal(m('a>1', { a: 'x' }), false);
  assert.equal(m('a<1', { a: '-5' }), true);
  assert.equal(m('app=web,tier=fe', { app: 'web', tier: 'fe' }), true);
  assert.equal(m('app=web,tier=fe', { app: 'web', tier: 'be' }), false);
  assert.equal(m('', { anything: 'x' }), true);
});

test('syntax errors carry apimachinery messages', () => {
  const ops = 'in, notin, =, ==, !=, gt, lt';
  assert.equal(badRequest('a b'), `unable to parse requirement: found 'b', expected: ${ops}`);
  assert.equal(badRequest('a=b c'), "found 'c', expected: ',' or 'end of string'");
  assert.equal(badRequest('a=b,'), "found '', expected: identifier after ','");
  assert.equal(badRequest('=a'), "found '=', expected: !, identifier, or 'end of string'");
  assert.equal(badRequest('a in x'), "unable to parse requirement: found 'x' expected: '('");
  assert.equal(badRequest('a in (x'), "unable to parse requirement: found '', expected: ',' or ')'");
  assert.equal(badRequest('a in (x y)'), "unable to parse requirement: found 'y', expected: ',' or ')'");
  assert.equal(
    badRequest('a in (=)'),
    "unable to parse requirement: found '=', expected: ',', ')' or identifier",
  );
  assert.equal(badRequest('a=(b'), "unable to parse requirement: found '(', expected: identifier");
  assert.equal(badRequest('!'), "unable to parse requirement: found '', expected: identifier");
  assert.equal(badRequest('!a=b'), "found '=', expected: ',' or 'end of string'");
});

test('invalid keys and values are reported like NewRequirement does', () => {
  assert.equal(
    badRequest('-a=b'),
    `unable to parse requirement: <nil>: Invalid value: "-a": ${NAME_PART_MSG}`,
  );
  assert.equal(
    badRequest('a=-b'),
    `unable to parse requirement: values[0][a]: Invalid value: "-b": ${VALUE_MSG}`,
  );
  assert.equal(
    badRequest('a>x'),
    `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`,
  );
  assert.equal(
    badRequest('a/b/c'),
    `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name ${NAME_PART_MSG.slice('name part '.length).replace(/\)$/, '')}) with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  );
  assert.match(
    badRequest('Bad_Prefix/a'),
    /<nil>: Invalid value: "Bad_Prefix\/a": prefix part a lowercase RFC 1123 subdomain/,
  );
  assert.match(badRequest(`a=${'x'.repeat(64)}`), /must be no more than 63 characters/);
});

test('labelSelectorFromObject converts matchLabels and matchExpressions', () => {
  const sel = labelSelectorFromObject({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['b', 'a'] },
      { key: 'env', operator: 'NotIn', values: ['prod'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'zone', operator: 'Exists' },
    ],
  });
  assert.equal(labelSelectorToString(sel), 'app=web,!canary,env notin (prod),tier in (a,b),zone');
  assert.equal(matchesLabels(sel, { app: 'web', tier: 'a', zone: 'z1' }), true);
  assert.equal(matchesLabels(sel, { app: 'web', tier: 'a', zone: 'z1', canary: 'y' }), false);
  assert.equal(matchesLabels(sel, { app: 'web', tier: 'c', zone: 'z1' }), false);
  assert.equal(matchesLabels(sel, { app: 'web', tier: 'a', zone: 'z1', env: 'prod' }), false);
});

test('nil selects nothing, empty selects everything', () => {
  assert.equal(matchesLabels(labelSelectorFromObject(null), { a: 'b' }), false);
  assert.equal(matchesLabels(labelSelectorFromObject(undefined), {}), false);
  assert.equal(matchesLabels(labelSelectorFromObject({}), { a: 'b' }), true);
  assert.equal(
    matchesLabels(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }), undefined),
    true,
  );
});

test('invalid structured selectors throw clear errors', () => {
  assert.throws(
    () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }),
    {
      message: '"Equals" is not a valid label selector operator',
    },
  );
  assert.throws(
    () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    {
      message: "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    },
  );
  assert.throws(
    () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }),
    {
      message: 'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
    },
  );
  assert.throws(() => labelSelectorFromObject({ matchLabels: { 'bad key': 'x' } }), {
    message: `key: Invalid value: "bad key": ${NAME_PART_MSG}`,
  });
  assert.throws(() => labelSelectorFromObject({ matchLabels: { a: 'bad value' } }), {
    message: `values[0][a]: Invalid value: "bad value": ${VALUE_MSG}`,
  });
});

test('formatLabels and formatLabelSelector match the printer helpers', () => {
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
  assert.equal(formatLabelSelector({ matchLabels: { app: 'web' } }), 'app=web');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), '<error>');
});

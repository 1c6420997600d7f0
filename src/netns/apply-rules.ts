// Applies serviceRules' output in one iptables-restore transaction that rewrites only MIZZEN- chains
// of the nat table: other chains and rules in the namespace are left as they are.
import { inNetns } from './exec.js';

/** The built-in chains that must lead into ours. */
const ENTRY_JUMPS: Array<[string, string]> = [
  ['PREROUTING', 'MIZZEN-SERVICES'],
  ['OUTPUT', 'MIZZEN-SERVICES'],
  ['POSTROUTING', 'MIZZEN-POSTROUTING'],
];

interface ParsedRules {
  chains: string[];
  rules: string[];
}

function parseOwnRules(text: string): ParsedRules {
  const chains: string[] = [];
  const rules: string[] = [];
  let table: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      if (table) throw new Error('service rules must hold one table');
      table = line.slice(1);
      if (table !== 'nat') throw new Error(`service rules must be for the nat table, not ${table}`);
    } else if (line === 'COMMIT') {
      if (!table) throw new Error('COMMIT before a table');
    } else if (line.startsWith(':')) {
      const chain = line.slice(1).split(' ')[0]!;
      if (!chain.startsWith('MIZZEN-'))
        throw new Error(`service rules may only declare MIZZEN- chains, not ${chain}`);
      chains.push(chain);
    } else if (line.startsWith('-A ')) {
      const chain = line.split(' ')[1]!;
      if (!chains.includes(chain)) throw new Error(`rule for undeclared chain ${chain}: ${line}`);
      rules.push(line);
    } else throw new Error(`unexpected line in service rules: ${line}`);
  }
  if (!table) throw new Error('service rules hold no table');
  return { chains, rules };
}

/**
 * The iptables-restore --noflush input that turns the nat table described by `currentSave`
 * (iptables-save -t nat output) into one whose MIZZEN- chains are exactly those of `text`.
 */
export function composeRestore(currentSave: string, text: string): string {
  const wanted = parseOwnRules(text);
  const existing = currentSave
    .split('\n')
    .filter((l) => l.startsWith(':MIZZEN-'))
    .map((l) => l.slice(1).split(' ')[0]!);
  const stale = existing.filter((c) => !wanted.chains.includes(c));
  const jumps = ENTRY_JUMPS.filter(
    ([from, to]) =>
      wanted.chains.includes(to) &&
      !currentSave.split('\n').some((l) => l.startsWith(`-A ${from} `) && l.endsWith(`-j ${to}`)),
  ).map(([from, to]) => `-I ${from} 1 -j ${to}`);
  return [
    '*nat',
    // Declaring a chain with --noflush empties it, so every MIZZEN- chain starts over.
    ...[...wanted.chains, ...stale].map((c) => `:${c} - [0:0]`),
    ...wanted.rules,
    ...jumps,
    ...stale.map((c) => `-X ${c}`),
    'COMMIT',
    '',
  ].join('\n');
}

export async function applyServiceRules(netns: string, text: string): Promise<void> {
  const current = await inNetns(netns, ['iptables-save', '-t', 'nat']);
  await inNetns(netns, ['iptables-restore', '--noflush'], { input: composeRestore(current, text) });
}

// Summarizes a V8 .cpuprofile (as written by `node --cpu-prof`): where the CPU time went, by
// function (self time) and by source area, so a benchmark run can say what to optimize.

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The source area a frame belongs to: a repository file, a package, node internals or a V8 bucket. */
function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  if (url.startsWith('node:')) return url.split('/')[0].replace(/^node:internal.*/, 'node:internal');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const repo = /\/dist\/(src\/[^/]+(?:\/[^/]+)?)/.exec(url);
  return repo ? repo[1].replace(/\.js$/, '') : url.replace(/^file:\/\//, '');
}

const short = (url: string) =>
  url.replace(/^file:\/\/.*\/dist\//, '').replace(/^file:\/\/.*\/node_modules\//, '');

export function summarizeCpuProfile(json: string, top = 20): string {
  const p = JSON.parse(json) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const totalUs = p.endTime - p.startTime;
  const idleUs = [...selfUs]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((s, [, us]) => s + us, 0);
  const busyUs = totalUs - idleUs;

  const fnSelf = new Map<string, number>();
  const areaSelf = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    const key = `${functionName || '(anonymous)'}  ${url ? `${short(url)}:${lineNumber + 1}` : ''}`.trim();
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + us);
    const a = area(url, functionName);
    areaSelf.set(a, (areaSelf.get(a) ?? 0) + us);
  }
  // Inclusive time of repository functions: each sample counts once for every distinct function on its stack.
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const repoTotal = new Map<string, number>();
  p.samples.forEach((leaf, i) => {
    const seen = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
      if (!/\/dist\/src\//.test(url)) continue;
      seen.add(`${functionName || '(anonymous)'}  ${short(url)}:${lineNumber + 1}`);
    }
    for (const k of seen) repoTotal.set(k, (repoTotal.get(k) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const pct = (us: number) => `${((100 * us) / busyUs).toFixed(1).padStart(5)}%`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const lines = [
    `wall ${ms(totalUs).trim()}, busy ${ms(busyUs).trim()} (${((100 * busyUs) / totalUs).toFixed(0)}% of one core on the main thread)`,
    '',
    'self time by area (share of busy time):',
    ...[...areaSelf]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `  ${pct(us)} ${ms(us)}  ${k}`),
    '',
    'self time by function:',
    ...[...fnSelf]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `  ${pct(us)} ${ms(us)}  ${k}`),
    '',
    'total (inclusive) time of repository functions:',
    ...[...repoTotal]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `  ${pct(us)} ${ms(us)}  ${k}`),
  ];
  return lines.join('\n');
}

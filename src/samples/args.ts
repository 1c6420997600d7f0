/**
 * Listening port of the upstream images: a gunicorn-style bind (`-b [::]:9080`), else the last numeric argument
 * (`python productpage.py 9080`), else the image's default.
 */
export function portFromArgv(argv: readonly string[], fallback: number): number {
  let numeric: number | undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    let bind: string | undefined;
    if (a === '-b' || a === '--bind') bind = argv[++i];
    else if (a.startsWith('--bind=')) bind = a.slice(7);
    else if (/^\d+$/.test(a)) numeric = Number(a);
    const m = bind === undefined ? null : /(?:^|:)(\d+)$/.exec(bind);
    if (m) return Number(m[1]);
  }
  return numeric ?? fallback;
}

// Runs the system tools (ip, iptables-restore, sysctl) with argument arrays, never through a shell,
// so names and addresses can never be interpreted as shell syntax.
import { execFile } from 'node:child_process';

export class CommandError extends Error {
  constructor(
    readonly command: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`${command.join(' ')} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim() || 'no output'}`);
    this.name = 'CommandError';
  }
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
}

export function run(command: string[], opts: RunOptions = {}): Promise<string> {
  const [file, ...args] = command;
  return new Promise((resolve, reject) => {
    const child = execFile(
      file!,
      args,
      { timeout: opts.timeoutMs ?? 10_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const code = typeof err.code === 'number' ? err.code : null;
        const why = (err as { code?: unknown }).code === 'ENOENT' ? `${file} is not installed` : stderr;
        reject(new CommandError(command, code, why || err.message));
      },
    );
    child.stdin?.on('error', () => {}); // a tool that exits before reading its input is reported by its exit code
    child.stdin?.end(opts.input ?? '');
  });
}

/** Runs `ip -batch -` so several changes cost one process; the first failing line stops the batch. */
export function ipBatch(lines: string[], netns?: string): Promise<string> {
  const cmd = netns ? ['ip', '-n', netns, '-batch', '-'] : ['ip', '-batch', '-'];
  return run(cmd, { input: lines.join('\n') + '\n' });
}

/** Runs a command inside a named network namespace (with /etc/netns/<ns>/ files bound over /etc). */
export function inNetns(netns: string, command: string[], opts?: RunOptions): Promise<string> {
  return run(['ip', 'netns', 'exec', netns, ...command], opts);
}

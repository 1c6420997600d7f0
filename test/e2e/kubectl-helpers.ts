// Shared helpers for the kubectl end-to-end tests: reading kubectl's tabular output, raw API calls
// with curl and the admin client certificate, and waiting on streams without fixed sleeps.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CommandResult, TestCluster } from './harness.js';

export interface Table {
  header: string[];
  rows: Record<string, string>[];
}

/**
 * Parses `kubectl get` output (one or more tables separated by blank lines). kubectl left-aligns
 * every column, so a cell starts at the offset of its header; that keeps empty cells (a CRD
 * printer column with no value) in their column. Header words separated by one space belong to
 * one column ("IN USE", "NOMINATED NODE").
 */
export function parseTables(text: string): Table[] {
  const tables: Table[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) continue;
    const starts: { name: string; at: number }[] = [];
    for (const m of lines[0].matchAll(/\S+(?: \S+)*/g)) starts.push({ name: m[0], at: m.index });
    const rows = lines.slice(1).map((line) => {
      const row: Record<string, string> = {};
      starts.forEach((col, i) => {
        const end = i + 1 < starts.length ? starts[i + 1].at : line.length;
        row[col.name] = line.slice(col.at, end).trim();
      });
      return row;
    });
    tables.push({ header: starts.map((s) => s.name), rows });
  }
  return tables;
}

export function parseTable(text: string): Table {
  const tables = parseTables(text);
  if (tables.length !== 1) throw new Error(`expected one table, got ${tables.length}:\n${text}`);
  return tables[0];
}

let scratchRoot: string | undefined;

/** A fresh directory under one per-process root that is removed when the test process exits. */
export function scratchDir(prefix: string): string {
  if (!scratchRoot) {
    const root = mkdtempSync(join(tmpdir(), 'mizzen-kubectl-e2e-'));
    scratchRoot = root;
    process.on('exit', () => rmSync(root, { recursive: true, force: true }));
  }
  return mkdtempSync(join(scratchRoot, `${prefix}-`));
}

export interface AdminCreds {
  server: string;
  ca: string;
  cert: string;
  key: string;
}

/** Writes the admin user's client certificate, key and the cluster CA from the kubeconfig to files. */
export function adminCreds(cluster: TestCluster): AdminCreds {
  const cfg = parseYaml(readFileSync(cluster.kubeconfig, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const dir = scratchDir('creds');
  const write = (name: string, b64: string) => {
    const path = join(dir, name);
    writeFileSync(path, Buffer.from(b64, 'base64'), { mode: 0o600 });
    return path;
  };
  return {
    server: cfg.clusters[0].cluster.server,
    ca: write('ca.crt', cfg.clusters[0].cluster['certificate-authority-data']),
    cert: write('admin.crt', cfg.users[0].user['client-certificate-data']),
    key: write('admin.key', cfg.users[0].user['client-key-data']),
  };
}

export interface HttpResult {
  status: number;
  body: string;
  json: any;
}

/** One request with curl, authenticated by the admin client certificate. */
export function curl(
  creds: AdminCreds,
  method: string,
  path: string,
  opts: { body?: string | Buffer; contentType?: string } = {},
): HttpResult {
  const dir = scratchDir('curl');
  const bodyFile = join(dir, 'body');
  const args = [
    '-sS',
    '-o',
    join(dir, 'out'),
    '-w',
    '%{http_code}',
    '--cacert',
    creds.ca,
    '--cert',
    creds.cert,
    '--key',
    creds.key,
    '-X',
    method,
  ];
  if (opts.body !== undefined) {
    writeFileSync(bodyFile, opts.body);
    args.push(
      '--data-binary',
      `@${bodyFile}`,
      '-H',
      `Content-Type: ${opts.contentType ?? 'application/json'}`,
    );
  }
  args.push(creds.server + path);
  const r = spawnSync('curl', args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`curl failed (${r.status}): ${r.stderr}`);
  const body = readFileSync(join(dir, 'out'), 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: Number(r.stdout), body, json };
}

/** Polls fn until it returns a truthy value; polling is how the tests wait for controllers. */
export async function until<T>(
  what: string,
  fn: () => T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Collects a child's output line by line and lets a test wait for a line (event-driven, no polling). */
export class LineCollector {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  exitCode: number | null = null;
  private waiters: (() => void)[] = [];
  readonly exited: Promise<number>;

  constructor(readonly child: ChildProcess) {
    const attach = (stream: NodeJS.ReadableStream | null, into: string[]) => {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        partial += chunk;
        const parts = partial.split('\n');
        partial = parts.pop() ?? '';
        into.push(...parts);
        this.notify();
      });
      stream?.on('end', () => {
        if (partial) into.push(partial);
        partial = '';
        this.notify();
      });
    };
    attach(child.stdout, this.stdout);
    attach(child.stderr, this.stderr);
    this.exited = new Promise((resolve) =>
      child.on('close', (code) => {
        this.exitCode = code ?? -1;
        this.notify();
        resolve(this.exitCode);
      }),
    );
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves once check() holds; rejects after timeoutMs with everything seen so far. */
  waitFor(what: string, check: (c: LineCollector) => boolean, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out waiting for ${what}\nstdout:\n${this.stdout.join('\n')}\nstderr:\n${this.stderr.join('\n')}`,
            ),
          ),
        timeoutMs,
      );
      const test = () => {
        if (check(this)) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(test);
      };
      test();
    });
  }

  kill(): void {
    if (this.exitCode === null) this.child.kill('SIGTERM');
  }
}

/** `kubectl get ns` must keep working after every bad request: the server is still serving. */
export function serverStillServes(cluster: TestCluster): CommandResult {
  return cluster.kubectl(['get', 'ns', 'default', '-o', 'name']);
}

// Serving container logs from the files the node agent writes: the last lines, and following new
// output until the reader goes away.
import { createReadStream, existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { podStateDir } from './state-paths.js';
import { PassThrough, type Readable } from 'node:stream';

type PodObject = { metadata: any; spec?: any; status?: any };

export interface LogRequest {
  pod: PodObject;
  container: string;
  follow: boolean;
  previous: boolean;
  tailLines?: number;
  limitBytes?: number;
}

const FOLLOW_POLL_MS = 200;

/** `<nodesDir>/<node>/pods/<ns>_<name>_<uid>/<container>-<run>.log`, the run being the restart count. */
export function containerLogPath(nodesDir: string, req: LogRequest): string | undefined {
  const pod = req.pod;
  const node = pod.spec?.nodeName;
  if (!node) return undefined;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const restarts = statuses.find((s: any) => s.name === req.container)?.restartCount ?? 0;
  const run = req.previous ? restarts - 1 : restarts;
  if (run < 0) return undefined;
  return join(podStateDir(nodesDir, node, pod.metadata), `${req.container}-${run}.log`);
}

/** Opens a container's log as a stream; undefined when the container has written nothing yet. */
export function openContainerLog(nodesDir: string, req: LogRequest): Readable | undefined {
  const path = containerLogPath(nodesDir, req);
  if (!path || !existsSync(path)) return undefined;
  const size = statSync(path).size;
  const start = req.tailLines !== undefined ? tailOffset(path, size, req.tailLines) : 0;
  if (!req.follow) {
    if (start >= size) return PassThrough.from([]);
    return createReadStream(path, {
      start,
      end: req.limitBytes !== undefined ? Math.min(size, start + req.limitBytes) - 1 : size - 1,
    });
  }
  const out = new PassThrough();
  let offset = start;
  let sent = 0;
  const pump = (): void => {
    if (out.destroyed) return;
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      out.end();
      return;
    }
    try {
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, offset);
        if (n <= 0) break;
        offset += n;
        let chunk = buf.subarray(0, n);
        if (req.limitBytes !== undefined) chunk = chunk.subarray(0, Math.max(0, req.limitBytes - sent));
        sent += chunk.length;
        if (chunk.length > 0) out.write(Buffer.from(chunk));
        if (req.limitBytes !== undefined && sent >= req.limitBytes) {
          out.end();
          return;
        }
      }
    } finally {
      closeSync(fd);
    }
    timer = setTimeout(pump, FOLLOW_POLL_MS);
  };
  let timer: NodeJS.Timeout | undefined;
  out.on('close', () => clearTimeout(timer));
  pump();
  return out;
}

/** Byte offset where the last `lines` lines start. */
function tailOffset(path: string, size: number, lines: number): number {
  if (lines <= 0) return size;
  const fd = openSync(path, 'r');
  try {
    let pos = size;
    let seen = 0;
    const buf = Buffer.alloc(64 * 1024);
    // A trailing newline ends the last line; it does not start another.
    let skipFinal = true;
    while (pos > 0) {
      const len = Math.min(buf.length, pos);
      pos -= len;
      readSync(fd, buf, 0, len, pos);
      for (let i = len - 1; i >= 0; i--) {
        if (buf[i] !== 10) {
          skipFinal = false;
          continue;
        }
        if (skipFinal && pos + i === size - 1) continue;
        if (++seen === lines) return pos + i + 1;
      }
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}

// Runs in a worker thread: owns the SQLite write connection, so the fsync of each commit happens off
// the API server's event loop while the next batch of writes gathers.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteLog, type LogRow } from './sqlite-log.js';

type Request =
  | { id: number; op: 'append'; rows: LogRow[] }
  | { id: number; op: 'compact'; target: number }
  | { id: number; op: 'close' };

const log = new SqliteLog((workerData as { path: string }).path);

parentPort!.on('message', (msg: Request) => {
  try {
    if (msg.op === 'append') {
      log.append(msg.rows);
      parentPort!.postMessage({ id: msg.id, ok: true });
    } else if (msg.op === 'compact') {
      parentPort!.postMessage({ id: msg.id, ok: true, removed: log.compact(msg.target) });
    } else {
      log.close();
      parentPort!.postMessage({ id: msg.id, ok: true });
      parentPort!.close();
    }
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, ok: false, error: (err as Error).message });
  }
});

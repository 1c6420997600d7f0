// The durable half of the store: an append-only log of object revisions in SQLite (the kine design),
// where a row's id is the cluster-wide revision and so the objects' resourceVersion.
import Database from 'better-sqlite3';

export interface LogRow {
  rev: number;
  res: string;
  ns: string;
  name: string;
  createRev: number;
  prevRev: number;
  created: boolean;
  deleted: boolean;
  value: string;
}

interface RawRow {
  rev: number;
  res: string;
  ns: string;
  name: string;
  create_rev: number;
  prev_rev: number;
  created: number;
  deleted: number;
  value: string;
}

const toRow = (r: RawRow): LogRow => ({
  rev: r.rev,
  res: r.res,
  ns: r.ns,
  name: r.name,
  createRev: r.create_rev,
  prevRev: r.prev_rev,
  created: r.created === 1,
  deleted: r.deleted === 1,
  value: r.value,
});

export class SqliteLog {
  private readonly db: Database.Database;
  private readonly insertStmt: Database.Statement;
  private readonly insertMany: (rows: LogRow[]) => void;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // FULL: a revision is on disk before the write is acknowledged; group commit keeps this cheap.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    const check = this.db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`store ${path} failed its integrity check: ${String(check)}`);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS log (
        rev INTEGER PRIMARY KEY,
        res TEXT NOT NULL,
        ns TEXT NOT NULL,
        name TEXT NOT NULL,
        create_rev INTEGER NOT NULL,
        prev_rev INTEGER NOT NULL,
        created INTEGER NOT NULL,
        deleted INTEGER NOT NULL,
        value TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS log_key ON log (res, ns, name, rev);
      CREATE INDEX IF NOT EXISTS log_res_rev ON log (res, rev);
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
    `);
    this.insertStmt = this.db.prepare(
      'INSERT INTO log (rev, res, ns, name, create_rev, prev_rev, created, deleted, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertMany = this.db.transaction((rows: LogRow[]) => {
      for (const r of rows) {
        this.insertStmt.run(
          r.rev,
          r.res,
          r.ns,
          r.name,
          r.createRev,
          r.prevRev,
          r.created ? 1 : 0,
          r.deleted ? 1 : 0,
          r.value,
        );
      }
    });
  }

  /** Appends rows in one transaction; returns only once they are durable. */
  append(rows: LogRow[]): void {
    this.insertMany(rows);
  }

  maxRevision(): number {
    const r = this.db.prepare('SELECT MAX(rev) AS m FROM log').get() as { m: number | null };
    return Math.max(r.m ?? 0, this.compactRevision());
  }

  compactRevision(): number {
    const r = this.db.prepare("SELECT v FROM meta WHERE k = 'compact_rev'").get() as
      { v: number } | undefined;
    return r?.v ?? 0;
  }

  /** The newest live revision of every key. */
  current(): LogRow[] {
    const rows = this.db
      .prepare(
        `SELECT l.* FROM log l
         JOIN (SELECT MAX(rev) AS m FROM log GROUP BY res, ns, name) x ON l.rev = x.m
         WHERE l.deleted = 0`,
      )
      .all() as RawRow[];
    return rows.map(toRow);
  }

  /** Rows of one resource after `rev`, in revision order (for watches resuming before the in-memory window). */
  since(res: string, rev: number): LogRow[] {
    return (
      this.db.prepare('SELECT * FROM log WHERE res = ? AND rev > ? ORDER BY rev').all(res, rev) as RawRow[]
    ).map(toRow);
  }

  byRevision(rev: number): LogRow | undefined {
    const r = this.db.prepare('SELECT * FROM log WHERE rev = ?').get(rev) as RawRow | undefined;
    return r && toRow(r);
  }

  /**
   * Drops history at or below `target`: rows superseded by a later row and tombstones. The newest
   * row of every live key survives, so the current state never depends on compacted history.
   */
  compact(target: number): number {
    const run = this.db.transaction(() => {
      const superseded = this.db
        .prepare('DELETE FROM log WHERE rev IN (SELECT prev_rev FROM log WHERE prev_rev > 0 AND rev <= ?)')
        .run(target).changes;
      const tombstones = this.db
        .prepare('DELETE FROM log WHERE deleted = 1 AND rev <= ?')
        .run(target).changes;
      this.db
        .prepare(
          "INSERT INTO meta (k, v) VALUES ('compact_rev', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
        )
        .run(target);
      return superseded + tombstones;
    });
    const removed = run();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return removed;
  }

  close(): void {
    this.db.close();
  }
}

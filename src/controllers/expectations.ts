// Controller expectations (as kube-controller-manager's): after creating or deleting pods a
// controller waits until its informer has seen those changes before it counts pods again, so a
// stale cache never makes it create or delete twice. Expectations expire, as upstream's do.
export class Expectations {
  private readonly entries = new Map<string, { adds: number; dels: Set<string>; at: number }>();

  constructor(private readonly ttlMs = 30_000) {}

  expectCreations(key: string, n: number): void {
    const e = this.entry(key);
    e.adds += n;
    e.at = Date.now();
  }

  expectDeletions(key: string, uids: string[]): void {
    const e = this.entry(key);
    for (const u of uids) e.dels.add(u);
    e.at = Date.now();
  }

  creationObserved(key: string): void {
    const e = this.entries.get(key);
    if (e && e.adds > 0) e.adds--;
  }

  deletionObserved(key: string, uid: string): void {
    this.entries.get(key)?.dels.delete(uid);
  }

  satisfied(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return true;
    if ((e.adds <= 0 && e.dels.size === 0) || Date.now() - e.at > this.ttlMs) {
      this.entries.delete(key);
      return true;
    }
    return false;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  private entry(key: string) {
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = { adds: 0, dels: new Set(), at: Date.now() }));
    return e;
  }
}

// The set of resources the cluster serves, refreshed when CRDs come and go, so controllers cover
// custom resources as well as built-ins.
import type { ApiResource, KubeClient } from '../kube/index.js';

export class ResourceCatalog {
  private resources: ApiResource[] = [];
  private readonly listeners = new Set<(all: ApiResource[]) => void>();
  private refreshing?: Promise<void>;
  private again = false;

  constructor(private readonly client: KubeClient) {}

  get all(): ApiResource[] {
    return this.resources;
  }

  onChange(fn: (all: ApiResource[]) => void): void {
    this.listeners.add(fn);
  }

  byKind(apiVersion: string, kind: string): ApiResource | undefined {
    return (
      this.resources.find((r) => r.groupVersion === apiVersion && r.kind === kind) ??
      this.resources.find((r) => r.kind === kind && apiVersion.split('/')[0] === r.group)
    );
  }

  /** Re-reads discovery; concurrent calls coalesce. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        const next = await this.client.discover();
        const changed = JSON.stringify(next) !== JSON.stringify(this.resources);
        this.resources = next;
        if (changed) for (const fn of this.listeners) fn(next);
      } while (this.again);
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }
}

// The apiextensions part of the server: serves each stored CRD (registry entry installed in the same
// turn the CRD is committed) and, when a CRD is deleted, removes its custom resources before the CRD.
import type { ApiContext } from './handlers/context.js';
import { CRD_CLEANUP_FINALIZER } from './resources/crd-strategy.js';
import { cloneObject, type StoreEvent } from './store/index.js';
import type { KubeObject } from './types.js';

const CRDS = 'customresourcedefinitions.apiextensions.k8s.io';
const RETRY_MS = 500;

export class CrdController {
  private unsubscribe?: () => void;
  private readonly cleaning = new Set<string>();
  private stopped = false;

  constructor(private readonly ctx: ApiContext) {}

  start(): void {
    for (const e of this.ctx.store.list(CRDS)) {
      this.ctx.registry.applyCrd(e.obj, e.name);
      if (e.obj.metadata.deletionTimestamp) this.scheduleCleanup(e.name);
    }
    this.unsubscribe = this.ctx.store.subscribe(CRDS, (ev) => this.onEvent(ev));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
  }

  private onEvent(ev: StoreEvent): void {
    const crd = ev.entry.obj;
    if (ev.type === 'DELETED') {
      this.ctx.registry.applyCrd(undefined, ev.entry.name);
      return;
    }
    this.ctx.registry.applyCrd(crd, ev.entry.name);
    if (crd.metadata.deletionTimestamp) this.scheduleCleanup(ev.entry.name);
  }

  private scheduleCleanup(name: string): void {
    if (this.cleaning.has(name) || this.stopped) return;
    this.cleaning.add(name);
    setImmediate(() => void this.cleanup(name));
  }

  private async cleanup(name: string): Promise<void> {
    const { store } = this.ctx;
    try {
      const entry = store.latest(CRDS, '', name);
      if (!entry || !entry.obj.metadata.deletionTimestamp) return;
      const crd = entry.obj;
      const res = `${crd.spec.names.plural}.${crd.spec.group}`;
      let remaining = 0;
      for (const cr of store.list(res)) {
        remaining++;
        if ((cr.obj.metadata.finalizers ?? []).length === 0) {
          await store.delete(res, cr.ns, cr.name, cr.rev).catch(() => undefined);
        } else if (!cr.obj.metadata.deletionTimestamp) {
          const marked = cloneObject(cr.obj) as KubeObject;
          marked.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
          marked.metadata.deletionGracePeriodSeconds = 0;
          await store.update(res, cr.ns, cr.name, marked, cr.rev).catch(() => undefined);
        }
      }
      if (remaining > 0) {
        this.cleaning.delete(name);
        if (!this.stopped) setTimeout(() => this.scheduleCleanup(name), RETRY_MS).unref();
        return;
      }
      const latest = store.latest(CRDS, '', name);
      if (!latest) return;
      const finalizers = (latest.obj.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
      const next = cloneObject(latest.obj) as KubeObject;
      next.metadata.finalizers = finalizers;
      if (finalizers.length === 0) {
        delete next.metadata.finalizers;
        await store.delete(CRDS, '', name, latest.rev, next);
      } else {
        await store.update(CRDS, '', name, next, latest.rev);
      }
    } catch (err) {
      console.error(`cleaning up CRD ${name} failed:`, err);
      if (!this.stopped) setTimeout(() => this.scheduleCleanup(name), RETRY_MS).unref();
    } finally {
      this.cleaning.delete(name);
    }
  }
}

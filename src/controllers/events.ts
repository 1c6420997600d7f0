// core/v1 Events as client-go's recorder writes them: `<object>.<hex nanoseconds>` names, and
// repeats of the same event within ten minutes counted on the first one instead of new objects.
import type { KubeClient } from '../kube/index.js';

export type EventType = 'Normal' | 'Warning';

export interface Recorder {
  event(obj: any, type: EventType, reason: string, message: string): void;
}

const REPEAT_WINDOW_MS = 10 * 60_000;
let seq = 0;

export class EventRecorder implements Recorder {
  private readonly recent = new Map<string, { name: string; ns: string; count: number; at: number }>();

  constructor(
    private readonly client: KubeClient,
    private readonly component: string,
  ) {}

  event(obj: any, type: EventType, reason: string, message: string): void {
    void this.write(obj, type, reason, message).catch((err) => {
      if (err?.code !== 404) console.error(`${this.component}: event ${reason}:`, err.message);
    });
  }

  private async write(obj: any, type: EventType, reason: string, message: string): Promise<void> {
    const m = obj.metadata;
    const ns = m.namespace || 'default';
    const now = new Date();
    const ts = now.toISOString().replace(/\.\d+Z$/, 'Z');
    const key = [m.uid, type, reason, message].join('\0');
    const prev = this.recent.get(key);
    if (prev && now.getTime() - prev.at < REPEAT_WINDOW_MS) {
      prev.count++;
      prev.at = now.getTime();
      await this.client.request(
        'PATCH',
        `/api/v1/namespaces/${ns}/events/${prev.name}`,
        { count: prev.count, lastTimestamp: ts },
        'application/merge-patch+json',
      );
      return;
    }
    if (this.recent.size > 4096) this.recent.clear();
    const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(seq++ % 1_000_000);
    const name = `${m.name}.${nanos.toString(16)}`;
    this.recent.set(key, { name, ns, count: 1, at: now.getTime() });
    await this.client.request('POST', `/api/v1/namespaces/${ns}/events`, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: {
        kind: obj.kind,
        namespace: m.namespace,
        name: m.name,
        uid: m.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: m.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      reportingComponent: this.component,
      reportingInstance: '',
    });
  }
}

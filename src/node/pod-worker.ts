// Everything a node agent does for one pod: its network, init containers then containers, readiness
// probes, the pod status it reports, and the graceful stop when the pod is deleted.
import type net from 'node:net';
import { join } from 'node:path';
import type { KubeClient } from '../kube/index.js';
import { KubeError } from '../kube/index.js';
import type { ClusterNetwork, PodNetwork } from '../netns/index.js';
import { Container, timestamp } from './container.js';
import type { PodIpAllocator } from './ipam.js';
import {
  containerEnvOf,
  hostsFile,
  probePort,
  resolvConf,
  type ContainerSpec,
  type PodFacts,
} from './pod-spec.js';
import { probeOnce } from './probe.js';

export interface PodContext {
  client: KubeClient;
  network: ClusterNetwork;
  nodeName: string;
  hostIP: string;
  allocator: PodIpAllocator;
  stateDir: string;
  /** A TCP connection from the cluster namespace, for readiness probes. */
  connect(host: string, port: number, timeoutMs: number): Promise<net.Socket>;
  log(msg: string): void;
}

type Pod = any;

export class PodWorker {
  /** The container's first process, for exec; undefined when it is not running. */
  containerPid(name: string): number | undefined {
    return [...this.main, ...this.init].find((c) => c.spec.name === name)?.namespacePid();
  }

  private ip: string | undefined;
  private readonly init: Container[] = [];
  private readonly main: Container[] = [];
  private readonly probeOk = new Map<string, boolean>();
  private readonly probeTimers: NodeJS.Timeout[] = [];
  private initialized = false;
  private startTime = timestamp();
  private stopped = false;
  private networking: Promise<PodNetwork> | undefined;
  private patching: Promise<void> | undefined;
  private dirty = false;
  private readonly conditionTimes = new Map<string, { status: string; at: string }>();

  constructor(
    private pod: Pod,
    private readonly ctx: PodContext,
  ) {}

  get uid(): string {
    return this.pod.metadata.uid;
  }

  private get base(): string {
    return `/api/v1/namespaces/${this.pod.metadata.namespace}/pods/${this.pod.metadata.name}`;
  }

  async start(): Promise<void> {
    const { metadata, spec } = this.pod;
    this.ip = this.ctx.allocator.allocate();
    const facts: PodFacts = {
      name: metadata.name,
      namespace: metadata.namespace,
      uid: metadata.uid,
      podIP: this.ip,
      nodeName: this.ctx.nodeName,
      serviceAccountName: spec.serviceAccountName ?? 'default',
      hostIP: this.ctx.hostIP,
    };
    this.networking = this.ctx.network.addPod({
      pod: metadata.uid,
      ip: this.ip,
      resolvConf: resolvConf(metadata.namespace),
      hosts: hostsFile(facts),
    });
    const podNet = await this.networking;
    if (this.stopped) return;
    const policy = spec.restartPolicy ?? 'Always';
    const logDir = join(this.ctx.stateDir, 'pods', `${metadata.namespace}_${metadata.name}_${metadata.uid}`);
    const make = (c: ContainerSpec, restartPolicy: 'Always' | 'OnFailure' | 'Never') =>
      new Container(
        {
          name: c.name,
          image: c.image,
          command: c.command,
          args: c.args,
          env: containerEnvOf(c, facts),
          netns: podNet.netns,
          logDir,
          restartPolicy,
        },
        () => this.report(),
      );
    for (const c of spec.initContainers ?? [])
      this.init.push(make(c, policy === 'Never' ? 'Never' : 'OnFailure'));
    for (const c of spec.containers ?? []) this.main.push(make(c, policy));
    this.report();
    for (const c of this.init) {
      if (!c.start()) return;
      const code = await c.finished();
      if (this.stopped) return;
      if (code !== 0) return this.report();
    }
    this.initialized = true;
    for (const [i, c] of this.main.entries()) {
      if (c.start()) this.watchReadiness(c, spec.containers[i] as ContainerSpec & { ports?: any[] });
    }
    this.report();
  }

  private watchReadiness(c: Container, spec: ContainerSpec & { ports?: any[] }): void {
    const probe = spec.readinessProbe;
    if (!probe || (!probe.httpGet && !probe.tcpSocket)) return;
    this.probeOk.set(c.spec.name, false);
    const period = (probe.periodSeconds ?? 10) * 1000;
    const tick = async () => {
      if (this.stopped) return;
      let ok = false;
      if (c.running) {
        const target = probe.httpGet ?? probe.tcpSocket!;
        ok = await probeOnce(this.ctx.connect, {
          host: target.host ?? this.ip!,
          port: probePort(target.port, spec.ports),
          path: probe.httpGet ? (probe.httpGet.path ?? '/') : undefined,
        });
      }
      if (ok !== this.probeOk.get(c.spec.name)) {
        this.probeOk.set(c.spec.name, ok);
        this.report();
      }
      // Until the first success it probes every second, so a pod is Ready soon after it serves.
      this.probeTimers.push(setTimeout(() => void tick(), ok ? period : Math.min(period, 1000)));
    };
    this.probeTimers.push(setTimeout(() => void tick(), (probe.initialDelaySeconds ?? 0) * 1000));
  }

  private ready(c: Container): boolean {
    return c.running && this.probeOk.get(c.spec.name) !== false;
  }

  /** Stops the containers (SIGKILL after the grace period) and removes the pod's network. */
  async stop(graceSeconds: number): Promise<void> {
    this.stopped = true;
    for (const t of this.probeTimers) clearTimeout(t);
    await Promise.all([...this.init, ...this.main].map((c) => c.stop(graceSeconds * 1000)));
    // A pod deleted while its network was being made: remove it only once it exists.
    await this.networking?.catch(() => {});
    await this.ctx.network.removePod(this.uid);
    if (this.ip) this.ctx.allocator.release(this.ip);
    this.ip = undefined;
  }

  /** Finishes a graceful deletion: the API object goes once nothing of the pod runs any more. */
  async finishDeletion(): Promise<void> {
    try {
      await this.ctx.client.request('DELETE', this.base, {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        gracePeriodSeconds: 0,
        preconditions: { uid: this.uid },
      });
    } catch (err) {
      if (!(err instanceof KubeError && (err.code === 404 || err.code === 409))) throw err;
    }
  }

  update(pod: Pod): void {
    this.pod = pod;
  }

  private report(): void {
    if (this.stopped) return;
    if (this.patching) {
      this.dirty = true;
      return;
    }
    this.patching = this.patch()
      .catch((err) => {
        if (!(err instanceof KubeError && err.code === 404))
          this.ctx.log(
            `pod ${this.pod.metadata.namespace}/${this.pod.metadata.name}: ${(err as Error).message}`,
          );
      })
      .finally(() => {
        this.patching = undefined;
        if (this.dirty) {
          this.dirty = false;
          this.report();
        }
      });
  }

  private condition(type: string, ok: boolean): object {
    const status = ok ? 'True' : 'False';
    const prev = this.conditionTimes.get(type);
    const at = prev && prev.status === status ? prev.at : timestamp();
    this.conditionTimes.set(type, { status, at });
    return { type, status, lastProbeTime: null, lastTransitionTime: at };
  }

  private async patch(): Promise<void> {
    const status = (c: Container) => ({
      name: c.spec.name,
      image: c.spec.image,
      imageID: c.imageID,
      ...(c.containerID ? { containerID: c.containerID } : {}),
      ready: this.initialized && this.ready(c),
      started: c.started,
      restartCount: c.restartCount,
      state: c.state,
      ...(c.lastState ? { lastState: c.lastState } : {}),
    });
    const containersReady = this.initialized && this.main.length > 0 && this.main.every((c) => this.ready(c));
    const body = {
      status: {
        phase: this.phase(),
        hostIP: this.ctx.hostIP,
        hostIPs: [{ ip: this.ctx.hostIP }],
        ...(this.ip ? { podIP: this.ip, podIPs: [{ ip: this.ip }] } : {}),
        startTime: this.startTime,
        conditions: [
          this.condition('PodReadyToStartContainers', this.ip !== undefined),
          this.condition('Initialized', this.initialized),
          this.condition('Ready', containersReady),
          this.condition('ContainersReady', containersReady),
          this.condition('PodScheduled', true),
        ],
        ...(this.init.length ? { initContainerStatuses: this.init.map(status) } : {}),
        containerStatuses: this.main.map(status),
      },
    };
    await this.ctx.client.request('PATCH', `${this.base}/status`, body, 'application/merge-patch+json');
  }

  private phase(): string {
    if (!this.initialized) {
      const failed = this.init.some(
        (c) =>
          'terminated' in c.state && c.state.terminated.exitCode !== 0 && c.spec.restartPolicy === 'Never',
      );
      return failed ? 'Failed' : 'Pending';
    }
    if (this.main.some((c) => 'waiting' in c.state && c.restartCount === 0 && !c.lastState)) return 'Pending';
    const terminated = this.main.filter((c) => 'terminated' in c.state);
    if (terminated.length === this.main.length && this.pod.spec.restartPolicy !== 'Always') {
      return terminated.every((c) => 'terminated' in c.state && c.state.terminated.exitCode === 0)
        ? 'Succeeded'
        : 'Failed';
    }
    return 'Running';
  }
}

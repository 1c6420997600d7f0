// Everything a node agent does for one pod: its network, volumes, init containers then containers
// (env and mounts built before each run), startup, liveness and readiness probes, the pod status it
// reports, and the graceful stop when the pod is deleted.
import { mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import { join } from 'node:path';
import type { KubeClient } from '../kube/index.js';
import { KubeError } from '../kube/index.js';
import type { ClusterNetwork, PodNetwork } from '../netns/index.js';
import { Container, timestamp, type LaunchConfig } from './container.js';
import { expandVars, fetchEnvInputs, resolveEnv } from './env.js';
import type { PodIpAllocator } from './ipam.js';
import type { MountPlan } from './mount-plan.js';
import {
  hostsFile,
  probePort,
  resolvConf,
  type ContainerSpec,
  type PodFacts,
  type Probe,
} from './pod-spec.js';
import { PodVolumes } from './pod-volumes.js';
import { execProbe, probeOnce, ProbeWorker, type ProbeKind } from './probe.js';

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
  /** The node's allocatable resources, what a resourceFieldRef on an unset limit reads; default 4 CPUs, 8Gi. */
  allocatable?: Readonly<Record<string, string>>;
  /** How often volumes are re-read from their ConfigMaps and Secrets (ms); default 10 s. */
  volumeResyncMs?: number;
}

type Probes = Partial<Record<ProbeKind, ProbeWorker>>;
const SUPPORTED = (p: Probe | undefined): p is Probe => Boolean(p && (p.httpGet || p.tcpSocket || p.exec));

type Pod = any;

export class PodWorker {
  private ip: string | undefined;
  private readonly init: Container[] = [];
  private readonly main: Container[] = [];
  private readonly specs = new Map<Container, ContainerSpec>();
  private readonly probes = new Map<Container, Probes>();
  private volumes: PodVolumes | undefined;
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

  /** `<stateDir>/pods/<ns>_<name>_<uid>`: logs, pid files, volumes, mount plans. */
  private get podDir(): string {
    const m = this.pod.metadata;
    return join(this.ctx.stateDir, 'pods', `${m.namespace}_${m.name}_${m.uid}`);
  }

  private facts(): PodFacts {
    const { metadata, spec } = this.pod;
    return {
      name: metadata.name,
      namespace: metadata.namespace,
      uid: metadata.uid,
      podIP: this.ip ?? '',
      nodeName: this.ctx.nodeName,
      serviceAccountName: spec.serviceAccountName ?? 'default',
      hostIP: this.ctx.hostIP,
      labels: metadata.labels ?? {},
      annotations: metadata.annotations ?? {},
    };
  }

  async start(): Promise<void> {
    const { metadata, spec } = this.pod;
    this.ip = this.ctx.allocator.allocate();
    const facts = this.facts();
    this.networking = this.ctx.network.addPod({
      pod: metadata.uid,
      ip: this.ip,
      resolvConf: resolvConf(metadata.namespace),
      hosts: hostsFile(facts),
    });
    const podNet = await this.networking;
    if (this.stopped) return;
    this.volumes = new PodVolumes(this.pod, facts, {
      client: this.ctx.client,
      podDir: this.podDir,
      allocatable: this.ctx.allocatable,
      log: this.ctx.log,
      resyncMs: this.ctx.volumeResyncMs,
    });
    const policy = spec.restartPolicy ?? 'Always';
    const make = (c: ContainerSpec, restartPolicy: 'Always' | 'OnFailure' | 'Never', probed: boolean) => {
      const container: Container = new Container(
        {
          name: c.name,
          image: c.image,
          netns: podNet.netns,
          logDir: this.podDir,
          restartPolicy,
          prepare: () => this.prepare(c),
        },
        () => this.report(),
        probed
          ? { onRunStart: () => this.startProbes(container), onRunEnd: () => this.stopProbes(container) }
          : {},
      );
      this.specs.set(container, c);
      // A pod this node ran before (its agent was restarted): the new run continues the count.
      const statuses = [
        ...(this.pod.status?.initContainerStatuses ?? []),
        ...(this.pod.status?.containerStatuses ?? []),
      ];
      const prev = statuses.find((st: any) => st.name === c.name);
      if (prev?.containerID) container.restartCount = (prev.restartCount ?? 0) + 1;
      return container;
    };
    for (const c of spec.initContainers ?? [])
      this.init.push(make(c, policy === 'Never' ? 'Never' : 'OnFailure', false));
    for (const c of spec.containers ?? []) this.main.push(make(c, policy, true));
    this.report();
    for (const c of this.init) {
      if (!c.start()) return;
      const code = await c.finished();
      if (this.stopped) return;
      if (code !== 0) return this.report();
    }
    this.initialized = true;
    for (const c of this.main) c.start();
    this.report();
  }

  /** Before each run: the pod's volumes in place, then the container's env, command and mounts. */
  private async prepare(c: ContainerSpec): Promise<LaunchConfig | { error: string }> {
    const volumeError = await this.volumes!.ready();
    if (volumeError) return { error: volumeError };
    const { metadata, spec } = this.pod;
    const inputs = await fetchEnvInputs(
      this.ctx.client,
      metadata.namespace,
      c,
      spec.enableServiceLinks !== false,
      this.ctx.allocatable,
    );
    const resolved = resolveEnv(c, spec, this.facts(), inputs);
    if ('error' in resolved) return resolved;
    const env = resolved.env;
    const planned = this.volumes!.mountPlan(c.volumeMounts ?? [], env);
    if ('error' in planned) return planned;
    let mountPlan: string | undefined;
    if (planned.mounts.length > 0) {
      const plan: MountPlan = { scratch: join(this.podDir, `${c.name}.scratch`), mounts: planned.mounts };
      mkdirSync(plan.scratch, { recursive: true, mode: 0o700 });
      mountPlan = join(this.podDir, `${c.name}.mounts.json`);
      writeFileSync(mountPlan, JSON.stringify(plan, null, 2), { mode: 0o600 });
    }
    return {
      env,
      command: c.command?.map((x) => expandVars(x, env)),
      args: c.args?.map((x) => expandVars(x, env)),
      mountPlan,
    };
  }

  /** A new run gets new probe workers; liveness and readiness wait for the startup probe. */
  private startProbes(c: Container): void {
    this.stopProbes(c);
    const spec = this.specs.get(c)!;
    const set: Probes = {};
    this.probes.set(c, set);
    const gate = () => !set.startup || set.startup.state.result === true;
    const worker = (kind: ProbeKind, probe: Probe | undefined, onResult: (ok: boolean) => void) =>
      SUPPORTED(probe)
        ? new ProbeWorker({
            kind,
            probe,
            attempt: (timeoutMs) => this.attempt(c, spec, probe, timeoutMs),
            startedAt: c.runStartedAt,
            gate: kind === 'startup' ? undefined : gate,
            onResult,
          })
        : undefined;
    const failed = (kind: ProbeKind, probe: Probe) => (ok: boolean) => {
      if (!ok) {
        const grace =
          probe.terminationGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30;
        this.ctx.log(
          `pod ${this.pod.metadata.namespace}/${this.pod.metadata.name}: container ${spec.name} failed ${kind} probe, will be restarted`,
        );
        c.killRun(grace * 1000);
      }
      this.report();
    };
    set.startup = worker('startup', spec.startupProbe, failed('startup', spec.startupProbe!));
    set.liveness = worker('liveness', spec.livenessProbe, failed('liveness', spec.livenessProbe!));
    set.readiness = worker('readiness', spec.readinessProbe, () => this.report());
  }

  private stopProbes(c: Container): void {
    const set = this.probes.get(c);
    if (!set) return;
    for (const w of Object.values(set)) w?.stop();
    this.probes.delete(c);
  }

  private attempt(c: Container, spec: ContainerSpec, probe: Probe, timeoutMs: number): Promise<boolean> {
    if (probe.exec) {
      const pid = c.namespacePid();
      return pid ? execProbe(pid, probe.exec.command ?? [], timeoutMs) : Promise.resolve(false);
    }
    const target = (probe.httpGet ?? probe.tcpSocket)!;
    return probeOnce(
      this.ctx.connect,
      {
        host: target.host ?? this.ip!,
        port: probePort(target.port, spec.ports),
        ...(probe.httpGet
          ? {
              path: probe.httpGet.path ?? '/',
              scheme: probe.httpGet.scheme,
              headers: probe.httpGet.httpHeaders,
            }
          : {}),
      },
      timeoutMs,
    );
  }

  /** kubelet's `started`: running, and past the startup probe when there is one. */
  private started(c: Container): boolean {
    if (!c.running) return false;
    const startup = this.probes.get(c)?.startup;
    return !startup || startup.state.result === true;
  }

  private ready(c: Container): boolean {
    if (!this.started(c)) return false;
    const readiness = this.probes.get(c)?.readiness;
    return !readiness || readiness.state.result === true;
  }

  /** Stops the containers (SIGKILL after the grace period) and removes the pod's network and volumes. */
  async stop(graceSeconds: number): Promise<void> {
    this.stopped = true;
    for (const c of this.probes.keys()) this.stopProbes(c);
    await Promise.all([...this.init, ...this.main].map((c) => c.stop(graceSeconds * 1000)));
    this.volumes?.stop();
    for (const c of [...this.init, ...this.main]) {
      // Empty on the host: its tmpfs existed only in the container's mount namespace.
      try {
        rmdirSync(join(this.podDir, `${c.spec.name}.scratch`));
      } catch {
        /* never made, or not empty: left for inspection */
      }
      rmSync(join(this.podDir, `${c.spec.name}.mounts.json`), { force: true });
    }
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
    // Labels and annotations feed downwardAPI volumes at the next resync.
    this.volumes?.update(pod, this.facts());
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
      started: this.started(c),
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

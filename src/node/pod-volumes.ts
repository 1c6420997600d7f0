// One pod's volumes on the node: their directories under the pod's state dir, the objects and
// service-account tokens they are projected from (re-read every resync, tokens renewed at 80% of their
// life), and each container's mount plan for container-init.
import { chmodSync, existsSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { KubeClient } from '../kube/index.js';
import { expandVars, type PodFacts } from './env.js';
import type { MountSpec } from './mount-plan.js';
import type { VolumeMount } from './pod-spec.js';
import {
  fingerprint,
  isProjectedVolume,
  projectVolume,
  volumeReferences,
  writeAtomic,
  type TokenSource,
  type VolumeInputs,
} from './volumes.js';

type Obj = any;

export const VOLUME_RESYNC_MS = 10_000;
const TOKEN_RENEW_FRACTION = 0.8;

interface IssuedToken {
  token: string;
  renewAt: number;
}

export interface PodVolumesOptions {
  client: KubeClient;
  /** The pod's state dir; volumes go to <podDir>/volumes/<name>/. */
  podDir: string;
  allocatable?: Readonly<Record<string, string>>;
  log(msg: string): void;
  resyncMs?: number;
  now?(): number;
}

export class PodVolumes {
  private readonly written = new Map<string, string>();
  private readonly tokens = new Map<string, IssuedToken>();
  private synced: Promise<string | undefined> | undefined;
  private ok = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private pod: Obj,
    private facts: PodFacts,
    private readonly opts: PodVolumesOptions,
  ) {}

  private get volumes(): Obj[] {
    return this.pod.spec?.volumes ?? [];
  }

  dir(volume: string): string {
    return join(this.opts.podDir, 'volumes', volume);
  }

  update(pod: Obj, facts: PodFacts): void {
    this.pod = pod;
    this.facts = facts;
  }

  /**
   * Every volume is in place: undefined once they are, else what is missing (kubelet keeps the pod's
   * containers waiting). Concurrent callers share one attempt; after success the resync keeps them fresh.
   */
  async ready(): Promise<string | undefined> {
    if (this.ok) return undefined;
    this.synced ??= this.sync(true).finally(() => (this.synced = undefined));
    const err = await this.synced;
    if (!err && !this.ok && !this.stopped) {
      this.ok = true;
      this.schedule();
    }
    return err;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.sync(false)
        .catch((err: Error) => err.message)
        .then((err) => err && this.opts.log(`volumes of ${this.facts.namespace}/${this.facts.name}: ${err}`))
        .finally(() => this.schedule());
    }, this.opts.resyncMs ?? VOLUME_RESYNC_MS);
    this.timer.unref();
  }

  /** Re-reads the objects and rewrites volumes whose content changed; on error the old content stays. */
  async sync(first: boolean): Promise<string | undefined> {
    const refs = volumeReferences(this.volumes);
    const ns = this.facts.namespace;
    let configMaps: Map<string, Obj>, secrets: Map<string, Obj>;
    try {
      const fetch = async (plural: string, names: Set<string>) =>
        new Map<string, Obj>(
          await Promise.all(
            [...names].map(
              async (n) =>
                [
                  n,
                  await this.opts.client.find(`/api/v1/namespaces/${ns}/${plural}/${encodeURIComponent(n)}`),
                ] as [string, Obj],
            ),
          ),
        );
      [configMaps, secrets] = await Promise.all([
        fetch('configmaps', refs.configMaps),
        fetch('secrets', refs.secrets),
        ...refs.tokens.map((t) => this.token(t)),
      ]);
    } catch (err) {
      return (err as Error).message;
    }
    if (this.stopped) return 'stopped';
    const inputs: VolumeInputs = {
      configMap: (n) => configMaps.get(n),
      secret: (n) => secrets.get(n),
      token: (t) => this.tokens.get(tokenKey(t))?.token,
      pod: this.facts,
      podSpec: this.pod.spec,
      allocatable: this.opts.allocatable,
    };
    let firstError: string | undefined;
    for (const vol of this.volumes) {
      const dir = this.dir(vol.name);
      const p = projectVolume(vol, inputs);
      if (p === undefined) {
        // emptyDir, and the kinds this node does not provide: a directory shared by the pod's containers.
        if (first) {
          try {
            mkdirSync(dir, { recursive: true });
            // World-writable as kubelet makes it, whatever the agent's umask.
            chmodSync(dir, 0o777);
          } catch (err) {
            firstError ??= `MountVolume.SetUp failed for volume "${vol.name}" : ${(err as Error).message}`;
          }
        }
        continue;
      }
      if ('error' in p) {
        firstError ??= `MountVolume.SetUp failed for volume "${vol.name}" : ${p.error}`;
        continue;
      }
      const fp = fingerprint(p.files);
      if (this.written.get(vol.name) === fp) continue;
      try {
        writeAtomic(dir, p.files);
        this.written.set(vol.name, fp);
      } catch (err) {
        firstError ??= `MountVolume.SetUp failed for volume "${vol.name}" : ${(err as Error).message}`;
      }
    }
    return firstError;
  }

  /** Issues (or reuses until 80% of its life) the token a projected source asks for. */
  private async token(src: TokenSource): Promise<void> {
    const key = tokenKey(src);
    const now = this.opts.now?.() ?? Date.now();
    const have = this.tokens.get(key);
    if (have && now < have.renewAt) return;
    const { name, namespace, uid, serviceAccountName } = this.facts;
    const res: Obj = await this.opts.client.request(
      'POST',
      `/api/v1/namespaces/${namespace}/serviceaccounts/${encodeURIComponent(serviceAccountName)}/token`,
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          audiences: src.audience ? [src.audience] : [],
          expirationSeconds: src.expirationSeconds,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name, uid },
        },
      },
    );
    const expires = Date.parse(res?.status?.expirationTimestamp ?? '');
    const life = Number.isFinite(expires) ? expires - now : (src.expirationSeconds ?? 3600) * 1000;
    this.tokens.set(key, { token: res.status.token, renewAt: now + life * TOKEN_RENEW_FRACTION });
  }

  /**
   * Where each of the container's volumeMounts comes from on this host. Volumes the node writes are
   * mounted read-only, as kubelet does; a subPath resolves (symlinks included) inside its volume.
   */
  mountPlan(mounts: VolumeMount[], env: Record<string, string>): { mounts: MountSpec[] } | { error: string } {
    const out: MountSpec[] = [];
    for (const m of mounts) {
      const vol = this.volumes.find((v) => v.name === m.name);
      if (!vol) return { error: `cannot find volume "${m.name}" to mount into container` };
      const root = this.dir(vol.name);
      const projected = isProjectedVolume(vol);
      let source = root;
      const sub = m.subPathExpr ? expandVars(m.subPathExpr, env) : m.subPath;
      if (sub) {
        try {
          source = subPathSource(root, sub, !projected);
        } catch (err) {
          return {
            error: `failed to prepare subPath for volumeMount "${m.name}": ${(err as Error).message}`,
          };
        }
      }
      out.push({ source, target: m.mountPath, readOnly: Boolean(m.readOnly) || projected });
    }
    return { mounts: out };
  }

  /** Stops the resync and removes the volumes' files (secrets among them). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    rmSync(join(this.opts.podDir, 'volumes'), { recursive: true, force: true });
  }
}

const tokenKey = (t: TokenSource) => `${t.audience ?? ''}|${t.expirationSeconds ?? ''}`;

/** The host path of a subPath, created when missing in a writable volume; never outside the volume. */
export function subPathSource(root: string, sub: string, create: boolean): string {
  if (sub.startsWith('/') || sub.split('/').includes('..')) throw new Error(`invalid subPath ${sub}`);
  const path = join(root, sub);
  if (!existsSync(path)) {
    if (!create) throw new Error(`${sub} does not exist in the volume`);
    mkdirSync(path, { recursive: true, mode: 0o777 });
  }
  const real = realpathSync(path);
  const base = realpathSync(root);
  const rel = relative(base, real);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    throw new Error(`subPath ${sub} leaves the volume`);
  return real;
}

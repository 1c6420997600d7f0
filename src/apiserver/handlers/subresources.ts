// Subresources with their own semantics: scale, serviceaccounts/token, namespaces/finalize, pods/binding.
import { badRequest, notFound, methodNotAllowed } from '../errors.js';
import { decodeObject, mediaType, parseJson, readBody } from '../http/body.js';
import { sendJson } from '../http/respond.js';
import { applyJsonPatch, applyMergePatch } from '../patch/index.js';
import { storageResource } from '../resources/resource.js';
import { cloneObject } from '../store/index.js';
import type { KubeObject } from '../types.js';
import { qualifiedResource, rfc3339, type ApiContext, type Scope } from './context.js';
import { chooseContainer } from './pod-container.js';
import { respondWrite, updateWith } from './write.js';

function current(ctx: ApiContext, s: Scope): KubeObject {
  const e = ctx.store.latest(storageResource(s.info), s.info.namespaced ? (s.namespace ?? '') : '', s.name!);
  if (!e) throw notFound(qualifiedResource(s.info), s.name!);
  return e.obj;
}

/** Reads a simple JSONPath like ".spec.replicas" (the form CRD scale paths use). */
function readPath(obj: any, path: string): any {
  let cur = obj;
  for (const part of path.replace(/^\./, '').split('.')) {
    if (cur === undefined || cur === null) return undefined;
    cur = cur[part];
  }
  return cur;
}

function writePath(obj: any, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) cur = cur[part] ??= {};
  cur[parts[parts.length - 1]] = value;
}

function toScale(obj: KubeObject, s: Scope): KubeObject {
  const sc = s.info.scale!;
  const selector = sc.labelSelectorPath ? readPath(obj, sc.labelSelectorPath) : undefined;
  const builtinSelector = s.info.origin === 'builtin' ? selectorString(obj.spec?.selector) : undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: readPath(obj, sc.specReplicasPath) ?? 0 },
    status: {
      replicas: readPath(obj, sc.statusReplicasPath) ?? 0,
      ...((builtinSelector ?? selector) ? { selector: builtinSelector ?? selector } : {}),
    },
  };
}

function selectorString(sel: any): string | undefined {
  if (!sel) return undefined;
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

export async function handleScale(ctx: ApiContext, s: Scope): Promise<void> {
  if (!s.info.scale) throw notFound(qualifiedResource(s.info), s.name!);
  if (s.verb === 'get') {
    sendJson(s.res, 200, toScale(current(ctx, s), s));
    return;
  }
  if (s.verb !== 'update' && s.verb !== 'patch')
    throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  const body = await readBody(s.req);
  const type = mediaType(s.req.headers['content-type']);
  let replicas: number | undefined;
  const inner: Scope = { ...s, subresource: undefined };
  const r = await updateWith(ctx, inner, {
    build: (obj) => {
      const scale = toScale(obj, s);
      let next: any;
      if (s.verb === 'update') next = decodeObject(body, s.req.headers['content-type']);
      else if (type === 'application/json-patch+json') next = applyJsonPatch(scale, parseJson(body));
      else next = applyMergePatch(scale, parseJson(body));
      replicas = next?.spec?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
        throw badRequest(
          `Scale.autoscaling "${s.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
        );
      const out = cloneObject(obj);
      writePath(out, s.info.scale!.specReplicasPath, replicas);
      return out;
    },
    manager: s.query.get('fieldManager') ?? 'unknown',
  });
  const stored =
    'rev' in r.value && 'json' in r.value ? (r.value as { obj: KubeObject }).obj : (r.value as KubeObject);
  sendJson(s.res, 200, toScale(stored, s), r.warnings);
}

export async function createToken(ctx: ApiContext, s: Scope): Promise<void> {
  const sa = current(ctx, s);
  const req = decodeObject(await readBody(s.req), s.req.headers['content-type']);
  const spec = req?.spec ?? {};
  const exp = spec.expirationSeconds ?? 3600;
  if (exp < 600)
    throw badRequest(
      `TokenRequest.authentication.k8s.io "${s.name}" is invalid: spec.expirationSeconds: Invalid value: ${exp}: may not specify a duration less than 10 minutes`,
    );
  let bound: { kind: string; name: string; uid: string; apiVersion?: string } | undefined;
  if (spec.boundObjectRef) {
    const ref = spec.boundObjectRef;
    const res =
      ref.kind === 'Pod'
        ? 'pods'
        : ref.kind === 'Secret'
          ? 'secrets'
          : ref.kind === 'Node'
            ? 'nodes'
            : undefined;
    if (!res) throw badRequest(`cannot bind token to object of kind ${ref.kind}`);
    const target = ctx.store.latest(res, res === 'nodes' ? '' : (s.namespace ?? ''), ref.name);
    if (!target) throw notFound(res, ref.name);
    if (ref.uid && ref.uid !== target.obj.metadata.uid)
      throw badRequest(
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    bound = { kind: ref.kind, name: ref.name, uid: target.obj.metadata.uid!, apiVersion: ref.apiVersion };
  }
  const audiences: string[] = spec.audiences?.length
    ? spec.audiences
    : ['https://kubernetes.default.svc.cluster.local'];
  const issued = await ctx.tokens.issueToken({
    namespace: s.namespace!,
    serviceAccount: sa,
    audiences,
    expirationSeconds: exp,
    boundObject: bound,
  });
  sendJson(s.res, 201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: s.name, namespace: s.namespace, creationTimestamp: rfc3339(ctx.now()) },
    spec: { audiences, expirationSeconds: exp, boundObjectRef: spec.boundObjectRef ?? null },
    status: issued,
  });
}

export async function finalizeNamespace(ctx: ApiContext, s: Scope): Promise<void> {
  const incoming = decodeObject(await readBody(s.req), s.req.headers['content-type']);
  respondWrite(
    s,
    await updateWith(
      ctx,
      { ...s, subresource: undefined },
      {
        build: (ns) => ({
          ...ns,
          spec: { ...(ns.spec ?? {}), finalizers: incoming?.spec?.finalizers ?? [] },
        }),
        manager: s.query.get('fieldManager') ?? 'unknown',
        expectedRev: () => incoming?.metadata?.resourceVersion,
        allowSpecChange: true,
      },
    ),
  );
}

/** pods/<name>/binding, and the older POST .../bindings naming the pod in metadata.name. */
export async function bindPod(ctx: ApiContext, scope: Scope): Promise<void> {
  const binding = decodeObject(await readBody(scope.req), scope.req.headers['content-type']);
  const node = binding?.target?.name;
  if (!node) throw badRequest('Binding.core "" is invalid: target.name: Required value');
  let s = scope;
  if (!s.subresource) {
    const pods = ctx.registry.lookup('', 'v1', 'pods')!;
    if (!binding?.metadata?.name)
      throw badRequest('Binding.core "" is invalid: metadata.name: Required value');
    s = { ...scope, info: pods, name: binding.metadata.name, subresource: 'binding' };
  }
  const pod = current(ctx, s);
  if (pod.spec?.nodeName)
    throw badRequest(`pod ${s.name} is already assigned to node "${pod.spec.nodeName}"`);
  await updateWith(
    ctx,
    { ...s, subresource: undefined },
    {
      build: (p) => ({ ...p, spec: { ...p.spec, nodeName: node } }),
      manager: 'kube-scheduler',
      allowSpecChange: true,
    },
  );
  sendJson(s.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

/** pods/<name>/log: the container's output as text/plain, streamed with follow=true. */
export function podLog(ctx: ApiContext, s: Scope): void {
  const pod = current(ctx, s);
  const container = chooseContainer(pod, s.query.get('container'));
  const number = (k: string) => {
    const v = s.query.get(k);
    if (v === null) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid ${k}: ${v}`);
    return n;
  };
  const req = {
    pod,
    container,
    follow: s.query.get('follow') === 'true',
    previous: s.query.get('previous') === 'true',
    tailLines: number('tailLines'),
    limitBytes: number('limitBytes'),
  };
  const stream = ctx.podLogs?.(req);
  if (!stream) {
    if (req.previous)
      throw badRequest(`previous terminated container "${container}" in pod "${s.name}" not found`);
    const waiting = [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? []),
    ].find((c: any) => c.name === container)?.state?.waiting;
    throw badRequest(
      `container "${container}" in pod "${s.name}" is waiting to start: ${waiting?.reason ?? 'ContainerCreating'}`,
    );
  }
  s.res.writeHead(200, {
    'Content-Type': 'text/plain',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  s.res.flushHeaders();
  stream.pipe(s.res);
  s.req.on('close', () => (stream as any).destroy?.());
}

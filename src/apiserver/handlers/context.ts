// What every request handler works with: the server's shared parts (ApiContext) and the request
// being served (Scope).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '../auth/index.js';
import type { Registry } from '../resources/registry.js';
import type { ResourceInfo, StrategyContext } from '../resources/resource.js';
import type { Store } from '../store/index.js';
import type { KubeObject } from '../types.js';
import type { TokenService } from './tokens.js';

export interface ApiContext {
  store: Store;
  registry: Registry;
  allocators: StrategyContext;
  tokens: TokenService;
  /** Reaches a Service for webhook calls (the embedded network decides how). */
  resolveService(namespace: string, name: string, port: number): Promise<{ host: string; port: number }>;
  now(): Date;
  /** Container logs, served by the node runtime when the cluster has one. */
  podLogs?: PodLogSource;
  /** Starts a command in a running container (kubectl exec); undefined when it is not running. */
  podExec?: (req: {
    pod: KubeObject;
    container: string;
    command: string[];
  }) => import('node:child_process').ChildProcess | undefined;
  /** Called after a CRD write is committed, before the response is sent. */
  onCrdChange?(crd: KubeObject | undefined, name: string): void;
}

export interface PodLogRequest {
  pod: KubeObject;
  container: string;
  follow: boolean;
  previous: boolean;
  tailLines?: number;
  limitBytes?: number;
}

/** Opens a container's log; undefined when there is none (yet). */
export type PodLogSource = (req: PodLogRequest) => NodeJS.ReadableStream | undefined;

export interface Scope {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  user: UserInfo;
  info: ResourceInfo;
  /** The version in the URL. */
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  verb: string;
}

/** RFC 3339 with whole seconds, as Kubernetes writes timestamps. */
export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** "deployments.apps" / "pods": the resource name Kubernetes uses in error messages. */
export const qualifiedResource = (info: ResourceInfo): string =>
  info.group ? `${info.plural}.${info.group}` : info.plural;

export const apiVersionOf = (info: ResourceInfo, version: string): string =>
  info.group ? `${info.group}/${version}` : version;

/** Objects are stored at the storage version; CRD versions with conversion None differ only in apiVersion. */
export function atVersion(obj: KubeObject, info: ResourceInfo, version: string): KubeObject {
  const apiVersion = apiVersionOf(info, version);
  return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
}

export function jsonAtVersion(json: string, obj: KubeObject, info: ResourceInfo, version: string): string {
  const apiVersion = apiVersionOf(info, version);
  return obj.apiVersion === apiVersion ? json : JSON.stringify({ ...obj, apiVersion });
}

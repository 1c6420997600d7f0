// What the server knows about one served resource: names for discovery and URLs, storage key, and
// the strategy hooks that give a kind its semantics on create, update and delete.
import type { FieldError } from '../errors.js';
import type { KubeObject, Schema, SchemaResolver } from '../types.js';

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

/** How `metadata.generation` moves: on `.spec` changes (built-ins), or on any change outside metadata (and status). */
export type GenerationRule = 'spec' | 'non-metadata' | 'none';

export interface Strategy {
  /** Fills in defaults, in place, as the kind's defaulting functions do. */
  defaults?(obj: KubeObject): void;
  /** Kind-specific validation; `old` is set on update. */
  validate?(obj: KubeObject, old: KubeObject | undefined): FieldError[];
  /** Server-assigned state on create (e.g. a Service's cluster IP). May throw a StatusError. */
  prepareCreate?(obj: KubeObject, ctx: StrategyContext): void | Promise<void>;
  /** Carries server-owned fields from the old object, in place. */
  prepareUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): void | Promise<void>;
  /** Called after the object is gone (release allocations). */
  afterDelete?(obj: KubeObject, ctx: StrategyContext): void;
}

export interface StrategyContext {
  allocateClusterIP(family: 'IPv4', requested?: string): string;
  releaseClusterIP(ip: string): void;
  allocateNodePort(requested?: number): number;
  releaseNodePort(port: number): void;
}

export interface ResourceInfo {
  group: string;
  /** Served versions, preferred first. */
  versions: string[];
  storageVersion: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  /** Verbs served on the main resource. */
  verbs: string[];
  status: boolean;
  scale?: ScaleSubresource;
  /** Extra subresources with their verbs (e.g. serviceaccounts/token: create). */
  extraSubresources: {
    name: string;
    verbs: string[];
    kind?: { group: string; version: string; kind: string };
  }[];
  generation: GenerationRule;
  origin: 'builtin' | 'crd';
  /** Root schema of the kind at a version (built-ins ignore the version). */
  schema(version: string): { schema: Schema; resolve: SchemaResolver } | undefined;
  printerColumns?(version: string): PrinterColumn[] | undefined;
  strategy: Strategy;
  /** For CRs: the owning CRD's uid, so a CRD replacement is noticed. */
  crdUid?: string;
  selectableFields?: string[];
}

/** The store key of a resource: "pods", "deployments.apps". */
export const storageResource = (r: { plural: string; group: string }): string =>
  r.group ? `${r.plural}.${r.group}` : r.plural;

export const groupVersion = (group: string, version: string): string =>
  group ? `${group}/${version}` : version;

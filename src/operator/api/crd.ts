// Turns a kind declaration into its CustomResourceDefinition object (apiextensions.k8s.io/v1).
import { field, toSchema, type AnyField, type JSONSchema, type Validation } from './dsl.js';

export interface PrinterColumn {
  name: string;
  jsonPath: string;
  type: 'string' | 'date' | 'integer' | 'number' | 'boolean';
  description?: string;
  priority?: number;
}

export interface VersionDecl {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  spec: AnyField;
  status: AnyField;
  columns: PrinterColumn[];
  /** CEL rules on the whole object (carried into the CRD, not evaluated by the embedded server). */
  validations?: Validation[];
  /** Whether the root schema lists apiVersion/kind/metadata (controller-gen does, Istio's do not). */
  typeMeta?: boolean;
}

export interface KindDecl {
  group: string;
  kind: string;
  plural: string;
  singular: string;
  scope: 'Cluster' | 'Namespaced';
  shortNames?: string[];
  categories?: string[];
  labels?: Record<string, string>;
  description?: string;
  versions: VersionDecl[];
}

/** Group/version/kind/plural of a kind, for clients. */
export interface KindRef {
  group: string;
  version: string;
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export const AGE: PrinterColumn = {
  name: 'Age',
  jsonPath: '.metadata.creationTimestamp',
  type: 'date',
  description: 'Time since the object was created.',
};

export const storageVersion = (k: KindDecl): VersionDecl => k.versions.find((v) => v.storage)!;

export function kindRef(k: KindDecl): KindRef {
  const version = storageVersion(k).name;
  return {
    group: k.group,
    version,
    apiVersion: `${k.group}/${version}`,
    kind: k.kind,
    plural: k.plural,
    namespaced: k.scope === 'Namespaced',
  };
}

/** The root field of one version: spec and status (and type meta when declared). */
export function rootField(k: KindDecl, v: VersionDecl): AnyField {
  const props: Record<string, AnyField> = { spec: v.spec, status: v.status };
  if (v.typeMeta) {
    props.apiVersion = field.string({
      description: 'The versioned schema of this representation of an object.',
    });
    props.kind = field.string({ description: 'The REST resource this object represents.' });
    props.metadata = field.object({});
  }
  return field.object(props, { description: k.description, validations: v.validations });
}

export function toCrd(k: KindDecl): JSONSchema {
  const names: JSONSchema = {
    ...(k.categories ? { categories: k.categories } : {}),
    kind: k.kind,
    listKind: `${k.kind}List`,
    plural: k.plural,
    ...(k.shortNames ? { shortNames: k.shortNames } : {}),
    singular: k.singular,
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${k.plural}.${k.group}`, ...(k.labels ? { labels: k.labels } : {}) },
    spec: {
      group: k.group,
      names,
      scope: k.scope,
      versions: k.versions.map((v) => ({
        ...(v.columns.length ? { additionalPrinterColumns: v.columns } : {}),
        ...(v.deprecated ? { deprecated: true } : {}),
        name: v.name,
        schema: { openAPIV3Schema: toSchema(rootField(k, v)) },
        served: v.served,
        storage: v.storage,
        subresources: { status: {} },
      })),
    },
  };
}

// Hand-written schemas for the patch tests: a Deployment-like built-in described through `$ref`s
// (as the OpenAPI v3 document does, extensions sitting on allOf wrappers) and a CRD-like
// structural schema with explicit list types.

import type { Schema, SchemaResolver } from '../types.js';

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const wrap = (name: string, extra: Record<string, unknown> = {}): Schema => ({
  allOf: [ref(name)],
  ...extra,
});
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };

const schemas: Record<string, Schema> = {
  Deployment: {
    type: 'object',
    properties: {
      apiVersion: str,
      kind: str,
      metadata: wrap('ObjectMeta'),
      spec: wrap('DeploymentSpec'),
      status: wrap('DeploymentStatus'),
    },
  },
  ObjectMeta: {
    type: 'object',
    properties: {
      name: str,
      namespace: str,
      uid: str,
      resourceVersion: str,
      generation: int,
      creationTimestamp: str,
      labels: stringMap,
      annotations: stringMap,
      finalizers: { type: 'array', items: str, 'x-kubernetes-patch-strategy': 'merge' },
      ownerReferences: {
        type: 'array',
        items: ref('OwnerReference'),
        'x-kubernetes-patch-merge-key': 'uid',
        'x-kubernetes-patch-strategy': 'merge',
      },
      managedFields: {
        type: 'array',
        items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  },
  OwnerReference: { type: 'object', properties: { uid: str, name: str, kind: str, apiVersion: str } },
  DeploymentSpec: {
    type: 'object',
    properties: {
      replicas: int,
      minReadySeconds: int,
      paused: { type: 'boolean' },
      selector: wrap('LabelSelector'),
      template: wrap('PodTemplateSpec'),
      strategy: wrap('DeploymentStrategy', { 'x-kubernetes-patch-strategy': 'retainKeys' }),
    },
  },
  DeploymentStatus: {
    type: 'object',
    properties: {
      replicas: int,
      conditions: {
        type: 'array',
        items: ref('Condition'),
        'x-kubernetes-patch-merge-key': 'type',
        'x-kubernetes-patch-strategy': 'merge',
      },
    },
  },
  Condition: { type: 'object', properties: { type: str, status: str, reason: str } },
  LabelSelector: {
    type: 'object',
    properties: { matchLabels: stringMap },
    'x-kubernetes-map-type': 'atomic',
  },
  DeploymentStrategy: {
    type: 'object',
    properties: { type: str, rollingUpdate: wrap('RollingUpdate') },
  },
  RollingUpdate: {
    type: 'object',
    properties: {
      maxSurge: { 'x-kubernetes-int-or-string': true },
      maxUnavailable: { 'x-kubernetes-int-or-string': true },
    },
  },
  PodTemplateSpec: { type: 'object', properties: { metadata: wrap('ObjectMeta'), spec: wrap('PodSpec') } },
  PodSpec: {
    type: 'object',
    properties: {
      containers: {
        type: 'array',
        items: ref('Container'),
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      },
      // The list schema itself behind a $ref, extensions on the referenced node.
      initContainers: ref('ContainerList'),
      volumes: {
        type: 'array',
        items: ref('Volume'),
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge,retainKeys',
      },
      nodeSelector: stringMap,
      tolerations: { type: 'array', items: { type: 'object', properties: { key: str, effect: str } } },
      restartPolicy: str,
    },
  },
  ContainerList: {
    type: 'array',
    items: ref('Container'),
    'x-kubernetes-patch-merge-key': 'name',
    'x-kubernetes-patch-strategy': 'merge',
  },
  Container: {
    type: 'object',
    properties: {
      name: str,
      image: str,
      args: { type: 'array', items: str },
      env: {
        type: 'array',
        items: ref('EnvVar'),
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      },
      ports: {
        type: 'array',
        items: ref('ContainerPort'),
        'x-kubernetes-patch-merge-key': 'containerPort',
        'x-kubernetes-patch-strategy': 'merge',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
      },
      resources: {
        type: 'object',
        properties: { limits: stringMap, requests: stringMap },
      },
    },
  },
  EnvVar: { type: 'object', properties: { name: str, value: str } },
  ContainerPort: {
    type: 'object',
    properties: { containerPort: int, protocol: { type: 'string', default: 'TCP' }, name: str },
  },
  Volume: {
    type: 'object',
    properties: {
      name: str,
      configMap: { type: 'object', properties: { name: str } },
      secret: { type: 'object', properties: { secretName: str } },
      emptyDir: { type: 'object', properties: { medium: str } },
    },
  },
};

export const resolve: SchemaResolver = (r) => schemas[r.replace('#/components/schemas/', '')];
export const deploymentSchema: Schema = ref('Deployment');

/** A CRD-style structural schema: no $ref, explicit list and map types. */
export const widgetSchema: Schema = {
  type: 'object',
  properties: {
    apiVersion: str,
    kind: str,
    metadata: {
      type: 'object',
      properties: { name: str, namespace: str, labels: stringMap, annotations: stringMap },
    },
    spec: {
      type: 'object',
      properties: {
        size: int,
        color: str,
        tags: { type: 'array', items: str, 'x-kubernetes-list-type': 'set' },
        plain: { type: 'array', items: str },
        items: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['id'],
          items: { type: 'object', properties: { id: str, weight: int, note: str } },
        },
        shape: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { w: int, h: int } },
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  },
};

export function deployment(spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', ...metadata },
    spec,
  };
}

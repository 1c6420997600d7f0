// Field shapes shared by several kinds: Kubernetes core fragments and the Sail status conditions.
import { field, type Infer } from './dsl.js';

export const labelSelector = (description?: string) =>
  field.object(
    {
      matchLabels: field.map(field.string()),
      matchExpressions: field.array(
        field.object({
          key: field.string().required(),
          operator: field.string().required(),
          values: field.array(field.string()),
        }),
      ),
    },
    { description },
  );

/** A plain `matchLabels` map, as Istio's WorkloadSelector has it. */
export const workloadSelector = (description = 'Criteria used to select the specific set of pods/VMs.') =>
  field.object({ matchLabels: field.map(field.string()) }, { description });

export const resourceRequirements = (description = 'Kubernetes resource requests and limits.') =>
  field.object(
    {
      limits: field.map(field.intOrString()),
      requests: field.map(field.intOrString()),
      claims: field.array(field.object({ name: field.string().required(), request: field.string() })),
    },
    { description },
  );

/** Kubernetes objects we keep opaque (affinity, tolerations, volumes...). */
export const opaque = (description?: string) => field.preserveUnknown({ description });
export const opaqueList = (description?: string) => field.array(field.preserveUnknown(), { description });

export const condition = field.object({
  type: field.string({ description: 'The type of this condition.' }),
  status: field.string({ description: 'The status of this condition. Can be True, False or Unknown.' }),
  reason: field.string({ description: 'Unique, single-word, CamelCase reason for the condition.' }),
  message: field.string({ description: 'Human-readable message indicating details about the condition.' }),
  lastTransitionTime: field.string({
    format: 'date-time',
    description: 'Last time the condition transitioned from one status to another.',
  }),
});

export type Condition = Infer<typeof condition>;

export const conditions = (description = 'Represents the latest available observations of the state.') =>
  field.array(condition, { description });

export const observedGeneration = () =>
  field.integer({
    format: 'int64',
    description: 'The most recent generation observed by the controller.',
  });

export const state = () =>
  field.string({
    description: 'Reports the current state of the object (reason of the first failing condition).',
  });

export const targetRef = (description: string) =>
  field.object(
    {
      kind: field
        .string({
          enum: ['Istio', 'IstioRevision'] as const,
          description: 'Kind is kind of the target resource.',
        })
        .required(),
      name: field
        .string({ minLength: 1, maxLength: 253, description: 'Name is name of the target resource.' })
        .required(),
    },
    { description },
  );

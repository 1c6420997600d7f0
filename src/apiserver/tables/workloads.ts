// Tables for the apps and batch workload kinds.

import type { KubeObject } from '../types.js';
import type { TableConvertor } from './types.js';
import {
  CONTAINERS_DOC,
  IMAGES_DOC,
  ageCol,
  ageOf,
  col,
  containerCells,
  int,
  nameCol,
  nameOf,
  wide,
} from './columns.js';
import { between, humanDuration, parseTime, since } from './duration.js';
import {
  formatLabelSelector,
  formatLabels,
  labelSelectorFromObject,
  labelSelectorToString,
} from '../selectors/index.js';

const podTemplateContainers = (obj: KubeObject): unknown => obj.spec?.template?.spec?.containers;

// Stored apps objects are defaulted; an absent replicas means the v1 default of 1.
const desiredReplicas = (obj: KubeObject): number =>
  obj.spec?.replicas === undefined ? 1 : int(obj.spec.replicas);

export const deploymentTable: TableConvertor = {
  columns: [
    nameCol(),
    col('Ready', 'string', 'Number of the pod with ready state'),
    col(
      'Up-to-date',
      'string',
      'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    ),
    col(
      'Available',
      'string',
      'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    ),
    ageCol(),
    wide('Containers', CONTAINERS_DOC),
    wide('Images', IMAGES_DOC),
    wide(
      'Selector',
      'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
    ),
  ],
  row(d, now) {
    const st = d.status ?? {};
    const [names, images] = containerCells(podTemplateContainers(d));
    // Upstream converts the selector itself here, so an empty selector prints as "" (not "<none>").
    let selector: string;
    try {
      selector = labelSelectorToString(labelSelectorFromObject(d.spec?.selector));
    } catch {
      selector = '<invalid>';
    }
    return [
      nameOf(d),
      `${int(st.readyReplicas)}/${desiredReplicas(d)}`,
      int(st.updatedReplicas),
      int(st.availableReplicas),
      ageOf(d, now),
      names,
      images,
      selector,
    ];
  },
};

export const replicaSetTable: TableConvertor = {
  columns: [
    nameCol(),
    col('Desired', 'integer', 'Replicas is the number of desired pods.'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    ageCol(),
    wide('Containers', CONTAINERS_DOC),
    wide('Images', IMAGES_DOC),
    wide('Selector', 'Selector is a label query over pods that should match the replica count.'),
  ],
  row(rs, now) {
    const st = rs.status ?? {};
    const [names, images] = containerCells(podTemplateContainers(rs));
    return [
      nameOf(rs),
      desiredReplicas(rs),
      int(st.replicas),
      int(st.readyReplicas),
      ageOf(rs, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};

export const daemonSetTable: TableConvertor = {
  columns: [
    nameCol(),
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    col(
      'Current',
      'integer',
      'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.',
    ),
    col(
      'Ready',
      'integer',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
    ),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col(
      'Available',
      'integer',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.',
    ),
    col(
      'Node Selector',
      'string',
      'NodeSelector is a selector which must be true for the pod to fit on a node.',
    ),
    ageCol(),
    wide('Containers', CONTAINERS_DOC),
    wide('Images', IMAGES_DOC),
    wide('Selector', 'A label query over pods that are managed by the daemon set.'),
  ],
  row(ds, now) {
    const st = ds.status ?? {};
    const [names, images] = containerCells(podTemplateContainers(ds));
    return [
      nameOf(ds),
      int(st.desiredNumberScheduled),
      int(st.currentNumberScheduled),
      int(st.numberReady),
      int(st.updatedNumberScheduled),
      int(st.numberAvailable),
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      ageOf(ds, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};

export const statefulSetTable: TableConvertor = {
  columns: [
    nameCol(),
    col('Ready', 'string', 'Number of the pod with ready state'),
    ageCol(),
    wide('Containers', CONTAINERS_DOC),
    wide('Images', IMAGES_DOC),
  ],
  row(ss, now) {
    const [names, images] = containerCells(podTemplateContainers(ss));
    return [
      nameOf(ss),
      `${int(ss.status?.readyReplicas)}/${desiredReplicas(ss)}`,
      ageOf(ss, now),
      names,
      images,
    ];
  },
};

/** True when the first condition of `type` has status True (upstream's hasJobCondition). */
function jobCondition(job: KubeObject, type: string): boolean {
  const c = (job.status?.conditions ?? []).find((x: any) => x?.type === type);
  return c?.status === 'True';
}

function jobStatus(job: KubeObject): string {
  if (jobCondition(job, 'Complete')) return 'Complete';
  if (jobCondition(job, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (jobCondition(job, 'Suspended')) return 'Suspended';
  if (jobCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(job: KubeObject): string {
  const succeeded = int(job.status?.succeeded);
  const completions = job.spec?.completions;
  if (completions !== undefined && completions !== null) return `${succeeded}/${int(completions)}`;
  const parallelism = int(job.spec?.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: KubeObject, now: Date): string {
  const start = parseTime(job.status?.startTime);
  if (!start) return '';
  const end = parseTime(job.status?.completionTime);
  return end ? between(start, end) : humanDuration(now.getTime() - start.getTime());
}

export const jobTable: TableConvertor = {
  columns: [
    nameCol(),
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageCol(),
    wide('Containers', CONTAINERS_DOC),
    wide('Images', IMAGES_DOC),
    wide('Selector', 'A label query over pods that should match the pod count.'),
  ],
  row(job, now) {
    const [names, images] = containerCells(podTemplateContainers(job));
    return [
      nameOf(job),
      jobStatus(job),
      jobCompletions(job),
      jobDuration(job, now),
      ageOf(job, now),
      names,
      images,
      formatLabelSelector(job.spec?.selector),
    ];
  },
};

function boolPtr(v: unknown): string {
  if (v === undefined || v === null) return '<unset>';
  return v === true ? 'True' : 'False';
}

export const cronJobTable: TableConvertor = {
  columns: [
    nameCol(),
    col('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'string', 'The time zone name for the given schedule.'),
    col(
      'Suspend',
      'boolean',
      'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.',
    ),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageCol(),
    wide('Containers', CONTAINERS_DOC),
    wide('Images', IMAGES_DOC),
    wide('Selector', 'A label query over pods that should match the pod count.'),
  ],
  row(cj, now) {
    const spec = cj.spec ?? {};
    const jobSpec = spec.jobTemplate?.spec ?? {};
    const [names, images] = containerCells(jobSpec.template?.spec?.containers);
    const last = cj.status?.lastScheduleTime;
    return [
      nameOf(cj),
      spec.schedule ?? '',
      spec.timeZone ?? '<none>',
      boolPtr(spec.suspend),
      Array.isArray(cj.status?.active) ? cj.status.active.length : 0,
      last ? since(last, now) : '<none>',
      ageOf(cj, now),
      names,
      images,
      formatLabelSelector(jobSpec.selector),
    ];
  },
};

// Pod spec validation (for Pods and for the pod templates of workload kinds).
import type { FieldError } from '../errors.js';
import { dns1123Label } from './names.js';

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const protocols = ['TCP', 'UDP', 'SCTP'];

export function validatePodSpec(
  spec: any,
  path: string,
  opts: { restartPolicies?: string[] } = {},
): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec || typeof spec !== 'object') return [{ type: 'FieldValueRequired', field: path }];
  const containers: any[] = spec.containers ?? [];
  if (containers.length === 0) errs.push({ type: 'FieldValueRequired', field: `${path}.containers` });
  const names = new Set<string>();
  const check = (list: any[], field: string) =>
    list.forEach((c, i) => {
      const p = `${path}.${field}[${i}]`;
      if (!c.name) errs.push({ type: 'FieldValueRequired', field: `${p}.name` });
      else {
        for (const d of dns1123Label(c.name))
          errs.push({ type: 'FieldValueInvalid', field: `${p}.name`, value: c.name, detail: d });
        if (names.has(c.name)) errs.push({ type: 'FieldValueDuplicate', field: `${p}.name`, value: c.name });
        names.add(c.name);
      }
      if (!c.image) errs.push({ type: 'FieldValueRequired', field: `${p}.image` });
      (c.ports ?? []).forEach((port: any, j: number) => {
        const pp = `${p}.ports[${j}]`;
        if (!inPortRange(port.containerPort))
          errs.push({
            type: 'FieldValueInvalid',
            field: `${pp}.containerPort`,
            value: port.containerPort ?? 0,
            detail: 'must be between 1 and 65535, inclusive',
          });
        if (port.protocol && !protocols.includes(port.protocol))
          errs.push({
            type: 'FieldValueNotSupported',
            field: `${pp}.protocol`,
            value: port.protocol,
            detail: supported(protocols),
          });
      });
      (c.env ?? []).forEach((e: any, j: number) => {
        if (!e.name) errs.push({ type: 'FieldValueRequired', field: `${p}.env[${j}].name` });
      });
    });
  check(spec.initContainers ?? [], 'initContainers');
  check(containers, 'containers');
  const allowed = opts.restartPolicies ?? restartPolicies;
  if (spec.restartPolicy && !allowed.includes(spec.restartPolicy))
    errs.push({
      type: 'FieldValueNotSupported',
      field: `${path}.restartPolicy`,
      value: spec.restartPolicy,
      detail: supported(allowed),
    });
  const volumes = new Set<string>();
  (spec.volumes ?? []).forEach((v: any, i: number) => {
    if (!v.name) errs.push({ type: 'FieldValueRequired', field: `${path}.volumes[${i}].name` });
    else if (volumes.has(v.name))
      errs.push({ type: 'FieldValueDuplicate', field: `${path}.volumes[${i}].name`, value: v.name });
    volumes.add(v.name);
  });
  for (const [field, list] of [
    ['initContainers', spec.initContainers ?? []],
    ['containers', containers],
  ] as const)
    list.forEach((c: any, i: number) =>
      (c.volumeMounts ?? []).forEach((m: any, j: number) => {
        if (m.name && !volumes.has(m.name))
          errs.push({
            type: 'FieldValueNotFound',
            field: `${path}.${field}[${i}].volumeMounts[${j}].name`,
            value: m.name,
          });
        if (!m.mountPath)
          errs.push({
            type: 'FieldValueRequired',
            field: `${path}.${field}[${i}].volumeMounts[${j}].mountPath`,
          });
      }),
    );
  return errs;
}

export const inPortRange = (p: unknown): boolean =>
  typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535;

export const supported = (values: string[]): string =>
  `supported values: ${values.map((v) => `"${v}"`).join(', ')}`;

// Which container a pods/log or pods/exec request means, with the apiserver's messages.
import { badRequest } from '../errors.js';
import type { KubeObject } from '../types.js';

/** The requested container, else the default-container annotation, else the only container. */
export function chooseContainer(pod: KubeObject, requested: string | null): string {
  const name = pod.metadata.name;
  const containers: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name);
  const inits: string[] = (pod.spec?.initContainers ?? []).map((c: any) => c.name);
  let container = requested ?? pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (!container) {
    if (containers.length !== 1)
      throw badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''}`,
      );
    container = containers[0];
  }
  if (!containers.includes(container) && !inits.includes(container))
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

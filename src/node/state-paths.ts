// Where a node agent keeps a pod's state, so other processes (logs, exec in the daemon) find it.
import { join } from 'node:path';

/** `<nodesDir>/<node>/pods/<ns>_<name>_<uid>`, as kubelet names its pod log directories. */
export function podStateDir(
  nodesDir: string,
  node: string,
  meta: { namespace: string; name: string; uid: string },
): string {
  return join(nodesDir, node, 'pods', `${meta.namespace}_${meta.name}_${meta.uid}`);
}

/** Holds the host pid of the container's first process while it runs. */
export function containerPidPath(podDir: string, container: string): string {
  return join(podDir, `${container}.pid`);
}

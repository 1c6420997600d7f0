import type { KubeObject } from '../types.js';

/** One meta.k8s.io/v1 TableColumnDefinition. priority > 0 columns are shown only by `-o wide`. */
export type ColumnDefinition = {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
};

/** metav1.TableRowCondition; pods set `Completed` once they have finished. */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/**
 * Turns objects of one resource into table cells. The server always prints every column
 * (upstream prints "wide"); clients hide the priority > 0 ones.
 */
export interface TableConvertor {
  columns: ColumnDefinition[];
  row(obj: KubeObject, now: Date): unknown[];
  conditions?(obj: KubeObject): TableRowCondition[] | undefined;
}

// Helpers more than one component needs (DESIGN.md: shared code lives here, nowhere else).
export { WorkQueue, type SyncHandler, type SyncResult, type WorkQueueOptions } from './workqueue.js';

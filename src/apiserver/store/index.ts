export {
  Store,
  StoreError,
  cloneObject,
  type Entry,
  type StoreEvent,
  type EventType,
  type StoreOptions,
} from './store.js';

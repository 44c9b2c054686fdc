// Worker-thread entry: worker threads start without the TypeScript loader, so register tsx first,
// then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./e2e-feed-worker.thread.ts');

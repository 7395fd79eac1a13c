// Entry of a conversion worker process. It registers tsx so the TypeScript worker loads the same way under
// `npm start` (tsx), vitest and the benchmarks; nothing is compiled ahead of time.
import { register } from 'tsx/esm/api';

register();
await import('./conversionWorker.ts');

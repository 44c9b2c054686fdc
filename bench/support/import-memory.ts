/**
 * What each module costs the process once imported: RSS, heap and external memory after two full
 * collections, module by module in the order given (each figure is what that import added).
 * `node --import tsx bench/support/import-memory.ts MODULE...` (paths relative to the repository).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const MB = 1e6;

function read() {
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss / MB, heap: m.heapUsed / MB, external: m.external / MB };
}

const fmt = (n: number) => n.toFixed(1).padStart(7);
let prev = read();
console.log(`${'module'.padEnd(60)}  +RSS MB +heap MB  +ext MB   RSS MB`);
console.log(`${'(node + tsx)'.padEnd(60)}  ${fmt(prev.rss)} ${fmt(prev.heap)} ${fmt(prev.external)}  ${fmt(prev.rss)}`);
for (const name of process.argv.slice(2)) {
  const spec = name.startsWith('.') || name.startsWith('/') || name.includes('.ts') ? pathToFileURL(path.resolve(name)).href : name;
  await import(spec);
  const cur = read();
  console.log(`${name.padEnd(60)}  ${fmt(cur.rss - prev.rss)} ${fmt(cur.heap - prev.heap)} ${fmt(cur.external - prev.external)}  ${fmt(cur.rss)}`);
  prev = cur;
}

import { readFileSync, rmSync } from 'node:fs';
import { loadConfig } from './src/config/load.ts';
import { recordSimulatedDay } from './src/adapters/replay/simulated-recording.ts';
import { runReplay } from './src/adapters/replay/replay-run.ts';
const { config } = loadConfig({ env: {}, overrides: { 'weather.nowcast.simulated_fit_days': 30 } });
const from = Date.UTC(2025, 6, 15, 16, 0, 0);
const mins = Number(process.argv[2] ?? 10);
const to = from + mins * 60_000;
const dir = '/tmp/h/data';
rmSync(dir, { recursive: true, force: true });
let t = performance.now();
const rec = await recordSimulatedDay({ config, dataDir: dir, from, to, decisionsOut: '/tmp/h/live.ndjson', venueEventsPerS: 5 });
console.log('record', performance.now() - t, JSON.stringify(rec.decisions.decisions), JSON.stringify(rec.recorder));
for (const n of [1, 2]) {
  t = performance.now();
  const r = await runReplay({ config, dataDir: dir, from, to, decisions: { out: `/tmp/h/replay${n}.ndjson` } });
  console.log('replay', performance.now() - t, r.source, r.replay.emitted, JSON.stringify(r.decisions!.decisions));
}
const a = readFileSync('/tmp/h/live.ndjson', 'utf8'), b = readFileSync('/tmp/h/replay1.ndjson', 'utf8'), c = readFileSync('/tmp/h/replay2.ndjson', 'utf8');
console.log('live==replay', a === b, 'replay1==replay2', b === c, a.length);

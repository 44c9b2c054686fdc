import path from 'node:path';
import type { StorageConfig } from '../../config/sections/storage.ts';
import type { Secrets } from '../../config/secrets.ts';
import type { HeliosEvent } from '../../domain/events/catalog.ts';
import type { IdGenerator } from '../../domain/events/ids.ts';
import type { EventSink } from '../../domain/events/sink.ts';
import type { Clock } from '../../domain/time/clock.ts';
import { ClickHouseSink } from './clickhouse/sink.ts';
import type { Provenance } from './journal/record.ts';
import { JournalRecorder, type RecorderLogger } from './journal/recorder.ts';

export interface StorageSinks extends EventSink {
  recorder: JournalRecorder | null;
  clickhouse: ClickHouseSink | null;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * What the composition root subscribes to every channel: the journal recorder (unless disabled)
 * and the ClickHouse sink (only when storage.clickhouse.enabled). One emit feeds both.
 */
export function createStorageSinks(deps: {
  config: StorageConfig;
  dataDir: string;
  clock: Clock;
  ids: IdGenerator;
  secrets?: Secrets;
  logger?: RecorderLogger;
  /** Where the recorder publishes WINDOW_OPEN / WINDOW_CLOSE for live clients. */
  publish?: EventSink;
  /** Stamped on every journal line: live sources or simulators. */
  provenance?: Provenance;
}): StorageSinks {
  const { config } = deps;
  const recorder = config.journal.enabled
    ? new JournalRecorder({
        dataDir: path.resolve(deps.dataDir),
        journal: config.journal,
        windows: config.windows,
        clock: deps.clock,
        ids: deps.ids,
        logger: deps.logger,
        publish: deps.publish,
        provenance: deps.provenance,
      })
    : null;
  const clickhouse = config.clickhouse.enabled
    ? new ClickHouseSink(config.clickhouse, deps.clock, deps.secrets?.clickhouse_password?.reveal(), deps.logger)
    : null;
  return {
    recorder,
    clickhouse,
    emit(event: HeliosEvent) {
      recorder?.emit(event);
      clickhouse?.emit(event);
    },
    async flush() {
      await Promise.all([recorder?.flush(), clickhouse?.flush().catch(() => undefined)]);
    },
    async close() {
      await Promise.all([recorder?.close(), clickhouse?.close()]);
    },
  };
}

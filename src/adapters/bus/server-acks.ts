import type { RedisStreamsBus } from './redis-streams-bus.ts';

/** An entry to acknowledge on the server. */
export interface EntryRef {
  topic: string;
  id: string;
}

/**
 * One consumer's XACKs, on the bus's connection (so the bus's backlog queries, sent behind them,
 * count them). An XACK the server did not take (it was down) waits here and is sent again before
 * the consumer reads again (XACK is idempotent): an outage neither stops the consumer nor hands it
 * the same entries twice.
 */
export class ServerAcks {
  private failed: EntryRef[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly bus: RedisStreamsBus,
    private readonly group: string,
    private readonly consumer: string,
    private readonly isClosed: () => boolean,
  ) {}

  /** XACKs that failed and wait to be sent again. */
  get failedWaiting(): boolean {
    return this.failed.length > 0;
  }

  /** Sent at once and not waited for: a consumer's next batch must not wait a round trip. */
  sendWithoutWaiting(entries: EntryRef[]): void {
    const sent: Promise<void> = this.send(entries).finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }

  /** Resolves once the server answered (a failure is kept for `resendFailed`, and reported). */
  async send(entries: EntryRef[]): Promise<void> {
    try {
      await this.sendAcks(entries);
    } catch (err) {
      if (this.isClosed()) return;
      this.failed.push(...entries);
      this.bus.hooks.onError?.(new Error(`consumer ${this.consumer}: XACK failed, will retry: ${(err as Error).message}`));
    }
  }

  /** Every XACK sent so far answered, or failed and kept (a lost connection cut them off). */
  async answered(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  async resendFailed(): Promise<void> {
    const pending = this.failed;
    this.failed = [];
    try {
      await this.sendAcks(pending);
    } catch (err) {
      this.failed = pending.concat(this.failed);
      throw err;
    }
  }

  /** One XACK per topic, pipelined. */
  private async sendAcks(entries: readonly EntryRef[]): Promise<void> {
    const byTopic = new Map<string, string[]>();
    for (const e of entries) {
      const ids = byTopic.get(e.topic);
      if (ids) ids.push(e.id);
      else byTopic.set(e.topic, [e.id]);
    }
    await Promise.all([...byTopic].map(([topic, ids]) => this.bus.client.sendCommand(['XACK', this.bus.key(topic), this.group, ...ids])));
  }
}

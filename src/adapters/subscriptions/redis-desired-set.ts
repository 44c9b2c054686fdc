import type { createClient } from 'redis';
import type { DesiredSet } from '../../domain/subscriptions/desired-set.ts';

type RedisClient = Pick<ReturnType<typeof createClient>, 'sMembers' | 'sAdd' | 'sRem' | 'multi'>;

/**
 * The desired token set as a Redis SET, so a scanner in another process and every feed agree on
 * one truth. The client is passed in (connected and closed by its owner).
 */
export class RedisDesiredSet implements DesiredSet {
  constructor(
    private readonly client: RedisClient,
    readonly key: string,
  ) {}

  async members(): Promise<string[]> {
    return (await this.client.sMembers(this.key)).sort();
  }

  async add(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.client.sAdd(this.key, [...ids]);
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.client.sRem(this.key, [...ids]);
  }

  /** Atomic: readers never see the set empty half-way through a replace. */
  async replace(ids: readonly string[]): Promise<void> {
    const tx = this.client.multi().del(this.key);
    if (ids.length > 0) tx.sAdd(this.key, [...ids]);
    await tx.exec();
  }
}

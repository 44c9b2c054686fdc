import { Histogram, type HistogramConfiguration } from 'prom-client';
import { roundDecimals } from '../../domain/util/decimals.ts';

type Exposition<T extends string> = Awaited<ReturnType<Histogram<T>['get']>>;

/**
 * A histogram whose `_sum` is written at a fixed precision. prom-client adds every observation to
 * a float sum, so 0.1 + 0.2 ms is exposed as 0.30000000000000004: noise a scraper would store and a
 * person would misread (the DecimalGauge's reason). The sum is kept exact as prom-client keeps it
 * and rounded only where it is read.
 */
export class DecimalHistogram<T extends string = string> extends Histogram<T> {
  private readonly decimals: number;
  private readonly sumName: string;

  constructor(config: HistogramConfiguration<T>, decimals: number) {
    super(config);
    this.decimals = decimals;
    this.sumName = `${config.name}_sum`;
  }

  override async get(): Promise<Exposition<T>> {
    return this.roundSums(await super.get());
  }

  /** What the registry's text exposition reads (prom-client calls it in place of get() when present). */
  async getForPromString(): Promise<Exposition<T>> {
    const base = (Histogram.prototype as unknown as { getForPromString?: () => Promise<Exposition<T>> }).getForPromString;
    return this.roundSums(base ? await base.call(this) : await super.get());
  }

  private roundSums(data: Exposition<T>): Exposition<T> {
    for (const v of data.values) if (v.metricName === this.sumName) v.value = roundDecimals(v.value, this.decimals);
    return data;
  }
}

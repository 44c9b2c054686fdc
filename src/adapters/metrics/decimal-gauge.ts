import { Gauge, type GaugeConfiguration, type LabelValues } from 'prom-client';
import { roundDecimals } from '../../domain/util/decimals.ts';

/**
 * Probabilities and prices: the nowcast and truth engines publish probabilities at 6 decimals, and
 * a mid of the finest Polymarket tick (0.0001) needs 5: nothing a scraper could use is finer.
 */
export const PROBABILITY_DECIMALS = 6;
/** USDC's own unit is 10⁻⁶ (6 decimals on chain): no amount is finer. */
export const USDC_DECIMALS = 6;
/** Basis points of a price at the finest tick (0.0001) over a price down to 0.0001: 6 decimals lose nothing a reader needs. */
export const BPS_DECIMALS = 6;
/** Milliseconds to the microsecond. */
export const MS_DECIMALS = 3;

/**
 * A gauge written at a fixed precision: a value computed as a sum, difference or half of other
 * floats (a PnL total, 1 − p, a mid) is rounded as it is set, so the exposition reads 0.78724, not
 * the binary-float noise 0.7872399999999999 that a scraper would store and a person would misread.
 */
export class DecimalGauge<T extends string = string> extends Gauge<T> {
  private readonly decimals: number;

  constructor(config: GaugeConfiguration<T>, decimals: number) {
    super(config);
    this.decimals = decimals;
  }

  override set(value: number): void;
  override set(labels: LabelValues<T>, value: number): void;
  override set(labelsOrValue: LabelValues<T> | number, value?: number): void {
    if (typeof labelsOrValue === 'number') super.set(roundDecimals(labelsOrValue, this.decimals));
    else super.set(labelsOrValue, roundDecimals(value!, this.decimals));
  }
}

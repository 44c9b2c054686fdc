/** Why discovery refused an answer, event or market. Refusals are data, never exceptions. */
export type DiscoveryErrorCode =
  /** The answer does not have the shape of a Gamma market/event. */
  | 'invalid_shape'
  /** A JSON-encoded string field (clobTokenIds, outcomes, outcomePrices) is not a JSON string array. */
  | 'invalid_json_field'
  /** No CLOB token ids yet (Gamma lists markets minutes before the CLOB serves them). */
  | 'missing_tokens'
  /** clobTokenIds, outcomes and outcomePrices do not pair up one to one. */
  | 'length_mismatch'
  | 'invalid_date'
  | 'not_temperature_event'
  /** The resolution rules of a temperature event are not in a form we understand. */
  | 'unknown_rule_text'
  /** A bucket title (groupItemTitle) is not in a grammar we understand. */
  | 'unknown_bucket_grammar'
  /** Buckets do not cover every integer exactly once. */
  | 'not_a_partition'
  /** Buckets in more than one unit, or not in the unit the rules settle in. */
  | 'unit_mismatch'
  | 'not_yes_no_market'
  | 'not_esports_event'
  | 'no_moneyline'
  /** A tradable market needs exactly two outcomes (one CLOB token each). */
  | 'not_binary'
  /** No (or a non-positive) orderPriceMinTickSize: prices could not be rounded to the venue's grid. */
  | 'tick_size_unknown'
  /** No (or a non-positive) orderMinSize. */
  | 'min_size_unknown'
  /** feesEnabled without a feeSchedule: what a fill costs is unknown. */
  | 'fee_unknown'
  /** The market's fields contradict each other or its event (neg-risk flags, a resolved market still accepting orders, a token named by two of its markets…). */
  | 'contradictory_market'
  /** The rules settle on a station the configuration does not watch (or not the one configured for the city). */
  | 'station_not_watched'
  /** No PandaScore match has both teams and a start within the tolerance of the moneyline's. */
  | 'no_pandascore_match'
  /** More than one PandaScore match could be the moneyline's: none is guessed. */
  | 'ambiguous_pandascore_match';

export interface DiscoveryError {
  code: DiscoveryErrorCode;
  message: string;
}

export type DiscoveryResult<T> = { ok: true; value: T } | { ok: false; error: DiscoveryError };

export function refuse<T>(code: DiscoveryErrorCode, message: string): DiscoveryResult<T> {
  return { ok: false, error: { code, message } };
}

export function accept<T>(value: T): DiscoveryResult<T> {
  return { ok: true, value };
}

import { z } from 'zod';

/**
 * The parts of Gamma REST answers discovery reads (`/markets`, `/events`). Gamma returns dozens of
 * other fields that change without notice: unknown keys are dropped, and every field here may be
 * absent or null, because real answers omit them freely (trimmed fixtures, legacy markets). What
 * is actually required is decided by the parsers, which refuse with a typed reason.
 */
const str = z.string().nullish();
const bool = z.boolean().nullish();
/** Gamma writes some numbers as strings ("5", "0.001") depending on the endpoint and era. */
const numeric = z.union([z.number(), z.string()]).nullish();
/** A JSON-encoded string array ("[\"Yes\", \"No\"]") or, in trimmed answers, a plain array. */
const encodedList = z.union([z.string(), z.array(z.string())]).nullish();

export const gammaFeeScheduleSchema = z.object({
  exponent: z.number(),
  rate: z.number(),
  takerOnly: z.boolean().nullish(),
  rebateRate: z.number().nullish(),
});

export const gammaTagSchema = z.object({
  id: z.union([z.string(), z.number()]).nullish(),
  label: str,
  slug: str,
});

export const gammaMarketSchema = z.object({
  id: z.union([z.string(), z.number()]).nullish(),
  conditionId: str,
  questionID: str,
  question: str,
  slug: str,
  description: str,
  resolutionSource: str,
  outcomes: encodedList,
  outcomePrices: encodedList,
  clobTokenIds: encodedList,
  orderPriceMinTickSize: numeric,
  orderMinSize: numeric,
  negRisk: bool,
  negRiskMarketID: str,
  feesEnabled: bool,
  feeType: str,
  feeSchedule: gammaFeeScheduleSchema.nullish(),
  startDate: str,
  endDate: str,
  closedTime: str,
  gameStartTime: str,
  eventStartTime: str,
  active: bool,
  closed: bool,
  archived: bool,
  acceptingOrders: bool,
  enableOrderBook: bool,
  groupItemTitle: str,
  groupItemThreshold: numeric,
  sportsMarketType: str,
  gameId: z.union([z.string(), z.number()]).nullish(),
  line: numeric,
  liquidityNum: numeric,
  liquidity: numeric,
  volumeNum: numeric,
  volume: numeric,
});

export const gammaEventSchema = z.object({
  id: z.union([z.string(), z.number()]).nullish(),
  slug: str,
  ticker: str,
  title: str,
  description: str,
  resolutionSource: str,
  startDate: str,
  startTime: str,
  endDate: str,
  negRisk: bool,
  negRiskMarketID: str,
  active: bool,
  closed: bool,
  tags: z.array(gammaTagSchema).nullish(),
  markets: z.array(z.unknown()).nullish(),
});

export type GammaMarket = z.infer<typeof gammaMarketSchema>;
export type GammaEvent = z.infer<typeof gammaEventSchema>;

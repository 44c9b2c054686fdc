export * from './esports-event.ts';
export * from './gamma-market.ts';
export * from './gamma-schemas.ts';
export * from './result.ts';
export * from './temperature-buckets.ts';
export * from './temperature-event.ts';
export * from './temperature-rules.ts';

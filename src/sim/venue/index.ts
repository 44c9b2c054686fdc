export { VenueSimulator, type VenueEndpoints, type VenueSimulatorOptions } from './venue-simulator.ts';
export { NO_FAULTS, type VenueFaults, type VenueStats } from './venue-faults.ts';
export { SyntheticMarkets, syntheticMarketSpecs, type SimMarketSpec } from './synthetic-markets.ts';

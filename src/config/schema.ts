import { z } from 'zod';
import { appSection, logSection } from './sections/app.ts';
import { busSection } from './sections/bus.ts';

/**
 * The whole configuration. Every object is strict (unknown keys are rejected) and every key is
 * required: config/default.yaml is the single place where defaults live.
 */
export const configSchema = z.strictObject({
  app: appSection,
  log: logSection,
  bus: busSection,
});

export type HeliosConfig = z.infer<typeof configSchema>;

import { z } from 'zod';

/** What the HTTP API asks of the running daemon; the composition root implements it. */
export interface DaemonApi {
  health(): Promise<HealthReport>;
  metrics(): Promise<{ contentType: string; body: string }>;
  subscriptions(): Promise<unknown>;
  reconcilerMetrics(): Promise<unknown>;
  forceReconcile(): Promise<unknown>;
  stats(): Promise<unknown>;
  markets(): Promise<unknown>;
  /** Mirrored L2 books, `{ books: [...] }` sorted by token; only `tokenId` when given. */
  books(tokenId?: string): Promise<unknown>;
  halt(request: HaltRequest): Promise<unknown>;
  resume(request: HaltRequest): Promise<unknown>;
}

export interface HealthReport {
  live: boolean;
  ready: boolean;
  [key: string]: unknown;
}

/** Bodies of POST /halt and POST /resume (validated at the edge). */
export const haltRequestSchema = z
  .strictObject({
    scope: z.enum(['global', 'market']),
    market_id: z.string().min(1).max(200).optional(),
    reason: z.string().min(1).max(500).default('manual'),
  })
  .refine((r) => r.scope === 'global' || r.market_id !== undefined, { message: 'market_id is required when scope is market', path: ['market_id'] });

export type HaltRequest = z.infer<typeof haltRequestSchema>;

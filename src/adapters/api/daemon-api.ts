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
  /** What the halt did, or a `ControlRefusal` (unknown market). */
  halt(request: HaltRequest): Promise<unknown>;
  /** What the resume did, or a `ControlRefusal` (unknown market, or refused: the reason). */
  resume(request: HaltRequest): Promise<unknown>;
}

/** What a halt or resume was about; `event_id` names the event that recorded it on `control`. */
interface ControlSubject {
  event_id: string;
  type: 'HALT' | 'RESUME';
  scope: 'global' | 'market';
  market_id: string | null;
}

/**
 * A halt or resume that did not happen: answered with `status` (404 unknown market, 409 refused)
 * and the rest as the JSON body.
 */
export interface ControlRefusal extends ControlSubject {
  accepted: false;
  status: 404 | 409;
  error: string;
}

/**
 * A halt this process does not apply but published on the bus for the processes that do (a feeds
 * process of a scale-out hosts no trading): answered 202 with the rest as the body, naming the
 * topic (and Redis stream) the trading processes read it from.
 */
export interface ControlForwarded extends ControlSubject {
  accepted: true;
  status: 202;
  applied_here: false;
  forwarded: { to_role: 'trading'; topic: string; stream: string | null };
}

export function isControlRefusal(value: unknown): value is ControlRefusal {
  const v = value as Partial<ControlRefusal> | null;
  return typeof v === 'object' && v !== null && v.accepted === false && (v.status === 404 || v.status === 409);
}

/** A refusal or a forward: an outcome that answers its own status rather than 200. */
export function answersOwnStatus(value: unknown): value is ControlRefusal | ControlForwarded {
  const v = value as Partial<ControlForwarded> | null;
  return isControlRefusal(value) || (typeof v === 'object' && v !== null && v.accepted === true && v.status === 202 && v.forwarded !== undefined);
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

import type { HttpError } from '../http/request-json.ts';

/**
 * What a failed order post proves (notes/execution.md §4, NautilusTrader's command outcome
 * policy): an order is rejected only when the venue says so; no answer leaves it in flight.
 */
export type PostVerdict =
  /** The venue refused it: the order does not exist there. */
  | { kind: 'rejected'; reason: string }
  /** FOK/FAK found nothing (enough) to take: the venue killed it, as paper's FOK cancel. */
  | { kind: 'killed'; reason: string }
  /** No answer (timeout, transport): it may exist; settle it from the venue, never resend blindly. */
  | { kind: 'unknown'; reason: string }
  /** 425 engine restarting, 429, 5xx: send the same signed order again after a backoff. */
  | { kind: 'retry'; reason: string; proven: boolean }
  /** The balance cache may lag: refresh it once, then send the same order again. */
  | { kind: 'balance'; reason: string }
  /** Signed for an old order version: refresh /version and sign once more. */
  | { kind: 'version'; reason: string }
  /** The venue already has this very order (an earlier send did land). */
  | { kind: 'duplicate'; reason: string };

export function classifyPostError(err: HttpError): PostVerdict {
  const reason = err.message;
  if (err.status === 0) return { kind: 'unknown', reason };
  // 425 and 429 come before the engine saw the order; a 5xx may come after it ran ("could not run the execution").
  if (err.status === 425 || err.status === 429) return { kind: 'retry', reason, proven: true };
  if (err.status >= 500) return { kind: 'retry', reason, proven: false };
  return classifyVenueMessage(reason);
}

/** The same for an error inside a 200 answer (`success: false`, batch entries). */
export function classifyVenueMessage(reason: string): PostVerdict {
  const text = reason.toLowerCase();
  if (text.includes('order_version_mismatch') || text.includes('invalid order version')) return { kind: 'version', reason };
  if (text.includes('not enough balance') || text.includes('allowance')) return { kind: 'balance', reason };
  if (text.includes('already exists') || text.includes('duplicated')) return { kind: 'duplicate', reason };
  if (text.includes('fully filled or killed') || text.includes('no orders found to match')) return { kind: 'killed', reason };
  return { kind: 'rejected', reason };
}

/** Cancel answers that mean the order is gone anyway (nothing to retry, not a cancel failure). */
export function isBenignCancelReason(reason: string): boolean {
  return /already canceled or matched|order not found|not found/i.test(reason);
}

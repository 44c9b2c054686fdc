import { fromPromise, type PromiseActorLogic } from 'xstate';
import type { ClobRestClient } from '../adapters/polymarket/clob-rest-client.ts';
import type { ConnectionBooks } from '../adapters/polymarket/connection-books.ts';
import { batches } from '../domain/subscriptions/subscription-diff.ts';
import type { ResyncOutput } from '../machines/feed-connection/events.ts';

export interface BookResyncDeps {
  books: ConnectionBooks;
  rest: Pick<ClobRestClient, 'getBook' | 'getBooks'>;
  /** Tokens per POST /books. */
  booksPerRequest: number;
}

/**
 * REST snapshots for the tokens a connection queued for resync: `GET /book` for one, `POST /books`
 * for several (the client retries 429/5xx with backoff). Each answer is applied like a WebSocket
 * snapshot, followed by the updates buffered while it was in flight. Rejects when the venue stays
 * unavailable, which sends the connection to backoff: a reconnect resubscribes and re-snapshots.
 */
export function createBookResyncLogic(deps: BookResyncDeps): PromiseActorLogic<ResyncOutput> {
  return fromPromise<ResyncOutput>(async () => {
    const { books, rest } = deps;
    const { tokens, generation } = books.takeResyncBatch();
    let resynced = 0;
    try {
      for (const chunk of batches(tokens, deps.booksPerRequest)) {
        const answers = chunk.length === 1 ? [await rest.getBook(chunk[0]!)] : await rest.getBooks(chunk);
        for (const answer of answers) {
          if (answer !== null && books.applyRestBook(answer, generation)) resynced++;
        }
      }
    } finally {
      books.finishResync(tokens, generation);
    }
    return { resynced, remaining: books.pendingCount() };
  });
}

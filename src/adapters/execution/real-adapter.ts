import type { CancelAck, ExecutionAdapter, ExecutionEvent, PlaceOrderAck, PlaceOrderRequest } from './execution-adapter.ts';
import type { PositionView, VenueOrderView } from '../../domain/trading/reconcile.ts';

export class RealOrdersRefusedError extends Error {
  constructor(what: string) {
    super(`real execution is out of scope: ${what} refused (helios places no real orders; use execution.adapter: paper)`);
    this.name = 'RealOrdersRefusedError';
  }
}

/**
 * What the trading node gets for `execution.adapter: real` until it is wired to the CLOB adapter
 * (real-clob-adapter.ts, which needs an authenticated session first): every call refuses with a
 * clear error, so a misconfigured daemon fails loudly at start-up reconciliation instead of trading.
 */
export class RealExecutionAdapter implements ExecutionAdapter {
  readonly kind = 'real' as const;

  async placeOrder(req: PlaceOrderRequest): Promise<PlaceOrderAck> {
    throw new RealOrdersRefusedError(`placeOrder ${req.client_order_id}`);
  }

  async cancelOrder(clientOrderId: string): Promise<CancelAck> {
    throw new RealOrdersRefusedError(`cancelOrder ${clientOrderId}`);
  }

  async fetchOpenOrders(): Promise<VenueOrderView[]> {
    throw new RealOrdersRefusedError('fetchOpenOrders');
  }

  async fetchPositions(): Promise<PositionView[]> {
    throw new RealOrdersRefusedError('fetchPositions');
  }

  subscribe(_listener: (event: ExecutionEvent) => void): () => void {
    return () => {};
  }
}

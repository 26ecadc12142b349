/**
 * Why an order ended without filling completely: the `closeReason` of the orders API and of the hub's
 * `orderUpdate` (docs/exchange.md, Close reasons). Null while the order is live, once it filled, and for
 * orders that ended before reasons were recorded.
 */
export type CloseReason =
  | 'user'
  | 'immediate_or_cancel'
  | 'fill_or_kill'
  | 'self_trade_prevention'
  | 'no_liquidity'
  | 'below_one_lot'
  | 'post_only_would_take'
  | 'invalid_order'
  | 'processing_failed'
  | 'oco_partner'
  | 'would_trigger_immediately'
  | 'price_band';

const reasons: Record<CloseReason, string> = {
  user: 'cancelled by you',
  immediate_or_cancel: 'immediate-or-cancel: what could not fill at once was cancelled',
  fill_or_kill: 'fill-or-kill: the book could not fill all of it at once',
  self_trade_prevention: 'self-trade prevention: it would have traded with your own order',
  no_liquidity: 'no liquidity: the other side of the book ran out of orders',
  below_one_lot: 'the amount could not buy one lot at the best price',
  post_only_would_take: 'post-only: it would have traded at once instead of resting on the book',
  invalid_order: 'the exchange refused its terms',
  processing_failed: 'the exchange could not process it; the funds were released',
  oco_partner: 'the other order of its one-cancels-the-other pair traded, triggered or was cancelled',
  would_trigger_immediately: 'the last price had already reached its trigger, so it would have fired at once',
  price_band: 'market protection: what could not fill within the price band around the last trade was cancelled',
};

/** The reason in words, for lists and notifications; undefined when there is none (or one this app does not know yet). */
export function closeReasonText(reason: string | null | undefined): string | undefined {
  return reason && Object.hasOwn(reasons, reason) ? reasons[reason as CloseReason] : undefined;
}

import type { Decimal } from '../../../money/money';
import { formatPrice, formatQuote, formatSize } from '../format';
import { type CheckedOrder, draftTriggerDirection, executionOf, type OrderDraft } from '../orderMath';
import type { Market } from '../tradingApi';

/** The ticket's types in words, for the confirmation's terms: "Stop limit order, GTC". */
export function orderTypeWords(draft: Pick<OrderDraft, 'type' | 'execution'>): string {
  switch (draft.type) {
    case 'limit':
      return 'Limit';
    case 'market':
      return 'Market';
    case 'stop':
      return draft.execution === 'limit' ? 'Stop limit' : 'Stop market';
    case 'take_profit':
      return draft.execution === 'limit' ? 'Take profit limit' : 'Take profit market';
    case 'oco':
      return 'One-cancels-the-other';
  }
}

/** "when the last price ≥ 66,000 USD": the condition that fires a trigger. */
export function triggerWords(draft: Pick<OrderDraft, 'type' | 'side'>, trigger: string | Decimal | undefined, market: Market): string {
  return `when the last price ${draftTriggerDirection(draft)} ${formatPrice(trigger, market)} ${market.quoteAsset}`;
}

/**
 * What the order does, in words: "Buy 0.50 BTC at 100 USD", "Sell 0.50 BTC at market when the last price ≤ 60,000 USD".
 * An OCO is described by its two legs (`describeOcoLegs`).
 */
export function describeOrder(check: CheckedOrder, draft: OrderDraft, market: Market): string {
  if (draft.type === 'oco') {
    const legs = describeOcoLegs(check, draft, market);
    return legs ? `OCO: ${legs.limit}; or ${legs.stop.charAt(0).toLowerCase()}${legs.stop.slice(1)}` : 'OCO';
  }
  const verb = draft.side === 'buy' ? 'Buy' : 'Sell';
  const execution = executionOf(draft);
  const when = check.request?.triggerPrice ? ` ${triggerWords(draft, check.request.triggerPrice, market)}` : '';
  if (execution === 'market' && draft.side === 'buy') {
    return `Buy ${market.baseAsset} for ${formatQuote(check.request?.quoteAmount, market)} ${market.quoteAsset} at market${when}`;
  }
  const size = `${formatSize(check.quantity, market)} ${market.baseAsset}`;
  return execution === 'market' ? `${verb} ${size} at market${when}` : `${verb} ${size} at ${formatPrice(check.request?.price, market)} ${market.quoteAsset}${when}`;
}

/** An OCO's legs in words: the resting limit, and the stop that fires at its trigger. */
export function describeOcoLegs(check: CheckedOrder, draft: OrderDraft, market: Market): { limit: string; stop: string } | null {
  const oco = check.oco;
  if (!oco) return null;
  const verb = draft.side === 'buy' ? 'Buy' : 'Sell';
  const size = `${formatSize(oco.quantity, market)} ${market.baseAsset}`;
  const stopAt = oco.stopPrice ? `at ${formatPrice(oco.stopPrice, market)} ${market.quoteAsset}` : 'at market';
  return {
    limit: `${verb} ${size} at ${formatPrice(oco.price, market)} ${market.quoteAsset}, resting until it fills or you cancel it`,
    stop: `${verb} ${size} ${stopAt} ${triggerWords(draft, oco.triggerPrice, market)}`,
  };
}

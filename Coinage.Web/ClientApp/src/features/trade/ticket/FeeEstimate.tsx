import Alert from '@mui/material/Alert';
import Typography from '@mui/material/Typography';
import { Decimal, parseAmount } from '../../../money/money';
import type { Level } from '../../../realtime/types';
import { formatPrice, formatQuote, formatSize } from '../format';
import { type CheckedOrder, executionOf, feeOn, hasTrigger, type OrderDraft } from '../orderMath';
import type { Market } from '../tradingApi';
import { type Estimate, estimateOrder, formatBps } from './ticketMath';

const outcomes: Record<Exclude<Estimate['outcome'], 'ok'>, string> = {
  post_only_crosses: 'Post only: this price would take liquidity now, so the order would be rejected.',
  fok_unfillable: 'Fill or kill: the book cannot fill all of it now, so it would be cancelled.',
  ioc_no_fill: 'Immediate or cancel: nothing would fill at this price now.',
  book_too_thin: 'The book shown cannot fill all of it at once.',
};

function feeWords(e: Estimate, market: Market): string {
  const maker = `maker ${formatBps(market.makerFeeBps)}`;
  const taker = `taker ${formatBps(market.takerFeeBps)}`;
  switch (e.liquidity) {
    case 'taker':
      return taker;
    case 'maker':
      return `${maker}, if it rests`;
    case 'mixed':
      return `${taker} on ${formatSize(e.takerBase, market)}, ${maker} on ${formatSize(e.makerBase, market)} ${market.baseAsset}`;
    case 'none':
      return 'nothing fills';
  }
}

/**
 * The fee the order would pay at the book on screen, maker or taker as it would meet it, and what a market order
 * would get. An estimate: the book moves, and a resting order pays only when it fills. What the ticket holds is
 * shown beside it and stays at the dearer rate (docs/exchange.md, Holds).
 */
export function FeeEstimate({ market, draft, check, book }: { market: Market; draft: OrderDraft; check: CheckedOrder; book: { bids: readonly Level[]; asks: readonly Level[] } }) {
  if (hasTrigger(draft)) return <TriggeredFeeEstimate market={market} draft={draft} check={check} />;
  const execution = executionOf(draft);
  const quoteBudget = execution === 'market' && draft.side === 'buy' ? parseAmount(draft.total) : null;
  const quantity = quoteBudget ? null : (check.quantity ?? null);
  const price = execution === 'limit' ? parseAmount(draft.price) : null;
  // A walk over at most the published depth: cheap enough for every keystroke and book update.
  const estimate =
    (quoteBudget?.greaterThan(0) || quantity?.greaterThan(0)) && (execution === 'market' || price?.greaterThan(0))
      ? estimateOrder({ side: draft.side, type: execution, timeInForce: draft.timeInForce, postOnly: draft.postOnly, price, quantity, quoteBudget }, book, market)
      : null;
  if (!estimate) return null;
  const received =
    execution === 'market' && estimate.averagePrice
      ? draft.side === 'buy'
        ? `≈ ${formatSize(estimate.takerBase, market)} ${market.baseAsset}`
        : `≈ ${formatQuote(estimate.takerQuote, market)} ${market.quoteAsset}`
      : null;
  return (
    <div data-testid="order-fee">
      {received && estimate.averagePrice && (
        <Typography variant="body2" color="text.secondary">
          {draft.side === 'buy' ? 'Buys' : 'Sells for'} {received} at an average of {formatPrice(estimate.averagePrice, market)}{' '}
          {market.quoteAsset}
        </Typography>
      )}
      <Typography variant="body2" color="text.secondary">
        Fee ≈ {formatQuote(estimate.fee, market)} {market.quoteAsset} ({feeWords(estimate, market)})
      </Typography>
      {estimate.outcome !== 'ok' && (
        <Alert severity={estimate.outcome === 'book_too_thin' ? 'info' : 'warning'} sx={{ mt: 0.5, py: 0 }}>
          {outcomes[estimate.outcome]}
        </Alert>
      )}
    </div>
  );
}

/** An order's value at `price` for `quantity`, or null while either is missing. */
function valueAt(quantity: Decimal | undefined, price: Decimal | null): Decimal | null {
  return quantity && price ? quantity.times(price) : null;
}

/**
 * A stop, take-profit or OCO meets the book later, at a price nobody knows yet, so walking today's book says nothing
 * about it. The estimate is the fee at each rate on the order's value: when a stop fires it takes liquidity (taker);
 * an OCO's limit leg rests (maker), its stop leg fires (taker), and only one of them trades. A market order fired by
 * its trigger is valued at the trigger.
 */
function TriggeredFeeEstimate({ market, draft, check }: { market: Market; draft: OrderDraft; check: CheckedOrder }) {
  const fee = (value: Decimal, bps: string) => `${formatQuote(feeOn(value, new Decimal(bps), market.quotePrecision), market)} ${market.quoteAsset}`;
  const trigger = parseAmount(draft.triggerPrice);
  const price = parseAmount(draft.price);
  if (draft.type === 'oco') {
    const limitValue = valueAt(check.quantity, price);
    const stopValue = valueAt(check.quantity, parseAmount(draft.stopPrice) ?? trigger);
    if (!limitValue || !stopValue) return null;
    return (
      <Typography variant="body2" color="text.secondary" data-testid="order-fee">
        Fee ≈ {fee(limitValue, market.makerFeeBps)} if the limit order fills (maker {formatBps(market.makerFeeBps)}), ≈{' '}
        {fee(stopValue, market.takerFeeBps)} if the stop fires (taker {formatBps(market.takerFeeBps)})
      </Typography>
    );
  }
  const execution = executionOf(draft);
  const value =
    execution === 'market' && draft.side === 'buy' ? parseAmount(draft.total) : valueAt(check.quantity, execution === 'limit' ? price : trigger);
  if (!value || value.isZero()) return null;
  return (
    <Typography variant="body2" color="text.secondary" data-testid="order-fee">
      Fee ≈ {fee(value, market.takerFeeBps)} when it fires (taker {formatBps(market.takerFeeBps)}
      {execution === 'limit' ? `; maker ${formatBps(market.makerFeeBps)} on what rests` : ''})
    </Typography>
  );
}

import Alert from '@mui/material/Alert';
import Typography from '@mui/material/Typography';
import { parseAmount } from '../../../money/money';
import type { Level } from '../../../realtime/types';
import { formatPrice, formatQuote, formatSize } from '../format';
import type { CheckedOrder, OrderDraft } from '../orderMath';
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
  const quoteBudget = draft.type === 'market' && draft.side === 'buy' ? parseAmount(draft.total) : null;
  const quantity = quoteBudget ? null : (check.quantity ?? null);
  const price = draft.type === 'limit' ? parseAmount(draft.price) : null;
  // A walk over at most the published depth: cheap enough for every keystroke and book update.
  const estimate =
    (quoteBudget?.greaterThan(0) || quantity?.greaterThan(0)) && (draft.type === 'market' || price?.greaterThan(0))
      ? estimateOrder({ side: draft.side, type: draft.type, timeInForce: draft.timeInForce, postOnly: draft.postOnly, price, quantity, quoteBudget }, book, market)
      : null;
  if (!estimate) return null;
  const received =
    draft.type === 'market' && estimate.averagePrice
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

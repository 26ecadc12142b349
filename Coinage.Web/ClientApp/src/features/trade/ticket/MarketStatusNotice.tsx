import Alert from '@mui/material/Alert';
import { timeFormat } from '../format';
import type { Market } from '../tradingApi';

const at = (iso: string) => timeFormat.format(new Date(iso));

/**
 * Why the ticket is closed, in words, with what the trader can still do: "Trading on BTC-USD is halted since 10:02:11
 * by the circuit breaker, until 10:07:11." The time it began is known once the hub has pushed the change; the time it
 * ends only when the circuit breaker set it (an Admin's halt lasts until resumed). Null while the market is open.
 */
export function marketStatusText(market: Market): string | null {
  if (market.status === 'open') return null;
  const since = market.statusSince ? ` since ${at(market.statusSince)}` : '';
  const by = market.statusSource === 'circuit_breaker' ? ' by the circuit breaker' : '';
  const until = market.statusUntil ? `, until ${at(market.statusUntil)}` : '';
  return market.status === 'halted'
    ? `Trading on ${market.symbol} is halted${since}${by}${until}. New orders are refused; you can still cancel yours.`
    : `${market.symbol} is cancel-only${since}${by}${until}: you can cancel orders and reduce their size, but not place new ones.`;
}

/** The market's status above the ticket; an alert, so a screen reader hears it when the hub changes it. */
export function MarketStatusNotice({ market }: { market: Market }) {
  const text = marketStatusText(market);
  if (!text) return null;
  return (
    <Alert severity={market.status === 'halted' ? 'error' : 'warning'} data-testid="market-status" sx={{ py: 0 }}>
      {text}
    </Alert>
  );
}

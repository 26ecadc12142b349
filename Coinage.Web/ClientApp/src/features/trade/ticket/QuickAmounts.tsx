import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { parseAmount } from '../../../money/money';
import type { Side } from '../orderMath';
import type { Market } from '../tradingApi';
import { type QuickFill, quickAmount, quickPercents } from './ticketMath';

interface QuickAmountsProps {
  market: Market;
  side: Side;
  type: 'limit' | 'market';
  /** Available balance of what the order spends (quote for a buy, base for a sell); undefined while loading. */
  available: string | undefined;
  /** The limit price as typed. */
  price: string;
  bestAsk: string | null;
  /** Why a market buy has no price, when it is not an empty book. */
  noMarketPrice?: string;
  onFill: (fill: QuickFill) => void;
}

/**
 * 25/50/75/100 % of the available balance, as an amount the ticket accepts: whole lots, the fee held, the market's
 * minimums kept (ticketMath.quickAmount). A share that makes no valid order is disabled; when none does, the reason
 * is said under the buttons.
 */
export function QuickAmounts({ market, side, type, available, price, bestAsk, noMarketPrice, onFill }: QuickAmountsProps) {
  const asset = side === 'buy' ? market.quoteAsset : market.baseAsset;
  const results = quickPercents.map((percent) => ({
    percent,
    result: quickAmount({ percent, side, type, market, available: available ?? '0', price: parseAmount(price), bestAsk, ...(noMarketPrice !== undefined && { noMarketPrice }) }),
  }));
  const reason = results.every((r) => !r.result.ok) ? results.at(-1)!.result : null;
  return (
    <div>
      <Stack direction="row" role="group" aria-label="Quick amounts" sx={{ gap: 0.5 }}>
        {results.map(({ percent, result }) => (
          <Button
            key={percent}
            size="small"
            variant="outlined"
            color="inherit"
            disabled={available === undefined || !result.ok}
            onClick={() => result.ok && onFill(result.fill)}
            aria-label={`${percent}% of available ${asset}`}
            sx={{ flex: 1, minWidth: 0, py: 0.125, fontSize: '0.75rem', borderColor: 'divider' }}
          >
            {percent}%
          </Button>
        ))}
      </Stack>
      {available !== undefined && reason && !reason.ok && (
        <Typography variant="caption" color="text.secondary" component="p" sx={{ mt: 0.5 }} data-testid="quick-amounts-reason">
          {reason.reason}
        </Typography>
      )}
    </div>
  );
}

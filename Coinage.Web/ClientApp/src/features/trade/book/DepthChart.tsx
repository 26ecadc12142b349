import Box from '@mui/material/Box';
import { alpha, useTheme } from '@mui/material/styles';
import { Decimal } from '../../../money/money';
import { formatPrice, formatSize } from '../format';
import type { Market } from '../tradingApi';
import { type DepthRow, depthSteps } from './bookMath';

const width = 300;
const height = 320;
const axis = 16;

/**
 * Cumulative bids (left, green) and asks (right, red) as two step areas: how much a market order
 * would take down to (or up to) each price. lightweight-charts has no depth chart, and two paths do
 * not need one. Coordinates are the only place the book becomes `number`: pixels, not money.
 */
export function DepthChart({ market, bids, asks }: { market: Market; bids: DepthRow[]; asks: DepthRow[] }) {
  const theme = useTheme();
  const bidColor = theme.palette.success.main;
  const askColor = theme.palette.error.main;
  const low = bids.at(-1)?.price ?? asks[0]?.price;
  const high = asks.at(-1)?.price ?? bids[0]?.price;
  if (low === undefined || high === undefined) return null;
  const top = Decimal.max(bids.at(-1)?.cumulative ?? 0, asks.at(-1)?.cumulative ?? 0);
  const span = new Decimal(high).minus(low);
  const plot = height - axis;

  const x = (price: Decimal) => (span.isZero() ? width / 2 : price.minus(low).dividedBy(span).times(width).toNumber());
  const y = (total: Decimal) => (top.isZero() ? plot : plot - total.dividedBy(top).times(plot - 18).toNumber());

  // Each side runs from its best price out to the chart's edge, then closes along the baseline.
  function area(rows: DepthRow[], edge: number) {
    const steps = depthSteps(rows);
    const last = rows.at(-1);
    if (!last) return '';
    const corners = steps.map(([p, c]) => `${x(p).toFixed(1)},${y(c).toFixed(1)}`);
    return `M${corners.join(' L')} L${edge},${y(last.cumulative).toFixed(1)} L${edge},${plot} Z`;
  }

  const mid = bids[0] && asks[0] ? new Decimal(bids[0].price).plus(asks[0].price).dividedBy(2) : null;
  const label =
    `Depth chart: ${bids.length ? `${formatSize(bids.at(-1)!.cumulative, market)} ${market.baseAsset} bid down to ${formatPrice(bids.at(-1)!.price, market)} ${market.quoteAsset}` : 'no bids'}; ` +
    `${asks.length ? `${formatSize(asks.at(-1)!.cumulative, market)} ${market.baseAsset} asked up to ${formatPrice(asks.at(-1)!.price, market)} ${market.quoteAsset}` : 'no asks'}.`;
  const text = { fill: theme.palette.text.secondary, fontSize: 10, fontFamily: theme.typography.fontFamily };

  return (
    <Box sx={{ px: 1, height: '100%', display: 'flex', alignItems: 'center' }}>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" height="100%" role="img" aria-label={label}>
        <path d={area(bids, 0)} fill={alpha(bidColor, 0.25)} stroke={bidColor} strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
        <path d={area(asks, width)} fill={alpha(askColor, 0.25)} stroke={askColor} strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
        {mid && <line x1={x(mid)} x2={x(mid)} y1={0} y2={plot} stroke={theme.palette.divider} strokeDasharray="3 3" vectorEffect="non-scaling-stroke" />}
        <line x1={0} x2={width} y1={plot} y2={plot} stroke={theme.palette.divider} vectorEffect="non-scaling-stroke" />
        <text x={2} y={height - 3} {...text}>
          {formatPrice(low, market)}
        </text>
        {mid && (
          <text x={x(mid)} y={height - 3} textAnchor="middle" {...text}>
            {formatPrice(mid, market)}
          </text>
        )}
        <text x={width - 2} y={height - 3} textAnchor="end" {...text}>
          {formatPrice(high, market)}
        </text>
        <text x={2} y={11} {...text}>
          {formatSize(top, market)} {market.baseAsset}
        </text>
      </svg>
    </Box>
  );
}

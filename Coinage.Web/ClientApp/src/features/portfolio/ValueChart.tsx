import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { Decimal, formatAmount } from '../../money/money';
import { visuallyHidden } from '../trade/format';
import type { PortfolioPoint } from './portfolioApi';

const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

export function formatDay(date: string): string {
  return dayFormat.format(new Date(`${date}T00:00:00Z`));
}

/**
 * The portfolio's value at the end of each day, as an area under a line. Drawn in SVG from decimal strings (no
 * charting library needed for one series of at most a year of days); the same figures are in a table for screen
 * readers, which the drawing is hidden from.
 */
export function ValueChart({ points, quote, precision }: { points: readonly PortfolioPoint[]; quote: string; precision: number }) {
  const width = 600;
  const height = 160;
  const values = points.map((p) => new Decimal(p.value));
  if (values.length === 0) return null;
  const max = Decimal.max(...values);
  const min = Decimal.min(...values, new Decimal(0));
  const range = max.minus(min);
  const x = (i: number) => (values.length === 1 ? width : (i / (values.length - 1)) * width);
  const y = (v: Decimal) => (range.isZero() ? height - 1 : 4 + (height - 8) * (1 - v.minus(min).div(range).toNumber()));
  const line = values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const first = points[0]!;
  const last = points[points.length - 1]!;
  return (
    <Box>
      <Box
        component="svg"
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        aria-hidden="true"
        data-testid="value-chart"
        sx={{ width: '100%', height, display: 'block', color: 'primary.main' }}
      >
        <path d={`${line} L${width},${height} L0,${height} Z`} fill="currentColor" fillOpacity={0.12} />
        <path d={line} fill="none" stroke="currentColor" strokeWidth={2} vectorEffect="non-scaling-stroke" />
      </Box>
      <Box sx={{ display: 'flex', justifyContent: 'space-between' }}>
        <Typography variant="caption" color="text.secondary">
          {formatDay(first.date)}
        </Typography>
        <Typography variant="caption" color="text.secondary">
          High {formatAmount(max, precision)} {quote}
        </Typography>
        <Typography variant="caption" color="text.secondary">
          {formatDay(last.date)}
        </Typography>
      </Box>
      <Box component="table" sx={visuallyHidden}>
        <caption>Portfolio value by day, in {quote}</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {points.map((p) => (
            <tr key={p.date}>
              <td>{formatDay(p.date)}</td>
              <td>
                {formatAmount(p.value, precision)} {quote}
              </td>
            </tr>
          ))}
        </tbody>
      </Box>
    </Box>
  );
}

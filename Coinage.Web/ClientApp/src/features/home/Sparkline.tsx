import Box from '@mui/material/Box';
import { Decimal } from '../../money/money';

/**
 * A price line without axes, for a row of a table: the shape of the last day, not its numbers. Points are scaled
 * with decimal.js (prices are strings) and only turned into pixels at the end. Hidden from screen readers: the
 * row's change column says the same in words.
 */
export function Sparkline({ values, width = 96, height = 28 }: { values: readonly string[]; width?: number; height?: number }) {
  if (values.length < 2) {
    return <Box component="span" sx={{ display: 'inline-block', width, height }} aria-hidden="true" />;
  }
  const points = values.map((v) => new Decimal(v));
  const min = Decimal.min(...points);
  const range = Decimal.max(...points).minus(min);
  const pad = 2;
  const y = (p: Decimal) => (range.isZero() ? height / 2 : pad + (height - 2 * pad) * (1 - p.minus(min).div(range).toNumber()));
  const step = width / (points.length - 1);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${(i * step).toFixed(1)},${y(p).toFixed(1)}`).join(' ');
  const rising = points[points.length - 1]!.gte(points[0]!);
  return (
    <Box
      component="svg"
      aria-hidden="true"
      data-testid="sparkline"
      data-trend={rising ? 'up' : 'down'}
      viewBox={`0 0 ${width} ${height}`}
      sx={{ width, height, display: 'block', color: rising ? 'success.main' : 'error.main' }}
    >
      <path d={path} fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinejoin="round" strokeLinecap="round" />
    </Box>
  );
}

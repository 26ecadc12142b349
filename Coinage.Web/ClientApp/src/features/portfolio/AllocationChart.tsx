import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Decimal } from '../../money/money';
import type { Holding } from './portfolioApi';

/** Colours for the slices, in order; enough contrast on both themes' paper. */
const palette = ['#1976d2', '#ef6c00', '#2e7d32', '#8e24aa', '#00838f', '#c62828', '#6d4c41', '#546e7a'];

export interface Slice {
  asset: string;
  /** Share of the priced total, 0–100, two decimals. */
  percent: string;
  color: string;
}

/** Each priced asset's share of the total, largest first; assets worth nothing or without a price have no slice. */
export function allocation(holdings: readonly Holding[]): Slice[] {
  const priced = holdings.filter((h) => h.value !== null && new Decimal(h.value).gt(0));
  const total = priced.reduce((sum, h) => sum.plus(h.value!), new Decimal(0));
  if (total.isZero()) return [];
  return priced
    .map((h) => ({ asset: h.asset, share: new Decimal(h.value!).div(total).times(100) }))
    .sort((a, b) => b.share.comparedTo(a.share))
    .map((s, i) => ({ asset: s.asset, percent: s.share.toFixed(2), color: palette[i % palette.length]! }));
}

/** A donut of the allocation with its legend; the legend is the accessible version (the drawing is hidden from screen readers). */
export function AllocationChart({ holdings }: { holdings: readonly Holding[] }) {
  const slices = allocation(holdings);
  if (slices.length === 0) {
    return <Typography color="text.secondary">Nothing to allocate yet: deposit funds to start.</Typography>;
  }
  const radius = 15.915; // circumference 100: a slice's dash length is its percentage
  let offset = 25; // start at 12 o'clock
  return (
    <Stack direction={{ xs: 'column', sm: 'row' }} spacing={3} sx={{ alignItems: 'center' }}>
      <Box component="svg" viewBox="0 0 42 42" aria-hidden="true" sx={{ width: 160, height: 160, flexShrink: 0 }}>
        {slices.map((s) => {
          const circle = (
            <circle
              key={s.asset}
              cx="21"
              cy="21"
              r={radius}
              fill="none"
              stroke={s.color}
              strokeWidth="6"
              strokeDasharray={`${s.percent} ${100 - Number(s.percent)}`}
              strokeDashoffset={offset}
            />
          );
          offset -= Number(s.percent);
          return circle;
        })}
      </Box>
      <Box component="ul" aria-label="Allocation by asset" sx={{ listStyle: 'none', m: 0, p: 0, display: 'grid', gap: 1 }}>
        {slices.map((s) => (
          <Box component="li" key={s.asset} sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
            <Box component="span" aria-hidden="true" sx={{ width: 12, height: 12, borderRadius: '2px', bgcolor: s.color }} />
            <Typography component="span" sx={{ fontWeight: 600, minWidth: 48 }}>
              {s.asset}
            </Typography>
            <Typography component="span" sx={{ fontVariantNumeric: 'tabular-nums' }}>
              {s.percent}%
            </Typography>
          </Box>
        ))}
      </Box>
    </Stack>
  );
}

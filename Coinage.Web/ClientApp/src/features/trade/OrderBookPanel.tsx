import Box from '@mui/material/Box';
import ButtonBase from '@mui/material/ButtonBase';
import CircularProgress from '@mui/material/CircularProgress';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { alpha, useTheme } from '@mui/material/styles';
import { type KeyboardEvent, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Decimal, decimalPlaces, formatAmount } from '../../money/money';
import { type DepthRow, bookSpread, depthRows, formatSpreadPercent, groupCutLevels, groupingSteps, ownSizes, type Side } from './book/bookMath';
import { DepthChart } from './book/DepthChart';
import { formatPrice, formatSize } from './format';
import type { BookState } from './orderBook';
import type { Market, Order } from './tradingApi';

/** Levels a side in the list (it scrolls) and in the depth chart. */
const shownLevels = 50;
/**
 * How many levels a side the hub sends (`Coinage:MarketData:BookDepth`, docs/exchange.md): a side that
 * long may go on beyond it, so its deepest group can be partial (groupCutLevels).
 */
const publishedDepth = 100;

interface LevelProps {
  row: DepthRow;
  side: Side;
  max: Decimal;
  own: Decimal | undefined;
  ownColumn: boolean;
  market: Market;
  active: boolean;
  onPick: (price: string) => void;
  onFocus: () => void;
}

function Level({ row, side, max, own, ownColumn, market, active, onPick, onFocus }: LevelProps) {
  const theme = useTheme();
  const color = side === 'bid' ? theme.palette.success.main : theme.palette.error.main;
  // The bar must read on a dark background as well as on white.
  const barAlpha = theme.palette.mode === 'dark' ? 0.28 : 0.16;
  const width = max.isZero() ? 0 : row.cumulative.dividedBy(max).times(100).toDecimalPlaces(1).toNumber();
  const price = formatPrice(row.price, market);
  const size = formatSize(row.quantity, market);
  const total = formatSize(row.cumulative, market);
  const ownSize = own && formatSize(own, market);
  const cell = { textAlign: 'right', whiteSpace: 'nowrap' } as const;
  // The row is a list item; its price is the button, stretched over the whole row, so a click anywhere
  // picks the level while the button's visible text (the price) is part of its name (WCAG 2.5.3). The
  // other cells are in that name, so screen readers skip them.
  return (
    <Box
      role="listitem"
      sx={{
        position: 'relative',
        display: 'grid',
        gridTemplateColumns: ownColumn ? '3.5em 1fr 1fr 1fr' : '1fr 1fr 1fr',
        px: 1,
        py: 0.25,
        fontVariantNumeric: 'tabular-nums',
        fontSize: 13,
        // The depth bar: the running total against the deepest shown level of either side, from the right.
        background: `linear-gradient(to left, ${alpha(color, barAlpha)} ${width}%, transparent ${width}%)`,
        '&:hover, &:has(.Mui-focusVisible)': { bgcolor: 'action.hover' },
        '&:has(.Mui-focusVisible)': { outline: `2px solid ${theme.palette.primary.main}`, outlineOffset: -2 },
      }}
    >
      {ownColumn && (
        <Box component="span" aria-hidden sx={{ textAlign: 'left', fontSize: 11, color: 'warning.main', whiteSpace: 'nowrap', overflow: 'hidden' }}>
          {ownSize && `● ${ownSize}`}
        </Box>
      )}
      <ButtonBase
        data-book-level=""
        // A hundred rows that change several times a second: no ripple per row; focus has its outline.
        disableRipple
        tabIndex={active ? 0 : -1}
        onClick={() => onPick(row.price)}
        onFocus={onFocus}
        aria-label={
          `${side === 'bid' ? 'Bid' : 'Ask'} ${price} ${market.quoteAsset}, ${size} ${market.baseAsset}, total ${total} ${market.baseAsset}` +
          `${ownSize ? `, yours ${ownSize} ${market.baseAsset}` : ''}: use this price`
        }
        sx={{ justifyContent: 'flex-start', font: 'inherit', color, '&::after': { content: '""', position: 'absolute', inset: 0 } }}
      >
        {price}
      </ButtonBase>
      <Box component="span" aria-hidden sx={cell}>
        {size}
      </Box>
      <Box component="span" aria-hidden sx={{ ...cell, color: 'text.secondary' }}>
        {total}
      </Box>
    </Box>
  );
}

type View = 'book' | 'depth';

/**
 * The market's book: asks above, bids below, the spread between and always in view (each side scrolls
 * on its own), grouped by a multiple of the tick, with depth bars and the trader's resting orders
 * marked; or the same levels as a depth chart. A click or Enter on a level puts its price in the
 * order form. The levels are one tab stop: the arrow keys, Home and End move between them.
 */
export function OrderBookPanel({
  market,
  book,
  openOrders = [],
  onPickPrice,
}: {
  market: Market;
  book: BookState;
  /** The trader's open orders (any market: those of this one are marked); empty for a visitor. */
  openOrders?: readonly Order[];
  onPickPrice: (price: string) => void;
}) {
  const steps = useMemo(() => groupingSteps(market.tickSize), [market.tickSize]);
  const [step, setStep] = useState(steps[0]!);
  const [view, setView] = useState<View>('book');
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const asksScroller = useRef<HTMLDivElement>(null);
  const levels = useRef<HTMLDivElement>(null);

  const asks = useMemo(() => depthRows(groupCutLevels(book.asks, step, 'ask', publishedDepth), shownLevels), [book.asks, step]);
  const bids = useMemo(() => depthRows(groupCutLevels(book.bids, step, 'bid', publishedDepth), shownLevels), [book.bids, step]);
  const own = useMemo(() => ownSizes(openOrders, market.symbol, step), [openOrders, market.symbol, step]);
  const ownAt = (side: Side, row: DepthRow) => own[side].get(new Decimal(row.price).toFixed());
  // The column is there only when one of the trader's orders is on a shown level.
  const ownColumn = asks.some((r) => ownAt('ask', r)) || bids.some((r) => ownAt('bid', r));
  const max = Decimal.max(asks.at(-1)?.cumulative ?? 0, bids.at(-1)?.cumulative ?? 0);
  const gap = bookSpread(book.bids, book.asks);
  const empty = asks.length === 0 && bids.length === 0;

  // The best ask sits at the bottom of its list, next to the spread: start there, and again when the
  // grouping or the view changes (not on every update: the trader may be reading deeper levels).
  const hasAsks = asks.length > 0;
  useLayoutEffect(() => {
    const scroller = asksScroller.current;
    if (scroller) scroller.scrollTop = scroller.scrollHeight;
  }, [hasAsks, step, view]);

  const keyOf = (side: Side, row: DepthRow) => `${side}:${row.price}`;
  const keys = [...asks.map((r) => keyOf('ask', r)), ...bids.map((r) => keyOf('bid', r))];
  // One level is the tab stop: the one last focused while it is on the book, else the best ask (or bid).
  const tabStop = activeKey !== null && keys.includes(activeKey) ? activeKey : asks[0] ? keyOf('ask', asks[0]) : bids[0] ? keyOf('bid', bids[0]) : null;

  function moveFocus(event: KeyboardEvent<HTMLDivElement>) {
    const buttons = [...(levels.current?.querySelectorAll<HTMLElement>('[data-book-level]') ?? [])];
    const at = buttons.indexOf(event.target as HTMLElement);
    if (at < 0) return;
    const target = { ArrowUp: at - 1, ArrowDown: at + 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    buttons[Math.max(0, Math.min(buttons.length - 1, target))]?.focus();
  }

  const level = (side: Side, row: DepthRow) => (
    <Level
      key={row.price}
      row={row}
      side={side}
      max={max}
      own={ownAt(side, row)}
      ownColumn={ownColumn}
      market={market}
      active={tabStop === keyOf(side, row)}
      onPick={onPickPrice}
      onFocus={() => setActiveKey(keyOf(side, row))}
    />
  );

  return (
    // As tall as the trade page's grid makes it; each side scrolls inside it.
    <Paper variant="outlined" component="section" aria-label="Order book" sx={{ py: 1, height: '100%', minHeight: 320, display: 'flex', flexDirection: 'column' }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, px: 1.5, pb: 1, flexWrap: 'wrap' }}>
        <Typography variant="subtitle2" component="h2" sx={{ flexGrow: 1 }}>
          Order book
        </Typography>
        <ToggleButtonGroup exclusive size="small" value={view} onChange={(_e, next: View | null) => next && setView(next)} aria-label="Order book view">
          <ToggleButton value="book" sx={{ py: 0.25 }}>
            Book
          </ToggleButton>
          <ToggleButton value="depth" sx={{ py: 0.25 }}>
            Depth
          </ToggleButton>
        </ToggleButtonGroup>
        <TextField
          select
          size="small"
          label="Grouping"
          value={step}
          onChange={(e) => setStep(e.target.value)}
          sx={{ width: 96 }}
        >
          {steps.map((s) => (
            <MenuItem key={s} value={s}>
              {formatAmount(s, decimalPlaces(s))}
            </MenuItem>
          ))}
        </TextField>
      </Box>
      {empty && book.status === 'syncing' && (
        <Box sx={{ display: 'flex', justifyContent: 'center', py: 3 }}>
          <CircularProgress size={24} aria-label="Loading the order book" />
        </Box>
      )}
      {empty && book.status === 'live' && (
        <Typography variant="body2" color="text.secondary" sx={{ px: 1.5, py: 2 }}>
          No orders in the book.
        </Typography>
      )}
      {!empty && view === 'depth' && (
        <Box sx={{ flex: 1, minHeight: 0 }}>
          <DepthChart market={market} bids={bids} asks={asks} />
        </Box>
      )}
      {!empty && view === 'book' && (
        <>
          <Box
            sx={{
              display: 'grid',
              gridTemplateColumns: ownColumn ? '3.5em 1fr 1fr 1fr' : '1fr 1fr 1fr',
              px: 1,
              color: 'text.secondary',
              fontSize: 12,
              // Leave room for the lists' scroll bars, so the headings sit over their columns.
              scrollbarGutter: 'stable',
              overflow: 'hidden',
              whiteSpace: 'nowrap',
            }}
          >
            {ownColumn && <span>Yours</span>}
            <span>Price ({market.quoteAsset})</span>
            <Box component="span" sx={{ textAlign: 'right' }}>
              Size ({market.baseAsset})
            </Box>
            <Box component="span" sx={{ textAlign: 'right' }}>
              Total
            </Box>
          </Box>
          <Box ref={levels} onKeyDown={moveFocus} sx={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
            <Box ref={asksScroller} sx={{ flex: '1 1 0', minHeight: 0, overflowY: 'auto', scrollbarGutter: 'stable', display: 'flex', flexDirection: 'column' }}>
              {/* Worst at the top, best at the bottom next to the spread: the reading and the tab order agree. */}
              <Box role="list" aria-label="Asks" sx={{ mt: 'auto' }}>
                {[...asks].reverse().map((row) => level('ask', row))}
              </Box>
            </Box>
            <Box
              aria-label="Spread"
              role="group"
              sx={{ flex: 'none', px: 1.5, py: 0.5, borderBlock: 1, borderColor: 'divider', fontSize: 13, display: 'flex', justifyContent: 'space-between', fontVariantNumeric: 'tabular-nums' }}
            >
              <span>{gap ? formatPrice(gap.mid, market) : '—'}</span>
              <Box component="span" sx={{ color: 'text.secondary' }}>
                {gap ? `Spread ${formatPrice(gap.absolute, market)} (${formatSpreadPercent(gap.percent)})` : 'Spread —'}
              </Box>
            </Box>
            <Box role="list" aria-label="Bids" sx={{ flex: '1 1 0', minHeight: 0, overflowY: 'auto', scrollbarGutter: 'stable' }}>
              {bids.map((row) => level('bid', row))}
            </Box>
          </Box>
        </>
      )}
    </Paper>
  );
}

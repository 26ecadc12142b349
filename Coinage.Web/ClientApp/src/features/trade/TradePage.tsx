import Box from '@mui/material/Box';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import type { Theme } from '@mui/material/styles';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useAppSelector } from '../../app/hooks';
import { QueryState } from '../../forms/QueryState';
import { selectSessionStatus } from '../auth/authSlice';
import { formatPercent } from '../../money/money';
import { changeColor, formatPrice, formatSize } from './format';
import { OrderBookPanel } from './OrderBookPanel';
import { OrderForm, type PickedPrice } from './OrderForm';
import { OrdersPanel } from './OrdersPanel';
import { PriceChart } from './PriceChart';
import { RecentTradesPanel } from './RecentTradesPanel';
import { rememberMarket } from './lastMarket';
import { type Market, useGetMarketsQuery, useGetOpenOrdersQuery } from './tradingApi';
import { useOrderBook, useTicker } from './useMarketData';

function Stat({ label, children, color }: { label: string; children: string; color?: string }) {
  return (
    <Box>
      <Typography variant="caption" color="text.secondary" component="div">
        {label}
      </Typography>
      <Typography variant="body2" sx={{ fontVariantNumeric: 'tabular-nums', ...(color && { color }) }}>
        {children}
      </Typography>
    </Box>
  );
}

/** The terminal's panels; on narrow screens, its tabs. */
const panels = [
  { id: 'chart', label: 'Chart' },
  { id: 'book', label: 'Book' },
  { id: 'trades', label: 'Trades' },
  { id: 'ticket', label: 'Ticket' },
  { id: 'orders', label: 'Orders' },
] as const;
type PanelId = (typeof panels)[number]['id'];

/**
 * Desktop (lg and up) is a terminal that fills the window and never scrolls: the chart takes what is left of the
 * width, the book and the tape stand beside it at a fixed width, the ticket has the right-hand column from top to
 * bottom, and the trader's orders, fills and balances sit under the chart, book and tape. Every panel scrolls
 * inside itself. Between md and lg the same panels stack in three rows and the page scrolls. Below md there is no
 * room for two panels side by side: one panel at a time, chosen by tabs.
 */
const desktopGrid = {
  display: 'grid',
  gap: 1,
  flex: { lg: '1 1 0' },
  minHeight: 0,
  // The chart must stay the largest panel: the bottom panel is wide, so it gets under a third of the height.
  gridTemplateColumns: { md: 'minmax(0, 1fr) minmax(0, 1fr) 320px', lg: 'minmax(0, 1fr) 280px 250px 320px', xl: 'minmax(0, 1fr) 320px 270px 340px' },
  gridTemplateRows: { md: '440px 480px 380px', lg: 'minmax(0, 72fr) minmax(200px, 28fr)' },
  gridTemplateAreas: {
    md: '"chart chart ticket" "book trades ticket" "orders orders orders"',
    lg: '"chart book trades ticket" "orders orders orders ticket"',
  },
} as const;

/** On a phone each panel has the height it reads best at; the ticket and the orders take what they need. */
const tabHeights: Record<PanelId, string | undefined> = { chart: '420px', book: 'max(440px, calc(100dvh - 260px))', trades: 'max(440px, calc(100dvh - 260px))', ticket: undefined, orders: undefined };

function MarketView({ market, markets }: { market: Market; markets: Market[] }) {
  const navigate = useNavigate();
  const narrow = useMediaQuery((theme: Theme) => theme.breakpoints.down('md'));
  const [tab, setTab] = useState<PanelId>('chart');
  // On a phone a panel is mounted when first shown (tabs and charts measure themselves, which they cannot do hidden)
  // and then kept, so the ticket keeps what was typed and the chart its interval.
  const [shownTabs, setShownTabs] = useState<ReadonlySet<PanelId>>(() => new Set(['chart']));
  const show = useCallback((id: PanelId) => {
    setTab(id);
    setShownTabs((shown) => (shown.has(id) ? shown : new Set([...shown, id])));
  }, []);
  const book = useOrderBook(market.symbol);
  const { ticker } = useTicker(market.symbol);
  // The book marks the trader's resting orders: the open orders list at the API's largest page, which
  // the hub's order events refetch like the Open orders tab (tag Orders).
  const signedIn = useAppSelector(selectSessionStatus) === 'signedIn';
  const openOrders = useGetOpenOrdersQuery({ market: market.symbol, limit: 200 }, { skip: !signedIn }).data?.items;
  const [picked, setPicked] = useState<PickedPrice | null>(null);
  const pick = useCallback(
    (price: string) => {
      setPicked((p) => ({ price, nonce: (p?.nonce ?? 0) + 1 }));
      // On a phone the ticket is another tab: go where the price went.
      if (narrow) show('ticket');
    },
    [narrow, show],
  );
  useEffect(() => rememberMarket(market.symbol), [market.symbol]);

  const content: Record<PanelId, ReactNode> = {
    chart: <PriceChart market={market} />,
    book: <OrderBookPanel market={market} book={book} openOrders={openOrders} onPickPrice={pick} />,
    trades: <RecentTradesPanel market={market} />,
    ticket: <OrderForm key={market.symbol} market={market} picked={picked} bestAsk={book.asks[0]?.[0] ?? null} lastPrice={ticker?.last ?? null} book={book} />,
    orders: <OrdersPanel market={market} markets={markets} />,
  };

  return (
    <Stack spacing={1} sx={{ flex: { lg: '1 1 0' }, minHeight: 0 }}>
      <Stack direction="row" sx={{ flexWrap: 'wrap', columnGap: { xs: 2, sm: 3 }, rowGap: 1, alignItems: 'center', flex: 'none' }}>
        <TextField
          select
          size="small"
          label="Market"
          value={market.symbol}
          onChange={(e) => void navigate(`/trade/${e.target.value}`)}
          sx={{ minWidth: 140 }}
        >
          {markets.map((m) => (
            <MenuItem key={m.symbol} value={m.symbol}>
              {m.symbol}
            </MenuItem>
          ))}
        </TextField>
        <Typography variant="h5" component="h1" sx={{ fontVariantNumeric: 'tabular-nums' }} aria-live="off">
          {formatPrice(ticker?.last, market)} <Typography component="span" color="text.secondary">{market.quoteAsset}</Typography>
        </Typography>
        <Stat label="24h change" color={changeColor(ticker?.changePercent24h)}>
          {formatPercent(ticker?.changePercent24h)}
        </Stat>
        <Stat label="24h high">{formatPrice(ticker?.high24h, market)}</Stat>
        <Stat label="24h low">{formatPrice(ticker?.low24h, market)}</Stat>
        <Stat label={`24h volume (${market.baseAsset})`}>{ticker ? formatSize(ticker.volume24h, market) : '—'}</Stat>
      </Stack>
      {narrow && (
        <Tabs value={tab} onChange={(_e, value: PanelId) => show(value)} variant="fullWidth" aria-label="Trade panels" sx={{ flex: 'none', minHeight: 40, '& .MuiTab-root': { minWidth: 0, minHeight: 40, px: 0.5 } }}>
          {panels.map((p) => (
            <Tab key={p.id} value={p.id} label={p.label} id={`trade-tab-${p.id}`} aria-controls={`trade-panel-${p.id}`} />
          ))}
        </Tabs>
      )}
      <Box sx={narrow ? { minWidth: 0 } : desktopGrid}>
        {panels.map(({ id }) =>
          narrow ? (
            <Box key={id} role="tabpanel" id={`trade-panel-${id}`} aria-labelledby={`trade-tab-${id}`} hidden={tab !== id} sx={{ minWidth: 0, height: tabHeights[id] }}>
              {shownTabs.has(id) && content[id]}
            </Box>
          ) : (
            <Box key={id} sx={{ gridArea: id, minWidth: 0, minHeight: 0 }}>
              {content[id]}
            </Box>
          ),
        )}
      </Box>
    </Stack>
  );
}

/** /trade/:symbol — the trading terminal of one market: chart, book, tape, ticket, and the trader's orders and balances. */
export function TradePage() {
  const { symbol = '' } = useParams();
  const markets = useGetMarketsQuery();
  const market = markets.data?.find((m) => m.symbol === symbol.toUpperCase());
  return (
    <>
      <QueryState isLoading={markets.isLoading} error={markets.error} onRetry={() => void markets.refetch()} label="markets" />
      {markets.isSuccess && !market && (
        <Typography role="alert" color="error">
          There is no market {symbol}.
        </Typography>
      )}
      {market && markets.data && <MarketView key={market.symbol} market={market} markets={markets.data} />}
    </>
  );
}

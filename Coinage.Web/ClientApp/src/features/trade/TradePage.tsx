import Box from '@mui/material/Box';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useState } from 'react';
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

function MarketView({ market, markets }: { market: Market; markets: Market[] }) {
  const navigate = useNavigate();
  const book = useOrderBook(market.symbol);
  const { ticker } = useTicker(market.symbol);
  // The book marks the trader's resting orders: the open orders list at the API's largest page, which
  // the hub's order events refetch like the Open orders tab (tag Orders).
  const signedIn = useAppSelector(selectSessionStatus) === 'signedIn';
  const openOrders = useGetOpenOrdersQuery({ market: market.symbol, limit: 200 }, { skip: !signedIn }).data?.items;
  const [picked, setPicked] = useState<PickedPrice | null>(null);
  const pick = useCallback((price: string) => setPicked((p) => ({ price, nonce: (p?.nonce ?? 0) + 1 })), []);
  useEffect(() => rememberMarket(market.symbol), [market.symbol]);

  return (
    <Stack spacing={2}>
      <Stack direction="row" sx={{ flexWrap: 'wrap', gap: { xs: 2, sm: 3 }, alignItems: 'center' }}>
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
      <Box
        sx={{
          display: 'grid',
          gap: 2,
          // Phone: one column, order form right under the price; wider: chart and book side by side.
          gridTemplateColumns: { xs: '1fr', md: 'minmax(0, 1fr) 280px', lg: 'minmax(0, 1fr) 280px 300px' },
          gridTemplateAreas: {
            xs: '"chart" "form" "book" "trades" "orders"',
            md: '"chart form" "book trades" "orders orders"',
            lg: '"chart book form" "chart trades form" "orders orders orders"',
          },
          alignItems: 'start',
        }}
      >
        <Box sx={{ gridArea: 'chart', minWidth: 0 }}>
          <PriceChart market={market} />
        </Box>
        <Box sx={{ gridArea: 'book' }}>
          <OrderBookPanel market={market} book={book} openOrders={openOrders} onPickPrice={pick} />
        </Box>
        <Box sx={{ gridArea: 'trades' }}>
          <RecentTradesPanel market={market} />
        </Box>
        <Box sx={{ gridArea: 'form' }}>
          <OrderForm key={market.symbol} market={market} picked={picked} bestAsk={book.asks[0]?.[0] ?? null} book={book} />
        </Box>
        <Box sx={{ gridArea: 'orders', minWidth: 0 }}>
          <OrdersPanel market={market} markets={markets} />
        </Box>
      </Box>
    </Stack>
  );
}

/** /trade/:symbol — chart, book, tape, order entry and the trader's orders for one market. */
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

import { useEffect } from 'react';
import { useAppSelector, useRealtime } from '../app/hooks';
import { selectSessionStatus } from '../features/auth/authSlice';
import { formatPrice, formatSize } from '../features/trade/format';
import { type Market, useGetMarketsQuery } from '../features/trade/tradingApi';
import { useToast } from './Toasts';

/**
 * Toasts for the signed-in user's fills and rejected orders, on whatever page they are: an order
 * placed on the trade page may fill while they look at their wallet. Listening keeps the app's hub
 * connection open while someone is signed in.
 */
export function TradeNotifications() {
  const realtime = useRealtime();
  const notify = useToast();
  const signedIn = useAppSelector(selectSessionStatus) === 'signedIn';
  const markets = useGetMarketsQuery(undefined, { skip: !signedIn }).data;
  useEffect(() => {
    if (!signedIn) return;
    return realtime.subscribePrivate({
      fill: (fill) => {
        const m: Market | undefined = markets?.find((x) => x.symbol === fill.market);
        const size = m ? `${formatSize(fill.quantity, m)} ${m.baseAsset}` : `${fill.quantity} ${fill.market}`;
        const price = m ? `${formatPrice(fill.price, m)} ${m.quoteAsset}` : fill.price;
        notify(`${fill.side === 'buy' ? 'Buy' : 'Sell'} order filled: ${size} at ${price}`, 'success');
      },
      orderUpdate: (order) => {
        if (order.status === 'rejected') notify(`Your ${order.side} order in ${order.market} was rejected.`, 'error');
      },
    });
  }, [realtime, notify, signedIn, markets]);
  return null;
}

import { useEffect, useRef } from 'react';
import { useAppSelector, useRealtime } from '../app/hooks';
import { selectSessionStatus } from '../features/auth/authSlice';
import { closeReasonText } from '../features/trade/closeReasons';
import { amendRejectionText } from '../features/trade/orders/amendRejections';
import { formatPrice, formatSize } from '../features/trade/format';
import { type Market, useGetMarketsQuery } from '../features/trade/tradingApi';
import { Decimal } from '../money/money';
import { useToast } from './Toasts';

/**
 * Toasts for the signed-in user's fills and for orders that end without filling (rejected, or cancelled
 * by anything but the user's own cancel), with the reason, on whatever page they are: an order placed
 * on the trade page may fill or be cancelled while they look at their wallet. Also an amend the exchange
 * accepted (202) and then refused: the order says so in every update until its next amend, so each refusal is
 * told once. Listening keeps the app's hub connection open while someone is signed in.
 */
export function TradeNotifications() {
  const realtime = useRealtime();
  const notify = useToast();
  const signedIn = useAppSelector(selectSessionStatus) === 'signedIn';
  const markets = useGetMarketsQuery(undefined, { skip: !signedIn }).data;
  const toldAmendRejections = useRef(new Map<string, string>());
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
        const told = toldAmendRejections.current;
        if (!order.lastAmendRejection) {
          told.delete(order.id);
        } else if (told.get(order.id) !== order.lastAmendRejection) {
          told.set(order.id, order.lastAmendRejection);
          const why = amendRejectionText(order.lastAmendRejection);
          notify(`Your amend of the ${order.side} order in ${order.market} was refused${why ? `: ${why}.` : '.'} The order keeps its price and size.`, 'warning');
        }
        const reason = closeReasonText(order.closeReason);
        if (order.status === 'rejected') {
          notify(`Your ${order.side} order in ${order.market} was rejected${reason ? `: ${reason}` : '.'}`, 'error');
        } else if (order.status === 'cancelled' && order.closeReason !== 'user') {
          // The trader's own cancel needs no news; any other cancel is one they did not ask for.
          const m = markets?.find((x) => x.symbol === order.market);
          const filledSize = m ? `${formatSize(order.filledQuantity, m)} ${m.baseAsset}` : order.filledQuantity;
          const filled = !new Decimal(order.filledQuantity).isZero() ? ` after filling ${filledSize}` : ' with nothing filled';
          notify(`Your ${order.side} order in ${order.market} was cancelled${filled}${reason ? `: ${reason}` : '.'}`, 'warning');
        }
      },
    });
  }, [realtime, notify, signedIn, markets]);
  return null;
}

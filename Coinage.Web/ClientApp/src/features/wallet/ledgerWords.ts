import { decimalPlaces, formatAmount } from '../../money/money';
import type { LedgerLine } from './walletApi';

/** A number as it was written ("0.05", "65000" → "65,000"): in a sentence, trailing zeros of the asset's precision add nothing. */
const plain = (value: string) => formatAmount(value, decimalPlaces(value));

/**
 * A ledger line as a trader reads it, from its entry kind (docs/exchange.md, Journal entries): "Bought 0.05 BTC
 * at 65,000 USD", "Hold for order 42", "Deposit". A trade settles both assets and its fee in one entry, so the
 * quote line names the fee that came out of it; a withdrawal's completion likewise names its withdrawal fee ("Withdrawal
 * of 0.5 BTC, withdrawal fee 0.0002 BTC"). A kind this app does not know yet is shown as the API names it.
 */
export function ledgerWords(line: LedgerLine): string {
  switch (line.kind) {
    case 'deposit':
      return 'Deposit';
    case 'withdrawal_request':
      return `Hold for withdrawal ${line.reference}`;
    case 'withdrawal':
      return withdrawalWords(line);
    case 'withdrawal_rejected':
      return `Released: withdrawal ${line.reference} returned`;
    case 'order_hold':
      return `Hold for order ${line.reference}`;
    case 'hold_release':
      return `Released from order ${line.reference}`;
    case 'trade':
      return tradeWords(line);
    default:
      return line.kind;
  }
}

function tradeWords(line: LedgerLine): string {
  const t = line.trade;
  if (!t) {
    return 'Trade';
  }
  const what = `${plain(t.quantity)} ${t.baseAsset} at ${plain(t.price)} ${t.quoteAsset}`;
  if (line.asset === t.baseAsset) {
    return t.side === 'buy' ? `Bought ${what}` : `Sold ${what}`;
  }
  const fee = t.fee !== '0' && t.fee !== '' ? `, fee ${plain(t.fee)} ${t.feeAsset}` : ', no fee';
  return t.side === 'buy' ? `Paid for ${what}${fee}` : `Received for ${what}${fee}`;
}

function withdrawalWords(line: LedgerLine): string {
  const w = line.withdrawal;
  if (!w) {
    return 'Withdrawal';
  }
  const sent = `Withdrawal of ${plain(w.amount)} ${line.asset}`;
  return w.fee !== '0' && w.fee !== '' ? `${sent}, withdrawal fee ${plain(w.fee)} ${line.asset}` : sent;
}

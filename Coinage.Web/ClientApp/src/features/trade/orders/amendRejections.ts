/**
 * Why the exchange refused an amend it had accepted (202): the `lastAmendRejection` of the orders API and of the
 * hub's `orderUpdate` (docs/exchange.md, Amend). The order keeps its price, size and place until the next amend.
 */
export type AmendRejection = 'amend_would_cross' | 'not_amendable' | 'invalid_quantity' | 'insufficient_funds' | 'processing_failed';

const reasons: Record<AmendRejection, string> = {
  amend_would_cross: 'the new price would have traded at once against the book, and an amend never takes liquidity',
  not_amendable: 'the order had left the book before the amend reached it',
  invalid_quantity: 'the new size was not above what had filled by then',
  insufficient_funds: 'its fills meanwhile left too little held for the new terms',
  processing_failed: 'the exchange could not process it; the extra funds it held were released',
};

/** The reason in words; undefined when there is none (or one this app does not know yet). */
export function amendRejectionText(reason: string | null | undefined): string | undefined {
  return reason && Object.hasOwn(reasons, reason) ? reasons[reason as AmendRejection] : undefined;
}

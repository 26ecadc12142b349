import { compareAmounts, Decimal, decimalPlaces, parseAmount } from '../../money/money';

export { fallbackPrecision } from '../../money/assetsApi';

/**
 * An amount as the API accepts it: positive, plain decimal, no more decimals than the asset keeps, within what is
 * available — with the withdrawal fee on top when there is one (`fee`), as the API judges it.
 */
export function amountError(amount: string, precision: number, available?: string, fee?: string): string | undefined {
  if (amount.trim() === '') {
    return 'Enter an amount.';
  }
  const value = parseAmount(amount);
  if (value === null) {
    return 'Digits and one decimal point only.';
  }
  if (value.isZero()) {
    return 'The amount must be more than 0.';
  }
  if (decimalPlaces(amount) > precision) {
    return `At most ${precision} decimals.`;
  }
  if (available !== undefined && compareAmounts(value.toFixed(), available) > 0) {
    return `More than your available ${available}.`;
  }
  const withFee = fee === undefined ? null : parseAmount(fee);
  if (available !== undefined && withFee !== null && !withFee.isZero() && compareAmounts(value.plus(withFee).toFixed(), available) > 0) {
    return `With the withdrawal fee of ${fee}, more than your available ${available}.`;
  }
  return undefined;
}

/** The same format rules as the API (docs/exchange.md, Funding): they catch typos, not unknown destinations. */
export function addressError(asset: string, address: string): string | undefined {
  const value = address.trim();
  if (value === '') {
    return 'Enter the destination address.';
  }
  switch (asset) {
    case 'BTC':
      return /^bc1[ac-hj-np-z02-9]{11,71}$/.test(value) || /^[13][1-9A-HJ-NP-Za-km-z]{25,34}$/.test(value)
        ? undefined
        : 'A Bitcoin address starts with bc1, 1 or 3.';
    case 'ETH':
      return /^0x[0-9a-fA-F]{40}$/.test(value) ? undefined : 'An Ethereum address is 0x followed by 40 hexadecimal digits.';
    case 'USD':
      return ibanIsValid(value) ? undefined : 'Enter a valid IBAN (e.g. DE89 3704 0044 0532 0130 00).';
    default:
      return /^[A-Za-z0-9._:-]{8,128}$/.test(value) ? undefined : '8 to 128 letters, digits or . _ : -';
  }
}

/** The API's rule for an address-book label: 1 to 64 characters, no control characters. */
export function labelError(label: string): string | undefined {
  const value = label.trim();
  if (value === '') {
    return 'Name the address, so you recognise it when you withdraw.';
  }
  if (value.length > 64) {
    return 'At most 64 characters.';
  }
  return /[\u0000-\u001f\u007f-\u009f]/.test(value) ? 'Letters, digits and punctuation only.' : undefined;
}

/** ISO 13616 mod-97 check, computed piecewise so no number exceeds JavaScript's safe integers. */
export function ibanIsValid(input: string): boolean {
  const iban = input.replace(/ /g, '').toUpperCase();
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(iban)) {
    return false;
  }
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const digits = /[0-9]/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of digits) {
      remainder = (remainder * 10 + Number(digit)) % 97;
    }
  }
  return remainder === 1;
}

/**
 * The Max button of a withdrawal: everything available less the fee, cut (never rounded up) to the asset's decimals,
 * or why there is nothing to withdraw. The fee is charged on top of the amount, so amount + fee is at most available.
 */
export function maxWithdrawal(available: string | undefined, fee: string | undefined, precision: number): { amount: string } | { reason: string } {
  const have = parseAmount(available);
  const charge = parseAmount(fee ?? '0') ?? new Decimal(0);
  if (have === null || have.isZero()) {
    return { reason: 'Nothing available to withdraw.' };
  }
  const most = have.minus(charge).toDecimalPlaces(precision, Decimal.ROUND_DOWN);
  if (most.lte(0)) {
    return { reason: `Your available ${available} does not cover the withdrawal fee of ${fee}.` };
  }
  return { amount: most.toFixed() };
}

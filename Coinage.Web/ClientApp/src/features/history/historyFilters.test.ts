import { describe, expect, it } from 'vitest';
import { dateRangeError, readHistoryQuery, toApiFilter, writeHistoryQuery } from './historyFilters';

describe('history filters in the URL', () => {
  it('reads the query string, upper-casing the market and defaulting to orders', () => {
    const query = readHistoryQuery(new URLSearchParams('market=btc-usd&side=buy&status=filled&from=2026-11-01&to=2026-11-24'));
    expect(query).toEqual({ view: 'orders', q: '', market: 'BTC-USD', side: 'buy', status: 'filled', liquidity: '', from: '2026-11-01', to: '2026-11-24' });
    expect(readHistoryQuery(new URLSearchParams('view=fills')).view).toBe('fills');
    expect(readHistoryQuery(new URLSearchParams('view=nonsense')).view).toBe('orders');
  });

  it('writes only the filters of the view, so a shared link carries nothing stale', () => {
    const query = readHistoryQuery(new URLSearchParams('q=abc&market=BTC-USD&status=open&liquidity=maker'));
    expect(writeHistoryQuery(query).toString()).toBe('q=abc&market=BTC-USD&status=open');
    expect(writeHistoryQuery({ ...query, view: 'fills' }).toString()).toBe('view=fills&market=BTC-USD&liquidity=maker');
  });

  it('sends whole local days to the API: from at local midnight, to at the next one', () => {
    const filter = toApiFilter(readHistoryQuery(new URLSearchParams('side=sell&from=2026-11-01&to=2026-11-24&liquidity=maker')));
    expect(filter).toEqual({
      side: 'sell',
      from: new Date(2026, 10, 1).toISOString(),
      to: new Date(2026, 10, 25).toISOString(),
    });
    expect(toApiFilter(readHistoryQuery(new URLSearchParams('view=fills&liquidity=taker&status=open')))).toEqual({ liquidity: 'taker' });
  });

  it('passes values the API will refuse through, so its problem names the field', () => {
    expect(toApiFilter(readHistoryQuery(new URLSearchParams('from=yesterday')))).toEqual({ from: 'yesterday' });
  });

  it('checks the dates before asking', () => {
    expect(dateRangeError(readHistoryQuery(new URLSearchParams('from=2026-11-24&to=2026-11-01')))).toBe('Must not be before “From”.');
    expect(dateRangeError(readHistoryQuery(new URLSearchParams('from=2026-11-24&to=2026-11-24')))).toBeUndefined();
    expect(dateRangeError(readHistoryQuery(new URLSearchParams('from=24/11/2026')))).toBe('A date such as 2026-11-24.');
  });
});

import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Level } from '../../realtime/types';
import { btcUsd } from '../../test/marketFixtures';
import { renderWithStore } from '../../test/renderWithStore';
import type { BookState } from './orderBook';
import { OrderBookPanel } from './OrderBookPanel';
import type { Order } from './tradingApi';

/** `count` levels one tick apart from `best`, each 0.1 BTC, best first. */
function levels(best: number, count: number, direction: 1 | -1): Level[] {
  return Array.from({ length: count }, (_, i) => [String(best + direction * i), '0.1']);
}

function liveBook(bids: Level[], asks: Level[]): BookState {
  return { status: 'live', sequence: 1n, bids, asks, buffer: [] };
}

const restingSell: Order = {
  id: '1',
  clientOrderId: null,
  market: 'BTC-USD',
  side: 'sell',
  type: 'limit',
  timeInForce: 'GTC',
  postOnly: false,
  status: 'partially_filled',
  price: '65003',
  quantity: '0.5',
  quoteAmount: null,
  filledQuantity: '0.2',
  filledQuote: '0',
  averagePrice: null,
  fee: '0',
  holdAsset: 'BTC',
  remainingHold: '0.3',
  createdAt: '2026-11-24T09:00:00Z',
  updatedAt: '2026-11-24T09:00:00Z',
  closeReason: null,
};

function levelNames(list: HTMLElement) {
  return within(list)
    .getAllByRole('button')
    .map((b) => b.getAttribute('aria-label'));
}

describe('order book panel', () => {
  const book = liveBook(levels(64999, 30, -1), levels(65001, 30, 1));

  it('shows at least 20 levels a side with running totals, the spread between, best ask next to it', () => {
    renderWithStore(<OrderBookPanel market={btcUsd} book={book} onPickPrice={() => undefined} />);
    const asks = screen.getByRole('list', { name: 'Asks' });
    const bids = screen.getByRole('list', { name: 'Bids' });
    expect(within(asks).getAllByRole('button')).toHaveLength(30);
    expect(within(bids).getAllByRole('button')).toHaveLength(30);
    // Asks read worst to best down to the spread; bids best to worst below it.
    expect(levelNames(asks).at(-1)).toBe('Ask 65,001 USD, 0.10 BTC, total 0.10 BTC: use this price');
    expect(levelNames(asks)[0]).toBe('Ask 65,030 USD, 0.10 BTC, total 3.00 BTC: use this price');
    expect(levelNames(bids)[1]).toBe('Bid 64,998 USD, 0.10 BTC, total 0.20 BTC: use this price');
    expect(within(screen.getByRole('group', { name: 'Spread' })).getByText('Spread 2 (0.0031%)')).toBeInTheDocument();
  });

  it('fills the ticket from a click and from Enter, and moves between levels with the arrow keys as one tab stop', async () => {
    const user = userEvent.setup({ delay: null });
    const pick = vi.fn<(price: string) => void>();
    renderWithStore(<OrderBookPanel market={btcUsd} book={book} onPickPrice={pick} />);

    await user.click(screen.getByRole('button', { name: /^Bid 64,990 USD/ }));
    expect(pick).toHaveBeenLastCalledWith('64990');

    // The sixty levels are one tab stop: back from it is the grouping select, forward again the level last used.
    await user.tab({ shift: true });
    expect(document.activeElement).toBe(screen.getByRole('combobox', { name: 'Grouping' }));
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: /^Bid 64,990 USD/ }));
    await user.keyboard('{ArrowUp}{ArrowUp}');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: /^Bid 64,992 USD/ }));
    await user.keyboard('{Enter}');
    expect(pick).toHaveBeenLastCalledWith('64992');
    await user.keyboard('{End}{Enter}');
    expect(pick).toHaveBeenLastCalledWith('64970');
    await user.keyboard('{Home}');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: /^Ask 65,030 USD/ }));
    expect(within(screen.getByRole('list', { name: 'Asks' })).getAllByRole('button').filter((b) => b.tabIndex === 0)).toHaveLength(1);
    expect(within(screen.getByRole('list', { name: 'Bids' })).getAllByRole('button').filter((b) => b.tabIndex === 0)).toHaveLength(0);
  });

  it('groups the levels by the chosen number of ticks: bids down, asks up, sizes summed', async () => {
    const user = userEvent.setup({ delay: null });
    const pick = vi.fn<(price: string) => void>();
    renderWithStore(<OrderBookPanel market={btcUsd} book={book} onPickPrice={pick} />);

    await user.click(screen.getByRole('combobox', { name: 'Grouping' }));
    await user.click(screen.getByRole('option', { name: '10' }));
    // Asks 65,001–65,030 fall in 65,010 (ten levels), 65,020 and 65,030; bids 64,970–64,999 in 64,990 … 64,970.
    expect(levelNames(screen.getByRole('list', { name: 'Asks' }))).toEqual([
      'Ask 65,030 USD, 1.00 BTC, total 3.00 BTC: use this price',
      'Ask 65,020 USD, 1.00 BTC, total 2.00 BTC: use this price',
      'Ask 65,010 USD, 1.00 BTC, total 1.00 BTC: use this price',
    ]);
    expect(levelNames(screen.getByRole('list', { name: 'Bids' }))).toEqual([
      'Bid 64,990 USD, 1.00 BTC, total 1.00 BTC: use this price',
      'Bid 64,980 USD, 1.00 BTC, total 2.00 BTC: use this price',
      'Bid 64,970 USD, 1.00 BTC, total 3.00 BTC: use this price',
    ]);
    // The spread stays the real best bid and ask's.
    expect(screen.getByText('Spread 2 (0.0031%)')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: /^Ask 65,010 USD/ }));
    expect(pick).toHaveBeenLastCalledWith('65010');
  });

  it("marks the trader's resting orders with what is left of them, on their grouped level too", async () => {
    const user = userEvent.setup({ delay: null });
    renderWithStore(<OrderBookPanel market={btcUsd} book={book} openOrders={[restingSell, { ...restingSell, id: '2', market: 'ETH-USD', price: '65001' }]} onPickPrice={() => undefined} />);

    const mine = screen.getByRole('button', { name: 'Ask 65,003 USD, 0.10 BTC, total 0.30 BTC, yours 0.30 BTC: use this price' });
    expect(within(mine.closest('li, [role="listitem"]') as HTMLElement).getByText('● 0.30')).toBeInTheDocument();
    // The ETH-USD order at 65,001 is not on this book.
    expect(screen.getByRole('button', { name: 'Ask 65,001 USD, 0.10 BTC, total 0.10 BTC: use this price' })).toBeInTheDocument();
    expect(screen.getAllByText(/^● /)).toHaveLength(1);

    await user.click(screen.getByRole('combobox', { name: 'Grouping' }));
    await user.click(screen.getByRole('option', { name: '10' }));
    expect(screen.getByRole('button', { name: 'Ask 65,010 USD, 1.00 BTC, total 1.00 BTC, yours 0.30 BTC: use this price' })).toBeInTheDocument();
  });

  it('draws the depth chart on the toggle, and comes back to the book', async () => {
    const user = userEvent.setup({ delay: null });
    const { container } = renderWithStore(<OrderBookPanel market={btcUsd} book={book} onPickPrice={() => undefined} />);

    await user.click(screen.getByRole('button', { name: 'Depth' }));
    expect(screen.queryByRole('list', { name: 'Asks' })).not.toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'Depth chart: 3.00 BTC bid down to 64,970 USD; 3.00 BTC asked up to 65,030 USD.' })).toBeInTheDocument();
    // Two step areas, each with a corner pair per level: 30 levels make 60 corners, then the edge and the baseline.
    const paths = [...container.querySelectorAll('svg[role="img"] path')].map((p) => p.getAttribute('d') ?? '');
    expect(paths).toHaveLength(2);
    for (const d of paths) expect(d.match(/[ML]/g)).toHaveLength(62);
    // 64,970–65,030 over 300 units: the best bid 64,999 rises from the baseline at 145, the best ask 65,001
    // at 155; both sides reach the top (3 BTC, the larger total) and run flat to their edge.
    expect(paths[0]).toMatch(/^M145\.0,304\.0 L145\.0,294\.5 L140\.0,294\.5 /);
    expect(paths[0]).toMatch(/ L0\.0,18\.0 L0,18\.0 L0,304 Z$/);
    expect(paths[1]).toMatch(/^M155\.0,304\.0 L155\.0,294\.5 L160\.0,294\.5 /);
    expect(paths[1]).toMatch(/ L300\.0,18\.0 L300,18\.0 L300,304 Z$/);

    await user.click(screen.getByRole('button', { name: 'Book' }));
    expect(screen.getByRole('list', { name: 'Asks' })).toBeInTheDocument();
  });

  it('says when the book is empty, and shows a spinner while the first snapshot is on its way', () => {
    const { rerender } = renderWithStore(<OrderBookPanel market={btcUsd} book={{ ...liveBook([], []), status: 'syncing', sequence: null }} onPickPrice={() => undefined} />);
    expect(screen.getByRole('progressbar', { name: 'Loading the order book' })).toBeInTheDocument();
    rerender(<OrderBookPanel market={btcUsd} book={liveBook([], [])} onPickPrice={() => undefined} />);
    expect(screen.getByText('No orders in the book.')).toBeInTheDocument();
  });
});

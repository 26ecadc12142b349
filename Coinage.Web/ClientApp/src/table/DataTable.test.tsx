import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { GridColDef } from '@mui/x-data-grid';
import { describe, expect, it } from 'vitest';
import { amountColumn, sideColumn, timeColumn } from './columns';
import { type CursorPage, useCursorPages } from './cursorPages';
import { DataTable } from './DataTable';

interface Row {
  id: string;
  side: 'buy' | 'sell';
  amount: string;
  at: string;
}

const columns: GridColDef<Row>[] = [
  timeColumn('at', 'Time', (r) => r.at),
  sideColumn('side', (r) => r.side),
  amountColumn('amount', 'Amount', (r) => r.amount, () => 2),
  { field: 'id', headerName: 'Row id' },
];

/** Three pages of the "API": cursor → page, as the server hands them out (newest first). */
const api: Record<string, CursorPage<Row>> = {
  first: {
    items: [
      { id: 'a', side: 'buy', amount: '9.5', at: '2026-11-24T10:00:00Z' },
      { id: 'b', side: 'sell', amount: '12000', at: '2026-11-24T09:00:00Z' },
      { id: 'c', side: 'buy', amount: '100.25', at: '2026-11-24T08:00:00Z' },
    ],
    nextCursor: 'c',
  },
  c: { items: [{ id: 'd', side: 'sell', amount: '1', at: '2026-11-23T08:00:00Z' }], nextCursor: null },
};

function Harness({ error }: { error?: boolean }) {
  const pages = useCursorPages();
  const data = api[pages.cursor ?? 'first'];
  return (
    <DataTable
      list="test.rows"
      label="Rows"
      what="the rows"
      columns={columns}
      hiddenColumns={['id']}
      getRowId={(r) => r.id}
      result={error ? { isLoading: false, isFetching: false, error: { status: 500, title: 'The server failed' }, refetch: () => undefined } : { data, isLoading: false, isFetching: false, refetch: () => undefined }}
      pages={pages}
      pageSize={3}
      emptyText="Nothing here."
    />
  );
}

const amounts = () =>
  within(screen.getByRole('grid', { name: 'Rows' }))
    .getAllByRole('row')
    .slice(1)
    .map((row) => within(row).getAllByRole('gridcell')[2]?.textContent);

describe('the shared data table', { timeout: 30_000 }, () => {
  it('formats amounts, colours sides and sorts the page it shows, as decimals', async () => {
    const user = userEvent.setup();
    render(<Harness />);
    expect(amounts()).toEqual(['9.50', '12,000.00', '100.25']);
    expect(screen.getAllByText('Buy')[0]).toHaveStyle({ fontWeight: 500 });
    expect(screen.getByText('Newest first. Sorting a column orders the rows of one page, starting again from the first.')).toBeInTheDocument();

    await user.click(screen.getByRole('columnheader', { name: /^Amount/ }));
    await waitFor(() => expect(amounts()).toEqual(['9.50', '100.25', '12,000.00']));
    await user.click(screen.getByRole('columnheader', { name: /^Amount/ }));
    await waitFor(() => expect(amounts()).toEqual(['12,000.00', '100.25', '9.50']));
  });

  it('pages by cursor: next follows the page’s cursor, previous goes back, and the total shows once known', async () => {
    const user = userEvent.setup();
    render(<Harness />);
    expect(screen.getByText('1–3 of more than 3')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Go to previous page' })).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Go to next page' }));
    await waitFor(() => expect(amounts()).toEqual(['1.00']));
    expect(screen.getByText('4–4 of 4')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Go to next page' })).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Go to previous page' }));
    await waitFor(() => expect(amounts()).toEqual(['9.50', '12,000.00', '100.25']));
  });

  it('remembers the column choice and density of the list in this browser', async () => {
    const user = userEvent.setup();
    const first = render(<Harness />);
    expect(screen.queryByRole('columnheader', { name: 'Row id' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Columns' }));
    await user.click(await screen.findByRole('checkbox', { name: 'Row id' }));
    await user.click(screen.getByRole('checkbox', { name: 'Side' }));
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.getByRole('columnheader', { name: 'Row id' })).toBeInTheDocument());
    expect(screen.queryByRole('columnheader', { name: 'Side' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Density' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Comfortable' }));
    expect(JSON.parse(window.localStorage.getItem('coinage.table.test.rows') ?? '{}')).toEqual({
      columns: { id: true, side: false },
      density: 'comfortable',
    });

    first.unmount();
    render(<Harness />);
    expect(screen.getByRole('columnheader', { name: 'Row id' })).toBeInTheDocument();
    expect(screen.queryByRole('columnheader', { name: 'Side' })).not.toBeInTheDocument();
    expect(screen.getByRole('grid', { name: 'Rows' }).closest('.MuiDataGrid-root')).toHaveClass('MuiDataGrid-root--densityComfortable');
  });

  it('says why the list could not load, with a retry', () => {
    render(<Harness error />);
    expect(screen.getByText('The server failed')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
    expect(screen.queryByRole('grid')).not.toBeInTheDocument();
  });
});

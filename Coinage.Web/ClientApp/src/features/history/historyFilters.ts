import type { HistoryFilter } from './historyApi';

export type HistoryView = 'orders' | 'fills';

/** The history's filters as they stand in the URL's query string, so a filtered history can be shared or bookmarked. */
export interface HistoryQuery {
  view: HistoryView;
  /** Order id or client order id (orders only). */
  q: string;
  market: string;
  side: string;
  /** Orders only. */
  status: string;
  /** Fills only. */
  liquidity: string;
  /** Days, `YYYY-MM-DD`, both included, in the user's time zone. */
  from: string;
  to: string;
}

const keys = ['q', 'market', 'side', 'status', 'liquidity', 'from', 'to'] as const;
const day = /^\d{4}-\d{2}-\d{2}$/;

export function readHistoryQuery(params: URLSearchParams): HistoryQuery {
  const view = params.get('view') === 'fills' ? 'fills' : 'orders';
  const value = (key: (typeof keys)[number]) => params.get(key)?.trim() ?? '';
  return { view, q: value('q'), market: value('market').toUpperCase(), side: value('side'), status: value('status'), liquidity: value('liquidity'), from: value('from'), to: value('to') };
}

/** The URL's query string for `query`: empty filters are left out, and the view only when it is not the default. */
export function writeHistoryQuery(query: HistoryQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.view === 'fills') params.set('view', 'fills');
  for (const key of keys) {
    if (query[key] !== '' && appliesTo(key, query.view)) params.set(key, query[key]);
  }
  return params;
}

function appliesTo(key: (typeof keys)[number], view: HistoryView): boolean {
  if (key === 'q' || key === 'status') return view === 'orders';
  if (key === 'liquidity') return view === 'fills';
  return true;
}

/** Local midnight of a `YYYY-MM-DD` day as an instant; undefined for anything else. */
function startOfDay(value: string, plusDays = 0): string | undefined {
  if (!day.test(value)) return undefined;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(y, m - 1, d + plusDays);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * The API's filters for the view. "To" is inclusive for the user (the whole day), exclusive for the API (`to` is
 * the next local midnight). Values the API would refuse are passed as they are: its problem details name the field.
 */
export function toApiFilter(query: HistoryQuery): HistoryFilter {
  const from = query.from === '' ? undefined : (startOfDay(query.from) ?? query.from);
  const to = query.to === '' ? undefined : (startOfDay(query.to, 1) ?? query.to);
  return {
    ...(query.view === 'orders' && query.q !== '' && { q: query.q }),
    ...(query.market !== '' && { market: query.market }),
    ...(query.side !== '' && { side: query.side }),
    ...(query.view === 'orders' && query.status !== '' && { status: query.status }),
    ...(query.view === 'fills' && query.liquidity !== '' && { liquidity: query.liquidity }),
    ...(from !== undefined && { from }),
    ...(to !== undefined && { to }),
  };
}

/** The dates' error in words, before asking the API. */
export function dateRangeError(query: HistoryQuery): string | undefined {
  if (query.from !== '' && !day.test(query.from)) return 'A date such as 2026-11-24.';
  if (query.to !== '' && !day.test(query.to)) return 'A date such as 2026-11-24.';
  return query.from !== '' && query.to !== '' && query.to < query.from ? 'Must not be before “From”.' : undefined;
}

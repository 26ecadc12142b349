import { coinageApi } from '../../api/coinageApi';
import type { Amount } from '../../money/money';

/** `HoldingResponse`: price and value are null while no market prices the asset in the quote. */
export interface Holding {
  asset: string;
  amount: Amount;
  price: Amount | null;
  value: Amount | null;
}

/** `GET /api/v1/portfolio?quote=`: the holdings (available plus held) valued at the last trade prices. */
export interface Portfolio {
  quote: string;
  value: Amount;
  holdings: Holding[];
  asOf: string;
}

/** One UTC day's closing value (today's: now); `unpriced` names what was held but had no price yet. */
export interface PortfolioPoint {
  date: string;
  value: Amount;
  unpriced: string[];
}

export interface PortfolioHistory {
  quote: string;
  points: PortfolioPoint[];
}

/** The portfolio, valued by the API from the ledger and the trades (docs/frontend.md, "Home"). */
export const portfolioApi = coinageApi.enhanceEndpoints({ addTagTypes: ['Portfolio'] }).injectEndpoints({
  endpoints: (build) => ({
    getPortfolio: build.query<Portfolio, string>({
      query: (quote) => ({ url: '/api/v1/portfolio', params: { quote } }),
      providesTags: ['Portfolio'],
    }),
    getPortfolioHistory: build.query<PortfolioHistory, { quote: string; days: number }>({
      query: ({ quote, days }) => ({ url: '/api/v1/portfolio/history', params: { quote, days } }),
      providesTags: ['Portfolio'],
    }),
  }),
});

export const { useGetPortfolioQuery, useGetPortfolioHistoryQuery } = portfolioApi;

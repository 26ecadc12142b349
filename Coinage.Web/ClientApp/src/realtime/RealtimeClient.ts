import type { Dispatch, UnknownAction } from '@reduxjs/toolkit';
import type { AuthState } from '../features/auth/authSlice';
import { tradingApi } from '../features/trade/tradingApi';
import { walletApi } from '../features/wallet/walletApi';
import { type ConnectionStatus, connectionChanged } from './connectionSlice';
import type { BalanceMessage, BookSnapshot, BookUpdate, FillMessage, FundingMessage, MarketStatusMessage, OrderUpdate, Ticker, TradesMessage } from './types';

/** The part of `@microsoft/signalr`'s HubConnection the client uses (tests pass a fake). */
export interface HubConnectionLike {
  start(): Promise<void>;
  stop(): Promise<void>;
  invoke<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  on(method: string, handler: (...args: never[]) => void): void;
  onreconnecting(callback: (error?: Error) => void): void;
  onreconnected(callback: (connectionId?: string) => void): void;
  onclose(callback: (error?: Error) => void): void;
}

/** Builds a connection that asks `accessToken` for the token on every (re)connect. */
export type HubConnectionFactory = (accessToken: () => string) => HubConnectionLike;

export interface MarketHandlers {
  /** A fresh snapshot was requested: updates that arrive until it lands must be buffered. */
  onResync?: () => void;
  onSnapshot?: (snapshot: BookSnapshot) => void;
  onBookUpdate?: (update: BookUpdate) => void;
  onTrades?: (message: TradesMessage) => void;
  onTicker?: (ticker: Ticker) => void;
}

export interface PrivateHandlers {
  orderUpdate: (update: OrderUpdate) => void;
  fill: (fill: FillMessage) => void;
  balance: (balance: BalanceMessage) => void;
  fundingUpdate: (update: FundingMessage) => void;
}

interface StoreLike {
  dispatch: Dispatch<UnknownAction>;
  getState: () => { auth: AuthState };
  subscribe: (listener: () => void) => () => void;
}

/** What a funding change can make stale; balances are not among them (the `balance` event carries them). */
const fundingTags = ['Withdrawals', 'Deposits', 'Ledger'] as const;

/** After the last subscriber leaves, the socket stays this long: moving from page to page keeps it. */
const idleCloseMs = 3_000;
/** Delays between reconnect attempts; the last one repeats forever (a trading page never gives up). */
export const retryDelaysMs = [0, 2_000, 5_000, 10_000, 30_000] as const;

export function retryDelay(attempt: number): number {
  return retryDelaysMs[Math.min(attempt, retryDelaysMs.length - 1)]!;
}

/**
 * The app's one connection to the market hub (contract A). It opens when a page subscribes and
 * closes when none is left; the token comes from the auth slice on every (re)connect, and a change
 * of user (sign-in, sign-out) reconnects so the hub joins the right private group. After a reconnect
 * every market is re-subscribed (fresh snapshots) and REST state that may have missed events is
 * refetched through RTK Query tag invalidation.
 */
export class RealtimeClient {
  private connection: HubConnectionLike | null = null;
  private readonly markets = new Map<string, Set<MarketHandlers>>();
  private readonly privateHandlers = new Set<Partial<PrivateHandlers>>();
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private status: ConnectionStatus = 'idle';
  private connectedAs: string | null = null;
  private unsubscribeStore: (() => void) | null = null;

  /**
   * `onServerClosed` runs when the server ends a signed-in connection: it does so when the session is
   * revoked (sign-out elsewhere, a password change, an Admin lock), so the app checks its session at
   * once instead of at the next API call.
   */
  constructor(
    private readonly store: StoreLike,
    private readonly factory: HubConnectionFactory,
    private readonly onServerClosed: () => void = () => undefined,
  ) {}

  /** Joins a market's group; returns what leaves it. */
  subscribeMarket(symbol: string, handlers: MarketHandlers): () => void {
    let set = this.markets.get(symbol);
    if (!set) {
      set = new Set();
      this.markets.set(symbol, set);
    }
    set.add(handlers);
    this.ensureOpen();
    if (this.status === 'connected') {
      // Joining needs SubscribeMarket, and so does a subscriber that keeps a book; its snapshot goes to
      // every subscriber of the market, which re-base on it. A tape joining a joined market needs neither.
      if (set.size === 1 || handlers.onSnapshot) void this.resync(symbol);
    } else {
      handlers.onResync?.();
    }
    return () => {
      const current = this.markets.get(symbol);
      if (!current?.delete(handlers)) return;
      if (current.size === 0) {
        this.markets.delete(symbol);
        if (this.status === 'connected') {
          this.connection?.invoke('UnsubscribeMarket', symbol).catch(() => undefined);
        }
      }
      this.closeWhenIdle();
    };
  }

  /** Listens to the signed-in user's order, fill, balance and funding events. */
  subscribePrivate(handlers: Partial<PrivateHandlers>): () => void {
    this.privateHandlers.add(handlers);
    this.ensureOpen();
    return () => {
      this.privateHandlers.delete(handlers);
      this.closeWhenIdle();
    };
  }

  /** Asks for a fresh snapshot of `symbol` (after a sequence gap); updates are buffered meanwhile. */
  async resync(symbol: string): Promise<void> {
    const handlers = this.markets.get(symbol);
    if (!handlers || !this.connection || this.status !== 'connected') return;
    handlers.forEach((h) => h.onResync?.());
    const connection = this.connection;
    try {
      const snapshot = await connection.invoke<BookSnapshot>('SubscribeMarket', symbol);
      if (connection === this.connection) {
        this.markets.get(symbol)?.forEach((h) => h.onSnapshot?.(snapshot));
      }
    } catch {
      // An unknown market or a dropped socket: the page shows no book; a reconnect subscribes again.
    }
  }

  private get wanted(): boolean {
    return this.markets.size > 0 || this.privateHandlers.size > 0;
  }

  private setStatus(status: ConnectionStatus) {
    this.status = status;
    this.store.dispatch(connectionChanged(status));
  }

  private ensureOpen() {
    if (this.idleTimer !== null) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    if (this.connection) return;
    this.unsubscribeStore ??= this.store.subscribe(() => this.onStoreChange());
    this.open();
  }

  private identity(): string | null {
    const auth = this.store.getState().auth;
    return auth.status === 'signedIn' && auth.claims ? `${auth.claims.userId}/${auth.claims.sessionId ?? ''}` : null;
  }

  private open() {
    this.connectedAs = this.identity();
    const connection = this.factory(() => this.store.getState().auth.accessToken ?? '');
    this.connection = connection;
    connection.on('bookUpdate', (update: BookUpdate) => this.markets.get(update.market)?.forEach((h) => h.onBookUpdate?.(update)));
    connection.on('trades', (message: TradesMessage) => this.markets.get(message.market)?.forEach((h) => h.onTrades?.(message)));
    connection.on('ticker', (ticker: Ticker) => this.onTicker(ticker));
    connection.on('marketStatus', (message: MarketStatusMessage) => this.onMarketStatus(message));
    connection.on('orderUpdate', (update: OrderUpdate) => this.onOrderUpdate(update));
    connection.on('fill', (fill: FillMessage) => this.onFill(fill));
    connection.on('balance', (balance: BalanceMessage) => this.onBalance(balance));
    connection.on('fundingUpdate', (update: FundingMessage) => this.onFundingUpdate(update));
    connection.onreconnecting(() => {
      if (connection === this.connection) this.setStatus('reconnecting');
    });
    connection.onreconnected(() => {
      if (connection === this.connection) this.onConnected(true);
    });
    connection.onclose(() => {
      // Closed for good (stopped, or the server ended it): come back if a page still needs the socket.
      if (connection === this.connection) {
        this.connection = null;
        // Not our stop (that forgets the connection first): the server ended it, perhaps with the session.
        if (this.identity() !== null) this.onServerClosed();
        if (this.wanted) {
          this.setStatus('reconnecting');
          this.scheduleRetry();
        } else {
          this.setStatus('idle');
        }
      }
    });
    this.setStatus(this.status === 'reconnecting' ? 'reconnecting' : 'connecting');
    connection.start().then(
      () => {
        if (connection === this.connection) this.onConnected(this.attempt > 0);
      },
      () => {
        if (connection === this.connection) {
          this.connection = null;
          this.setStatus('reconnecting');
          this.scheduleRetry();
        }
      },
    );
  }

  private scheduleRetry() {
    if (this.retryTimer !== null || !this.wanted) return;
    const delay = retryDelay(this.attempt);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.wanted && !this.connection) this.open();
    }, delay);
  }

  private onConnected(afterLoss: boolean) {
    this.attempt = 0;
    this.setStatus('connected');
    for (const symbol of this.markets.keys()) {
      void this.resync(symbol);
    }
    if (afterLoss) {
      // Events sent while the socket was down are gone (a market's status among them): the REST state is the truth again.
      this.store.dispatch(tradingApi.util.invalidateTags(['Orders', 'Fills', 'Balances', 'Tickers', 'Markets']));
      this.store.dispatch(walletApi.util.invalidateTags([...fundingTags]));
    }
  }

  private onStoreChange() {
    if (this.connection && this.identity() !== this.connectedAs) {
      // Another user (or none): the hub decides the private group at connect time, so connect again.
      const old = this.connection;
      this.connection = null;
      void old.stop().catch(() => undefined);
      if (this.wanted) this.open();
    }
  }

  private closeWhenIdle() {
    if (this.wanted || this.idleTimer !== null) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (!this.wanted) this.close();
    }, idleCloseMs);
  }

  /** Closes the socket now (the app unmounting, a test ending). */
  close() {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.retryTimer = null;
    this.idleTimer = null;
    this.attempt = 0;
    this.unsubscribeStore?.();
    this.unsubscribeStore = null;
    const old = this.connection;
    this.connection = null;
    if (old) void old.stop().catch(() => undefined);
    if (this.status !== 'idle') this.setStatus('idle');
  }

  private onTicker(ticker: Ticker) {
    // The REST tickers are the base; a live ticker replaces its market's row in place.
    this.store.dispatch(
      tradingApi.util.updateQueryData('getTickers', undefined, (draft) => {
        const index = draft.findIndex((t) => t.symbol === ticker.symbol);
        if (index >= 0) draft[index] = ticker;
        else draft.push(ticker);
      }) as unknown as UnknownAction,
    );
    this.markets.get(ticker.symbol)?.forEach((h) => h.onTicker?.(ticker));
  }

  /** A halt, cancel-only or reopening: the markets cache takes it in place, so the ticket follows at once. */
  private onMarketStatus(message: MarketStatusMessage) {
    this.store.dispatch(
      tradingApi.util.updateQueryData('getMarkets', undefined, (draft) => {
        const market = draft.find((m) => m.symbol === message.market);
        if (market) Object.assign(market, { status: message.status, statusSource: message.source, statusUntil: message.until, statusSince: message.at });
      }) as unknown as UnknownAction,
    );
  }

  private onOrderUpdate(update: OrderUpdate) {
    this.store.dispatch(tradingApi.util.invalidateTags(['Orders']));
    this.privateHandlers.forEach((h) => h.orderUpdate?.(update));
  }

  private onFill(fill: FillMessage) {
    this.store.dispatch(tradingApi.util.invalidateTags(['Fills']));
    this.privateHandlers.forEach((h) => h.fill?.(fill));
  }

  /**
   * A deposit or withdrawal moved on (the rail sent it, an Admin decided, the user confirmed it in another tab):
   * the wallet's lists refetch, so a completed withdrawal loses its "Processing" and its Cancel button at once.
   * The balance it changed arrives as its own event and is patched in place.
   */
  private onFundingUpdate(update: FundingMessage) {
    this.store.dispatch(walletApi.util.invalidateTags([...fundingTags]));
    this.privateHandlers.forEach((h) => h.fundingUpdate?.(update));
  }

  /** Both balance lists (the trade page's and the wallet's) take the new figures in place, without a refetch. */
  private onBalance(balance: BalanceMessage) {
    const patch = (draft: BalanceMessage[]) => {
      const index = draft.findIndex((b) => b.asset === balance.asset);
      if (index >= 0) draft[index] = balance;
      else draft.push(balance);
    };
    this.store.dispatch(tradingApi.util.updateQueryData('getTradingBalances', undefined, patch) as unknown as UnknownAction);
    this.store.dispatch(walletApi.util.updateQueryData('getBalances', undefined, patch) as unknown as UnknownAction);
    this.privateHandlers.forEach((h) => h.balance?.(balance));
  }
}

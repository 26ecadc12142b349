import type { HubConnectionFactory, HubConnectionLike } from '../realtime/RealtimeClient';
import type { BookSnapshot } from '../realtime/types';

/**
 * A market hub in memory: records invocations, answers SubscribeMarket with the snapshot set for the
 * market, and lets a test push server messages and drop/restore the socket.
 */
export class FakeHub implements HubConnectionLike {
  readonly invocations: { method: string; args: unknown[] }[] = [];
  readonly tokens: string[] = [];
  started = false;
  stopped = false;
  private readonly handlers = new Map<string, ((...args: never[]) => void)[]>();
  private reconnecting: ((error?: Error) => void)[] = [];
  private reconnected: ((id?: string) => void)[] = [];
  private closed: ((error?: Error) => void)[] = [];

  constructor(
    private readonly snapshots: Map<string, BookSnapshot>,
    private readonly accessToken: () => string,
  ) {}

  start(): Promise<void> {
    this.tokens.push(this.accessToken());
    this.started = true;
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.closed.forEach((c) => c());
    return Promise.resolve();
  }

  invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    this.invocations.push({ method, args });
    if (method === 'SubscribeMarket') {
      const snapshot = this.snapshots.get(args[0] as string);
      return snapshot ? Promise.resolve(structuredClone(snapshot) as T) : Promise.reject(new Error('unknown_market'));
    }
    return Promise.resolve(undefined as T);
  }

  on(method: string, handler: (...args: never[]) => void): void {
    this.handlers.set(method, [...(this.handlers.get(method) ?? []), handler]);
  }

  onreconnecting(callback: (error?: Error) => void): void {
    this.reconnecting.push(callback);
  }

  onreconnected(callback: (id?: string) => void): void {
    this.reconnected.push(callback);
  }

  onclose(callback: (error?: Error) => void): void {
    this.closed.push(callback);
  }

  /** A server → client message. */
  emit(method: string, payload: unknown): void {
    (this.handlers.get(method) ?? []).forEach((h) => (h as (p: unknown) => void)(payload));
  }

  /** The server ended the connection (as it does for a revoked session); SignalR does not retry by itself. */
  endFromServer(): void {
    this.closed.forEach((c) => c(new Error('Server closed the connection')));
  }

  /** The socket dropped; SignalR is retrying. */
  drop(): void {
    this.reconnecting.forEach((c) => c(new Error('socket closed')));
  }

  /** The retry succeeded (a new connection id: the hub's groups are gone). */
  restore(): void {
    this.tokens.push(this.accessToken());
    this.reconnected.forEach((c) => c('new-id'));
  }

  subscriptions(): string[] {
    return this.invocations.filter((i) => i.method === 'SubscribeMarket').map((i) => i.args[0] as string);
  }
}

/** A factory for makeStore that keeps every hub it builds; `hubs.at(-1)` is the live one. */
export function fakeHubs(snapshots: BookSnapshot[] = []) {
  const bySymbol = new Map(snapshots.map((s) => [s.market, s]));
  const hubs: FakeHub[] = [];
  const factory: HubConnectionFactory = (accessToken) => {
    const hub = new FakeHub(bySymbol, accessToken);
    hubs.push(hub);
    return hub;
  };
  return { hubs, factory, current: () => hubs.at(-1)! };
}

import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { type HubConnectionLike, retryDelay } from './RealtimeClient';

/** Same origin: Coinage.Web (and Vite's dev server) forward /hubs to the ApiService, WebSockets included. */
export const marketHubPath = '/hubs/market';

/** The real connection: JSON protocol, automatic reconnect that never gives up. */
export function createHubConnection(accessToken: () => string): HubConnectionLike {
  return new HubConnectionBuilder()
    .withUrl(marketHubPath, { accessTokenFactory: accessToken })
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (context) => retryDelay(context.previousRetryCount) })
    .configureLogging(LogLevel.Warning)
    .build();
}

using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Coinage.ApiService.MarketData;

/// <summary>
/// The hub connections of THIS replica and what they follow. The relay hands every market-data event to
/// the local connections only, so with N replicas (each receiving every Redis event) a client still gets
/// each event exactly once, in publication order. Each connection has its own bounded queue: a slow client
/// cannot hold up the others, and one that falls too far behind is disconnected (it reconnects and resyncs).
/// </summary>
public sealed partial class MarketSubscribers(IHubContext<MarketHub> hub, IOptions<MarketDataApiOptions> options, ILogger<MarketSubscribers> logger)
{
    private sealed class Connection(string id, Guid? user, Guid? session, HubCallerContext context, int queueLimit)
    {
        public string Id => id;

        public Guid? User => user;

        /// <summary>The sign-in session of the access token the connection opened with.</summary>
        public Guid? Session => session;

        public HubCallerContext Context => context;

        public HashSet<string> Markets { get; } = new(StringComparer.Ordinal);

        public Channel<(string Method, object Payload)> Queue { get; } = Channel.CreateBounded<(string, object)>(
            new BoundedChannelOptions(queueLimit) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    private readonly ConcurrentDictionary<string, Connection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Connection>> _markets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, Connection>> _users = new();

    /// <summary>Markets at least one local connection follows.</summary>
    public IReadOnlyCollection<string> Markets => _markets.Where(m => !m.Value.IsEmpty).Select(m => m.Key).ToList();

    public bool IsFollowed(string symbol) => _markets.TryGetValue(symbol, out var connections) && !connections.IsEmpty;

    public bool HasUser(Guid user) => _users.TryGetValue(user, out var connections) && !connections.IsEmpty;

    public void Connect(HubCallerContext context, Guid? user, Guid? session)
    {
        var connection = new Connection(context.ConnectionId, user, session, context, Math.Max(16, options.Value.ConnectionQueueLimit));
        _connections[connection.Id] = connection;
        if (user is { } u)
        {
            _users.GetOrAdd(u, _ => new(StringComparer.Ordinal))[connection.Id] = connection;
        }
        _ = PumpAsync(connection);
    }

    /// <summary>Closes this replica's connections opened with a token of one of these sessions; returns how many.</summary>
    public int AbortSessions(IReadOnlySet<Guid> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var aborted = 0;
        foreach (var connection in _connections.Values)
        {
            if (connection.Session is { } session && sessions.Contains(session))
            {
                connection.Context.Abort();
                aborted++;
            }
        }
        return aborted;
    }

    public void Disconnect(string connectionId)
    {
        if (!_connections.TryRemove(connectionId, out var connection))
        {
            return;
        }
        lock (connection.Markets)
        {
            foreach (var market in connection.Markets)
            {
                Leave(_markets, market, connectionId);
            }
            connection.Markets.Clear();
        }
        if (connection.User is { } user)
        {
            Leave(_users, user, connectionId);
        }
        connection.Queue.Writer.TryComplete();
    }

    /// <summary>False when the connection already follows the most markets it may.</summary>
    public bool Subscribe(string connectionId, string symbol)
    {
        if (!_connections.TryGetValue(connectionId, out var connection))
        {
            return false;
        }
        lock (connection.Markets)
        {
            if (!connection.Markets.Contains(symbol) && connection.Markets.Count >= options.Value.MaxSubscriptionsPerConnection)
            {
                return false;
            }
            connection.Markets.Add(symbol);
            _markets.GetOrAdd(symbol, _ => new(StringComparer.Ordinal))[connectionId] = connection;
        }
        return true;
    }

    public void Unsubscribe(string connectionId, string symbol)
    {
        if (!_connections.TryGetValue(connectionId, out var connection))
        {
            return;
        }
        lock (connection.Markets)
        {
            connection.Markets.Remove(symbol);
            Leave(_markets, symbol, connectionId);
        }
    }

    public void SendToMarket(string symbol, string method, object payload)
    {
        if (_markets.TryGetValue(symbol, out var connections))
        {
            foreach (var connection in connections.Values)
            {
                Enqueue(connection, method, payload);
            }
        }
    }

    public void SendToUser(Guid user, string method, object payload)
    {
        if (_users.TryGetValue(user, out var connections))
        {
            foreach (var connection in connections.Values)
            {
                Enqueue(connection, method, payload);
            }
        }
    }

    /// <summary>Sends to one connection behind whatever is already queued for it (keeps its order).</summary>
    public void SendToConnection(string connectionId, string method, object payload)
    {
        if (_connections.TryGetValue(connectionId, out var connection))
        {
            Enqueue(connection, method, payload);
        }
    }

    private void Enqueue(Connection connection, string method, object payload)
    {
        // A client this far behind would only see a gap later: drop it now (once); it reconnects and starts from a snapshot.
        if (!connection.Queue.Writer.TryWrite((method, payload)) && connection.Queue.Writer.TryComplete())
        {
            LogSlowConnection(connection.Id);
            connection.Context.Abort();
        }
    }

    private async Task PumpAsync(Connection connection)
    {
        await Task.Yield();
        try
        {
            // SendAsync to a connection of this replica writes to its socket directly (the Redis backplane
            // only forwards messages for connections held by other replicas).
            var client = hub.Clients.Client(connection.Id);
            await foreach (var (method, payload) in connection.Queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                await client.SendAsync(method, payload, connection.Context.ConnectionAborted).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            LogSendFailed(ex, connection.Id);
        }
    }

    private static void Leave<TKey>(ConcurrentDictionary<TKey, ConcurrentDictionary<string, Connection>> index, TKey key, string connectionId)
        where TKey : notnull
    {
        if (index.TryGetValue(key, out var connections))
        {
            connections.TryRemove(connectionId, out _);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub connection {ConnectionId} fell too far behind the market data and was disconnected")]
    private partial void LogSlowConnection(string connectionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stopped sending market data to hub connection {ConnectionId}")]
    private partial void LogSendFailed(Exception exception, string connectionId);
}

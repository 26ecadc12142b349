using System.Collections.Concurrent;
using System.Text.Json;
using Coinage.Domain.MarketData;

namespace Coinage.ApiService.Streaming;

/// <summary>
/// The <c>/ws/v1</c> connections of THIS replica, indexed by topic (<c>book:BTC-USD</c>, <c>candles:BTC-USD:1m</c>)
/// and by user. <see cref="MarketData.MarketDataRelay"/> hands it every Worker message, as it does the hub's
/// subscribers: each replica delivers to its own sockets, so a client gets each event once, in publication order.
/// A message is serialized once and the same bytes are queued for every follower.
/// </summary>
public sealed class StreamSubscribers(TimeProvider clock)
{
    private readonly ConcurrentDictionary<StreamConnection, byte> _connections = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<StreamConnection, byte>> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<StreamConnection, byte>> _users = new();

    /// <summary>When each market last traded, for <see cref="StreamCandles"/>.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _traded = new(StringComparer.Ordinal);

    public int Count => _connections.Count;

    public void Add(StreamConnection connection) => _connections[connection] = 0;

    public void Remove(StreamConnection connection)
    {
        _connections.TryRemove(connection, out _);
        foreach (var topic in connection.Topics)
        {
            Leave(_topics, topic, connection);
        }
        if (connection.User is { } user)
        {
            Leave(_users, user, connection);
        }
    }

    public void Follow(StreamConnection connection, string topic)
    {
        connection.AddTopic(topic);
        _topics.GetOrAdd(topic, _ => new())[connection] = 0;
    }

    public void Unfollow(StreamConnection connection, string topic)
    {
        connection.RemoveTopic(topic);
        Leave(_topics, topic, connection);
    }

    /// <summary>Routes the user's private events to the connection (it receives those of the channels it subscribes to).</summary>
    public void SignIn(StreamConnection connection, Guid user, Guid? previous)
    {
        if (previous is { } old && old != user)
        {
            Leave(_users, old, connection);
        }
        _users.GetOrAdd(user, _ => new())[connection] = 0;
    }

    public bool IsFollowed(string topic) => _topics.TryGetValue(topic, out var followers) && !followers.IsEmpty;

    /// <summary>Followed topics of one channel, e.g. every <c>candles:…</c> key.</summary>
    public IReadOnlyList<string> Followed(string channel) =>
        _topics.Where(t => !t.Value.IsEmpty && (t.Key == channel || t.Key.StartsWith(channel + ":", StringComparison.Ordinal))).Select(t => t.Key).ToList();

    /// <summary>Markets whose ticker someone follows.</summary>
    public IEnumerable<string> TickerMarkets => Followed(StreamChannels.Ticker).Select(t => t[(StreamChannels.Ticker.Length + 1)..]);

    public DateTimeOffset? LastTraded(string market) => _traded.TryGetValue(market, out var at) ? at : null;

    public void Publish(string topic, Outgoing item)
    {
        if (_topics.TryGetValue(topic, out var followers))
        {
            foreach (var connection in followers.Keys)
            {
                connection.Enqueue(item);
            }
        }
    }

    /// <summary>A Worker <see cref="BookUpdate"/>; updates without an update number (a Worker older than the feed) are not for it.</summary>
    public void OnBookUpdate(string market, JsonElement message)
    {
        var topic = StreamChannels.Topic(StreamChannels.Book, market);
        if (!IsFollowed(topic))
        {
            return;
        }
        var update = message.Deserialize(StreamJson.Default.BookUpdate);
        if (update is not { Epoch: { } epoch, Update: { } number })
        {
            return;
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(
            new BookMessage("update", update.Market, epoch, number, update.Sequence, update.Bids, update.Asks, null), StreamJson.Default.BookMessage);
        Publish(topic, new Outgoing(OutgoingKind.BookUpdate, json, market, MarketDataJson.ParseSequence(epoch), MarketDataJson.ParseSequence(number)));
    }

    /// <summary>The market traded: its candles are due (<see cref="StreamCandles"/>).</summary>
    public void Traded(string market) => _traded[market] = clock.GetUtcNow();

    /// <summary>A Worker <see cref="TradesUpdate"/>.</summary>
    public void OnTrades(string market, JsonElement message)
    {
        var topic = StreamChannels.Topic(StreamChannels.Trades, market);
        if (IsFollowed(topic))
        {
            Publish(topic, Outgoing.Message(JsonSerializer.SerializeToUtf8Bytes(
                new MarketMessage("update", StreamChannels.Trades, market, message.GetProperty("trades")), StreamJson.Default.MarketMessage)));
        }
    }

    public void OnTicker(Ticker ticker)
    {
        var topic = StreamChannels.Topic(StreamChannels.Ticker, ticker.Symbol);
        if (IsFollowed(topic))
        {
            Publish(topic, Outgoing.Message(JsonSerializer.SerializeToUtf8Bytes(
                new MarketMessage("update", StreamChannels.Ticker, ticker.Symbol, JsonSerializer.SerializeToElement(ticker, StreamJson.Default.Ticker)),
                StreamJson.Default.MarketMessage)));
        }
    }

    /// <summary>A user's events (a JSON array of <c>{ event, data }</c>), each to that user's connections following its channel.</summary>
    public void OnUserEvents(Guid user, JsonElement events)
    {
        if (!_users.TryGetValue(user, out var connections) || connections.IsEmpty)
        {
            return;
        }
        foreach (var e in events.EnumerateArray())
        {
            if (StreamChannels.OfUserEvent(e.GetProperty("event").GetString()) is not { } channel)
            {
                continue;
            }
            var json = JsonSerializer.SerializeToUtf8Bytes(new PrivateMessage(channel, e.GetProperty("data")), StreamJson.Default.PrivateMessage);
            foreach (var connection in connections.Keys)
            {
                if (connection.Follows(channel))
                {
                    connection.Enqueue(Outgoing.Message(json));
                }
            }
        }
    }

    /// <summary>Closes (4001) this replica's connections signed in with a token of one of these sessions; returns how many.</summary>
    public int CloseSessions(IReadOnlySet<Guid> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var closed = 0;
        foreach (var connection in _connections.Keys)
        {
            if (connection.Session is { } session && sessions.Contains(session))
            {
                connection.Close(StreamCloseCodes.SessionRevoked, "session_revoked");
                closed++;
            }
        }
        return closed;
    }

    public bool HasUser(Guid user) => _users.TryGetValue(user, out var connections) && !connections.IsEmpty;

    private static void Leave<TKey>(ConcurrentDictionary<TKey, ConcurrentDictionary<StreamConnection, byte>> index, TKey key, StreamConnection connection)
        where TKey : notnull
    {
        if (index.TryGetValue(key, out var connections))
        {
            connections.TryRemove(connection, out _);
        }
    }
}

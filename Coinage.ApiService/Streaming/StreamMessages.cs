using System.Text.Json;
using System.Text.Json.Serialization;
using Coinage.ApiService.MarketData;
using Coinage.Domain.MarketData;

namespace Coinage.ApiService.Streaming;

// The messages of /ws/v1 (docs/websocket.md). Every server message starts with "type"; market messages
// name their "channel" and "market". Source-generated (StreamJson) so nothing is reflected per message.

/// <summary>A client's message: <c>op</c> is subscribe, unsubscribe, resync, auth or ping; <c>id</c> is echoed in the answer.</summary>
public sealed record StreamRequest(string? Op, JsonElement? Id, string[]? Channels, string[]? Markets, string? Interval, string? Token);

public sealed record AckMessage(
    [property: JsonPropertyOrder(-1)] string Type, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Id, IReadOnlyList<string> Channels,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Markets, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Interval);

public sealed record ErrorMessage([property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Id, string Code, string Reason, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field)
{
    [JsonPropertyOrder(-1)]
    public string Type => "error";
}

public sealed record AuthenticatedMessage([property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Id, string UserId, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ExpiresAt)
{
    [JsonPropertyOrder(-1)]
    public string Type => "authenticated";
}

public sealed record HeartbeatMessage(DateTimeOffset Time)
{
    [JsonPropertyOrder(-1)]
    public string Type => "heartbeat";
}

public sealed record PongMessage([property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Id, DateTimeOffset Time)
{
    [JsonPropertyOrder(-1)]
    public string Type => "pong";
}

/// <summary>
/// <c>type</c> "snapshot" or "update". <c>Sequence</c> goes up by exactly one per update within an <c>Epoch</c>;
/// <c>CommandSequence</c> is the hub's and the REST book's sequence (the last market command the book includes).
/// </summary>
public sealed record BookMessage(
    [property: JsonPropertyOrder(-1)] string Type, string Market, string Epoch, string Sequence, string CommandSequence,
    string[][] Bids, string[][] Asks, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? At)
{
    [JsonPropertyOrder(-1)]
    public string Channel => StreamChannels.Book;
}

/// <summary>ticker (data: a ticker) and trades (data: trades, oldest first).</summary>
public sealed record MarketMessage([property: JsonPropertyOrder(-1)] string Type, [property: JsonPropertyOrder(-1)] string Channel, string Market, JsonElement Data);

public sealed record CandleMessage([property: JsonPropertyOrder(-1)] string Type, string Market, string Interval, Candle Data)
{
    [JsonPropertyOrder(-1)]
    public string Channel => StreamChannels.Candles;
}

/// <summary>orders, fills and balances: the hub's orderUpdate, fill and balance payloads as they are.</summary>
public sealed record PrivateMessage([property: JsonPropertyOrder(-1)] string Channel, JsonElement Data)
{
    [JsonPropertyOrder(-1)]
    public string Type => "update";
}

// Nulls are written (a ticker's prices are null before the first trade); the optional fields of the feed's own messages say otherwise.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StreamRequest))]
[JsonSerializable(typeof(AckMessage))]
[JsonSerializable(typeof(ErrorMessage))]
[JsonSerializable(typeof(AuthenticatedMessage))]
[JsonSerializable(typeof(HeartbeatMessage))]
[JsonSerializable(typeof(PongMessage))]
[JsonSerializable(typeof(BookMessage))]
[JsonSerializable(typeof(MarketMessage))]
[JsonSerializable(typeof(CandleMessage))]
[JsonSerializable(typeof(PrivateMessage))]
[JsonSerializable(typeof(BookUpdate))]
[JsonSerializable(typeof(Ticker))]
[JsonSerializable(typeof(IReadOnlyList<PublicTrade>))]
internal sealed partial class StreamJson : JsonSerializerContext;

public static class StreamChannels
{
    public const string Ticker = "ticker";
    public const string Book = "book";
    public const string Trades = "trades";
    public const string Candles = "candles";
    public const string Orders = "orders";
    public const string Fills = "fills";
    public const string Balances = "balances";

    public static readonly IReadOnlySet<string> Public = new HashSet<string>(StringComparer.Ordinal) { Ticker, Book, Trades, Candles };
    public static readonly IReadOnlySet<string> Private = new HashSet<string>(StringComparer.Ordinal) { Orders, Fills, Balances };

    /// <summary>The private channel of a user event published by the Worker (docs/exchange.md, hub section); null for events the feed does not carry.</summary>
    public static string? OfUserEvent(string? name) => name switch
    {
        "orderUpdate" => Orders,
        "fill" => Fills,
        "balance" => Balances,
        _ => null,
    };

    public static readonly IReadOnlyDictionary<string, CandleInterval> Intervals = new Dictionary<string, CandleInterval>(StringComparer.Ordinal)
    {
        ["1m"] = CandleInterval.OneMinute,
        ["5m"] = CandleInterval.FiveMinutes,
        ["15m"] = CandleInterval.FifteenMinutes,
        ["1h"] = CandleInterval.OneHour,
        ["4h"] = CandleInterval.FourHours,
        ["1d"] = CandleInterval.OneDay,
        ["1w"] = CandleInterval.OneWeek,
    };

    /// <summary>The key a subscription is indexed by: <c>book:BTC-USD</c>, <c>candles:BTC-USD:1m</c>, <c>orders</c>.</summary>
    public static string Topic(string channel, string? market = null, string? interval = null) =>
        market is null ? channel : interval is null ? $"{channel}:{market}" : $"{channel}:{market}:{interval}";
}

/// <summary>Close codes of /ws/v1 beyond the standard ones (1001 going away, 1009 message too big).</summary>
public static class StreamCloseCodes
{
    /// <summary>More messages waiting for the client than <c>QueueLimit</c>: it reads too slowly.</summary>
    public const int SlowConsumer = 4000;

    public const int SessionRevoked = 4001;

    public const int TokenExpired = 4002;

    public const int TooManySubscriptions = 4003;

    /// <summary>More messages per second than the connection may send.</summary>
    public const int RateLimited = 4004;
}

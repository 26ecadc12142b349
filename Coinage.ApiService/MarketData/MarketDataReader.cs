using System.Data;
using System.Globalization;
using System.Text.Json;
using Coinage.Domain.MarketData;
using Coinage.Domain.Matching;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;
using static Coinage.Domain.MarketData.MarketDataJson;
using BookSnapshot = Coinage.Domain.MarketData.BookSnapshot;

namespace Coinage.ApiService.MarketData;

public sealed class MarketDataApiOptions
{
    public const string Section = "Coinage:MarketData";

    /// <summary>Must equal the Worker's <c>Coinage:MarketData:KeyPrefix</c>.</summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary>How long 24-hour statistics and candles stay cached in Redis (shared by every replica).</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The Worker's <c>BookDepth</c> (same key): the depth of a hub snapshot when it has to come from PostgreSQL.</summary>
    public int BookDepth { get; set; } = 100;

    /// <summary>Markets one hub connection may follow at once.</summary>
    public int MaxSubscriptionsPerConnection { get; set; } = 20;

    /// <summary>Messages waiting for one slow hub connection before it is dropped (it reconnects and resyncs).</summary>
    public int ConnectionQueueLimit { get; set; } = 1000;

    /// <summary>How often subscribers get a <c>ticker</c> of a market that traded or whose book moved.</summary>
    public TimeSpan TickerInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Even without trades the 24-hour window slides: followed markets get a fresh ticker at least this often.</summary>
    public TimeSpan TickerRefresh { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>One candle: <c>Time</c> is its bucket's start.</summary>
public sealed record Candle(DateTimeOffset Time, string Open, string High, string Low, string Close, string Volume, string QuoteVolume);

public enum CandleInterval
{
    OneMinute,
    FiveMinutes,
    FifteenMinutes,
    OneHour,
    FourHours,
    OneDay,
    OneWeek,
}

/// <summary>
/// Reads market data (docs/exchange.md, "Market data"): book and recent trades from the keys the Worker
/// publishes, 24-hour statistics and candles computed in SQL from <c>trades</c> and cached in Redis for
/// a moment. When Redis cannot answer, everything comes from PostgreSQL, which is the record anyway.
/// </summary>
public sealed partial class MarketDataReader(
    IConnectionMultiplexer redis,
    NpgsqlDataSource dataSource,
    MarketDirectory markets,
    TimeProvider clock,
    IOptions<MarketDataApiOptions> options,
    ILogger<MarketDataReader> logger)
{
    public const int MaxDepth = 500;
    public const int MaxTrades = 500;
    public const int MaxCandles = 1000;

    private readonly MarketDataKeys _keys = new(options.Value.KeyPrefix);

    public MarketDataKeys Keys => _keys;

    public static TimeSpan Step(CandleInterval interval) => interval switch
    {
        CandleInterval.OneMinute => TimeSpan.FromMinutes(1),
        CandleInterval.FiveMinutes => TimeSpan.FromMinutes(5),
        CandleInterval.FifteenMinutes => TimeSpan.FromMinutes(15),
        CandleInterval.OneHour => TimeSpan.FromHours(1),
        CandleInterval.FourHours => TimeSpan.FromHours(4),
        CandleInterval.OneDay => TimeSpan.FromDays(1),
        CandleInterval.OneWeek => TimeSpan.FromDays(7),
        _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, null),
    };

    /// <summary>
    /// The book cut at <paramref name="depth"/> levels per side, or at the published depth when null (what
    /// the hub's updates cover). From the published snapshot when it is deep enough, else from the open orders.
    /// </summary>
    public async Task<BookSnapshot> BookAsync(MarketInfo market, int? depth, CancellationToken cancellationToken)
    {
        var stored = await TryRedisAsync(async db =>
        {
            var value = await db.StringGetAsync(_keys.Book(market.Symbol)).ConfigureAwait(false);
            return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<StoredBook>(value.ToString(), Serializer);
        }, market.Symbol).ConfigureAwait(false);
        if (stored is not null)
        {
            var want = depth ?? stored.Depth;
            var book = stored.Book;
            // A side shorter than the published depth is the whole side; a full one may go on beyond it.
            var complete = want <= stored.Depth || (book.Bids.Length < stored.Depth && book.Asks.Length < stored.Depth);
            if (complete)
            {
                return book with { Bids = book.Bids.Take(want).ToArray(), Asks = book.Asks.Take(want).ToArray() };
            }
        }
        // A hub snapshot must not go deeper than the updates that will follow it.
        return await BookFromDatabaseAsync(market, depth ?? Math.Clamp(options.Value.BookDepth, 1, MaxDepth), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Open orders aggregated by price, with the sequence they stand at, read in one snapshot.</summary>
    internal async Task<BookSnapshot> BookFromDatabaseAsync(MarketInfo market, int depth, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var sides = new List<string[]>[] { [], [] };
        // book_priority IS NOT NULL names the resting orders' partial index (ix_orders_market_id_book_priority).
        await using (var command = new NpgsqlCommand("""
            (SELECT 0 AS side, limit_price_ticks, sum(quantity_lots - filled_lots)::bigint FROM orders
              WHERE market_id = @market AND book_priority IS NOT NULL AND status IN (1, 2) AND side = @buy GROUP BY limit_price_ticks ORDER BY limit_price_ticks DESC LIMIT @depth)
            UNION ALL
            (SELECT 1, limit_price_ticks, sum(quantity_lots - filled_lots)::bigint FROM orders
              WHERE market_id = @market AND book_priority IS NOT NULL AND status IN (1, 2) AND side = @sell GROUP BY limit_price_ticks ORDER BY limit_price_ticks LIMIT @depth)
            """, connection, tx))
        {
            command.Parameters.AddWithValue("market", market.Id);
            command.Parameters.AddWithValue("buy", (int)Side.Buy);
            command.Parameters.AddWithValue("sell", (int)Side.Sell);
            command.Parameters.AddWithValue("depth", depth);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                sides[reader.GetInt32(0)].Add([Format(market.Spot.Spec.ToPrice(reader.GetInt64(1))), Format(market.Spot.BaseQuantity(reader.GetInt64(2)))]);
            }
        }
        long sequence;
        await using (var command = new NpgsqlCommand(
            "SELECT coalesce(max(sequence), 0) FROM market_commands WHERE market_id = @market AND processed_at IS NOT NULL", connection, tx))
        {
            command.Parameters.AddWithValue("market", market.Id);
            sequence = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new BookSnapshot(market.Symbol, Format(sequence), sides[0].ToArray(), sides[1].ToArray(), clock.GetUtcNow());
    }

    /// <summary>The last <paramref name="limit"/> trades, newest first.</summary>
    public async Task<IReadOnlyList<PublicTrade>> TradesAsync(MarketInfo market, int limit, CancellationToken cancellationToken)
    {
        var cached = await TryRedisAsync(async db => await db.ListRangeAsync(_keys.Trades(market.Symbol), 0, limit - 1).ConfigureAwait(false), market.Symbol).ConfigureAwait(false);
        // Fewer than asked may mean a young market or a Redis that lost its list: the database knows which.
        if (cached is not null && cached.Length == limit)
        {
            return cached.Select(v => JsonSerializer.Deserialize<PublicTrade>(v.ToString(), Serializer)!).ToList();
        }
        await using var command = dataSource.CreateCommand(
            "SELECT id, price, quantity, taker_side, created_at FROM trades WHERE market_id = @market ORDER BY id DESC LIMIT @limit");
        command.Parameters.AddWithValue("market", market.Id);
        command.Parameters.AddWithValue("limit", limit);
        var trades = new List<PublicTrade>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            trades.Add(new PublicTrade(reader.GetInt64(0).ToString(CultureInfo.InvariantCulture), Format(reader.GetDecimal(1)), Format(reader.GetDecimal(2)),
                reader.GetInt16(3) == (short)Side.Buy ? "buy" : "sell", reader.GetFieldValue<DateTimeOffset>(4)));
        }
        return trades;
    }

    /// <summary>Tickers of the given markets: cached 24-hour statistics plus the best prices of the current book.</summary>
    public async Task<IReadOnlyList<Ticker>> TickersAsync(IEnumerable<MarketInfo> wanted, CancellationToken cancellationToken)
    {
        var stats = await StatsAsync(cancellationToken).ConfigureAwait(false);
        var tickers = new List<Ticker>();
        foreach (var market in wanted.OrderBy(m => m.Symbol, StringComparer.Ordinal))
        {
            var book = await BookAsync(market, 1, cancellationToken).ConfigureAwait(false);
            var s = stats.TryGetValue(market.Symbol, out var found) ? found : new Stats24h(null, null, null, null, 0m, 0m);
            decimal? change = s.Last is { } last && s.Open is { } open ? last - open : null;
            decimal? percent = change is { } c && s.Open is { } o && o != 0 ? Math.Round(c / o * 100m, 2, MidpointRounding.AwayFromZero) : null;
            tickers.Add(new Ticker(market.Symbol, F(s.Last), F(s.Open), F(s.High), F(s.Low), F(change), percent is { } p ? p.ToString("0.00", CultureInfo.InvariantCulture) : null,
                Format(s.Volume), Format(s.QuoteVolume), book.Bids.FirstOrDefault()?[0], book.Asks.FirstOrDefault()?[0], clock.GetUtcNow()));
        }
        return tickers;
    }

    /// <summary>Per market: last trade ever; first, highest and lowest price and volumes of the last 24 hours.</summary>
    internal sealed record Stats24h(decimal? Last, decimal? Open, decimal? High, decimal? Low, decimal Volume, decimal QuoteVolume);

    private async Task<Dictionary<string, Stats24h>> StatsAsync(CancellationToken cancellationToken)
    {
        var cached = await TryRedisAsync(async db => await db.StringGetAsync(_keys.Stats24h).ConfigureAwait(false), "*").ConfigureAwait(false);
        if (cached is { IsNullOrEmpty: false } hit)
        {
            return JsonSerializer.Deserialize<Dictionary<string, Stats24h>>(hit.ToString(), Serializer)!;
        }
        var all = await markets.AllAsync(cancellationToken).ConfigureAwait(false);
        var symbols = all.Values.ToDictionary(m => m.Id, m => m.Symbol);
        await using var command = dataSource.CreateCommand("""
            SELECT m.id, w.high, w.low, coalesce(w.volume, 0), coalesce(w.quote_volume, 0),
                   (SELECT price FROM trades f WHERE f.id = w.first_id),
                   (SELECT price FROM trades l WHERE l.market_id = m.id ORDER BY l.id DESC LIMIT 1)
            FROM markets m
            LEFT JOIN LATERAL (
                SELECT max(price) AS high, min(price) AS low, sum(quantity) AS volume, sum(quote_amount) AS quote_volume, min(id) AS first_id
                FROM trades t WHERE t.market_id = m.id AND t.created_at >= @since) w ON true
            """);
        command.Parameters.AddWithValue("since", clock.GetUtcNow() - TimeSpan.FromDays(1));
        var stats = new Dictionary<string, Stats24h>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (symbols.TryGetValue(reader.GetInt32(0), out var symbol))
                {
                    stats[symbol] = new Stats24h(Nullable(reader, 6), Nullable(reader, 5), Nullable(reader, 1), Nullable(reader, 2), reader.GetDecimal(3), reader.GetDecimal(4));
                }
            }
        }
        var json = JsonSerializer.Serialize(stats, Serializer);
        await TryRedisAsync(async db => await db.StringSetAsync(_keys.Stats24h, json, options.Value.CacheDuration).ConfigureAwait(false), "*").ConfigureAwait(false);
        return stats;
    }

    /// <summary>
    /// Candles of <paramref name="interval"/> in [<paramref name="from"/>, <paramref name="to"/>), ascending, at most
    /// <paramref name="limit"/>; buckets without trades are left out. Without <paramref name="from"/>: the last
    /// <paramref name="limit"/> buckets up to <paramref name="to"/> (default now), the current one included.
    /// </summary>
    public async Task<IReadOnlyList<Candle>> CandlesAsync(MarketInfo market, CandleInterval interval, DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken)
    {
        var step = Step(interval);
        var end = to ?? clock.GetUtcNow();
        var start = Bucket(from ?? Bucket(end, step) - (limit - 1) * step, step);
        // A query about the present changes with every trade; one about the past never does.
        var live = to is null || end > clock.GetUtcNow() - step;
        var key = _keys.Candles(string.Join('|', market.Symbol, interval, start.UtcTicks, to is null ? "now" : end.UtcTicks.ToString(CultureInfo.InvariantCulture), limit));
        var cached = await TryRedisAsync(async db => await db.StringGetAsync(key).ConfigureAwait(false), market.Symbol).ConfigureAwait(false);
        if (cached is { IsNullOrEmpty: false } hit)
        {
            return JsonSerializer.Deserialize<List<Candle>>(hit.ToString(), Serializer)!;
        }
        // date_bin from Monday 2000-01-03, midnight UTC: minutes, hours and days fall on their UTC boundaries, and
        // weeks start on Monday as on every exchange (an origin on another weekday would start them there).
        await using var command = dataSource.CreateCommand("""
            SELECT date_bin(@step, created_at, TIMESTAMPTZ '2000-01-03 00:00:00+00') AS bucket,
                   (array_agg(price ORDER BY id))[1], max(price), min(price), (array_agg(price ORDER BY id DESC))[1],
                   sum(quantity), sum(quote_amount)
            FROM trades
            WHERE market_id = @market AND created_at >= @from AND created_at < @to
            GROUP BY bucket ORDER BY bucket LIMIT @limit
            """);
        command.Parameters.AddWithValue("step", step);
        command.Parameters.AddWithValue("market", market.Id);
        command.Parameters.AddWithValue("from", start);
        command.Parameters.AddWithValue("to", end);
        command.Parameters.AddWithValue("limit", limit);
        var candles = new List<Candle>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                candles.Add(new Candle(reader.GetFieldValue<DateTimeOffset>(0), Format(reader.GetDecimal(1)), Format(reader.GetDecimal(2)), Format(reader.GetDecimal(3)),
                    Format(reader.GetDecimal(4)), Format(reader.GetDecimal(5)), Format(reader.GetDecimal(6))));
            }
        }
        var json = JsonSerializer.Serialize(candles, Serializer);
        var ttl = live ? options.Value.CacheDuration : TimeSpan.FromMinutes(5);
        await TryRedisAsync(async db => await db.StringSetAsync(key, json, ttl).ConfigureAwait(false), market.Symbol).ConfigureAwait(false);
        return candles;
    }

    /// <summary>The start of the bucket holding <paramref name="time"/> (same origin as the SQL).</summary>
    public static DateTimeOffset Bucket(DateTimeOffset time, TimeSpan step)
    {
        var origin = new DateTimeOffset(2000, 1, 3, 0, 0, 0, TimeSpan.Zero);
        var ticks = (time - origin).Ticks;
        var floored = ticks - (((ticks % step.Ticks) + step.Ticks) % step.Ticks);
        return origin.AddTicks(floored);
    }

    /// <summary>Redis is a cache here: when it fails, say so once in the log and let the caller read PostgreSQL.</summary>
    private async Task<T?> TryRedisAsync<T>(Func<IDatabase, Task<T>> read, string market)
    {
        try
        {
            return await read(redis.GetDatabase()).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or JsonException)
        {
            LogRedisUnavailable(ex, market);
            return default;
        }
    }

    private static decimal? Nullable(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDecimal(ordinal);

    private static string? F(decimal? value) => value is { } v ? Format(v) : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Market data for {Market} read from PostgreSQL: Redis did not answer")]
    private partial void LogRedisUnavailable(Exception exception, string market);
}

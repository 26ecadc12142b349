using System.Net;
using System.Text.Json;
using Coinage.ApiService.Tests.Trading;
using Npgsql;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.MarketData;

/// <summary>The REST side of market data: validation, and ticker and candle arithmetic on trades written with known times.</summary>
public sealed class MarketDataApiTests(InfrastructureFixture infrastructure)
{
    [Theory]
    [InlineData("/api/v1/markets/NOPE-USD/book", HttpStatusCode.NotFound, "unknown_market")]
    [InlineData("/api/v1/markets/NOPE-USD/ticker", HttpStatusCode.NotFound, "unknown_market")]
    [InlineData("/api/v1/markets/NOPE-USD/trades", HttpStatusCode.NotFound, "unknown_market")]
    [InlineData("/api/v1/markets/NOPE-USD/candles?interval=1m", HttpStatusCode.NotFound, "unknown_market")]
    [InlineData("/api/v1/markets/BTC-USD/book?depth=0", HttpStatusCode.BadRequest, "invalid_depth")]
    [InlineData("/api/v1/markets/BTC-USD/book?depth=501", HttpStatusCode.BadRequest, "invalid_depth")]
    [InlineData("/api/v1/markets/BTC-USD/book?depth=ten", HttpStatusCode.BadRequest, "invalid_depth")]
    [InlineData("/api/v1/markets/BTC-USD/trades?limit=0", HttpStatusCode.BadRequest, "invalid_limit")]
    [InlineData("/api/v1/markets/BTC-USD/trades?limit=501", HttpStatusCode.BadRequest, "invalid_limit")]
    [InlineData("/api/v1/markets/BTC-USD/candles", HttpStatusCode.BadRequest, "invalid_interval")]
    [InlineData("/api/v1/markets/BTC-USD/candles?interval=2m", HttpStatusCode.BadRequest, "invalid_interval")]
    [InlineData("/api/v1/markets/BTC-USD/candles?interval=1M", HttpStatusCode.BadRequest, "invalid_interval")]
    [InlineData("/api/v1/markets/BTC-USD/candles?interval=1m&limit=1001", HttpStatusCode.BadRequest, "invalid_limit")]
    [InlineData("/api/v1/markets/BTC-USD/candles?interval=1m&from=yesterday", HttpStatusCode.BadRequest, "invalid_range")]
    [InlineData("/api/v1/markets/BTC-USD/candles?interval=1m&from=2026-01-01T00:00:00", HttpStatusCode.BadRequest, "invalid_range")]
    [InlineData("/api/v1/markets/BTC-USD/candles?interval=1m&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", HttpStatusCode.BadRequest, "invalid_range")]
    public async Task Bad_input_is_a_problem_with_a_stable_code(string path, HttpStatusCode status, string code)
    {
        await using var api = new ApiFactory(infrastructure);
        using var http = api.CreateClient();
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), Ct);
        var body = await JsonAsync(response);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Ticker_book_and_trades_of_known_trades_in_the_last_24_hours()
    {
        var env = await MarketDataEnvironment.CreateAsync(infrastructure);
        await using var api = env.Api();
        using var http = api.CreateClient(); // starts the API, which migrates the new database
        var now = DateTimeOffset.UtcNow;
        await InsertTradesAsync(env.Database, "BTC-USD",
            (now.AddHours(-30), 40000m, 1m, "buy"),  // before the window: not in open/high/low/volume
            (now.AddHours(-23), 50000m, 0.5m, "sell"),
            (now.AddHours(-2), 52000m, 0.25m, "buy"),
            (now.AddHours(-1), 49000m, 1m, "sell"),
            (now.AddMinutes(-10), 51000m, 0.1m, "buy"));

        var ticker = await GetOkAsync(http, "/api/v1/markets/btc-usd/ticker");
        Assert.Equal(("BTC-USD", "51000", "50000", "52000", "49000"), (S(ticker, "symbol"), S(ticker, "last"), S(ticker, "open24h"), S(ticker, "high24h"), S(ticker, "low24h")));
        Assert.Equal(("1000", "2.00"), (S(ticker, "change24h"), S(ticker, "changePercent24h")));
        // 0.5 + 0.25 + 1 + 0.1; 25000 + 13000 + 49000 + 5100.
        Assert.Equal(("1.85", "92100"), (S(ticker, "volume24h"), S(ticker, "quoteVolume24h")));
        Assert.Equal(JsonValueKind.Null, ticker.GetProperty("bestBid").ValueKind);
        // Served again from the Redis cache: the same numbers.
        var again = await GetOkAsync(http, "/api/v1/markets/BTC-USD/ticker");
        Assert.Equal(S(ticker, "quoteVolume24h"), S(again, "quoteVolume24h"));

        // A market without trades: prices null, volumes zero.
        var tickers = await GetOkAsync(http, "/api/v1/markets/tickers");
        var eth = tickers.EnumerateArray().Single(t => S(t, "symbol") == "ETH-USD");
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null, "0"), (eth.GetProperty("last").ValueKind, eth.GetProperty("changePercent24h").ValueKind, S(eth, "volume24h")));
        Assert.Contains(tickers.EnumerateArray(), t => S(t, "symbol") == "BTC-USD" && S(t, "last") == "51000");

        // Nothing in Redis for this prefix yet: trades and book come from PostgreSQL.
        var trades = await GetOkAsync(http, "/api/v1/markets/BTC-USD/trades?limit=2");
        Assert.Equal([("51000", "0.1", "buy"), ("49000", "1", "sell")],
            trades.EnumerateArray().Select(t => (S(t, "price"), S(t, "quantity"), S(t, "side"))).ToList());
        var book = await GetOkAsync(http, "/api/v1/markets/BTC-USD/book?depth=5");
        Assert.Equal(("BTC-USD", "0", 0, 0), (S(book, "market"), S(book, "sequence"), book.GetProperty("bids").GetArrayLength(), book.GetProperty("asks").GetArrayLength()));
    }

    [Fact]
    public async Task Candles_fall_in_utc_buckets_and_buckets_without_trades_are_left_out()
    {
        var env = await MarketDataEnvironment.CreateAsync(infrastructure);
        await using var api = env.Api();
        using var http = api.CreateClient();
        var day = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await InsertTradesAsync(env.Database, "ETH-USD",
            (day, 100m, 1m, "buy"),
            (day.AddMilliseconds(59_999), 110m, 2m, "sell"),   // last instant of the first minute
            (day.AddMinutes(1), 90m, 1m, "buy"),               // first instant of the second
            (day.AddMinutes(3).AddSeconds(30), 95m, 1m, "sell"), // minute 2 has no trade
            (day.AddHours(-1), 1m, 1m, "buy"));                // before the range

        const string range = "from=2026-01-01T00:00:00Z&to=2026-01-01T00:10:00Z";
        var minutes = await GetOkAsync(http, $"/api/v1/markets/ETH-USD/candles?interval=1m&{range}");
        Assert.Equal(
            [
                ("2026-01-01T00:00:00+00:00", "100", "110", "100", "110", "3", "320"),
                ("2026-01-01T00:01:00+00:00", "90", "90", "90", "90", "1", "90"),
                ("2026-01-01T00:03:00+00:00", "95", "95", "95", "95", "1", "95"),
            ],
            minutes.EnumerateArray().Select(Row).ToList());
        var five = await GetOkAsync(http, $"/api/v1/markets/ETH-USD/candles?interval=5m&{range}");
        Assert.Equal([("2026-01-01T00:00:00+00:00", "100", "110", "90", "95", "5", "505")], five.EnumerateArray().Select(Row).ToList());
        var limited = await GetOkAsync(http, $"/api/v1/markets/ETH-USD/candles?interval=1m&{range}&limit=2");
        Assert.Equal(["2026-01-01T00:00:00+00:00", "2026-01-01T00:01:00+00:00"], limited.EnumerateArray().Select(c => Row(c).Item1).ToList());
        // A "from" inside a bucket starts at that bucket, so the first candle is whole.
        var rounded = await GetOkAsync(http, "/api/v1/markets/ETH-USD/candles?interval=1h&from=2026-01-01T00:30:00Z&to=2026-01-01T02:00:00Z");
        Assert.Equal([("2026-01-01T00:00:00+00:00", "100", "110", "90", "95", "5", "505")], rounded.EnumerateArray().Select(Row).ToList());
        // The day before holds only the early trade, in its own daily bucket.
        var days = await GetOkAsync(http, "/api/v1/markets/ETH-USD/candles?interval=1d&from=2025-12-31T00:00:00Z&to=2026-01-02T00:00:00Z");
        Assert.Equal([("2025-12-31T00:00:00+00:00", "1", "1", "1", "1", "1", "1"), ("2026-01-01T00:00:00+00:00", "100", "110", "90", "95", "5", "505")],
            days.EnumerateArray().Select(Row).ToList());
        // Without a range: the latest buckets up to now, none of which traded.
        Assert.Empty((await GetOkAsync(http, "/api/v1/markets/ETH-USD/candles?interval=1m")).EnumerateArray());
    }

    [Fact]
    public async Task Candles_of_15_minutes_4_hours_and_weeks_starting_on_monday()
    {
        var env = await MarketDataEnvironment.CreateAsync(infrastructure);
        await using var api = env.Api();
        using var http = api.CreateClient();
        var thursday = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await InsertTradesAsync(env.Database, "ETH-USD",
            (thursday.AddDays(-3).AddHours(-1), 50m, 1m, "buy"),      // Sunday 23:00: the week before
            (thursday.AddMinutes(10), 100m, 1m, "buy"),
            (thursday.AddMinutes(20), 110m, 1m, "sell"),
            (thursday.AddHours(4).AddMilliseconds(-1), 90m, 1m, "buy"), // last instant of the first 4 hours
            (thursday.AddHours(4), 95m, 1m, "sell"));

        const string hours = "from=2026-01-01T00:00:00Z&to=2026-01-01T05:00:00Z";
        var quarters = await GetOkAsync(http, $"/api/v1/markets/ETH-USD/candles?interval=15m&{hours}");
        Assert.Equal(["2026-01-01T00:00:00+00:00", "2026-01-01T00:15:00+00:00", "2026-01-01T03:45:00+00:00", "2026-01-01T04:00:00+00:00"],
            quarters.EnumerateArray().Select(c => Row(c).Item1).ToList());
        var four = await GetOkAsync(http, $"/api/v1/markets/ETH-USD/candles?interval=4h&{hours}");
        Assert.Equal(
            [("2026-01-01T00:00:00+00:00", "100", "110", "90", "90", "3", "300"), ("2026-01-01T04:00:00+00:00", "95", "95", "95", "95", "1", "95")],
            four.EnumerateArray().Select(Row).ToList());
        // Monday 2025-12-29 starts the week of New Year's Day; the Sunday before closes the previous one.
        var weeks = await GetOkAsync(http, "/api/v1/markets/ETH-USD/candles?interval=1w&from=2025-12-22T00:00:00Z&to=2026-01-05T00:00:00Z");
        Assert.Equal(
            [("2025-12-22T00:00:00+00:00", "50", "50", "50", "50", "1", "50"), ("2025-12-29T00:00:00+00:00", "100", "110", "90", "95", "4", "395")],
            weeks.EnumerateArray().Select(Row).ToList());
        // A "from" in mid-week starts at that week's Monday.
        var midweek = await GetOkAsync(http, "/api/v1/markets/ETH-USD/candles?interval=1w&from=2026-01-01T12:00:00Z&to=2026-01-05T00:00:00Z");
        Assert.Equal(["2025-12-29T00:00:00+00:00"], midweek.EnumerateArray().Select(c => Row(c).Item1).ToList());
    }

    private static (string, string?, string?, string?, string?, string?, string?) Row(JsonElement c) =>
        (c.GetProperty("time").GetDateTimeOffset().ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
            S(c, "open"), S(c, "high"), S(c, "low"), S(c, "close"), S(c, "volume"), S(c, "quoteVolume"));

    private static string? S(JsonElement e, string name) => e.GetProperty(name).GetString();

    private static async Task<JsonElement> GetOkAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), Ct);
        var body = await JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {body}");
        return body;
    }

    /// <summary>Trades as the matching host stores them (one journal entry for all: only the foreign key matters here), in id order.</summary>
    private static async Task InsertTradesAsync(string database, string symbol, params (DateTimeOffset At, decimal Price, decimal Quantity, string Side)[] trades)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var entry = new NpgsqlCommand("INSERT INTO journal_entries (kind, reference_id, created_at) VALUES (0, 0, now()) RETURNING id", connection);
        var journal = (long)(await entry.ExecuteScalarAsync(Ct))!;
        var order = 1_000_000L;
        foreach (var (at, price, quantity, side) in trades)
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO trades (market_id, taker_order_id, maker_order_id, taker_owner_id, maker_owner_id, taker_side, price, quantity,
                                    quote_amount, taker_fee, maker_fee, journal_entry_id, command_sequence, created_at)
                SELECT id, @taker, @maker, 1, 2, @side, @price, @quantity, @price * @quantity, 0, 0, @journal, @taker, @at FROM markets WHERE symbol = @symbol
                """, connection);
            insert.Parameters.AddWithValue("taker", ++order);
            insert.Parameters.AddWithValue("maker", ++order);
            insert.Parameters.AddWithValue("side", (short)(side == "buy" ? 0 : 1));
            insert.Parameters.AddWithValue("price", price);
            insert.Parameters.AddWithValue("quantity", quantity);
            insert.Parameters.AddWithValue("journal", journal);
            insert.Parameters.AddWithValue("at", at);
            insert.Parameters.AddWithValue("symbol", symbol);
            Assert.Equal(1, await insert.ExecuteNonQueryAsync(Ct));
        }
    }
}

using System.Globalization;
using Coinage.ApiService.Identity;
using Coinage.Domain.MarketData;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coinage.ApiService.MarketData;

/// <summary>Stable error codes of the market-data endpoints (the problem's <c>code</c> extension).</summary>
public static class MarketDataErrorCodes
{
    public const string UnknownMarket = "unknown_market";
    public const string InvalidInterval = "invalid_interval";
    public const string InvalidDepth = "invalid_depth";
    public const string InvalidLimit = "invalid_limit";
    public const string InvalidRange = "invalid_range";
}

/// <summary>
/// Public market data under <c>/api/v1/markets</c> (docs/exchange.md, "Market data"): tickers, book,
/// recent trades and candles. Anonymous; every query parameter is read as text and checked here, so a bad
/// one is a 400 with its field and code rather than a binding failure.
/// </summary>
public static class MarketDataApi
{
    public static IEndpointRouteBuilder MapMarketDataApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/markets").WithTags("Market data").AllowAnonymous();
        group.MapGet("/tickers", TickersAsync).WithSummary("The ticker of every market");
        group.MapGet("/{symbol}/ticker", TickerAsync).WithSummary("Last price, 24-hour open/high/low/change/volume and best prices")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{symbol}/book", BookAsync).WithSummary("Aggregated order book with the sequence it stands at (depth 1–500, default 50)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{symbol}/trades", TradesAsync).WithSummary("Recent public trades, newest first (limit 1–500, default 50)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{symbol}/candles", CandlesAsync).WithSummary("OHLCV candles, ascending; buckets without trades are left out")
            .ProducesProblem(StatusCodes.Status404NotFound);
        routes.MapHub<MarketHub>(MarketHub.Path, hub =>
        {
            // The access token is checked when the socket opens; closing at its expiry makes the client
            // reconnect with a fresh one, so a revoked session cannot keep receiving private events.
            hub.CloseOnAuthenticationExpiration = true;
        });
        return routes;
    }

    public static async Task<Ok<IReadOnlyList<Ticker>>> TickersAsync(MarketDirectory markets, MarketDataReader reader, CancellationToken cancellationToken)
    {
        var all = await markets.AllAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(await reader.TickersAsync(all.Values, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<Results<Ok<Ticker>, ProblemHttpResult>> TickerAsync(
        string symbol, MarketDirectory markets, MarketDataReader reader, CancellationToken cancellationToken)
    {
        if (await markets.FindAsync(symbol, cancellationToken).ConfigureAwait(false) is not { } market)
        {
            return UnknownMarket(symbol);
        }
        return TypedResults.Ok((await reader.TickersAsync([market], cancellationToken).ConfigureAwait(false))[0]);
    }

    public static async Task<Results<Ok<BookSnapshot>, ProblemHttpResult>> BookAsync(
        string symbol, string? depth, MarketDirectory markets, MarketDataReader reader, CancellationToken cancellationToken)
    {
        if (!TryRange(depth, 50, MarketDataReader.MaxDepth, out var levels))
        {
            return BadRequest(MarketDataErrorCodes.InvalidDepth, "depth", $"depth must be a whole number from 1 to {MarketDataReader.MaxDepth}.");
        }
        if (await markets.FindAsync(symbol, cancellationToken).ConfigureAwait(false) is not { } market)
        {
            return UnknownMarket(symbol);
        }
        return TypedResults.Ok(await reader.BookAsync(market, levels, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<Results<Ok<IReadOnlyList<PublicTrade>>, ProblemHttpResult>> TradesAsync(
        string symbol, string? limit, MarketDirectory markets, MarketDataReader reader, CancellationToken cancellationToken)
    {
        if (!TryRange(limit, 50, MarketDataReader.MaxTrades, out var take))
        {
            return BadRequest(MarketDataErrorCodes.InvalidLimit, "limit", $"limit must be a whole number from 1 to {MarketDataReader.MaxTrades}.");
        }
        if (await markets.FindAsync(symbol, cancellationToken).ConfigureAwait(false) is not { } market)
        {
            return UnknownMarket(symbol);
        }
        return TypedResults.Ok(await reader.TradesAsync(market, take, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<Results<Ok<IReadOnlyList<Candle>>, ProblemHttpResult>> CandlesAsync(
        string symbol, string? interval, string? from, string? to, string? limit,
        MarketDirectory markets, MarketDataReader reader, CancellationToken cancellationToken)
    {
        CandleInterval? step = interval switch
        {
            "1m" => CandleInterval.OneMinute,
            "5m" => CandleInterval.FiveMinutes,
            "15m" => CandleInterval.FifteenMinutes,
            "1h" => CandleInterval.OneHour,
            "4h" => CandleInterval.FourHours,
            "1d" => CandleInterval.OneDay,
            "1w" => CandleInterval.OneWeek,
            _ => null,
        };
        if (step is null)
        {
            return BadRequest(MarketDataErrorCodes.InvalidInterval, "interval", "interval must be one of 1m, 5m, 15m, 1h, 4h, 1d, 1w.");
        }
        if (!TryRange(limit, 300, MarketDataReader.MaxCandles, out var take))
        {
            return BadRequest(MarketDataErrorCodes.InvalidLimit, "limit", $"limit must be a whole number from 1 to {MarketDataReader.MaxCandles}.");
        }
        if (!TryTime(from, out var start))
        {
            return BadRequest(MarketDataErrorCodes.InvalidRange, "from", "from must be an ISO-8601 time with its offset, e.g. 2026-01-31T00:00:00Z.");
        }
        if (!TryTime(to, out var end))
        {
            return BadRequest(MarketDataErrorCodes.InvalidRange, "to", "to must be an ISO-8601 time with its offset, e.g. 2026-01-31T00:00:00Z.");
        }
        if (start is { } s && end is { } e && s >= e)
        {
            return BadRequest(MarketDataErrorCodes.InvalidRange, "from", "from must be before to.");
        }
        if (await markets.FindAsync(symbol, cancellationToken).ConfigureAwait(false) is not { } market)
        {
            return UnknownMarket(symbol);
        }
        return TypedResults.Ok(await reader.CandlesAsync(market, step.Value, start, end, take, cancellationToken).ConfigureAwait(false));
    }

    private static bool TryRange(string? text, int fallback, int max, out int value)
    {
        if (text is null)
        {
            value = fallback;
            return true;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1 && value <= max;
    }

    /// <summary>An absent time is fine; a present one must carry its offset (no guessing the zone) and lie in a sane range.</summary>
    private static bool TryTime(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }
        var zoned = text.Length is > 0 and <= 40 && (text.EndsWith('Z') || text.EndsWith("z", StringComparison.Ordinal) || text.LastIndexOfAny(['+', '-']) > 10);
        if (!zoned || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
            || parsed.Year is < 2000 or > 9000)
        {
            return false;
        }
        value = parsed.ToUniversalTime();
        return true;
    }

    private static ProblemHttpResult UnknownMarket(string symbol) =>
        Problems.Create(StatusCodes.Status404NotFound, MarketDataErrorCodes.UnknownMarket, "Not found.", $"No market '{symbol}'.");

    private static ProblemHttpResult BadRequest(string code, string field, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.", type: Problems.TypeBase + code,
            extensions: new Dictionary<string, object?> { ["code"] = code, ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } });
}

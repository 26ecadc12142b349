using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Threading.RateLimiting;
using Coinage.ServiceDefaults.Compliance;
using Microsoft.Extensions.Options;

namespace Coinage.Worker.MarketMaker;

/// <summary>
/// Keeps the Development exchange alive: as the ordinary user <c>market-maker@coinage.local</c>,
/// through the public API (never the database), it keeps <c>Levels</c> post-only quotes per side
/// around a random-walk reference price on every configured market, refreshes some each cycle, and
/// with a second account (<c>market-taker@coinage.local</c>) now and then sends a small IOC through
/// the spread, so trades, the tape and candles move. Paced below the API's rate limits; an error
/// (the API restarting, a refused request) backs off and the loop goes on, signing in again when
/// needed. On stop it cancels its quotes.
/// </summary>
public sealed partial class MarketMakerHost(
    IOptions<MarketMakerOptions> options, IHostEnvironment environment, IHttpClientFactory httpClients, TimeProvider clock, ILogger<MarketMakerHost> logger)
    : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, decimal> _references = new(StringComparer.Ordinal);

    /// <summary>Completed quoting cycles (tests and diagnostics).</summary>
    public int Cycles { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.IsEnabled(environment))
        {
            return;
        }
        if (string.IsNullOrEmpty(settings.Password))
        {
            LogNoPassword(logger, MarketMakerOptions.Section);
            return;
        }
        using var pacing = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.RequestsPerSecond,
            TokensPerPeriod = settings.RequestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 1_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
        using var http = httpClients.CreateClient(MarketMakerExtensions.HttpClientName);
        http.BaseAddress = settings.ApiBaseUrl;
        var maker = new ExchangeSession(http, pacing, settings.Email, settings.Password, clock);
        var taker = new ExchangeSession(http, pacing, settings.TakerEmail, settings.Password, clock);
        var strategy = new QuoteStrategy(settings, Random.Shared);
        IReadOnlyList<MarketRules>? markets = null;
        var failures = 0;
        var fundedAt = -1;
        LogStarted(logger, settings.ApiBaseUrl, settings.Email);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    markets ??= await LoadMarketsAsync(maker, stoppingToken).ConfigureAwait(false);
                    // Funds are checked at start, after a refusal for lack of funds, and every 100 cycles.
                    if (fundedAt < 0 || Cycles - fundedAt >= 100)
                    {
                        await FundAsync(maker, settings, stoppingToken).ConfigureAwait(false);
                        await FundAsync(taker, settings, stoppingToken).ConfigureAwait(false);
                        fundedAt = Cycles;
                    }
                    if (!await CycleAsync(maker, taker, strategy, markets, settings, stoppingToken).ConfigureAwait(false))
                    {
                        fundedAt = -1;
                    }
                    Cycles++;
                    failures = 0;
                    await Task.Delay(settings.CycleInterval, clock, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    failures++;
                    markets = null;
                    var backoff = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures, 10))));
                    LogCycleFailed(logger, exception.GetType().Name, exception.Message, failures, backoff.TotalSeconds);
                    await Task.Delay(backoff, clock, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await WithdrawQuotesAsync(maker).ConfigureAwait(false);
    }

    private async Task<bool> CycleAsync(ExchangeSession maker, ExchangeSession taker, QuoteStrategy strategy, IReadOnlyList<MarketRules> markets,
        MarketMakerOptions settings, CancellationToken cancellationToken)
    {
        var funded = true;
        var open = (await maker.GetAsync("/api/v1/orders/open?limit=200", cancellationToken).ConfigureAwait(false)).GetProperty("items")
            .EnumerateArray()
            .Where(o => o.GetProperty("price").ValueKind == JsonValueKind.String)
            .Select(o => (Market: o.GetProperty("market").GetString()!, Quote: new RestingQuote(
                o.GetProperty("id").GetString()!, o.GetProperty("side").GetString() == "buy", Dec(o.GetProperty("price")), o.GetProperty("createdAt").GetDateTimeOffset())))
            .ToLookup(o => o.Market, o => o.Quote, StringComparer.Ordinal);
        foreach (var market in markets)
        {
            if (!_references.TryGetValue(market.Symbol, out var reference))
            {
                if (!settings.ReferencePrices.TryGetValue(market.Symbol, out reference))
                {
                    continue;
                }
                // Start from where the market last traded (an exchange kept from an earlier run may have walked far from
                // the configured price): quotes beyond the price band around it would all be refused (price_band).
                var ticker = await maker.GetAsync($"/api/v1/markets/{Uri.EscapeDataString(market.Symbol)}/ticker", cancellationToken).ConfigureAwait(false);
                if (ticker.TryGetProperty("last", out var last) && last.ValueKind == JsonValueKind.String)
                {
                    reference = Dec(last);
                }
            }
            reference = strategy.Walk(market, reference);
            _references[market.Symbol] = reference;
            var resting = open[market.Symbol].ToList();
            var plan = strategy.Plan(market, reference, resting);
            // The whole plan in as few requests as the batch endpoints allow, as a market maker quoting several levels would.
            foreach (var ids in plan.Cancel.Chunk(BatchLimit))
            {
                var answers = await maker.PostAsync("/api/v1/orders/batch-cancel", new { orderIds = ids }, cancellationToken).ConfigureAwait(false);
                // 404/409: filled or cancelled meanwhile, nothing to cancel.
                LogRefusals(market.Symbol, answers);
            }
            foreach (var quotes in plan.Place.Chunk(BatchLimit))
            {
                funded &= await PlaceAsync(maker, market, quotes, "GTC", postOnly: true, cancellationToken).ConfigureAwait(false);
            }
            if (Random.Shared.Next(100) < settings.CrossPercent)
            {
                var isBuy = Random.Shared.Next(2) == 0;
                var kept = resting.Where(q => !plan.Cancel.Contains(q.Id)).Select(q => (q.IsBuy, q.Price))
                    .Concat(plan.Place.Select(q => (q.IsBuy, q.Price))).Where(q => q.IsBuy != isBuy).Select(q => q.Price).ToList();
                if (kept.Count > 0)
                {
                    var cross = strategy.Cross(market, isBuy, isBuy ? kept.Min() : kept.Max());
                    funded &= await PlaceAsync(taker, market, [cross], "IOC", postOnly: false, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        return funded;
    }

    /// <summary>Most items per request of <c>/api/v1/orders/batch</c> and <c>/batch-cancel</c>.</summary>
    private const int BatchLimit = 20;

    /// <returns>False when the account lacked the funds for one of them (the caller tops them up).</returns>
    private async Task<bool> PlaceAsync(ExchangeSession session, MarketRules market, IReadOnlyList<QuoteOrder> quotes, string timeInForce, bool postOnly, CancellationToken cancellationToken)
    {
        // The client order ids make a retried request (resilience handler, lost answer) place each order once.
        var orders = quotes.Select(quote => new
        {
            market = market.Symbol,
            side = quote.IsBuy ? "buy" : "sell",
            type = "limit",
            timeInForce,
            price = QuoteStrategy.Format(quote.Price),
            quantity = QuoteStrategy.Format(quote.Quantity),
            postOnly,
            clientOrderId = $"mm-{Guid.NewGuid():N}",
        }).ToList();
        var answers = await session.PostAsync("/api/v1/orders/batch", new { orders }, cancellationToken).ConfigureAwait(false);
        // insufficient_funds, market_halted, a size the market refuses: that quote is skipped, the others stand.
        return !LogRefusals(market.Symbol, answers).Contains("insufficient_funds");
    }

    /// <summary>Logs each refused item of a batch's answer and returns their codes.</summary>
    private List<string> LogRefusals(string market, JsonElement answers)
    {
        var codes = new List<string>();
        foreach (var item in answers.GetProperty("results").EnumerateArray())
        {
            if (item.GetProperty("status").GetInt32() >= 300)
            {
                var problem = item.GetProperty("problem");
                var code = problem.TryGetProperty("code", out var c) ? c.GetString() ?? "" : item.GetProperty("status").GetInt32().ToString(CultureInfo.InvariantCulture);
                codes.Add(code);
                LogRefused(logger, market, code);
            }
        }
        return codes;
    }

    private static async Task<IReadOnlyList<MarketRules>> LoadMarketsAsync(ExchangeSession session, CancellationToken cancellationToken)
    {
        var markets = await session.GetAsync("/api/v1/markets", cancellationToken).ConfigureAwait(false);
        return markets.EnumerateArray()
            .Where(m => m.GetProperty("status").GetString() is not "halted")
            .Select(m => new MarketRules(
                m.GetProperty("symbol").GetString()!, m.GetProperty("baseAsset").GetString()!, m.GetProperty("quoteAsset").GetString()!,
                Dec(m.GetProperty("tickSize")), Dec(m.GetProperty("lotSize")), Dec(m.GetProperty("minQuantity")), Dec(m.GetProperty("minNotional"))))
            .ToList();
    }

    /// <summary>Tops each asset up to its target with a (simulated) deposit when it falls below half of it.</summary>
    private async Task FundAsync(ExchangeSession session, MarketMakerOptions settings, CancellationToken cancellationToken)
    {
        var balances = (await session.GetAsync("/api/v1/wallet/balances", cancellationToken).ConfigureAwait(false)).EnumerateArray()
            .ToDictionary(b => b.GetProperty("asset").GetString()!, b => Dec(b.GetProperty("available")) + Dec(b.GetProperty("held")), StringComparer.OrdinalIgnoreCase);
        foreach (var (asset, target) in settings.Funding)
        {
            var have = balances.GetValueOrDefault(asset);
            if (have >= target / 2)
            {
                continue;
            }
            var amount = target - have;
            await session.PostAsync("/api/v1/wallet/deposits", new { asset, amount = QuoteStrategy.Format(amount) }, cancellationToken, Guid.NewGuid().ToString()).ConfigureAwait(false);
            LogFunded(logger, session.Email, asset, QuoteStrategy.Format(amount));
        }
    }

    /// <summary>Best effort, bounded: a market maker that is gone should not leave quotes nobody manages.</summary>
    private async Task WithdrawQuotesAsync(ExchangeSession maker)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            foreach (var symbol in _references.Keys)
            {
                await maker.DeleteAsync($"/api/v1/orders?market={Uri.EscapeDataString(symbol)}", timeout.Token).ConfigureAwait(false);
            }
            LogStopped(logger, _references.Count);
        }
        catch (Exception exception) when (exception is HttpRequestException or ExchangeApiException or OperationCanceledException or InvalidOperationException)
        {
            LogWithdrawFailed(logger, exception.GetType().Name);
        }
    }

    private static decimal Dec(JsonElement value) => decimal.Parse(value.GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Market maker started: trading through {Api} as {Email}")]
    private static partial void LogStarted(ILogger logger, Uri api, [Pii] string email);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Market maker enabled but {Section}:Password is not set; not starting")]
    private static partial void LogNoPassword(ILogger logger, string section);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Market maker cycle failed ({ErrorType}: {Error}), attempt {Failures}; retrying in {Seconds} s")]
    private static partial void LogCycleFailed(ILogger logger, string errorType, string error, int failures, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Market maker request on {Market} refused: {Code}")]
    private static partial void LogRefused(ILogger logger, string market, string code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Market maker account {Email} funded with {Amount} {Asset}")]
    private static partial void LogFunded(ILogger logger, [Pii] string email, string asset, string amount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Market maker stopped; quotes on {Markets} markets cancelled")]
    private static partial void LogStopped(ILogger logger, int markets);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Market maker could not cancel its quotes on stop ({ErrorType})")]
    private static partial void LogWithdrawFailed(ILogger logger, string errorType);
}

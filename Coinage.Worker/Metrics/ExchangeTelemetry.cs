using System.Diagnostics.Metrics;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Worker.Metrics;

/// <summary>
/// Meter <c>Coinage.Exchange</c>: what the matching hosts do (trades, commands, batch size and
/// duration, how long a command waited for its batch to commit, commands taken out of the stream) and the
/// settlement lag gauge the <c>SettlementLag*</c> alerts read. Every instrument is tagged with the market, but
/// <c>coinage.orders.rejected</c>: the orders and amends refused at processing, counted under the API's name and tags
/// (reason = the order's close reason, or the code shown as its <c>lastAmendRejection</c>), so one series name counts
/// every refusal.
/// </summary>
public sealed class ExchangeTelemetry
{
    public const string MeterName = "Coinage.Exchange";

    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    private readonly Counter<long> _trades;
    private readonly Counter<long> _commands;
    private readonly Histogram<long> _batchSize;
    private readonly Histogram<double> _batchDuration;
    private readonly Histogram<double> _settlementDelay;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _quarantined;
    private volatile IReadOnlyDictionary<string, double>? _lag;

    public ExchangeTelemetry(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _trades = meter.CreateCounter<long>("coinage.exchange.trades", "{trade}", "Trades settled, by market.");
        _commands = meter.CreateCounter<long>("coinage.exchange.commands_processed", "{command}",
            "Market commands applied and marked processed, by market and type (place, place_oco, amend, cancel, cancel_all).");
        // Name, unit and description as the API's instrument (TradingTelemetry): one series, two producers.
        _rejected = meter.CreateCounter<long>("coinage.orders.rejected", "{order}", "Order placements and amends refused, by reason (the problem code).");
        _quarantined = meter.CreateCounter<long>("coinage.matching.commands_quarantined", "{command}",
            "Market commands that failed alone PoisonAttempts times and were taken out of the stream (result 'failed'), by market and type.");
        _batchSize = meter.CreateHistogram("coinage.matching.batch_size", "{command}", "Commands per committed matching batch.",
            tags: null, advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] });
        _batchDuration = meter.CreateHistogram("coinage.matching.batch_duration", "s",
            "Time from the start of a matching batch's transaction to its commit.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _settlementDelay = meter.CreateHistogram("coinage.settlement.delay", "s",
            "Per command: from its creation by the API to the commit of the batch that settled it.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        // No sample before the first count: an unknown lag must not read as none.
        meter.CreateObservableGauge("coinage.settlement.lag", ObserveLag, "s",
            "Per market: age of the oldest command not yet settled (0 when none waits), counted every few seconds.");
    }

    /// <summary>One committed batch of <paramref name="market"/>.</summary>
    public void BatchCommitted(string market, IReadOnlyList<(MarketCommandType Type, DateTimeOffset CreatedAt)> commands, int trades,
        TimeSpan duration, DateTimeOffset committedAt)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var tag = new KeyValuePair<string, object?>("market", market);
        _batchSize.Record(commands.Count, tag);
        _batchDuration.Record(duration.TotalSeconds, tag);
        if (trades > 0)
        {
            _trades.Add(trades, tag);
        }
        foreach (var group in commands.GroupBy(c => c.Type))
        {
            _commands.Add(group.Count(), tag, new KeyValuePair<string, object?>("type", TypeName(group.Key)));
        }
        foreach (var command in commands)
        {
            _settlementDelay.Record(Math.Max(0, (committedAt - command.CreatedAt).TotalSeconds), tag);
        }
    }

    /// <summary>The orders and amends of a committed batch that the matching host refused, by their reasons (<c>post_only_would_take</c>, <c>amend_would_cross</c>, …).</summary>
    public void Rejected(IReadOnlyList<string> reasons)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        foreach (var reason in reasons)
        {
            _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    /// <summary>A command taken out of the stream (quarantined): an operator looks at it (alert <c>MarketCommandQuarantined</c>).</summary>
    public void Quarantined(string market, MarketCommandType type) => _quarantined.Add(1,
        new KeyValuePair<string, object?>("market", market), new KeyValuePair<string, object?>("type", TypeName(type)));

    /// <summary>The lag per market symbol, as last counted.</summary>
    public void Lag(IReadOnlyDictionary<string, double> lagSeconds) => _lag = lagSeconds;

    private IEnumerable<Measurement<double>> ObserveLag() =>
        _lag is { } lag ? lag.Select(l => new Measurement<double>(l.Value, new KeyValuePair<string, object?>("market", l.Key))) : [];

    private static string TypeName(MarketCommandType type) => type switch
    {
        MarketCommandType.Place => "place",
        MarketCommandType.Cancel => "cancel",
        MarketCommandType.CancelAll => "cancel_all",
        MarketCommandType.PlaceOco => "place_oco",
        MarketCommandType.Amend => "amend",
        _ => "other",
    };
}

/// <summary>
/// Counts the settlement lag every <see cref="Interval"/> from the database, so it grows while a
/// market's matching host is stuck or gone (a host cannot report its own silence), and every
/// replica reports the same value: aggregate with <c>max</c>.
/// </summary>
internal sealed class SettlementLagMonitor(IServiceScopeFactory scopes, ExchangeTelemetry telemetry, TimeProvider clock, ILogger<SettlementLagMonitor> logger) : Coinage.Worker.Metrics.DatabaseGaugeMonitor(Interval, clock, logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    internal override async Task ReadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CoinageDbContext>();
        // Served by the partial index on unprocessed commands (market_id, sequence).
        var oldest = await db.Markets.AsNoTracking()
            .Select(m => new
            {
                m.Symbol,
                Oldest = db.MarketCommands.Where(c => c.MarketId == m.Id && c.ProcessedAt == null).OrderBy(c => c.Sequence).Select(c => (DateTimeOffset?)c.CreatedAt).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var now = Clock.GetUtcNow();
        telemetry.Lag(oldest.ToDictionary(o => o.Symbol, o => o.Oldest is { } created ? Math.Max(0, (now - created).TotalSeconds) : 0d, StringComparer.Ordinal));
    }
}

internal static class ExchangeMetricsExtensions
{
    public static IHostApplicationBuilder AddExchangeMetrics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ExchangeTelemetry>();
        builder.Services.AddHostedService<SettlementLagMonitor>();
        return builder;
    }
}

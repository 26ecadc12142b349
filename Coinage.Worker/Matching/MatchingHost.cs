using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Matching;
using Coinage.Worker.MarketData;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using StackExchange.Redis;

namespace Coinage.Worker.Matching;

public sealed class MatchingOptions
{
    public const string Section = "Coinage:Matching";

    public bool Enabled { get; set; } = true;

    /// <summary>Most commands per transaction: large enough that a market behind its API catches up (docs/performance.md).</summary>
    public int BatchSize { get; set; } = 2000;

    /// <summary>Safety net if a NOTIFY is lost (e.g. sent while the host was reconnecting).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a host tries to take markets it does not own (a replica that died frees its markets).</summary>
    public TimeSpan AcquireInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many times a command may fail alone (in a batch of its own, not for a transient reason) before it
    /// is taken out of the stream (<see cref="MarketProcessor.QuarantineAsync(IDbContextFactory{CoinageDbContext}, int, long, long, CancellationToken)"/>).
    /// </summary>
    public int PoisonAttempts { get; set; } = 3;
}

/// <summary>
/// Runs the matching engines of the Worker (DESIGN.md §2). For every market it tries to take a
/// PostgreSQL session advisory lock on a connection it keeps open for as long as it owns the market:
/// when the process dies the connection closes and the lock passes to another replica, which rebuilds
/// the book from the database. The owner wakes up on NOTIFY (and polls as a fallback), processes pending
/// commands in batches of one transaction each, and publishes to Redis only after the commit.
/// </summary>
public sealed partial class MatchingHost(
    IConfiguration configuration,
    IDbContextFactory<CoinageDbContext> contexts,
    TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<MatchingOptions> options,
    MarketDataPublisher publisher,
    ILogger<MatchingHost> logger,
    Coinage.Worker.Metrics.ExchangeTelemetry? telemetry = null,
    Coinage.Worker.Risk.CircuitBreakerMonitor? breaker = null) : BackgroundService
{
    /// <summary>High bits of every market's lock key ("CoinM"): market id in the low bits.</summary>
    public const long LockKeyBase = 0x436F_696E_4D00_0000;

    private readonly ConcurrentDictionary<int, Task> _owned = new();

    // Lock connections get a data source of their own, without the logger: Npgsql logs every LISTEN
    // wait at Information, several times a second per market.
    private readonly Lazy<NpgsqlDataSource> _lockSource = new(() => NpgsqlDataSource.Create(
        configuration.GetConnectionString(CoinageDataExtensions.ConnectionName)
        ?? throw new InvalidOperationException("ConnectionStrings:coinagedb is missing.")));

    /// <summary>Symbols of the markets this host owns right now (tests and diagnostics).</summary>
    public IReadOnlyCollection<string> OwnedMarkets => _symbols.Keys.ToList();

    private readonly ConcurrentDictionary<string, bool> _symbols = new();

    public static long LockKey(int marketId) => LockKeyBase + marketId;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                List<MarketRecord> markets;
                await using (var db = await contexts.CreateDbContextAsync(stoppingToken).ConfigureAwait(false))
                {
                    markets = await db.Markets.AsNoTracking().ToListAsync(stoppingToken).ConfigureAwait(false);
                }
                foreach (var market in markets)
                {
                    if (!_owned.TryGetValue(market.Id, out var running) || running.IsCompleted)
                    {
                        _owned[market.Id] = Task.Run(() => OwnMarketAsync(market, stoppingToken), stoppingToken);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogAcquireFailed(ex);
            }
            try
            {
                await Task.Delay(settings.AcquireInterval, clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await Task.WhenAll(_owned.Values).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        if (_lockSource.IsValueCreated)
        {
            _lockSource.Value.Dispose();
        }
        base.Dispose();
    }

    /// <summary>Owns one market until the lock connection is lost or the host stops; returns at once if another host owns it.</summary>
    private async Task OwnMarketAsync(MarketRecord market, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var key = LockKey(market.Id);
        try
        {
            await using var lockConnection = await _lockSource.Value.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
            await using (var take = new NpgsqlCommand($"SELECT pg_try_advisory_lock({key.ToString(CultureInfo.InvariantCulture)})", lockConnection))
            {
                if (await take.ExecuteScalarAsync(stoppingToken).ConfigureAwait(false) is not true)
                {
                    return;
                }
            }
            var wake = 0;
            lockConnection.Notification += (_, e) =>
            {
                if (e.Payload == market.Id.ToString(CultureInfo.InvariantCulture))
                {
                    Interlocked.Exchange(ref wake, 1);
                }
            };
            await using (var listen = new NpgsqlCommand($"LISTEN {ExchangeCatalog.CommandsChannel}", lockConnection))
            {
                await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
            }
            var pid = lockConnection.ProcessID;
            _symbols[market.Symbol] = true;
            LogOwned(market.Symbol, pid);
            try
            {
                await RunAsync(market, lockConnection, pid, key, () => Interlocked.Exchange(ref wake, 0) == 1, settings, stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                _symbols.TryRemove(market.Symbol, out _);
                breaker?.Released(market);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: closing the connection releases the lock for another replica.
        }
        catch (Exception ex)
        {
            LogOwnershipEnded(ex, market.Symbol);
        }
    }

    private async Task RunAsync(MarketRecord market, NpgsqlConnection lockConnection, int pid, long key, Func<bool> woken,
        MatchingOptions settings, CancellationToken stoppingToken)
    {
        Dictionary<string, Coinage.Domain.Ledger.Asset> assets;
        await using (var db = await contexts.CreateDbContextAsync(stoppingToken).ConfigureAwait(false))
        {
            assets = await LedgerStore.LoadAssetsAsync(db, stoppingToken).ConfigureAwait(false);
        }
        var processor = new MarketProcessor(market, ExchangeCatalog.ToSpotMarket(market, assets), assets, clock);
        await RebuildAsync(processor, stoppingToken).ConfigureAwait(false);
        var failures = 0;
        // After a batch fails for a reason that is not transient, commands go one per transaction until the one
        // that fails is found (or a whole batch's worth has gone through): one bad command must not stop the market.
        var isolating = 0;
        (long Sequence, int Failures) suspect = (0, 0);
        while (!stoppingToken.IsCancellationRequested)
        {
            // Ends a circuit breaker's halt or cancel-only when its time has come (reads the row at most every 250 ms).
            await RiskAsync(() => breaker!.AdvanceAsync(market, stoppingToken), market).ConfigureAwait(false);
            BatchOutcome? outcome;
            try
            {
                await using var db = await contexts.CreateDbContextAsync(stoppingToken).ConfigureAwait(false);
                var started = clock.GetTimestamp();
                outcome = await processor.ProcessBatchAsync(db, pid, key, isolating > 0 ? 1 : settings.BatchSize, stoppingToken).ConfigureAwait(false);
                if (outcome is not null)
                {
                    telemetry?.BatchCommitted(market.Symbol, processor.LastBatchCommands, outcome.Trades.Count, clock.GetElapsedTime(started), clock.GetUtcNow());
                    telemetry?.Rejected(processor.LastBatchRejections);
                }
                failures = 0;
                isolating = outcome is null ? 0 : Math.Max(0, isolating - 1);
            }
            catch (MarketOwnershipLostException)
            {
                throw;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Nothing of the batch committed; the book may hold its effects, so rebuild it from the database and retry.
                failures++;
                LogBatchFailed(ex, market.Symbol, failures);
                var transient = MarketProcessor.IsTransient(ex);
                if (!transient && isolating > 0 && processor.FirstAttemptedSequence is { } failed)
                {
                    suspect = suspect.Sequence == failed ? (failed, suspect.Failures + 1) : (failed, 1);
                    if (suspect.Failures >= settings.PoisonAttempts)
                    {
                        if (await processor.QuarantineAsync(contexts, pid, key, failed, stoppingToken).ConfigureAwait(false) is { } quarantined)
                        {
                            LogQuarantined(ex, market.Symbol, failed, quarantined.Type, suspect.Failures, quarantined.Released);
                            telemetry?.Quarantined(market.Symbol, quarantined.Type);
                        }
                        suspect = (0, 0);
                        failures = 0;
                    }
                }
                else if (!transient)
                {
                    isolating = settings.BatchSize;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Min(failures, 6)))), clock, stoppingToken).ConfigureAwait(false);
                await RebuildAsync(processor, stoppingToken).ConfigureAwait(false);
                continue;
            }
            if (outcome is not null)
            {
                await PublishAsync(market, processor, outcome).ConfigureAwait(false);
                if (outcome.Trades.Count > 0)
                {
                    await RiskAsync(() => breaker!.AfterTradesAsync(market, stoppingToken), market).ConfigureAwait(false);
                }
                if (outcome.Commands >= settings.BatchSize || woken())
                {
                    continue;
                }
            }
            // Wakes on NOTIFY or after the poll interval; throws when the lock connection is broken (ownership lost).
            if (!woken())
            {
                await lockConnection.WaitAsync(settings.PollInterval, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The circuit breaker's step (docs/exchange.md, "Risk controls"), after the batch's commit. A failure is logged and
    /// retried at the next batch or poll: it never stops matching, and the database keeps the breaker's state.
    /// </summary>
    private async Task RiskAsync(Func<Task> step, MarketRecord market)
    {
        if (breaker is null)
        {
            return;
        }
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogBreakerFailed(ex, market.Symbol);
        }
    }

    private async Task RebuildAsync(MarketProcessor processor, CancellationToken stoppingToken)
    {
        await using var db = await contexts.CreateDbContextAsync(stoppingToken).ConfigureAwait(false);
        await processor.RebuildAsync(db, stoppingToken).ConfigureAwait(false);
        LogRebuilt(processor.Market.Symbol, processor.RestingOrders);
        // Subscribers of the previous owner (or of the book before a failed batch) continue from here.
        await publisher.PublishRebuiltAsync(processor, stoppingToken).ConfigureAwait(false);
    }

    /// <summary>Best effort, after the commit: the database is the record (docs/exchange.md, "Market data").</summary>
    private Task PublishAsync(MarketRecord market, MarketProcessor processor, BatchOutcome outcome) =>
        publisher.PublishBatchAsync(processor, outcome, CancellationToken.None);

    [LoggerMessage(Level = LogLevel.Information, Message = "Matching host owns {Market} (lock connection pid {Pid})")]
    private partial void LogOwned(string market, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt the {Market} book from the database: {Orders} resting orders")]
    private partial void LogRebuilt(string market, int orders);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Matching host stopped owning {Market}")]
    private partial void LogOwnershipEnded(Exception exception, string market);

    [LoggerMessage(Level = LogLevel.Error, Message = "A {Market} batch failed (attempt {Failures}); rolled back, rebuilding the book and retrying")]
    private partial void LogBatchFailed(Exception exception, string market, int failures);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Market} command {Sequence} ({Type}) failed alone {Attempts} times: marked processed with result 'failed' (its holds released: {Released}); the market goes on")]
    private partial void LogQuarantined(Exception exception, string market, long sequence, MarketCommandType type, int attempts, bool released);

    [LoggerMessage(Level = LogLevel.Error, Message = "The circuit breaker of {Market} could not run; it runs again after the next batch or poll")]
    private partial void LogBreakerFailed(Exception exception, string market);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not list markets to own")]
    private partial void LogAcquireFailed(Exception exception);
}

public static class MatchingExtensions
{
    public static IHostApplicationBuilder AddMatching(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<MatchingOptions>().Bind(builder.Configuration.GetSection(MatchingOptions.Section));
        builder.AddMarketDataPublishing();
        builder.Services.AddSingleton<Coinage.Worker.Risk.CircuitBreakerMonitor>();
        builder.Services.AddSingleton<MatchingHost>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MatchingHost>());
        return builder;
    }
}

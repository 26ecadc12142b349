using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.MarketData;
using Coinage.Domain.Risk;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using StackExchange.Redis;

namespace Coinage.Worker.Risk;

/// <summary>
/// The circuit breaker (docs/exchange.md, "Risk controls"), run by the matching host that owns the market, where
/// trades happen, so no order path can bypass it: after each batch that traded it measures the move of the market's
/// trades over the window (<see cref="CircuitBreaker"/>) and, beyond the market's limit, halts it for the cooling-off
/// period; then it reopens it in cancel-only, then to continuous trading. Every step is a committed row of
/// <c>markets</c> (status, source, phase end): a Worker that restarts, or another replica that takes the market over,
/// carries on from the database at the stored times. Each step is audited, logged, counted and published for the hub.
/// </summary>
public sealed partial class CircuitBreakerMonitor : IDisposable
{
    public const string MeterName = "Coinage.Risk";

    private readonly IDbContextFactory<CoinageDbContext> _contexts;
    private readonly TimeProvider _clock;
    private readonly IConnectionMultiplexer? _redis;
    private readonly MarketDataKeys _keys;
    private readonly ILogger<CircuitBreakerMonitor> _logger;
    private readonly Meter _meter;
    private readonly Counter<long> _halts;
    private readonly Counter<long> _reopenings;

    /// <summary>Status of each market owned here, as last read or written (the status gauge).</summary>
    private readonly ConcurrentDictionary<string, MarketStatus> _status = new(StringComparer.Ordinal);

    /// <summary>When each market's phase was last looked at: the phase end is read at most every <see cref="PhaseCheckInterval"/>.</summary>
    private readonly ConcurrentDictionary<int, long> _lastPhaseCheck = new();

    public static readonly TimeSpan PhaseCheckInterval = TimeSpan.FromMilliseconds(250);

    public CircuitBreakerMonitor(IDbContextFactory<CoinageDbContext> contexts, TimeProvider clock, IConfiguration configuration, IMeterFactory meters,
        ILogger<CircuitBreakerMonitor> logger, IConnectionMultiplexer? redis = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(meters);
        (_contexts, _clock, _redis, _logger) = (contexts, clock, redis, logger);
        _keys = new MarketDataKeys(configuration[MarketDataKeys.PrefixSetting]);
        _meter = meters.Create(MeterName);
        _halts = _meter.CreateCounter<long>("coinage.market.halts", "{halt}", "Markets halted, by market and source (circuit_breaker; an Admin's halts are in the audit log).");
        _reopenings = _meter.CreateCounter<long>("coinage.market.reopenings", "{step}", "Circuit-breaker phases ended, by market and the status reached (cancel_only, open).");
        _meter.CreateObservableGauge("coinage.market.status", () => _status.Select(s => new Measurement<int>((int)s.Value, new KeyValuePair<string, object?>("market", s.Key))),
            "{status}", "Status of each market owned by this Worker: 0 open, 1 halted, 2 cancel-only.");
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>After a committed batch that traded: halts the market when its trades moved beyond the limit within the window.</summary>
    public async Task AfterTradesAsync(MarketRecord market, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(market);
        var now = _clock.GetUtcNow();
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // One round trip: the settings and the window's range. The window is CircuitBreaker.WindowStart in SQL: the
        // last window seconds, never before the last status change (a reopened market starts afresh).
        await using var command = new NpgsqlCommand("""
            SELECT m.status, m.breaker_move_bps, m.breaker_window_seconds, w.low, w.high
            FROM markets m, LATERAL (
                SELECT min(t.price) AS low, max(t.price) AS high FROM trades t
                WHERE t.market_id = m.id
                  AND t.created_at > greatest($2 - make_interval(secs => m.breaker_window_seconds), coalesce(m.status_changed_at, '-infinity'::timestamptz))
            ) AS w
            WHERE m.id = $1 AND m.status = 0 AND m.breaker_move_bps IS NOT NULL
            """, connection)
        {
            Parameters = { new NpgsqlParameter { Value = market.Id }, new NpgsqlParameter { Value = now.ToUniversalTime() } },
        };
        BreakerTrip? trip;
        int windowSeconds;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return; // not open, or no breaker
            }
            windowSeconds = reader.GetInt32(2);
            trip = CircuitBreaker.Check(reader.IsDBNull(3) ? null : reader.GetDecimal(3), reader.IsDBNull(4) ? null : reader.GetDecimal(4), reader.GetInt32(1));
        }
        if (trip is null)
        {
            return;
        }
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // FOR UPDATE, as an Admin's halt: waits for the group commits in flight, and every later one reads "halted".
        var row = await db.Markets.FromSql($"SELECT * FROM markets WHERE id = {market.Id} FOR UPDATE").AsTracking().FirstAsync(cancellationToken).ConfigureAwait(false);
        if (row.Status != MarketStatus.Open)
        {
            return; // an Admin got there first
        }
        (row.Status, row.StatusSource, row.StatusChangedAt, row.StatusUntil) = (MarketStatus.Halted, MarketStatusSource.CircuitBreaker, now, now.AddSeconds(row.BreakerHaltSeconds));
        await AuditLog.AppendAsync(db, "market.circuit_breaker_tripped", now, null, null, null, new
        {
            market = row.Symbol, low = trip.Low, high = trip.High, moveBps = trip.MoveBps, limitBps = row.BreakerMoveBps, windowSeconds, haltedUntil = row.StatusUntil,
        }, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        _status[row.Symbol] = row.Status;
        _halts.Add(1, new KeyValuePair<string, object?>("market", row.Symbol), new KeyValuePair<string, object?>("source", "circuit_breaker"));
        LogTripped(row.Symbol, trip.MoveBps / 100m, trip.Low, trip.High, windowSeconds, row.StatusUntil!.Value);
        await PublishAsync(row, now).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the breaker's phase once its time has come (halt → cancel-only → open): called by the matching host's loop,
    /// reads the market's row at most every <see cref="PhaseCheckInterval"/>.
    /// </summary>
    public async Task AdvanceAsync(MarketRecord market, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(market);
        var tick = _clock.GetTimestamp();
        if (_lastPhaseCheck.TryGetValue(market.Id, out var last) && _clock.GetElapsedTime(last, tick) < PhaseCheckInterval)
        {
            return;
        }
        _lastPhaseCheck[market.Id] = tick;
        var now = _clock.GetUtcNow();
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var current = await db.Markets.AsNoTracking().Where(m => m.Id == market.Id)
            .Select(m => new { m.Status, m.StatusSource, m.StatusUntil }).FirstAsync(cancellationToken).ConfigureAwait(false);
        _status[market.Symbol] = current.Status;
        if (current.StatusSource != MarketStatusSource.CircuitBreaker || current.StatusUntil is not { } until || until > now)
        {
            return;
        }
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Markets.FromSql($"SELECT * FROM markets WHERE id = {market.Id} FOR UPDATE").AsTracking().FirstAsync(cancellationToken).ConfigureAwait(false);
        if (row.StatusSource != MarketStatusSource.CircuitBreaker || row.StatusUntil is not { } due || due > now)
        {
            return; // an Admin changed it meanwhile
        }
        var from = row.Status;
        var (next, period) = CircuitBreaker.Next(from, TimeSpan.FromSeconds(row.BreakerCancelOnlySeconds));
        (row.Status, row.StatusChangedAt) = (next, now);
        // Open again: the breaker lets go, the status is an ordinary one (an Admin's halt or cancel-only replaces it anyway).
        (row.StatusSource, row.StatusUntil) = next == MarketStatus.Open ? (MarketStatusSource.Admin, null) : (MarketStatusSource.CircuitBreaker, now + period);
        var action = next == MarketStatus.Open ? "market.circuit_breaker_reopened" : "market.circuit_breaker_cancel_only";
        await AuditLog.AppendAsync(db, action, now, null, null, null, new { market = row.Symbol, from = from.ToString(), to = next.ToString(), until = row.StatusUntil },
            cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        _status[row.Symbol] = next;
        _reopenings.Add(1, new KeyValuePair<string, object?>("market", row.Symbol), new KeyValuePair<string, object?>("to", MarketStatusEvents.Name(next)));
        LogPhase(row.Symbol, MarketStatusEvents.Name(next), row.StatusUntil);
        await PublishAsync(row, now).ConfigureAwait(false);
    }

    /// <summary>The market is no longer owned here: it leaves the gauge (its new owner reports it).</summary>
    public void Released(MarketRecord market)
    {
        ArgumentNullException.ThrowIfNull(market);
        _status.TryRemove(market.Symbol, out _);
        _lastPhaseCheck.TryRemove(market.Id, out _);
    }

    private async Task PublishAsync(MarketRecord market, DateTimeOffset at)
    {
        if (_redis is { IsConnected: true } && !await MarketStatusEvents.PublishAsync(_redis, _keys, MarketStatusEvents.Of(market, at)).ConfigureAwait(false))
        {
            LogPublishFailed(market.Symbol);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit breaker tripped on {Market}: moved {MovePercent} % ({Low} to {High}) within {WindowSeconds} s; halted until {Until}")]
    private partial void LogTripped(string market, decimal movePercent, decimal low, decimal high, int windowSeconds, DateTimeOffset until);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit breaker on {Market}: now {Status} (until {Until})")]
    private partial void LogPhase(string market, string status, DateTimeOffset? until);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The status of {Market} was not published to Redis; hub clients see it when they resubscribe")]
    private partial void LogPublishFailed(string market);
}

using System.Diagnostics.Metrics;
using Coinage.Domain.Data;
using Coinage.Domain.Reconciliation;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Worker.Reconciliation;

/// <summary>
/// Meter <c>Coinage.Reconciliation</c>. The counters count the runs of this replica (sum them);
/// the gauges describe the newest run recorded in the database, whichever replica ran it, so every
/// replica reports the same values (aggregate with <c>max</c>).
/// </summary>
public sealed class ReconciliationTelemetry
{
    public const string MeterName = "Coinage.Reconciliation";

    private readonly Counter<long> _runs;
    private readonly Counter<long> _failures;
    private readonly object _gate = new();
    private (long Id, ReconciliationStatus Status, int Discrepancies)? _last;
    private DateTimeOffset? _lastSuccess;

    public ReconciliationTelemetry(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _runs = meter.CreateCounter<long>("coinage.reconciliation.runs", "{run}", "Reconciliation runs by status (succeeded, failed, error).");
        _failures = meter.CreateCounter<long>("coinage.reconciliation.failures", "{run}", "Reconciliation runs that found at least one discrepancy.");
        meter.CreateObservableGauge("coinage.reconciliation.last_status", ObserveStatus, "{status}",
            "Newest run: 1 succeeded, 0 found discrepancies, -1 could not complete.");
        meter.CreateObservableGauge("coinage.reconciliation.last_discrepancies", ObserveDiscrepancies, "{discrepancy}",
            "Discrepancies found by the newest completed run.");
        meter.CreateObservableGauge("coinage.reconciliation.last_success_timestamp", ObserveLastSuccess, "s",
            "Unix time at which the newest successful run finished.");
    }

    public void Completed(ReconciliationRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _runs.Add(1, new KeyValuePair<string, object?>("status", run.Status.Name()));
        if (run.Status == ReconciliationStatus.Failed)
        {
            _failures.Add(1);
        }
        Observed(run.Id, run.Status, run.DiscrepancyCount, run.Status == ReconciliationStatus.Succeeded ? run.FinishedAt : null);
    }

    /// <summary>The newest run and the newest successful one as read from the database (or just recorded).</summary>
    public void Observed(long id, ReconciliationStatus status, int discrepancies, DateTimeOffset? lastSuccess)
    {
        lock (_gate)
        {
            if (_last is null || id >= _last.Value.Id)
            {
                _last = (id, status, discrepancies);
            }
            if (lastSuccess is { } success && (_lastSuccess is null || success > _lastSuccess))
            {
                _lastSuccess = success;
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveStatus()
    {
        lock (_gate)
        {
            return _last is { } last
                ? [new Measurement<int>(last.Status switch { ReconciliationStatus.Succeeded => 1, ReconciliationStatus.Failed => 0, _ => -1 })]
                : [];
        }
    }

    private IEnumerable<Measurement<int>> ObserveDiscrepancies()
    {
        lock (_gate)
        {
            return _last is { } last && last.Status != ReconciliationStatus.Error ? [new Measurement<int>(last.Discrepancies)] : [];
        }
    }

    private IEnumerable<Measurement<double>> ObserveLastSuccess()
    {
        lock (_gate)
        {
            return _lastSuccess is { } success ? [new Measurement<double>(success.ToUnixTimeMilliseconds() / 1000d)] : [];
        }
    }
}

/// <summary>Reads the newest runs every 15 s, so replicas that did not run the job report the same gauges.</summary>
internal sealed class ReconciliationMonitor(IServiceScopeFactory scopes, ReconciliationTelemetry telemetry, TimeProvider clock, ILogger<ReconciliationMonitor> logger) : Coinage.Worker.Metrics.DatabaseGaugeMonitor(Interval, clock, logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    internal override async Task ReadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CoinageDbContext>();
        var last = await db.ReconciliationRuns.AsNoTracking().OrderByDescending(r => r.Id)
            .Select(r => new { r.Id, r.Status, r.DiscrepancyCount }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (last is null)
        {
            return;
        }
        var success = await db.ReconciliationRuns.AsNoTracking().Where(r => r.Status == ReconciliationStatus.Succeeded)
            .OrderByDescending(r => r.Id).Select(r => (DateTimeOffset?)r.FinishedAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        telemetry.Observed(last.Id, last.Status, last.DiscrepancyCount, success);
    }
}

using System.Diagnostics.Metrics;

namespace Coinage.ApiService.Trading;

/// <summary>
/// Meter <c>Coinage.Trading</c>: <c>coinage.orders.accepted</c> (tags market, side, type) counts orders stored as
/// Pending (201; an idempotent repeat answered 200 is not a new order) and <c>coinage.orders.rejected</c> (tag
/// reason = the problem's <c>code</c>) every refused placement, OCO pair and amend. Prometheus shows them as
/// <c>coinage_orders_accepted_total</c> and <c>coinage_orders_rejected_total</c>; the Worker's matching hosts add
/// the amends they refuse at processing to the same series name, with the same codes (<c>ExchangeTelemetry</c>).
/// </summary>
public sealed class TradingTelemetry
{
    public const string MeterName = "Coinage.Trading";

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _commitDuration;
    private readonly Counter<long> _holdConflicts;

    public TradingTelemetry(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _accepted = meter.CreateCounter<long>("coinage.orders.accepted", "{order}", "Orders accepted (stored as pending with their hold) by market, side and type.");
        _rejected = meter.CreateCounter<long>("coinage.orders.rejected", "{order}", "Order placements and amends refused, by reason (the problem code).");
        _batchSize = meter.CreateHistogram<int>("coinage.orders.group_commit.size", "{request}", "Placements and cancels written by one group-commit transaction.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });
        _commitDuration = meter.CreateHistogram<double>("coinage.orders.group_commit.duration", "s", "Time from opening to committing one group-commit transaction.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1] });
        _holdConflicts = meter.CreateCounter<long>("coinage.orders.group_commit.hold_conflicts", "{transaction}",
            "Group commits judged again with the balance rows locked first, because funds read without a lock had been spent before the commit.");
    }

    public void Accepted(string market, string side, string type) => _accepted.Add(1,
        new KeyValuePair<string, object?>("market", market),
        new KeyValuePair<string, object?>("side", side),
        new KeyValuePair<string, object?>("type", type));

    /// <summary>One committed group: how many requests it carried and how long its transaction took.</summary>
    public void Committed(int requests, TimeSpan duration)
    {
        _batchSize.Record(requests);
        _commitDuration.Record(duration.TotalSeconds);
    }

    /// <summary>A group commit whose holds, judged on balances read without a lock, did not fit any more: it is judged again under the lock.</summary>
    public void HoldConflict() => _holdConflicts.Add(1);

    /// <summary>The reason is always one of the stable codes, never client input, so the tag's cardinality stays small.</summary>
    public void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
}

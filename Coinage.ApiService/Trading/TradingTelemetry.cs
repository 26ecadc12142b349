using System.Diagnostics.Metrics;

namespace Coinage.ApiService.Trading;

/// <summary>
/// Meter <c>Coinage.Trading</c>: <c>coinage.orders.accepted</c> (tags market, side, type) counts orders stored as
/// Pending (201; an idempotent repeat answered 200 is not a new order) and <c>coinage.orders.rejected</c> (tag
/// reason = the problem's <c>code</c>) every refused placement. Prometheus shows them as
/// <c>coinage_orders_accepted_total</c> and <c>coinage_orders_rejected_total</c>.
/// </summary>
public sealed class TradingTelemetry
{
    public const string MeterName = "Coinage.Trading";

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;

    public TradingTelemetry(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _accepted = meter.CreateCounter<long>("coinage.orders.accepted", "{order}", "Orders accepted (stored as pending with their hold) by market, side and type.");
        _rejected = meter.CreateCounter<long>("coinage.orders.rejected", "{order}", "Order placements refused, by reason (the problem code).");
    }

    public void Accepted(string market, string side, string type) => _accepted.Add(1,
        new KeyValuePair<string, object?>("market", market),
        new KeyValuePair<string, object?>("side", side),
        new KeyValuePair<string, object?>("type", type));

    /// <summary>The reason is always one of the stable codes, never client input, so the tag's cardinality stays small.</summary>
    public void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
}

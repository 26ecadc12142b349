using System.Globalization;
using System.Text.Json.Serialization;
using Coinage.Domain.Audit;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;

namespace Coinage.Domain.Search;

/// <summary>
/// An audit entry as indexed: exactly what the audit row holds (contract D), nothing more personal.
/// For an erased user the ids are their pseudonym and the IP address and details are gone.
/// </summary>
public sealed record AuditDocument(
    long Sequence, DateTimeOffset OccurredAt, string Action, string? ActorUserId, string? SubjectUserId, string? IpAddress, string Data, string Hash)
{
    [JsonIgnore]
    public string DocumentId => Sequence.ToString(CultureInfo.InvariantCulture);
}

/// <summary>An order as <c>GET /api/v1/orders/{id}</c> shows it, plus its owner and a sortable <see cref="Seq"/> (the order id).</summary>
public sealed record OrderDocument(
    long Seq, string UserId, string Id, string? ClientOrderId, string Market, string Side, string Type, string TimeInForce, bool PostOnly, string Status,
    string? Price, string? Quantity, string? QuoteAmount, string FilledQuantity, string FilledQuote, string? AveragePrice,
    string Fee, string HoldAsset, string RemainingHold, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? CloseReason = null,
    string? TriggerPrice = null, string? OcoPartnerId = null)
{
    /// <summary>Orders change: the newest state wins in the index whatever order the updates arrive in.</summary>
    [JsonIgnore]
    public long Version => (UpdatedAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
}

/// <summary>
/// One side of a trade as its trader sees it (as <c>GET /api/v1/fills</c> shows it): a trade is two
/// fill documents, <c>{tradeId}-taker</c> and <c>{tradeId}-maker</c>, so each belongs to one user and an
/// erasure deletes exactly that user's. <see cref="Seq"/> = trade id × 2 (+1 for the maker) orders them.
/// </summary>
public sealed record FillDocument(
    long Seq, string UserId, string Id, string OrderId, string Market, string Side, string Liquidity, string Price, string Quantity,
    string QuoteAmount, string Fee, string FeeAsset, DateTimeOffset CreatedAt)
{
    [JsonIgnore]
    public string DocumentId => $"{Id}-{Liquidity}";
}

/// <summary>Builds documents from rows; shared by the indexer, the reindex and the PostgreSQL fallback so both answer alike.</summary>
public static class SearchDocumentFactory
{
    public static AuditDocument Audit(AuditEntry entry, IReadOnlyDictionary<Guid, string> erased)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(erased);
        string? actorPseudonym = null, subjectPseudonym = null;
        var actorErased = entry.ActorUserId is { } a && erased.TryGetValue(a, out actorPseudonym);
        var subjectErased = entry.SubjectUserId is { } s && erased.TryGetValue(s, out subjectPseudonym);
        if (actorErased || subjectErased)
        {
            // The details and the IP may name or locate the erased person; the action and time stay for compliance.
            return new AuditDocument(entry.Sequence, entry.OccurredAt, entry.Action,
                actorErased ? actorPseudonym : entry.ActorUserId?.ToString("D"),
                subjectErased ? subjectPseudonym : entry.SubjectUserId?.ToString("D"),
                null, "{}", entry.Hash);
        }
        return new AuditDocument(entry.Sequence, entry.OccurredAt, entry.Action, entry.ActorUserId?.ToString("D"), entry.SubjectUserId?.ToString("D"),
            entry.IpAddress, entry.Data, entry.Hash);
    }

    public static OrderDocument Order(OrderRecord order, MarketRecord market, SpotMarket spot, Guid userId)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(spot);
        var state = order.ToLedgerState(order.Side == Side.Buy ? spot.Quote : spot.Base);
        return new OrderDocument(
            order.Id, userId.ToString("D"), order.Id.ToString(CultureInfo.InvariantCulture), order.ClientOrderId, market.Symbol, OrderNames.Side(order.Side),
            OrderNames.Type(order.Type, order.TriggerType),
            order.TimeInForce switch { TimeInForce.GoodTillCancel => "GTC", TimeInForce.ImmediateOrCancel => "IOC", _ => "FOK" },
            order.PostOnly, OrderNames.Status(order.Status),
            order.Type == OrderType.Limit ? Format(spot.Spec.ToPrice(order.LimitPriceTicks)) : null,
            order.QuoteBudgetUnits > 0 ? null : Format(spot.BaseQuantity(order.QuantityLots)),
            order.QuoteBudgetUnits > 0 ? Format(spot.QuoteAmount(order.QuoteBudgetUnits)) : null,
            Format(spot.BaseQuantity(order.FilledLots)), Format(order.FilledQuote), state.AveragePrice(spot) is { } average ? Format(average) : null,
            Format(order.FeePaid), order.HoldAsset, Format(order.RemainingHold), order.CreatedAt, order.UpdatedAt, OrderNames.CloseReason(order.CloseReason),
            order.TriggerType == TriggerType.None ? null : Format(spot.Spec.ToPrice(order.TriggerPriceTicks)), OrderNames.Id(order.OcoPartnerId));
    }

    /// <summary>The trade's fill documents for the users given (a null user — erased or unknown — gets none).</summary>
    public static IEnumerable<FillDocument> Fills(TradeRecord trade, MarketRecord market, Guid? takerUserId, Guid? makerUserId)
    {
        ArgumentNullException.ThrowIfNull(trade);
        ArgumentNullException.ThrowIfNull(market);
        var id = trade.Id.ToString(CultureInfo.InvariantCulture);
        if (takerUserId is { } taker)
        {
            yield return new FillDocument(trade.Id * 2, taker.ToString("D"), id, trade.TakerOrderId.ToString(CultureInfo.InvariantCulture), market.Symbol,
                OrderNames.Side(trade.TakerSide), "taker", Format(trade.Price), Format(trade.Quantity), Format(trade.QuoteAmount), Format(trade.TakerFee),
                market.QuoteAsset, trade.CreatedAt);
        }
        if (makerUserId is { } maker)
        {
            yield return new FillDocument(trade.Id * 2 + 1, maker.ToString("D"), id, trade.MakerOrderId.ToString(CultureInfo.InvariantCulture), market.Symbol,
                OrderNames.Side(trade.TakerSide == Side.Buy ? Side.Sell : Side.Buy), "maker", Format(trade.Price), Format(trade.Quantity), Format(trade.QuoteAmount),
                Format(trade.MakerFee), market.QuoteAsset, trade.CreatedAt);
        }
    }


    public static OrderStatus? ParseStatus(string name) => name switch
    {
        "pending" => OrderStatus.Pending,
        "open" => OrderStatus.Open,
        "partially_filled" => OrderStatus.PartiallyFilled,
        "filled" => OrderStatus.Filled,
        "cancelled" => OrderStatus.Cancelled,
        "rejected" => OrderStatus.Rejected,
        "untriggered" => OrderStatus.Untriggered,
        _ => null,
    };

    /// <summary>Money as the API writes it: invariant, no exponent, no trailing zeros.</summary>
    public static string Format(decimal value) => value.ToString("0.##################", CultureInfo.InvariantCulture);
}

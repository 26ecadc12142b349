using System.Globalization;
using System.Text.Json;

namespace Coinage.Domain.MarketData;

// The shapes of contract A (docs/exchange.md, "Market data"): money as decimal strings, sequences as
// decimal strings of a long, times ISO-8601 UTC. Shared so the Worker writes what the ApiService reads.

/// <summary>A book at one sequence; levels are <c>[price, quantity]</c>, bids highest first, asks lowest first.</summary>
/// <param name="Epoch">The Worker's update numbering this book belongs to (see <see cref="BookUpdate"/>); null when the book was read from PostgreSQL.</param>
/// <param name="Update">The number of the last <see cref="BookUpdate"/> this book includes, within <paramref name="Epoch"/>.</param>
public sealed record BookSnapshot(string Market, string Sequence, string[][] Bids, string[][] Asks, DateTimeOffset At, string? Epoch = null, string? Update = null);

/// <summary>What the snapshot key holds: the book and the depth it was cut at (a side shorter than that is the whole side).</summary>
public sealed record StoredBook(int Depth, BookSnapshot Book);

/// <summary>Changed levels only (quantity "0" removes the level), to apply when <c>PreviousSequence</c> is the client's last.</summary>
/// <param name="Epoch">
/// Where <paramref name="Update"/> counts from: a new one starts when the publisher finds no book in Redis to continue from
/// (first start, Redis flushed) or a book that changed without its sequence advancing. Opaque; compared for equality only.
/// </param>
/// <param name="Update">
/// Exactly one more than the market's previous update within the same <paramref name="Epoch"/> (the WebSocket feed's
/// <c>sequence</c>), where <paramref name="Sequence"/> jumps by the batch's size.
/// </param>
public sealed record BookUpdate(string Market, string Sequence, string PreviousSequence, string[][] Bids, string[][] Asks, string? Epoch = null, string? Update = null);

/// <summary>A trade without its parties; <c>Side</c> is the taker's.</summary>
public sealed record PublicTrade(string Id, string Price, string Quantity, string Side, DateTimeOffset At);

/// <summary>Trades of one batch, oldest first.</summary>
public sealed record TradesUpdate(string Market, IReadOnlyList<PublicTrade> Trades);

public sealed record Ticker(
    string Symbol, string? Last, string? Open24h, string? High24h, string? Low24h, string? Change24h, string? ChangePercent24h,
    string Volume24h, string QuoteVolume24h, string? BestBid, string? BestAsk, DateTimeOffset At);

/// <param name="CloseReason">Why a cancelled or rejected order ended (<c>OrderNames.CloseReason</c>); null otherwise.</param>
/// <param name="OcoPartnerId">The other leg of its one-cancels-the-other pair; null for an order placed alone.</param>
/// <param name="LastAmendRejection">Why the matching host refused the order's last amend (<c>OrderNames.AmendRejection</c>); null otherwise.</param>
public sealed record OrderUpdate(
    string Id, string Market, string Side, string Type, string Status, string? Price, string? Quantity,
    string FilledQuantity, string FilledQuote, string? AveragePrice, DateTimeOffset UpdatedAt, string? CloseReason = null,
    string? OcoPartnerId = null, string? LastAmendRejection = null);

public sealed record FillUpdate(
    string TradeId, string OrderId, string Market, string Side, string Liquidity, string Price, string Quantity,
    string QuoteAmount, string Fee, string FeeAsset, DateTimeOffset At);

public sealed record BalanceUpdate(string Asset, string Available, string Held, string Total);

/// <summary>One private message on a user's channel: the hub method name and its argument.</summary>
public sealed record UserEvent(string Event, object Data);

public static class MarketDataJson
{
    /// <summary>camelCase, as every Coinage API answers.</summary>
    public static readonly JsonSerializerOptions Serializer = new(JsonSerializerDefaults.Web);

    /// <summary>Money as the API writes it: invariant, no exponent, no trailing zeros.</summary>
    public static string Format(decimal value) => value.ToString("0.##################", CultureInfo.InvariantCulture);

    public static string Format(long sequence) => sequence.ToString(CultureInfo.InvariantCulture);

    public static long ParseSequence(string sequence) => long.Parse(sequence, NumberStyles.None, CultureInfo.InvariantCulture);

    public static decimal ParseDecimal(string value) => decimal.Parse(value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}

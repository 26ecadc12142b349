using System.Globalization;
using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.Tokens;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Trading;

/// <summary>Stable error codes of the exchange endpoints (the problem's <c>code</c> extension).</summary>
public static class ExchangeErrorCodes
{
    public const string UnknownMarket = "unknown_market";
    public const string MarketHalted = "market_halted";
    public const string InvalidPrice = "invalid_price";
    public const string InvalidTriggerPrice = "invalid_trigger_price";
    public const string InvalidQuantity = "invalid_quantity";
    public const string InvalidAmount = "invalid_amount";
    public const string InvalidOrderType = "invalid_order_type";
    public const string BelowMinimumSize = "below_minimum_size";
    public const string BelowMinimumNotional = "below_minimum_notional";
    public const string InsufficientFunds = "insufficient_funds";
    public const string DuplicateClientOrderId = "duplicate_client_order_id";
    public const string OrderNotOpen = "order_not_open";

    /// <summary>An amend of an order that is not a resting limit order (or is a leg of an OCO pair).</summary>
    public const string NotAmendable = "not_amendable";

    /// <summary>An amend whose new price reaches the best opposite price: an amend never takes liquidity.</summary>
    public const string AmendWouldCross = "amend_would_cross";
    public const string UnknownAsset = "unknown_asset";
    public const string IdempotencyKeyRequired = "idempotency_key_required";
    public const string IdempotencyKeyReused = "idempotency_key_reused";
    public const string InvalidCursor = "invalid_cursor";

    /// <summary>A market buy whose budget cannot pay for one lot at the best ask: it would be cancelled with nothing filled.</summary>
    public const string BelowOneLot = "below_one_lot";

    /// <summary>A batch item whose write failed (503): retrying it with its clientOrderId is safe.</summary>
    public const string NotConfirmed = "not_confirmed";
}

/// <summary>Money at the edge: JSON strings in, JSON strings out, invariant culture, no exponent, no sign.</summary>
internal static class Money
{
    public static string Format(decimal value) => value.ToString("0.##################", CultureInfo.InvariantCulture);

    public static string? Format(decimal? value) => value is { } v ? Format(v) : null;

    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        return !string.IsNullOrWhiteSpace(text) && text.Length <= 40
            && decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }
}

internal static class ExchangeProblems
{
    public static ProblemHttpResult BadRequest(string code, string detail) => Problems.Create(StatusCodes.Status400BadRequest, code, "The request is not valid.", detail);

    /// <summary>A 400 about one field, which the reason names in <c>errors</c> as well as in the detail.</summary>
    public static ProblemHttpResult BadRequest(string code, string field, string detail) =>
        TypedResults.Problem(
            detail: detail,
            statusCode: StatusCodes.Status400BadRequest,
            title: "The request is not valid.",
            type: Problems.TypeBase + code,
            extensions: new Dictionary<string, object?> { ["code"] = code, ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } });

    public static ProblemHttpResult NotFound(string detail) => Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "Not found.", detail);

    public static ProblemHttpResult Conflict(string code, string detail) => Problems.Create(StatusCodes.Status409Conflict, code, "The request conflicts with the current state.", detail);

    public static ProblemHttpResult Unprocessable(string code, string detail) => Problems.Create(StatusCodes.Status422UnprocessableEntity, code, "The request cannot be carried out.", detail);

    /// <summary>A 422 about one field: the reason is both the detail and that field's error, so a form shows it on the field.</summary>
    public static ProblemHttpResult Unprocessable(string code, string field, string detail) =>
        TypedResults.Problem(
            detail: detail,
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "The request cannot be carried out.",
            type: Problems.TypeBase + code,
            extensions: new Dictionary<string, object?> { ["code"] = code, ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } });
}

/// <summary>Keyset pagination: the cursor is the last id of the previous page, newest first.</summary>
internal static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static bool TryRead(string? cursor, int? limit, out long? after, out int take, out ProblemHttpResult? problem)
    {
        after = null;
        take = limit ?? DefaultLimit;
        problem = null;
        if (take is < 1 or > MaxLimit)
        {
            problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidCursor, $"limit must be between 1 and {MaxLimit}.");
            return false;
        }
        if (cursor is null)
        {
            return true;
        }
        if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
        {
            problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidCursor, "Not a valid cursor.");
            return false;
        }
        after = id;
        return true;
    }
}

public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

internal static class TraderLookup
{
    /// <summary>The signed-in user's ledger owner id, created on first use.</summary>
    public static Task<long> OwnerIdAsync(this HttpContext http, CoinageDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        ExchangeCatalog.OwnerIdAsync(db, http.User.UserId(), clock.GetUtcNow(), cancellationToken);

    /// <summary>The owner id if the user has ever traded or funded, without creating one (reads).</summary>
    public static async Task<long?> ExistingOwnerIdAsync(this HttpContext http, CoinageDbContext db, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        return await db.Traders.AsNoTracking().Where(t => t.UserId == userId).Select(t => (long?)t.OwnerId).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }
}

using System.Globalization;
using Coinage.ApiService.Identity.ApiKeys;
using Coinage.ApiService.Audit;
using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Trading;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Search;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Search;

public sealed record ActionCountResponse(string Action, long Count);

public sealed record AuditAggregations(IReadOnlyList<ActionCountResponse> Actions);

public sealed record AuditSearchResponse(IReadOnlyList<AuditEntryResponse> Items, string? NextCursor, AuditAggregations Aggregations);

/// <summary>
/// Search, answered by Elasticsearch when it is configured and up, otherwise by PostgreSQL with the
/// same shapes (docs/search.md); the <c>X-Search-Source</c> header says which.
/// <c>/api/v1/compliance/audit/search</c> (Compliance, Admin) and the trader's own
/// <c>/api/v1/search/orders</c> and <c>/api/v1/search/trades</c>.
/// </summary>
public static class SearchApi
{
    public const string SourceHeader = "X-Search-Source";
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;
    public const int MaxTextLength = 200;
    public const int MaxActions = 10;

    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/compliance/audit/search", SearchAuditAsync).WithTags("Search")
            .RequireAuthorization(Policies.Compliance)
            .WithSummary("Full-text search of the audit log (words of actions and details, IP addresses, user ids), newest first, with counts per action")
            .WithDescription("Errors: 400 validation_failed (q, action, from, to, cursor, limit).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        var own = routes.MapGroup("/api/v1/search").WithTags("Search").RequireAuthorization().AcceptApiKeys()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        own.MapGet("/orders", SearchOrdersAsync)
            .WithSummary("Search the user's orders by order id or client order id, market, side, status and time; newest first")
            .WithDescription("Errors: 400 validation_failed (q, side, status, from, to, cursor, limit); 404 unknown_market.");
        own.MapGet("/trades", SearchTradesAsync)
            .WithSummary("Search the user's trades (their fills) by market, side, liquidity and time; newest first")
            .WithDescription("Errors: 400 validation_failed (side, liquidity, from, to, cursor, limit); 404 unknown_market.");
        return routes;
    }

    public static async Task<Results<Ok<AuditSearchResponse>, ValidationProblem>> SearchAuditAsync(
        string? q, string[]? action, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int? limit,
        HttpContext http, SearchService search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(search);
        var errors = new InputErrors();
        var text = errors.Text("q", q?.Trim(), MaxTextLength, required: false);
        var actions = new List<string>();
        foreach (var a in action ?? [])
        {
            if (errors.Text("action", a?.Trim(), 64) is { } name)
            {
                actions.Add(name);
            }
        }
        if (actions.Count > MaxActions)
        {
            errors.Add("action", $"At most {MaxActions} actions.");
        }
        Range(errors, from, to);
        var (before, size) = Common(errors, cursor, limit);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var found = await search.SearchAuditAsync(new AuditSearchQuery(text, actions.Distinct(StringComparer.Ordinal).ToList(), from, to, before, size), cancellationToken)
            .ConfigureAwait(false);
        http.Response.Headers[SourceHeader] = found.Source;
        var result = found.Result;
        return TypedResults.Ok(new AuditSearchResponse(
            [.. result.Items.Select(d => new AuditEntryResponse(d.DocumentId, d.OccurredAt, d.Action, d.ActorUserId, d.SubjectUserId, d.IpAddress, d.Data, d.Hash))],
            result.NextCursor,
            new AuditAggregations([.. result.Actions.Select(a => new ActionCountResponse(a.Action, a.Count))])));
    }

    public static async Task<Results<Ok<Page<OrderResponse>>, ValidationProblem, ProblemHttpResult>> SearchOrdersAsync(
        string? q, string? market, string? side, string[]? status, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int? limit,
        HttpContext http, CoinageDbContext db, SearchService search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(search);
        var errors = new InputErrors();
        var (before, size) = Common(errors, cursor, limit);
        var read = await OrderQueryAsync(errors, http, db, q, market, side, status, from, to, cancellationToken).ConfigureAwait(false);
        if (read.Problem is { } problem)
        {
            return problem;
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var found = await search.SearchOrdersAsync(read.Query! with { Before = before, Size = size }, cancellationToken).ConfigureAwait(false);
        http.Response.Headers[SourceHeader] = found.Source;
        return TypedResults.Ok(new Page<OrderResponse>([.. found.Result.Items.Select(ToResponse)], found.Result.NextCursor));
    }

    public static async Task<Results<Ok<Page<FillResponse>>, ValidationProblem, ProblemHttpResult>> SearchTradesAsync(
        string? market, string? side, string? liquidity, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int? limit,
        HttpContext http, CoinageDbContext db, SearchService search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(search);
        var errors = new InputErrors();
        var (before, size) = Common(errors, cursor, limit);
        var read = await FillQueryAsync(errors, http, db, market, side, liquidity, from, to, cancellationToken).ConfigureAwait(false);
        if (read.Problem is { } problem)
        {
            return problem;
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var found = await search.SearchFillsAsync(read.Query! with { Before = before, Size = size }, cancellationToken).ConfigureAwait(false);
        http.Response.Headers[SourceHeader] = found.Source;
        return TypedResults.Ok(new Page<FillResponse>(
            [.. found.Result.Items.Select(f => new FillResponse(f.Id, f.OrderId, f.Market, f.Side, f.Liquidity, f.Price, f.Quantity, f.QuoteAmount, f.Fee, f.FeeAsset, f.CreatedAt))],
            found.Result.NextCursor));
    }

    /// <summary>
    /// The filters of <c>/api/v1/search/orders</c> as one query, shared by the list and its CSV export so both
    /// select the same orders. A market that does not exist is a 404 problem; bad fields land in <paramref name="errors"/>.
    /// </summary>
    internal static async Task<(OrderSearchQuery? Query, ProblemHttpResult? Problem)> OrderQueryAsync(
        InputErrors errors, HttpContext http, CoinageDbContext db, string? q, string? market, string? side, string[]? status,
        DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        var text = errors.Text("q", q?.Trim(), 64, required: false);
        var sideName = Choice(errors, "side", side, ["buy", "sell"]);
        var statuses = new List<string>();
        foreach (var s in status ?? [])
        {
            if (Choice(errors, "status", s, OrderNames.Statuses) is { } name)
            {
                statuses.Add(name);
            }
        }
        Range(errors, from, to);
        if (errors.Any)
        {
            return (null, null);
        }
        var symbol = await MarketAsync(market, db, cancellationToken).ConfigureAwait(false);
        if (symbol is { Known: false })
        {
            return (null, UnknownMarket(market));
        }
        return (new OrderSearchQuery(http.User.UserId(), text, symbol?.Symbol, sideName, statuses.Distinct(StringComparer.Ordinal).ToList(), from, to, null, DefaultLimit), null);
    }

    /// <summary>The filters of <c>/api/v1/search/trades</c>, shared by the list and its CSV export.</summary>
    internal static async Task<(FillSearchQuery? Query, ProblemHttpResult? Problem)> FillQueryAsync(
        InputErrors errors, HttpContext http, CoinageDbContext db, string? market, string? side, string? liquidity,
        DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        var sideName = Choice(errors, "side", side, ["buy", "sell"]);
        var liquidityName = Choice(errors, "liquidity", liquidity, ["maker", "taker"]);
        Range(errors, from, to);
        if (errors.Any)
        {
            return (null, null);
        }
        var symbol = await MarketAsync(market, db, cancellationToken).ConfigureAwait(false);
        if (symbol is { Known: false })
        {
            return (null, UnknownMarket(market));
        }
        return (new FillSearchQuery(http.User.UserId(), symbol?.Symbol, sideName, liquidityName, from, to, null, DefaultLimit), null);
    }

    internal static OrderResponse ToResponse(OrderDocument o) => new(o.Id, o.ClientOrderId, o.Market, o.Side, o.Type, o.TimeInForce, o.PostOnly, o.Status,
        o.Price, o.Quantity, o.QuoteAmount, o.FilledQuantity, o.FilledQuote, o.AveragePrice, o.Fee, o.HoldAsset, o.RemainingHold, o.CreatedAt, o.UpdatedAt, o.CloseReason,
        o.TriggerPrice, OcoPartnerId: o.OcoPartnerId);

    private static ProblemHttpResult UnknownMarket(string? market) =>
        Problems.Create(StatusCodes.Status404NotFound, ExchangeErrorCodes.UnknownMarket, "Unknown market.", $"No market '{market}'.");

    private static void Range(InputErrors errors, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is { } f && to is { } t && f >= t)
        {
            errors.Add("to", "Must be after from.");
        }
    }

    /// <summary>Cursor (a positive integer from a previous page) and page size, shared by every search.</summary>
    private static (long? Before, int Size) Common(InputErrors errors, string? cursor, int? limit)
    {
        long? before = null;
        if (cursor is not null)
        {
            if (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
            {
                before = value;
            }
            else
            {
                errors.Add("cursor", "Not a valid cursor.");
            }
        }
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"Between 1 and {MaxLimit}.");
        }
        return (before, size);
    }

    private static string? Choice(InputErrors errors, string field, string? value, IReadOnlyList<string> allowed)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var normalized = value.Trim().ToLowerInvariant();
        if (!allowed.Contains(normalized))
        {
            errors.Add(field, $"One of: {string.Join(", ", allowed)}.");
            return null;
        }
        return normalized;
    }

    private static async Task<(string Symbol, bool Known)?> MarketAsync(string? market, CoinageDbContext db, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(market))
        {
            return null;
        }
        var symbol = market.Trim().ToUpperInvariant();
        var known = await db.Markets.AsNoTracking().AnyAsync(m => m.Symbol == symbol, cancellationToken).ConfigureAwait(false);
        return (symbol, known);
    }
}

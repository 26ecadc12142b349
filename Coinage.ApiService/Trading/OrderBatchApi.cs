using System.Globalization;
using Coinage.ApiService.Identity.ApiKeys;
using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.MarketData;
using Coinage.ApiService.Security;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Trading;

public sealed record PlaceOrderBatchRequest(IReadOnlyList<PlaceOrderRequest?>? Orders);

public sealed record CancelOrderBatchRequest(IReadOnlyList<string?>? OrderIds);

/// <summary>One item's answer, in the order of the request.</summary>
/// <param name="Status">What the single-order endpoint would have answered: 201 placed, 200 the order this
/// clientOrderId already names, 202 cancel requested, 4xx refused (see <paramref name="Problem"/>), 503 not confirmed.</param>
public sealed record OrderBatchItem(int Status, OrderResponse? Order, ProblemDetails? Problem);

public sealed record OrderBatchResponse(IReadOnlyList<OrderBatchItem> Results);

/// <summary>
/// <c>POST /api/v1/orders/batch</c> and <c>/batch-cancel</c>: up to <see cref="MaxItems"/> placements or cancels in
/// one request, for market makers and bots that quote several levels at once (Kraken's AddOrderBatch, Binance's
/// batchOrders, Coinbase's batch_cancel). Each item is judged exactly as the single-order endpoint judges it and
/// answered on its own: one refusal never fails the others. The placements go to the group commit as one unit, in
/// the order given, so funds are held in that order, they are written by one transaction and one audit entry
/// (<c>order.placed</c> with the list of orders) records the request. Each item counts against the per-user rate limit.
/// </summary>
public static class OrderBatchApi
{
    public const int MaxItems = 20;

    public static IEndpointRouteBuilder MapOrderBatchApi(this IEndpointRouteBuilder routes)
    {
        var orders = routes.MapGroup("/api/v1/orders").WithTags("Trading").RequireAuthorization(Policies.VerifiedEmail).AcceptApiKeys()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        orders.MapPost("/batch", PlaceAsync)
            .WithSummary($"Place up to {MaxItems} orders; each item is answered as POST /api/v1/orders would answer it")
            .WithDescription("200 with one result per order, in order: status 201 and the order, 200 and the order an earlier request with this " +
                "clientOrderId placed, or a 4xx status and its problem (the codes of POST /api/v1/orders). 400 validation_failed if orders is " +
                $"missing, empty or longer than {MaxItems}; 429 rate_limited if the batch does not fit in the per-user budget (nothing is placed).");
        orders.MapPost("/batch-cancel", CancelAsync)
            .WithSummary($"Request the cancel of up to {MaxItems} open orders; each item is answered as DELETE /api/v1/orders/{{id}} would answer it")
            .WithDescription("200 with one result per id, in order: status 202 and the order, 404 not_found or 409 order_not_open.");
        return routes;
    }

    public static async Task<Results<Ok<OrderBatchResponse>, ValidationProblem, ProblemHttpResult>> PlaceAsync(
        PlaceOrderBatchRequest request, HttpContext http, TradingCatalog catalog, MarketDataReader marketData, OrderCommitter committer, TradingTelemetry telemetry,
        RedisRateLimiter limiter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(committer);
        if (await AdmitAsync("orders", request.Orders?.Count, http, limiter).ConfigureAwait(false) is { } turnedAway)
        {
            return turnedAway;
        }
        var prepared = new List<OrdersApi.PreparedPlacement>(request.Orders!.Count);
        foreach (var order in request.Orders)
        {
            if (order is null)
            {
                // Counted as every other refusal is (PrepareAsync counts its own).
                telemetry.Rejected(ErrorCodes.ValidationFailed);
                prepared.Add(new OrdersApi.PreparedPlacement(null, Invalid: Problems.Validation("orders", "An order is missing.")));
                continue;
            }
            prepared.Add(await OrdersApi.PrepareAsync(order, http, catalog, marketData, telemetry, cancellationToken).ConfigureAwait(false));
        }
        // Queued as one unit: the group commit judges them in this order, in one transaction, with one audit entry.
        var placements = prepared.Where(p => p.Placement is not null).Select(p => p.Placement!).ToList();
        var committed = committer.PlaceAllAsync(placements, cancellationToken);
        var next = 0;
        var answers = prepared.Select(p => p switch
        {
            { Invalid: { } validation } => Task.FromResult(Item(validation)),
            { Refusal: { } refusal } => Task.FromResult(Item(refusal)),
            { Placement: var placement } => CommittedAsync(committed[next++], result => OrdersApi.Answer(placement!, result, telemetry).Result),
        }).ToList();
        var results = await Task.WhenAll(answers).ConfigureAwait(false);
        return TypedResults.Ok(new OrderBatchResponse(results));
    }

    public static async Task<Results<Ok<OrderBatchResponse>, ValidationProblem, ProblemHttpResult>> CancelAsync(
        CancelOrderBatchRequest request, HttpContext http, CoinageDbContext db, TradingCatalog catalog, OrderCommitter committer,
        RedisRateLimiter limiter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(committer);
        if (await AdmitAsync("orderIds", request.OrderIds?.Count, http, limiter).ConfigureAwait(false) is { } turnedAway)
        {
            return turnedAway;
        }
        var owner = await catalog.OwnerIdAsync(http.User.UserId(), cancellationToken).ConfigureAwait(false);
        var ids = request.OrderIds!.Select(id => long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : (long?)null).ToList();
        var wanted = ids.OfType<long>().Distinct().ToList();
        // One query for all of them; someone else's order is not found, exactly as for a single cancel.
        var orders = await db.Orders.AsNoTracking().Where(o => o.OwnerId == owner && wanted.Contains(o.Id))
            .ToDictionaryAsync(o => o.Id, cancellationToken).ConfigureAwait(false);
        // Each answer is a refusal or the index of its cancel; the same id twice is one cancel command, answered twice.
        var refusals = new IResult?[ids.Count];
        var cancelled = new (OrderRecord Order, MarketRecord Row, SpotMarket Spot, int Command)[ids.Count];
        var commands = new List<CommandRequest>();
        var byOrder = new Dictionary<long, int>();
        for (var i = 0; i < ids.Count; i++)
        {
            var order = ids[i] is { } id ? orders.GetValueOrDefault(id) : null;
            var market = order is null ? null : await catalog.MarketAsync(order.MarketId, cancellationToken).ConfigureAwait(false);
            if (OrdersApi.CancelRefusal(request.OrderIds![i] ?? "", order, market) is { } refusal)
            {
                refusals[i] = refusal;
                continue;
            }
            var (row, spot) = market!;
            if (!byOrder.TryGetValue(order!.Id, out var command))
            {
                byOrder[order.Id] = command = commands.Count;
                commands.Add(OrdersApi.CancelCommand(row, owner, order.Id, http));
            }
            cancelled[i] = (order, row, spot, command);
        }
        // Queued as one unit: one transaction, one audit entry listing the orders.
        var committed = committer.AppendCommandsAsync(commands, cancellationToken);
        var answers = Enumerable.Range(0, ids.Count).Select(i => refusals[i] is { } refused
            ? Task.FromResult(Item(refused))
            : CommittedAsync(committed[cancelled[i].Command],
                _ => TypedResults.Accepted($"/api/v1/orders/{cancelled[i].Order.Id}", OrdersApi.ToResponse(cancelled[i].Order, cancelled[i].Row, cancelled[i].Spot)))).ToList();
        var items = await Task.WhenAll(answers).ConfigureAwait(false);
        return TypedResults.Ok(new OrderBatchResponse(items));
    }

    /// <summary>What every batch passes before its first item is looked at: its size and its cost in the per-user rate limit.</summary>
    private static async Task<Results<Ok<OrderBatchResponse>, ValidationProblem, ProblemHttpResult>?> AdmitAsync(
        string field, int? count, HttpContext http, RedisRateLimiter limiter)
    {
        if (SizeProblem(field, count) is { } invalid)
        {
            return invalid;
        }
        if (await ChargeAsync(http, limiter, count!.Value).ConfigureAwait(false) is { } limited)
        {
            return limited;
        }
        return null;
    }

    private static ValidationProblem? SizeProblem(string field, int? count) =>
        count is null or 0 ? Problems.Validation(field, $"Give between 1 and {MaxItems} items.")
        : count > MaxItems ? Problems.Validation(field, $"At most {MaxItems} items per batch; {count} were given.")
        : null;

    /// <summary>The per-user (or per-key) middleware counted the request once; a batch of n items costs n.</summary>
    private static async Task<ProblemHttpResult?> ChargeAsync(HttpContext http, RedisRateLimiter limiter, int items) =>
        items > 1 && http.RateLimitBudget() is var (policy, partition)
            && await limiter.CheckAsync(http.Response, policy, partition, items - 1).ConfigureAwait(false) is { } refused
            ? TypedResults.Problem(refused)
            : null;

    /// <summary>An item whose commit failed is answered on its own (the others stand): retrying it with its clientOrderId is safe.</summary>
    private static async Task<OrderBatchItem> CommittedAsync<T>(Task<T> commit, Func<T, IResult> answer)
    {
        try
        {
            return Item(answer(await commit.ConfigureAwait(false)));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Item(Problems.Create(StatusCodes.Status503ServiceUnavailable, ExchangeErrorCodes.NotConfirmed, "Not confirmed.",
                "The request could not be confirmed; retry it (with the same clientOrderId, a placement is never made twice)."));
        }
    }

    private static OrderBatchItem Item(IResult result) => result switch
    {
        Created<OrderResponse> created => new(StatusCodes.Status201Created, created.Value, null),
        Ok<OrderResponse> existing => new(StatusCodes.Status200OK, existing.Value, null),
        Accepted<OrderResponse> accepted => new(StatusCodes.Status202Accepted, accepted.Value, null),
        ProblemHttpResult problem => new(problem.StatusCode, null, problem.ProblemDetails),
        // The field errors travel as an extension: the item's problem is serialized as a plain ProblemDetails.
        ValidationProblem validation => new(validation.StatusCode, null, new ProblemDetails
        {
            Status = validation.StatusCode,
            Title = validation.ProblemDetails.Title,
            Type = validation.ProblemDetails.Type,
            Detail = validation.ProblemDetails.Detail,
            Extensions = { ["code"] = ErrorCodes.ValidationFailed, ["errors"] = validation.ProblemDetails.Errors },
        }),
        _ => throw new InvalidOperationException($"No batch item for {result.GetType().Name}."),
    };
}

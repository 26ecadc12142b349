using System.Globalization;
using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.ApiKeys;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.MarketData;
using Coinage.ApiService.Security;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Trading;

/// <param name="Price">The new limit price; absent, the price stays.</param>
/// <param name="Quantity">The order's new total size, fills included (above what has filled); absent, the size stays.</param>
public sealed record AmendOrderRequest(string? Price = null, string? Quantity = null);

/// <summary>
/// <c>PATCH /api/v1/orders/{id}</c>: a new price or size for a resting limit order without cancelling it (Binance's
/// order amend, Kraken's AmendOrder). A smaller size at the same price keeps the order's place in its queue; a new
/// price or a larger size puts it at the back of its (new) price's queue. The amend is a command like a cancel (202):
/// the matching engine applies it in sequence, never trades on it, and refuses a price that would cross; a refusal at
/// processing leaves the order's terms and hold as they were and shows in its <c>lastAmendRejection</c>. An amend that
/// needs more funds holds the extra in the transaction that appends the command; the matching host adds it to the
/// order's hold, or releases it if it refuses the amend.
/// </summary>
public static class AmendOrderApi
{
    public static IEndpointRouteBuilder MapAmendOrderApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPatch("/api/v1/orders/{id}", AmendAsync).WithTags("Trading").RequireAuthorization(Policies.VerifiedEmail).AcceptApiKeys()
            .WithSummary("Amend a resting limit order's price or total size (202); a smaller size at the same price keeps its place in the queue")
            .WithDescription("202 with the order as stored; the change shows on the order (REST, hub orderUpdate, WebSocket orders) once the matching host " +
                "has processed it, and a refusal at that point as lastAmendRejection (amend_would_cross, not_amendable, invalid_quantity, insufficient_funds) " +
                "with the order's terms and hold unchanged. quantity is the new total size and must stay above what has filled. " +
                "Errors (problem code, errors.{field}): 400 validation_failed (neither price nor quantity), invalid_price, invalid_quantity, below_minimum_size, " +
                "below_minimum_notional; 403 email_not_verified, trading_suspended; 404 not_found (unknown or someone else's order); " +
                "409 not_amendable (not a resting limit order, or a leg of an OCO pair), market_halted, market_cancel_only; " +
                "422 amend_would_cross (the new price reaches the best opposite price as last published), insufficient_funds (an increase), " +
                "price_band, max_order_size, max_order_notional.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return routes;
    }

    public static async Task<Results<Accepted<OrderResponse>, ProblemHttpResult, ValidationProblem>> AmendAsync(
        string id, AmendOrderRequest request, HttpContext http, CoinageDbContext db, TradingCatalog catalog, MarketDataReader marketData,
        OrderCommitter committer, TradingTelemetry telemetry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(committer);
        ArgumentNullException.ThrowIfNull(telemetry);
        var answer = await JudgeAsync(id, request, http, db, catalog, marketData, committer, cancellationToken).ConfigureAwait(false);
        // Every refusal is counted here, by its problem code, in the counter of refused placements
        // (coinage_orders_rejected_total{reason}); the matching host counts the refusals at processing with the same codes.
        switch (answer.Result)
        {
            case ProblemHttpResult problem:
                return OrdersApi.Refused(telemetry, problem);
            case ValidationProblem:
                telemetry.Rejected(ErrorCodes.ValidationFailed);
                break;
        }
        return answer;
    }

    private static async Task<Results<Accepted<OrderResponse>, ProblemHttpResult, ValidationProblem>> JudgeAsync(
        string id, AmendOrderRequest request, HttpContext http, CoinageDbContext db, TradingCatalog catalog, MarketDataReader marketData,
        OrderCommitter committer, CancellationToken cancellationToken)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var orderId))
        {
            return ExchangeProblems.NotFound($"No order '{id}'.");
        }
        var owner = await catalog.OwnerIdAsync(http.User.UserId(), cancellationToken).ConfigureAwait(false);
        var order = await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == orderId && o.OwnerId == owner, cancellationToken).ConfigureAwait(false);
        if (order is null || await catalog.MarketAsync(order.MarketId, cancellationToken).ConfigureAwait(false) is not var (market, spot))
        {
            return ExchangeProblems.NotFound($"No order '{id}'.");
        }
        if (order.Type != OrderType.Limit || order.Status is not (OrderStatus.Open or OrderStatus.PartiallyFilled))
        {
            return ExchangeProblems.Conflict(ExchangeErrorCodes.NotAmendable,
                $"Order {id} is {OrderNames.Status(order.Status)}: only a limit order resting on the book can be amended.");
        }
        if (order.OcoPartnerId is not null)
        {
            // The pair shares one hold sized for both legs; cancel the pair and place it again.
            return ExchangeProblems.Conflict(ExchangeErrorCodes.NotAmendable, $"Order {id} is a leg of a one-cancels-the-other pair: cancel the pair and place it again.");
        }
        if (request.Price is null && request.Quantity is null)
        {
            return Problems.Validation(new Dictionary<string, string[]>
            {
                ["price"] = ["Give a new price, a new quantity or both."],
                ["quantity"] = ["Give a new price, a new quantity or both."],
            });
        }

        var spec = spot.Spec;
        var errors = new FieldErrors();
        var ticks = order.LimitPriceTicks;
        if (request.Price is not null && (!Money.TryParse(request.Price, out var price) || price > Asset.MaxAmount || !spec.TryToPriceTicks(price, out ticks)))
        {
            errors.Add(ExchangeErrorCodes.InvalidPrice, "price", $"price must be a positive multiple of the tick size {Money.Format(spec.TickSize)} {market.QuoteAsset}.");
        }
        var lots = order.QuantityLots;
        if (request.Quantity is not null)
        {
            if (!Money.TryParse(request.Quantity, out var quantity) || quantity > Asset.MaxAmount || !spec.TryToQuantityLots(quantity, out lots))
            {
                errors.Add(ExchangeErrorCodes.InvalidQuantity, "quantity", $"quantity must be a positive multiple of the lot size {Money.Format(spec.LotSize)} {market.BaseAsset}.");
            }
            else if (lots <= order.FilledLots)
            {
                errors.Add(ExchangeErrorCodes.InvalidQuantity, "quantity",
                    $"quantity is the new total size and must stay above what has filled, {Money.Format(spot.BaseQuantity(order.FilledLots))} {market.BaseAsset}.");
            }
            else if (quantity < market.MinQuantity)
            {
                errors.Add(ExchangeErrorCodes.BelowMinimumSize, "quantity", $"The minimum size is {Money.Format(market.MinQuantity)} {market.BaseAsset}.");
            }
        }
        if (!errors.Any)
        {
            var notional = spot.QuoteNotional(ticks, lots);
            var field = request.Quantity is null ? "price" : "quantity";
            if (notional < market.MinNotional)
            {
                errors.Add(ExchangeErrorCodes.BelowMinimumNotional, field, $"The minimum order value is {Money.Format(market.MinNotional)} {market.QuoteAsset}.");
            }
            else if (notional > Asset.MaxAmount)
            {
                errors.Add(ExchangeErrorCodes.InvalidQuantity, field, $"The order value may be at most {Asset.MaxAmount} {market.QuoteAsset}.");
            }
        }
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        // What the engine would do with it: a new price or a larger size goes to the back of the queue and is judged
        // like a new order (band, caps, crossing); a smaller size at the same price only lowers the risk.
        var requeued = ticks != order.LimitPriceTicks || lots > order.QuantityLots;
        if (requeued)
        {
            var terms = PlaceOrder.Limit(orderId, owner, order.Side, ticks, lots);
            var prices = new Risk.PublishedPrices(new MarketInfo(market, spot), marketData);
            if (await Risk.OrderRiskChecks.CheckAsync(terms, market, spot, prices, cancellationToken).ConfigureAwait(false) is { } risk)
            {
                return risk;
            }
            if (await CrossesAsync(order.Side, ticks, prices, cancellationToken).ConfigureAwait(false) is { } best)
            {
                return ExchangeProblems.Unprocessable(ExchangeErrorCodes.AmendWouldCross, "price",
                    $"{Money.Format(spec.ToPrice(ticks))} {market.QuoteAsset} reaches the best {(order.Side == Side.Buy ? "ask" : "bid")}, {best} {market.QuoteAsset}: " +
                    "an amend never takes liquidity; cancel and place an order to trade now.");
            }
        }

        var state = order.ToLedgerState(OrderLedgerState.HoldAssetOf(spot, order.Side));
        var extra = Math.Max(0, state.Amended(ticks, lots).RequiredHold(spot) - state.RemainingHold);
        var amend = new AmendCommand(ticks, lots, extra, state.HoldAsset.Code);
        var audit = new
        {
            orderId = order.Id, market = market.Symbol, price = Money.Format(spec.ToPrice(ticks)), quantity = Money.Format(spot.BaseQuantity(lots)),
            extraHold = Money.Format(extra),
        };
        var result = await committer.AmendAsync(new AmendRequest(market, spot, owner, orderId, amend, LedgerOperations.AmendHold(state, extra), audit,
            http.User.UserId(), http.ClientIp(), http.User.ApiKeyId()), cancellationToken).ConfigureAwait(false);
        return result.Outcome switch
        {
            PlacementOutcome.Created => TypedResults.Accepted($"/api/v1/orders/{orderId}", OrdersApi.ToResponse(order, market, spot)),
            PlacementOutcome.MarketHalted => ExchangeProblems.Conflict(ExchangeErrorCodes.MarketHalted, $"{market.Symbol} is halted: orders cannot be amended."),
            PlacementOutcome.MarketCancelOnly => ExchangeProblems.Conflict(Risk.RiskErrorCodes.MarketCancelOnly, $"{market.Symbol} accepts only cancels for now."),
            PlacementOutcome.TradingSuspended => Problems.Create(StatusCodes.Status403Forbidden, Risk.RiskErrorCodes.TradingSuspended, "Trading is suspended.",
                "An administrator has suspended trading on this account: amends are refused; cancels still go through."),
            _ => ExchangeProblems.Unprocessable(ExchangeErrorCodes.InsufficientFunds, "quantity",
                $"The amended order needs {Money.Format(result.Needed)} {state.HoldAsset.Code} more (fees included); {Money.Format(result.Available)} is available."),
        };
    }

    /// <summary>The best opposite price, as last published, when <paramref name="ticks"/> reaches it; null otherwise.</summary>
    private static async Task<string?> CrossesAsync(Side side, long ticks, Risk.PublishedPrices prices, CancellationToken cancellationToken)
    {
        var book = await prices.TopOfBookAsync(cancellationToken).ConfigureAwait(false);
        var opposite = side == Side.Buy ? book.Asks : book.Bids;
        if (opposite is not [[var best, ..], ..] || !Money.TryParse(best, out var price) || !prices.Market.Spot.Spec.TryToPriceTicks(price, out var bestTicks))
        {
            return null;
        }
        return (side == Side.Buy ? ticks >= bestTicks : ticks <= bestTicks) ? best : null;
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coinage.ApiService.Identity.ApiKeys;
using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.MarketData;
using Coinage.ApiService.Security;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Trading;

/// <param name="Side"><c>buy</c> or <c>sell</c>.</param>
/// <param name="Type">
/// <c>limit</c>, <c>market</c>, <c>stop_limit</c>, <c>stop_market</c>, <c>take_profit_limit</c> or <c>take_profit_market</c>.
/// A stop or take-profit order is held and sized exactly as the limit or market order it becomes.
/// </param>
/// <param name="TimeInForce"><c>GTC</c> (limit default), <c>IOC</c> (market default) or <c>FOK</c>.</param>
/// <param name="Quantity">Base size (limit orders and market sells).</param>
/// <param name="QuoteAmount">Market buys: the quote budget to spend.</param>
/// <param name="SelfTradePrevention"><c>cancel_newest</c> (default), <c>cancel_oldest</c> or <c>cancel_both</c>.</param>
/// <param name="TriggerPrice">
/// Stop and take-profit orders: the last trade price that fires them. A buy stop fires at or above it, a sell stop at
/// or below; take-profit the other way round.
/// </param>
public sealed record PlaceOrderRequest(
    string? Market, string? Side, string? Type, string? TimeInForce, string? Price, string? Quantity, string? QuoteAmount,
    bool PostOnly = false, string? ClientOrderId = null, string? SelfTradePrevention = null, string? TriggerPrice = null);

/// <param name="CloseReason">
/// Why a cancelled or rejected order ended: <c>user</c>, <c>immediate_or_cancel</c>, <c>fill_or_kill</c>,
/// <c>self_trade_prevention</c>, <c>no_liquidity</c>, <c>below_one_lot</c>, <c>post_only_would_take</c>,
/// <c>invalid_order</c>, <c>processing_failed</c>, <c>oco_partner</c> or <c>would_trigger_immediately</c>; null while it
/// is live, once it filled, and for orders that ended before reasons were recorded.
/// </param>
/// <param name="Status">
/// <c>pending</c>, <c>untriggered</c> (a stop or take-profit order waiting for its trigger), <c>open</c>,
/// <c>partially_filled</c>, <c>filled</c>, <c>cancelled</c> or <c>rejected</c>.
/// </param>
/// <param name="TriggerPrice">Stop and take-profit orders: the trigger price; null for the others.</param>
/// <param name="TriggeredAt">When the trigger fired; null while it waits and for other orders.</param>
/// <param name="OcoPartnerId">
/// The other leg of its one-cancels-the-other pair (<c>POST /api/v1/orders/oco</c>); null for an order placed alone. The
/// limit leg carries the pair's one hold (<c>remainingHold</c>), the stop leg none until it fires.
/// </param>
/// <param name="LastAmendRejection">
/// Why the matching host refused the order's last amend (<c>PATCH /api/v1/orders/{id}</c>), which left its terms and hold as
/// they were: <c>amend_would_cross</c>, <c>not_amendable</c>, <c>invalid_quantity</c> or <c>insufficient_funds</c>; null when
/// the last amend was applied or there was none.
/// </param>
public sealed record OrderResponse(
    string Id, string? ClientOrderId, string Market, string Side, string Type, string TimeInForce, bool PostOnly, string Status,
    string? Price, string? Quantity, string? QuoteAmount, string FilledQuantity, string FilledQuote, string? AveragePrice,
    string Fee, string HoldAsset, string RemainingHold, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? CloseReason,
    string? TriggerPrice = null, DateTimeOffset? TriggeredAt = null, string? OcoPartnerId = null, string? LastAmendRejection = null);

public sealed record FillResponse(
    string Id, string OrderId, string Market, string Side, string Liquidity, string Price, string Quantity, string QuoteAmount, string Fee, string FeeAsset, DateTimeOffset CreatedAt);

/// <summary>
/// <c>/api/v1/orders</c> and <c>/api/v1/fills</c>. Placing holds the funds, stores the order as
/// Pending and appends the market's place command in one transaction (DESIGN.md §2); the Worker's
/// matching host does the rest. A cancel appends a cancel command; the order changes when it is processed.
/// </summary>
public static class OrdersApi
{
    public static IEndpointRouteBuilder MapOrdersApi(this IEndpointRouteBuilder routes)
    {
        var orders = routes.MapGroup("/api/v1/orders").WithTags("Trading").RequireAuthorization().AcceptApiKeys()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        orders.MapPost("", PlaceAsync).RequireAuthorization(Policies.VerifiedEmail)
            .WithSummary("Place an order. The same clientOrderId returns the same order (200), never a second one")
            .WithDescription("Errors (problem code): 400 invalid_price, invalid_trigger_price, invalid_quantity, invalid_amount, invalid_order_type, below_minimum_size, below_minimum_notional, validation_failed; " +
                "403 email_not_verified, trading_suspended; 404 unknown_market; 409 market_halted, market_cancel_only, duplicate_client_order_id (same id, other terms); " +
                "422 insufficient_funds, price_band (errors.price, band), max_order_size (errors.quantity), max_order_notional, open_order_limit, " +
                "below_one_lot (a market buy whose quoteAmount cannot pay for one lot at the best ask; errors.quoteAmount says why).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        orders.MapDelete("/{id}", CancelAsync).RequireAuthorization(Policies.VerifiedEmail)
            .WithSummary("Request the cancel of an open order (202); the order shows Cancelled once the matching host has processed it")
            .WithDescription("Errors: 404 not_found (unknown or someone else's order); 409 order_not_open (already filled, cancelled or rejected).")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        orders.MapDelete("", CancelAllAsync).RequireAuthorization(Policies.VerifiedEmail)
            .WithSummary("Cancel all of the user's open orders in a market (?market=BTC-USD)")
            .WithDescription("Errors: 404 unknown_market.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        orders.MapGet("/open", (string? market, string? cursor, int? limit, HttpContext http, CoinageDbContext db, CancellationToken ct) =>
            ListAsync(market, cursor, limit, openOnly: true, http, db, ct)).WithSummary("Pending, untriggered and open orders, newest first; cursor-paginated")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        orders.MapGet("", (string? market, string? cursor, int? limit, HttpContext http, CoinageDbContext db, CancellationToken ct) =>
            ListAsync(market, cursor, limit, openOnly: false, http, db, ct)).WithSummary("All orders, newest first; cursor-paginated")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        orders.MapGet("/{id}", GetAsync).WithSummary("One order").ProducesProblem(StatusCodes.Status404NotFound);
        routes.MapGet("/api/v1/fills", FillsAsync).WithTags("Trading").RequireAuthorization().AcceptApiKeys()
            .WithSummary("The user's trades, newest first; cursor-paginated")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return routes;
    }

    public static async Task<Results<Created<OrderResponse>, Ok<OrderResponse>, ProblemHttpResult, ValidationProblem>> PlaceAsync(
        PlaceOrderRequest request, HttpContext http, TradingCatalog catalog, MarketDataReader marketData, OrderCommitter committer, TradingTelemetry telemetry,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(committer);
        ArgumentNullException.ThrowIfNull(telemetry);
        var prepared = await PrepareAsync(request, http, catalog, marketData, telemetry, cancellationToken).ConfigureAwait(false);
        if (prepared.Invalid is { } invalid)
        {
            return invalid;
        }
        if (prepared.Refusal is { } refusal)
        {
            return refusal;
        }
        // Funds, clientOrderId and the market's status are judged by the group commit, under its locks; the answer
        // comes after the commit (OrderCommitter).
        var result = await committer.PlaceAsync(prepared.Placement!, cancellationToken).ConfigureAwait(false);
        return Answer(prepared.Placement!, result, telemetry).Result switch
        {
            Created<OrderResponse> created => created,
            Ok<OrderResponse> existing => existing,
            var problem => (ProblemHttpResult)problem,
        };
    }

    /// <summary>A placement checked against the market's grid and minimums, or why it was refused before reaching the writer.</summary>
    internal sealed record PreparedPlacement(PlacementRequest? Placement, ProblemHttpResult? Refusal = null, ValidationProblem? Invalid = null);

    /// <summary>Everything about a placement that needs no lock: the fields, the market, its grid and minimums.</summary>
    internal static async Task<PreparedPlacement> PrepareAsync(
        PlaceOrderRequest request, HttpContext http, TradingCatalog catalog, MarketDataReader marketData, TradingTelemetry telemetry, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var clientOrderId = errors.Text("clientOrderId", request.ClientOrderId, 64, required: false);
        if (errors.Any)
        {
            telemetry.Rejected(Identity.ErrorCodes.ValidationFailed);
            return new PreparedPlacement(null, Invalid: errors.ToProblem());
        }
        var symbol = request.Market?.Trim().ToUpperInvariant() ?? "";
        if (await catalog.MarketAsync(symbol, cancellationToken).ConfigureAwait(false) is not var (market, spot))
        {
            telemetry.Rejected(ExchangeErrorCodes.UnknownMarket);
            return new PreparedPlacement(null, Problems.Create(StatusCodes.Status404NotFound, ExchangeErrorCodes.UnknownMarket, "Unknown market.", $"No market '{request.Market}'."));
        }
        if (!TryBuild(request, market, spot, out var terms, out var problem))
        {
            return new PreparedPlacement(null, Refused(telemetry, problem!));
        }
        var prices = new Risk.PublishedPrices(new MarketInfo(market, spot), marketData);
        if (await Risk.OrderRiskChecks.CheckAsync(terms, market, spot, prices, cancellationToken).ConfigureAwait(false) is { } risk)
        {
            return new PreparedPlacement(null, Refused(telemetry, risk));
        }
        // A stop or take-profit buy is matched later, at another price: today's best ask says nothing about it.
        if (terms.QuoteBudget > 0 && terms.Trigger == TriggerType.None && await BelowOneLotAsync(terms.QuoteBudget, market, spot, prices, cancellationToken).ConfigureAwait(false) is { } tooSmall
            // A retry of an order accepted while the book was cheaper is answered with that order by the group commit.
            && (clientOrderId is null || !await catalog.ClientOrderExistsAsync(http.User.UserId(), clientOrderId, cancellationToken).ConfigureAwait(false)))
        {
            return new PreparedPlacement(null, Refused(telemetry, tooSmall));
        }
        var hash = RequestHash(symbol, terms);
        // Only now: a refused request does not create the user's ledger owner.
        var owner = await catalog.OwnerIdAsync(http.User.UserId(), cancellationToken).ConfigureAwait(false);
        var payload = JsonSerializer.Serialize(new { request.Side, request.Type, request.TimeInForce, request.Price, request.TriggerPrice, request.Quantity, request.QuoteAmount, request.PostOnly, clientOrderId });
        return new PreparedPlacement(new PlacementRequest(market, spot, terms, owner, clientOrderId, hash, payload, http.User.UserId(), http.ClientIp(), http.User.ApiKeyId()));
    }

    /// <summary>The answer to a placement once the group commit has judged it.</summary>
    internal static Results<Created<OrderResponse>, Ok<OrderResponse>, ProblemHttpResult> Answer(PlacementRequest placement, PlacementResult result, TradingTelemetry telemetry)
    {
        var (market, spot, terms) = (placement.Market, placement.Spot, placement.Terms);
        switch (result.Outcome)
        {
            case PlacementOutcome.Created:
                telemetry.Accepted(market.Symbol, OrderNames.Side(terms.Side), OrderNames.Type(terms.Type, terms.Trigger));
                return TypedResults.Created($"/api/v1/orders/{result.Order!.Id}", ToResponse(result.Order, market, spot));
            case PlacementOutcome.Existing:
                if (result.Order!.RequestHash == placement.Hash && result.Order.MarketId == market.Id)
                {
                    return TypedResults.Ok(ToResponse(result.Order, market, spot));
                }
                return Refused(telemetry, ExchangeProblems.Conflict(ExchangeErrorCodes.DuplicateClientOrderId, "This clientOrderId belongs to an order with other terms."));
            case PlacementOutcome.MarketHalted:
                return Refused(telemetry, ExchangeProblems.Conflict(ExchangeErrorCodes.MarketHalted, $"{market.Symbol} is halted: no new orders are accepted."));
            case PlacementOutcome.MarketCancelOnly:
                return Refused(telemetry, ExchangeProblems.Conflict(Risk.RiskErrorCodes.MarketCancelOnly, $"{market.Symbol} accepts only cancels for now: no new orders."));
            case PlacementOutcome.TradingSuspended:
                return Refused(telemetry, Problems.Create(StatusCodes.Status403Forbidden, Risk.RiskErrorCodes.TradingSuspended, "Trading is suspended.",
                    "An administrator has suspended trading on this account: new orders are refused; cancels still go through."));
            case PlacementOutcome.OpenOrderLimit:
                return Refused(telemetry, ExchangeProblems.Unprocessable(Risk.RiskErrorCodes.OpenOrderLimit,
                    $"You have {result.OpenOrders} open orders in {market.Symbol}, the most it allows: cancel one before placing another."));
            default:
                var holdAsset = terms.Side == Side.Buy ? market.QuoteAsset : market.BaseAsset;
                return Refused(telemetry, ExchangeProblems.Unprocessable(ExchangeErrorCodes.InsufficientFunds,
                    $"The order needs {Money.Format(result.Needed)} {holdAsset} (fees included); {Money.Format(result.Available)} is available."));
        }
    }

    /// <summary>Counts the refusal by its problem code (<c>coinage_orders_rejected_total</c>) and answers it.</summary>
    internal static ProblemHttpResult Refused(TradingTelemetry telemetry, ProblemHttpResult problem)
    {
        telemetry.Rejected(problem.ProblemDetails.Extensions.TryGetValue("code", out var code) && code is string text ? text : "unknown");
        return problem;
    }

    public static async Task<Results<Accepted<OrderResponse>, ProblemHttpResult>> CancelAsync(
        string id, HttpContext http, CoinageDbContext db, TradingCatalog catalog, OrderCommitter committer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(committer);
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var orderId))
        {
            return ExchangeProblems.NotFound($"No order '{id}'.");
        }
        // One query: the user's ledger owner and the markets come from the catalog (TradingCatalog).
        var owner = await catalog.OwnerIdAsync(http.User.UserId(), cancellationToken).ConfigureAwait(false);
        var order = await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == orderId && o.OwnerId == owner, cancellationToken).ConfigureAwait(false);
        var market = order is null ? null : await catalog.MarketAsync(order.MarketId, cancellationToken).ConfigureAwait(false);
        if (CancelRefusal(id, order, market) is { } refusal)
        {
            return refusal;
        }
        var (row, spot) = market!;
        await committer.AppendCommandAsync(CancelCommand(row, owner, orderId, http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted($"/api/v1/orders/{orderId}", ToResponse(order!, row, spot));
    }

    /// <summary>Why an order cannot be cancelled: unknown, someone else's (the same answer) or no longer open.</summary>
    internal static ProblemHttpResult? CancelRefusal(string id, OrderRecord? order, TradingMarket? market) =>
        order is null || market is null ? ExchangeProblems.NotFound($"No order '{id}'.")
        : order.Status is OrderStatus.Filled or OrderStatus.Cancelled or OrderStatus.Rejected
            ? ExchangeProblems.Conflict(ExchangeErrorCodes.OrderNotOpen, $"Order {id} is {order.Status.ToString().ToLowerInvariant()}.")
            : null;

    internal static CommandRequest CancelCommand(MarketRecord market, long owner, long orderId, HttpContext http) =>
        new(market, MarketCommandType.Cancel, owner, orderId, "order.cancel_requested", http.User.UserId(), http.ClientIp(), http.User.ApiKeyId());

    public static async Task<Results<Accepted, ProblemHttpResult>> CancelAllAsync(
        string? market, HttpContext http, TradingCatalog catalog, OrderCommitter committer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(committer);
        var symbol = market?.Trim().ToUpperInvariant() ?? "";
        if (await catalog.MarketAsync(symbol, cancellationToken).ConfigureAwait(false) is not { } row)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ExchangeErrorCodes.UnknownMarket, "Unknown market.", $"No market '{market}'.");
        }
        var owner = await catalog.OwnerIdAsync(http.User.UserId(), cancellationToken).ConfigureAwait(false);
        await committer.AppendCommandAsync(new CommandRequest(row.Market, MarketCommandType.CancelAll, owner, null, "order.cancel_all_requested", http.User.UserId(), http.ClientIp(), http.User.ApiKeyId()),
            cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted((string?)null);
    }

    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> GetAsync(string id, HttpContext http, CoinageDbContext db, CancellationToken cancellationToken)
    {
        var owner = await http.ExistingOwnerIdAsync(db, cancellationToken).ConfigureAwait(false);
        if (owner is null || !long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var orderId))
        {
            return ExchangeProblems.NotFound($"No order '{id}'.");
        }
        var order = await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == orderId && o.OwnerId == owner, cancellationToken).ConfigureAwait(false);
        if (order is null)
        {
            return ExchangeProblems.NotFound($"No order '{id}'.");
        }
        var market = await db.Markets.AsNoTracking().FirstAsync(m => m.Id == order.MarketId, cancellationToken).ConfigureAwait(false);
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(ToResponse(order, market, ExchangeCatalog.ToSpotMarket(market, assets)));
    }

    public static async Task<Results<Ok<Page<OrderResponse>>, ProblemHttpResult>> ListAsync(
        string? market, string? cursor, int? limit, bool openOnly, HttpContext http, CoinageDbContext db, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var problem))
        {
            return problem!;
        }
        var owner = await http.ExistingOwnerIdAsync(db, cancellationToken).ConfigureAwait(false);
        if (owner is null)
        {
            return TypedResults.Ok(new Page<OrderResponse>([], null));
        }
        var markets = await db.Markets.AsNoTracking().ToDictionaryAsync(m => m.Id, cancellationToken).ConfigureAwait(false);
        var query = db.Orders.AsNoTracking().Where(o => o.OwnerId == owner);
        if (market is not null)
        {
            var symbol = market.Trim().ToUpperInvariant();
            var match = markets.Values.FirstOrDefault(m => m.Symbol == symbol);
            if (match is null)
            {
                return Problems.Create(StatusCodes.Status404NotFound, ExchangeErrorCodes.UnknownMarket, "Unknown market.", $"No market '{market}'.");
            }
            query = query.Where(o => o.MarketId == match.Id);
        }
        if (openOnly)
        {
            query = query.Where(o => o.Status == OrderStatus.Pending || o.Status == OrderStatus.Open || o.Status == OrderStatus.PartiallyFilled
                || o.Status == OrderStatus.Untriggered);
        }
        if (after is { } a)
        {
            query = query.Where(o => o.Id < a);
        }
        var rows = await query.OrderByDescending(o => o.Id).Take(take + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        var spots = markets.ToDictionary(m => m.Key, m => ExchangeCatalog.ToSpotMarket(m.Value, assets));
        var items = rows.Take(take).Select(o => ToResponse(o, markets[o.MarketId], spots[o.MarketId])).ToList();
        return TypedResults.Ok(new Page<OrderResponse>(items, rows.Count > take ? items[^1].Id : null));
    }

    public static async Task<Results<Ok<Page<FillResponse>>, ProblemHttpResult>> FillsAsync(
        string? cursor, int? limit, HttpContext http, CoinageDbContext db, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var problem))
        {
            return problem!;
        }
        var owner = await http.ExistingOwnerIdAsync(db, cancellationToken).ConfigureAwait(false);
        if (owner is not { } me)
        {
            return TypedResults.Ok(new Page<FillResponse>([], null));
        }
        var query = db.Trades.AsNoTracking().Where(t => t.TakerOwnerId == me || t.MakerOwnerId == me);
        if (after is { } a)
        {
            query = query.Where(t => t.Id < a);
        }
        var rows = await query.OrderByDescending(t => t.Id).Take(take + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var markets = await db.Markets.AsNoTracking().ToDictionaryAsync(m => m.Id, cancellationToken).ConfigureAwait(false);
        var items = rows.Take(take).Select(t =>
        {
            var taker = t.TakerOwnerId == me;
            var side = taker ? t.TakerSide : (t.TakerSide == Side.Buy ? Side.Sell : Side.Buy);
            var m = markets[t.MarketId];
            return new FillResponse(t.Id.ToString(CultureInfo.InvariantCulture), (taker ? t.TakerOrderId : t.MakerOrderId).ToString(CultureInfo.InvariantCulture),
                m.Symbol, OrderNames.Side(side), taker ? "taker" : "maker", Money.Format(t.Price), Money.Format(t.Quantity), Money.Format(t.QuoteAmount),
                Money.Format(taker ? t.TakerFee : t.MakerFee), m.QuoteAsset, t.CreatedAt);
        }).ToList();
        return TypedResults.Ok(new Page<FillResponse>(items, rows.Count > take ? items[^1].Id : null));
    }

    /// <summary>Validates the request against the market's grid and minimums and builds the engine command (id and owner set later).</summary>
    private static bool TryBuild(PlaceOrderRequest request, MarketRecord market, SpotMarket spot, out PlaceOrder order, out ProblemHttpResult? problem)
    {
        order = default;
        problem = null;
        var spec = spot.Spec;
        Side side;
        switch (request.Side?.ToLowerInvariant())
        {
            case "buy": side = Side.Buy; break;
            case "sell": side = Side.Sell; break;
            default:
                problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidOrderType, "side must be 'buy' or 'sell'.");
                return false;
        }
        (bool IsMarket, TriggerType Trigger)? kind = request.Type?.ToLowerInvariant() switch
        {
            "limit" => (false, TriggerType.None),
            "market" => (true, TriggerType.None),
            "stop_limit" => (false, TriggerType.Stop),
            "stop_market" => (true, TriggerType.Stop),
            "take_profit_limit" => (false, TriggerType.TakeProfit),
            "take_profit_market" => (true, TriggerType.TakeProfit),
            _ => null,
        };
        if (kind is null)
        {
            problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidOrderType, "type",
                $"type must be one of {string.Join(", ", OrderNames.Types)}.");
            return false;
        }
        var isMarket = kind.Value.IsMarket;
        var trigger = kind.Value.Trigger;
        long triggerTicks = 0;
        if (trigger == TriggerType.None)
        {
            if (request.TriggerPrice is not null)
            {
                problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidOrderType, "triggerPrice", "triggerPrice is only for stop and take-profit orders.");
                return false;
            }
        }
        else if (!Money.TryParse(request.TriggerPrice, out var triggerPrice) || triggerPrice > Asset.MaxAmount || !spec.TryToPriceTicks(triggerPrice, out triggerTicks))
        {
            problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidTriggerPrice, "triggerPrice",
                $"triggerPrice must be a positive multiple of the tick size {Money.Format(spec.TickSize)} {market.QuoteAsset}.");
            return false;
        }
        else if (request.PostOnly)
        {
            problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidOrderType, "postOnly", "A stop or take-profit order cannot be post-only.");
            return false;
        }
        var tif = (request.TimeInForce?.ToUpperInvariant() ?? (isMarket ? "IOC" : "GTC")) switch
        {
            "GTC" => (TimeInForce?)TimeInForce.GoodTillCancel,
            "IOC" => TimeInForce.ImmediateOrCancel,
            "FOK" => TimeInForce.FillOrKill,
            _ => null,
        };
        var stp = (request.SelfTradePrevention?.ToLowerInvariant() ?? "cancel_newest") switch
        {
            "cancel_newest" => (SelfTradePrevention?)SelfTradePrevention.CancelNewest,
            "cancel_oldest" => SelfTradePrevention.CancelOldest,
            "cancel_both" => SelfTradePrevention.CancelBoth,
            _ => null,
        };
        if (tif is null || stp is null)
        {
            problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidOrderType, "timeInForce must be GTC, IOC or FOK; selfTradePrevention cancel_newest, cancel_oldest or cancel_both.");
            return false;
        }
        if (isMarket && tif == TimeInForce.GoodTillCancel || request.PostOnly && (isMarket || tif != TimeInForce.GoodTillCancel))
        {
            problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidOrderType, "A market order is IOC or FOK; post-only is for GTC limit orders only.");
            return false;
        }

        if (isMarket && side == Side.Buy)
        {
            // Nothing bounds a market buy's price, so it is sized by the quote it may spend (docs/exchange.md).
            if (request.Quantity is not null || tif != TimeInForce.ImmediateOrCancel)
            {
                problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidOrderType, "A market buy is IOC and sized by quoteAmount, not quantity.");
                return false;
            }
            if (!Money.TryParse(request.QuoteAmount, out var budget) || !spot.Quote.TryValidateAmount(budget, out _) || !spec.TryToNotionalUnits(budget, out var units))
            {
                problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidAmount,
                    $"quoteAmount must be a positive multiple of {Money.Format(spec.NotionalUnit)} {market.QuoteAsset}, at most {Asset.MaxAmount}.");
                return false;
            }
            if (budget < market.MinNotional)
            {
                problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.BelowMinimumNotional, $"The minimum order value is {Money.Format(market.MinNotional)} {market.QuoteAsset}.");
                return false;
            }
            order = Armed(PlaceOrder.MarketBuyWithQuote(0, 0, units, stp.Value));
            return true;
        }

        if (request.QuoteAmount is not null)
        {
            problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidOrderType, "quoteAmount is only for market buys.");
            return false;
        }
        if (!Money.TryParse(request.Quantity, out var quantity) || quantity > Asset.MaxAmount || !spec.TryToQuantityLots(quantity, out var lots))
        {
            problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidQuantity, $"quantity must be a positive multiple of the lot size {Money.Format(spec.LotSize)} {market.BaseAsset}.");
            return false;
        }
        if (quantity < market.MinQuantity)
        {
            problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.BelowMinimumSize, $"The minimum size is {Money.Format(market.MinQuantity)} {market.BaseAsset}.");
            return false;
        }
        if (isMarket)
        {
            if (request.Price is not null)
            {
                problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidPrice, "A market order has no price.");
                return false;
            }
            order = Armed(PlaceOrder.Market(0, 0, side, lots, tif.Value, stp.Value));
            return true;
        }
        if (!Money.TryParse(request.Price, out var price) || price > Asset.MaxAmount || !spec.TryToPriceTicks(price, out var ticks))
        {
            problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidPrice, $"price must be a positive multiple of the tick size {Money.Format(spec.TickSize)} {market.QuoteAsset}.");
            return false;
        }
        var notional = spot.QuoteNotional(ticks, lots);
        if (notional < market.MinNotional)
        {
            problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.BelowMinimumNotional, $"The minimum order value is {Money.Format(market.MinNotional)} {market.QuoteAsset}.");
            return false;
        }
        if (notional > Asset.MaxAmount)
        {
            problem = ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidQuantity, $"The order value may be at most {Asset.MaxAmount} {market.QuoteAsset}.");
            return false;
        }
        order = Armed(PlaceOrder.Limit(0, 0, side, ticks, lots, tif.Value, request.PostOnly, stp.Value));
        return true;

        PlaceOrder Armed(PlaceOrder plain) => trigger == TriggerType.None ? plain : plain with { Trigger = trigger, TriggerPrice = triggerTicks };
    }

    /// <summary>
    /// A market buy buys whole lots: a budget below one lot at the best ask would be accepted and then cancelled
    /// with nothing filled, so it is refused up front, saying what one lot costs. The book is the one last
    /// published (one Redis read, market buys only); it may have moved since, and the engine stays the judge: a
    /// budget that no longer buys a lot when it is matched ends cancelled with the reason <c>below_one_lot</c>. An
    /// empty (or not yet published) ask side is not refused here, for the same reason: the order ends
    /// <c>no_liquidity</c> if the book is still empty when it is matched.
    /// </summary>
    private static async Task<ProblemHttpResult?> BelowOneLotAsync(long budgetUnits, MarketRecord market, SpotMarket spot, Risk.PublishedPrices prices,
        CancellationToken cancellationToken)
    {
        var book = await prices.TopOfBookAsync(cancellationToken).ConfigureAwait(false);
        if (book.Asks is not [[var bestAsk, ..], ..] || !Money.TryParse(bestAsk, out var price) || !spot.Spec.TryToPriceTicks(price, out var askTicks)
            || budgetUnits >= askTicks)
        {
            return null;
        }
        var oneLot = spot.QuoteNotional(askTicks, 1);
        var budget = spot.QuoteAmount(budgetUnits);
        return ExchangeProblems.Unprocessable(ExchangeErrorCodes.BelowOneLot, "quoteAmount",
            $"{Money.Format(budget)} {market.QuoteAsset} does not buy one lot: the smallest amount, {Money.Format(spot.Spec.LotSize)} {market.BaseAsset}, " +
            $"costs {Money.Format(oneLot)} {market.QuoteAsset} at the best ask of {Money.Format(price)} {market.QuoteAsset}.");
    }

    private static string RequestHash(string symbol, in PlaceOrder o)
    {
        var text = string.Join('|', symbol, o.Side, o.Type, o.TimeInForce, o.Price, o.Quantity, o.QuoteBudget, o.PostOnly, o.SelfTradePrevention);
        if (o.Trigger != TriggerType.None)
        {
            // Appended only for triggered orders, so the hashes of plain orders stored before stay the same.
            text += $"|{o.Trigger}|{o.TriggerPrice}";
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }


    internal static OrderResponse ToResponse(OrderRecord o, MarketRecord market, SpotMarket spot)
    {
        var state = o.ToLedgerState(o.Side == Side.Buy ? spot.Quote : spot.Base);
        return new OrderResponse(
            o.Id.ToString(CultureInfo.InvariantCulture), o.ClientOrderId, market.Symbol, OrderNames.Side(o.Side),
            OrderNames.Type(o.Type, o.TriggerType),
            o.TimeInForce switch { TimeInForce.GoodTillCancel => "GTC", TimeInForce.ImmediateOrCancel => "IOC", _ => "FOK" },
            o.PostOnly, OrderNames.Status(o.Status),
            o.Type == OrderType.Limit ? Money.Format(spot.Spec.ToPrice(o.LimitPriceTicks)) : null,
            o.QuoteBudgetUnits > 0 ? null : Money.Format(spot.BaseQuantity(o.QuantityLots)),
            o.QuoteBudgetUnits > 0 ? Money.Format(spot.QuoteAmount(o.QuoteBudgetUnits)) : null,
            Money.Format(spot.BaseQuantity(o.FilledLots)), Money.Format(o.FilledQuote), Money.Format(state.AveragePrice(spot)),
            Money.Format(o.FeePaid), o.HoldAsset, Money.Format(o.RemainingHold), o.CreatedAt, o.UpdatedAt, OrderNames.CloseReason(o.CloseReason),
            o.TriggerType == TriggerType.None ? null : Money.Format(spot.Spec.ToPrice(o.TriggerPriceTicks)), o.TriggeredAt,
            OrderNames.Id(o.OcoPartnerId), OrderNames.AmendRejection(o.LastAmendRejection));
    }
}

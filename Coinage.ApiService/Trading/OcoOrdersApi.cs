using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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

/// <param name="Side"><c>buy</c> or <c>sell</c>: both legs.</param>
/// <param name="Quantity">Base size of both legs.</param>
/// <param name="Price">The limit leg's price (GTC): above the last trade for a sell, below it for a buy.</param>
/// <param name="TriggerPrice">The stop leg's trigger: below the last trade for a sell, above it for a buy.</param>
/// <param name="StopPrice">
/// The stop leg's limit price: present, the stop leg is a <c>stop_limit</c>; absent, a <c>stop_market</c>, which only a
/// sell may be (a buy's stop leg needs a price to hold funds for, so a buy OCO requires it).
/// </param>
/// <param name="ClientOrderId">Names the pair (stored on its limit leg): the same id and terms answer 200 with the stored pair.</param>
public sealed record PlaceOcoRequest(
    string? Market, string? Side, string? Quantity, string? Price, string? TriggerPrice, string? StopPrice = null, string? ClientOrderId = null);

/// <summary>The two legs of a one-cancels-the-other pair; each names the other in <c>ocoPartnerId</c>.</summary>
public sealed record OcoResponse(OrderResponse Limit, OrderResponse Stop);

/// <summary>
/// <c>POST /api/v1/orders/oco</c>: a one-cancels-the-other pair, a GTC limit leg (take the profit) and a stop leg (cut the
/// loss) of the same side and size, as Binance's OCO. The first leg to trade (even partly), fire or be cancelled cancels
/// the other (<c>closeReason: oco_partner</c>), in the matching engine, in the same command. The pair holds ONE amount,
/// the larger of its legs' needs, carried by the limit leg and passed to the stop leg if that one fires
/// (<see cref="LedgerOperations.PlaceOco"/>). Stored as two linked orders and one command through the group commit.
/// </summary>
public static class OcoOrdersApi
{
    public static IEndpointRouteBuilder MapOcoOrdersApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/orders/oco", PlaceAsync).WithTags("Trading").RequireAuthorization(Policies.VerifiedEmail).AcceptApiKeys()
            .WithSummary("Place a one-cancels-the-other pair: a limit leg and a stop leg of the same side and size, one hold for both")
            .WithDescription("201 {limit, stop}, each an order naming the other in ocoPartnerId; the same clientOrderId and terms answer 200 with the stored pair. " +
                "A sell pair needs price above the last trade and triggerPrice below it; a buy pair the other way round (before the first trade: price above " +
                "triggerPrice for a sell, below for a buy). stopPrice makes the stop leg a stop_limit; without it the leg is a stop_market, for sells only. " +
                "Errors (problem code, errors.{field}): 400 invalid_order_type (side; stopPrice missing on a buy), invalid_quantity, below_minimum_size, " +
                "invalid_price (price, stopPrice, or price on the wrong side of the last trade), invalid_trigger_price, below_minimum_notional, validation_failed; " +
                "403 email_not_verified, trading_suspended; 404 unknown_market; 409 market_halted, market_cancel_only, duplicate_client_order_id; " +
                "422 insufficient_funds (the larger leg's need), price_band (errors.price or errors.stopPrice), max_order_size, max_order_notional, " +
                "open_order_limit (the pair counts two).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return routes;
    }

    public static async Task<Results<Created<OcoResponse>, Ok<OcoResponse>, ProblemHttpResult, ValidationProblem>> PlaceAsync(
        PlaceOcoRequest request, HttpContext http, TradingCatalog catalog, MarketDataReader marketData, OrderCommitter committer, TradingTelemetry telemetry,
        CoinageDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(committer);
        ArgumentNullException.ThrowIfNull(telemetry);
        var input = new InputErrors();
        var clientOrderId = input.Text("clientOrderId", request.ClientOrderId, 64, required: false);
        if (input.Any)
        {
            telemetry.Rejected(ErrorCodes.ValidationFailed);
            return input.ToProblem();
        }
        var symbol = request.Market?.Trim().ToUpperInvariant() ?? "";
        if (await catalog.MarketAsync(symbol, cancellationToken).ConfigureAwait(false) is not var (market, spot))
        {
            telemetry.Rejected(ExchangeErrorCodes.UnknownMarket);
            return Problems.Create(StatusCodes.Status404NotFound, ExchangeErrorCodes.UnknownMarket, "Unknown market.", $"No market '{request.Market}'.");
        }
        // One read of the last trade (and of the book, before the first trade) for the pair's price rule and both legs' risk checks.
        var prices = new Risk.PublishedPrices(new MarketInfo(market, spot), marketData);
        var lastTrade = await prices.LastTradeAsync(cancellationToken).ConfigureAwait(false);
        if (Validate(request, market, spot, lastTrade) is { } invalid)
        {
            return OrdersApi.Refused(telemetry, invalid);
        }
        var (limit, stop) = Build(request, spot);
        if (await Risk.OrderRiskChecks.CheckAsync(limit, market, spot, prices, cancellationToken).ConfigureAwait(false) is { } limitRisk)
        {
            return OrdersApi.Refused(telemetry, limitRisk);
        }
        if (await Risk.OrderRiskChecks.CheckAsync(stop, market, spot, prices, cancellationToken).ConfigureAwait(false) is { } stopRisk)
        {
            // The stop leg's price is the request's stopPrice.
            return OrdersApi.Refused(telemetry, FieldErrors.Rename(stopRisk, "price", "stopPrice"));
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|', "oco", symbol, limit.Side, limit.Price, limit.Quantity,
            stop.Type, stop.Price, stop.TriggerPrice))));
        var owner = await catalog.OwnerIdAsync(http.User.UserId(), cancellationToken).ConfigureAwait(false);
        var payload = JsonSerializer.Serialize(new { oco = true, request.Side, request.Quantity, request.Price, request.TriggerPrice, request.StopPrice, clientOrderId });
        var placement = new PlacementRequest(market, spot, limit, owner, clientOrderId, hash, payload, http.User.UserId(), http.ClientIp(), http.User.ApiKeyId(), stop);
        var result = await committer.PlaceAsync(placement, cancellationToken).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case PlacementOutcome.Created:
                telemetry.Accepted(market.Symbol, OrderNames.Side(limit.Side), "oco");
                return TypedResults.Created($"/api/v1/orders/{result.Order!.Id}",
                    new OcoResponse(OrdersApi.ToResponse(result.Order, market, spot), OrdersApi.ToResponse(result.Partner!, market, spot)));
            case PlacementOutcome.Existing:
                if (result.Order!.RequestHash == hash && result.Order.MarketId == market.Id && result.Order.OcoPartnerId is { } partnerId)
                {
                    var partner = await db.Orders.AsNoTracking().FirstAsync(o => o.Id == partnerId, cancellationToken).ConfigureAwait(false);
                    return TypedResults.Ok(new OcoResponse(OrdersApi.ToResponse(result.Order, market, spot), OrdersApi.ToResponse(partner, market, spot)));
                }
                return OrdersApi.Refused(telemetry, ExchangeProblems.Conflict(ExchangeErrorCodes.DuplicateClientOrderId, "This clientOrderId belongs to an order with other terms."));
            default:
                // The refusals of the group commit (market status, suspension, funds, open orders) read as for a single order.
                return (ProblemHttpResult)OrdersApi.Answer(placement, result, telemetry).Result;
        }
    }

    /// <summary>Every field's problem at once (the first one's code is the problem's), or null when the pair is valid.</summary>
    private static ProblemHttpResult? Validate(PlaceOcoRequest request, MarketRecord market, SpotMarket spot, decimal? lastTrade)
    {
        var spec = spot.Spec;
        var errors = new FieldErrors();
        var side = request.Side?.ToLowerInvariant() switch { "buy" => (Side?)Side.Buy, "sell" => Side.Sell, _ => null };
        if (side is null)
        {
            errors.Add(ExchangeErrorCodes.InvalidOrderType, "side", "side must be 'buy' or 'sell'.");
        }
        if (!Money.TryParse(request.Quantity, out var quantity) || quantity > Asset.MaxAmount || !spec.TryToQuantityLots(quantity, out _))
        {
            errors.Add(ExchangeErrorCodes.InvalidQuantity, "quantity", $"quantity must be a positive multiple of the lot size {Money.Format(spec.LotSize)} {market.BaseAsset}.");
        }
        else if (quantity < market.MinQuantity)
        {
            errors.Add(ExchangeErrorCodes.BelowMinimumSize, "quantity", $"The minimum size is {Money.Format(market.MinQuantity)} {market.BaseAsset}.");
        }
        var price = Price(errors, ExchangeErrorCodes.InvalidPrice, "price", request.Price, market, spec);
        var trigger = Price(errors, ExchangeErrorCodes.InvalidTriggerPrice, "triggerPrice", request.TriggerPrice, market, spec);
        var stopPrice = request.StopPrice is null ? null : Price(errors, ExchangeErrorCodes.InvalidPrice, "stopPrice", request.StopPrice, market, spec);
        if (request.StopPrice is null && side == Side.Buy)
        {
            errors.Add(ExchangeErrorCodes.InvalidOrderType, "stopPrice",
                "A buy pair's stop leg needs stopPrice (a stop-limit): a stop-market buy sized in base has no price bound to hold funds for.");
        }
        if (!errors.Any && side is { } s)
        {
            // Binance's rule: the limit leg takes the profit on one side of the market, the stop cuts the loss on the other.
            var (above, below) = s == Side.Sell ? ("above", "below") : ("below", "above");
            if (lastTrade is { } last)
            {
                if (s == Side.Sell ? price <= last : price >= last)
                {
                    errors.Add(ExchangeErrorCodes.InvalidPrice, "price", $"A {request.Side} pair's limit price must be {above} the last trade price {Money.Format(last)} {market.QuoteAsset}.");
                }
                if (s == Side.Sell ? trigger >= last : trigger <= last)
                {
                    errors.Add(ExchangeErrorCodes.InvalidTriggerPrice, "triggerPrice", $"A {request.Side} pair's triggerPrice must be {below} the last trade price {Money.Format(last)} {market.QuoteAsset}.");
                }
            }
            else if (s == Side.Sell ? trigger >= price : trigger <= price)
            {
                errors.Add(ExchangeErrorCodes.InvalidTriggerPrice, "triggerPrice", $"A {request.Side} pair's triggerPrice must be {below} its limit price.");
            }
            spec.TryToQuantityLots(quantity, out var lots);
            foreach (var (field, legPrice) in new[] { ("price", price), ("stopPrice", stopPrice) })
            {
                if (legPrice is not { } p || !spec.TryToPriceTicks(p, out var ticks))
                {
                    continue;
                }
                var notional = spot.QuoteNotional(ticks, lots);
                if (notional < market.MinNotional)
                {
                    errors.Add(ExchangeErrorCodes.BelowMinimumNotional, field, $"The minimum order value is {Money.Format(market.MinNotional)} {market.QuoteAsset}.");
                }
                else if (notional > Asset.MaxAmount)
                {
                    errors.Add(ExchangeErrorCodes.InvalidQuantity, field, $"The order value may be at most {Asset.MaxAmount} {market.QuoteAsset}.");
                }
            }
        }
        return errors.ToProblem();
    }

    private static decimal? Price(FieldErrors errors, string code, string field, string? text, MarketRecord market, MarketSpec spec)
    {
        if (Money.TryParse(text, out var price) && price <= Asset.MaxAmount && spec.TryToPriceTicks(price, out _))
        {
            return price;
        }
        errors.Add(code, field, $"{field} must be a positive multiple of the tick size {Money.Format(spec.TickSize)} {market.QuoteAsset}.");
        return null;
    }

    /// <summary>The legs of a validated request (ids and owner set by the group commit).</summary>
    private static (PlaceOrder Limit, PlaceOrder Stop) Build(PlaceOcoRequest request, SpotMarket spot)
    {
        var spec = spot.Spec;
        var side = request.Side!.Equals("buy", StringComparison.OrdinalIgnoreCase) ? Side.Buy : Side.Sell;
        Money.TryParse(request.Quantity, out var quantity);
        spec.TryToQuantityLots(quantity, out var lots);
        var limit = PlaceOrder.Limit(0, 0, side, Ticks(request.Price), lots);
        var stop = request.StopPrice is null
            ? PlaceOrder.Market(0, 0, side, lots)
            : PlaceOrder.Limit(0, 0, side, Ticks(request.StopPrice), lots);
        return (limit, stop.WithStop(Ticks(request.TriggerPrice)));

        long Ticks(string? text)
        {
            Money.TryParse(text, out var price);
            spec.TryToPriceTicks(price, out var ticks);
            return ticks;
        }
    }
}

/// <summary>Problems about several fields of one request: every field's reason in <c>errors</c>, the first one's code as the problem's.</summary>
internal sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);
    private string? _code;
    private string? _first;

    public bool Any => _errors.Count > 0;

    public void Add(string code, string field, string message)
    {
        _code ??= code;
        _first ??= message;
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
    }

    public ProblemHttpResult? ToProblem() => _code is null ? null : TypedResults.Problem(
        detail: _first,
        statusCode: StatusCodes.Status400BadRequest,
        title: "The request is not valid.",
        type: Problems.TypeBase + _code,
        extensions: new Dictionary<string, object?> { ["code"] = _code, ["errors"] = _errors.ToDictionary(e => e.Key, e => e.Value.ToArray()) });

    /// <summary>The same problem with the field <paramref name="from"/> of its <c>errors</c> named <paramref name="to"/>.</summary>
    public static ProblemHttpResult Rename(ProblemHttpResult problem, string from, string to)
    {
        if (problem.ProblemDetails.Extensions.TryGetValue("errors", out var value) && value is Dictionary<string, string[]> errors && errors.Remove(from, out var messages))
        {
            errors[to] = messages;
        }
        return problem;
    }
}

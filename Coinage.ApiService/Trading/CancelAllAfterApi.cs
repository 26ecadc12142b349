using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.ApiKeys;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Security;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Coinage.ApiService.Trading;

/// <param name="TimeoutSeconds">Cancel all open orders this many seconds from now unless called again; 0 disarms.</param>
/// <param name="Market">Only this market's orders (one switch per market); omitted, every market's.</param>
public sealed record CancelAllAfterRequest(int? TimeoutSeconds, string? Market = null);

/// <param name="TriggerTime">When the orders will be cancelled unless renewed; null once disarmed.</param>
public sealed record CancelAllAfterResponse(DateTimeOffset CurrentTime, DateTimeOffset? TriggerTime, string? Market);

/// <summary>
/// <c>POST /api/v1/orders/cancel-all-after</c>: the dead man's switch of Kraken (<c>cancelAllOrdersAfter</c>) and
/// BitMEX. A bot calls it every few seconds with a timeout; if it stops calling (it crashed, its network is gone),
/// the Worker cancels its open orders when the timeout expires, through the ordinary cancel-all command
/// (<c>Coinage.Worker/Matching/CancelAllAfterService.cs</c>). The deadline is a row in PostgreSQL, so it survives
/// restarts of the API and the Worker. Arming and disarming are audited (<c>orders.cancel_all_after_armed</c>,
/// <c>…_disarmed</c>) in the transaction that writes the row; a renewal of an armed switch is not: a bot renews every
/// few seconds, and one entry per renewal would bury the log (and queue every renewal on the audit chain's lock).
/// The Worker audits the firing.
/// </summary>
public static class CancelAllAfterApi
{
    public const string ArmedAction = "orders.cancel_all_after_armed";
    public const string DisarmedAction = "orders.cancel_all_after_disarmed";

    public static IEndpointRouteBuilder MapCancelAllAfterApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/orders/cancel-all-after", ArmAsync).WithTags("Trading").RequireAuthorization(Policies.VerifiedEmail).AcceptApiKeys()
            .WithSummary("Dead man's switch: cancel all open orders (of one market, or all) in timeoutSeconds unless called again; 0 disarms")
            .WithDescription($"Errors: 400 validation_failed (errors.timeoutSeconds: a whole number from 0 to {CancelAllAfterRecord.MaxTimeoutSeconds}); 404 unknown_market.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    public static async Task<Results<Ok<CancelAllAfterResponse>, ProblemHttpResult>> ArmAsync(
        CancelAllAfterRequest request, HttpContext http, TradingCatalog catalog, CoinageDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        if (request.TimeoutSeconds is not (>= 0 and <= CancelAllAfterRecord.MaxTimeoutSeconds))
        {
            return ExchangeProblems.BadRequest(ErrorCodes.ValidationFailed, "timeoutSeconds",
                $"timeoutSeconds must be a whole number of seconds from 0 (disarm) to {CancelAllAfterRecord.MaxTimeoutSeconds}.");
        }
        var marketId = CancelAllAfterRecord.AllMarkets;
        string? symbol = null;
        if (request.Market is not null)
        {
            symbol = request.Market.Trim().ToUpperInvariant();
            if (await catalog.MarketAsync(symbol, cancellationToken).ConfigureAwait(false) is not { } market)
            {
                return Problems.Create(StatusCodes.Status404NotFound, ExchangeErrorCodes.UnknownMarket, "Unknown market.", $"No market '{request.Market}'.");
            }
            marketId = market.Market.Id;
        }
        var userId = http.User.UserId();
        var owner = await catalog.OwnerIdAsync(userId, cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        DateTimeOffset? deadline = request.TimeoutSeconds == 0 ? null : now.AddSeconds(request.TimeoutSeconds.Value);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var statement = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)tx.GetDbTransaction())
        {
            BatchCommands = { deadline is { } at ? CancelAllAfterSql.Arm(owner, marketId, at, now) : CancelAllAfterSql.Disarm(owner, marketId) },
        };
        bool changed;
        await using (var reader = await statement.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            // Arm: true when there was no switch (armed), false when there was one (renewed). Disarm: a row when there was one.
            changed = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && (deadline is null || reader.GetBoolean(0));
        }
        if (changed)
        {
            var data = deadline is { } armedUntil
                ? (object)new { market = symbol ?? "all", timeoutSeconds = request.TimeoutSeconds.Value, deadline = armedUntil }
                : new { market = symbol ?? "all" };
            await AuditLog.AppendAsync(db, deadline is null ? DisarmedAction : ArmedAction, now, userId, userId, http.ClientIp(),
                ApiKeyClaims.WithApiKey(data, http.User.ApiKeyId()), cancellationToken).ConfigureAwait(false);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new CancelAllAfterResponse(now, deadline, symbol));
    }
}

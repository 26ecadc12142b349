using System.Globalization;
using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.StepUp;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Security;
using Coinage.ApiService.Trading;
using Coinage.ApiService.Wallet;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Funding;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coinage.ApiService.Admin;

public sealed record FundingDecisionRequest(string? Reason);

public sealed record AdminDepositResponse(string Id, string UserId, string? Email, string Asset, string Amount, string Status, bool RequiresApproval, DateTimeOffset CreatedAt);

/// <param name="Fee">The withdrawal fee stored at request, charged on top of <paramref name="Amount"/>.</param>
public sealed record AdminWithdrawalResponse(string Id, string UserId, string? Email, string Asset, string Amount, string Fee, string Address, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset? ConfirmedAt);

/// <summary>
/// <c>/api/v1/admin/funding</c> (Admin): the deposits and withdrawals still in flight, and the decisions
/// the Worker leaves to a person (above the approval thresholds). Every decision carries a reason and is audited.
/// </summary>
public static class FundingAdminApi
{
    public const int MaxReasonLength = 500;

    public static IEndpointRouteBuilder MapFundingAdminApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/v1/admin/funding").WithTags("Administration")
            .RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        admin.MapGet("/deposits", PendingDepositsAsync).WithSummary("Pending deposits, newest first; requiresApproval marks those above the threshold")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("/withdrawals", OpenWithdrawalsAsync).WithSummary("Withdrawals not processed yet (awaiting_confirmation, pending, pending_approval), newest first")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapPost("/deposits/{id:long}/approve", (long id, FundingDecisionRequest request, HttpContext http, CoinageDbContext db, FundingEvents events, TimeProvider clock, CancellationToken ct) =>
            DecideDepositAsync(id, approve: true, request, http, db, events, clock, ct)).RequireStepUp().WithSummary("Confirm a pending deposit: the funds are credited");
        admin.MapPost("/deposits/{id:long}/reject", (long id, FundingDecisionRequest request, HttpContext http, CoinageDbContext db, FundingEvents events, TimeProvider clock, CancellationToken ct) =>
            DecideDepositAsync(id, approve: false, request, http, db, events, clock, ct)).RequireStepUp().WithSummary("Reject a pending deposit (reason required): nothing is credited");
        admin.MapPost("/withdrawals/{id:long}/approve", (long id, FundingDecisionRequest request, HttpContext http, CoinageDbContext db, FundingEvents events, TimeProvider clock, CancellationToken ct) =>
            DecideWithdrawalAsync(id, approve: true, request, http, db, events, clock, ct)).RequireStepUp().WithSummary("Approve a confirmed withdrawal: it is sent through the rail");
        admin.MapPost("/withdrawals/{id:long}/reject", (long id, FundingDecisionRequest request, HttpContext http, CoinageDbContext db, FundingEvents events, TimeProvider clock, CancellationToken ct) =>
            DecideWithdrawalAsync(id, approve: false, request, http, db, events, clock, ct)).RequireStepUp().WithSummary("Reject a withdrawal not processed yet (reason required): its funds are released");
        return routes;
    }

    public static async Task<Results<Ok<Page<AdminDepositResponse>>, ProblemHttpResult>> PendingDepositsAsync(
        string? cursor, int? limit, CoinageDbContext db, IOptions<FundingOptions> options, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var problem))
        {
            return problem!;
        }
        var rows = await (from d in db.Deposits.AsNoTracking()
                          join t in db.Traders.AsNoTracking() on d.OwnerId equals t.OwnerId
                          join u in db.Users.AsNoTracking() on t.UserId equals u.Id into users
                          from u in users.DefaultIfEmpty()
                          where d.Status == DepositStatus.Pending && (after == null || d.Id < after)
                          orderby d.Id descending
                          select new { d, t.UserId, Email = u == null ? null : u.Email }).Take(take + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var thresholds = options.Value.DepositApprovalThresholds;
        var items = rows.Take(take).Select(r => new AdminDepositResponse(
            r.d.Id.ToString(CultureInfo.InvariantCulture), r.UserId.ToString(), r.Email, r.d.Asset, Money.Format(r.d.Amount), "pending",
            !FundingOptions.WithinThreshold(thresholds, r.d.Asset, r.d.Amount), r.d.CreatedAt)).ToList();
        return TypedResults.Ok(new Page<AdminDepositResponse>(items, rows.Count > take ? items[^1].Id : null));
    }

    public static async Task<Results<Ok<Page<AdminWithdrawalResponse>>, ProblemHttpResult>> OpenWithdrawalsAsync(
        string? cursor, int? limit, CoinageDbContext db, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var problem))
        {
            return problem!;
        }
        var rows = await (from w in db.Withdrawals.AsNoTracking()
                          join t in db.Traders.AsNoTracking() on w.OwnerId equals t.OwnerId
                          join u in db.Users.AsNoTracking() on t.UserId equals u.Id into users
                          from u in users.DefaultIfEmpty()
                          where (w.Status == WithdrawalStatus.AwaitingConfirmation || w.Status == WithdrawalStatus.Pending || w.Status == WithdrawalStatus.PendingApproval)
                                && (after == null || w.Id < after)
                          orderby w.Id descending
                          select new { w, t.UserId, Email = u == null ? null : u.Email }).Take(take + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var items = rows.Take(take).Select(r => new AdminWithdrawalResponse(
            r.w.Id.ToString(CultureInfo.InvariantCulture), r.UserId.ToString(), r.Email, r.w.Asset, Money.Format(r.w.Amount), Money.Format(r.w.Fee), r.w.Address,
            WithdrawalsApi.StatusName(r.w.Status), r.w.CreatedAt, r.w.ConfirmedAt)).ToList();
        return TypedResults.Ok(new Page<AdminWithdrawalResponse>(items, rows.Count > take ? items[^1].Id : null));
    }

    public static async Task<Results<Ok<DepositResponse>, ValidationProblem, ProblemHttpResult>> DecideDepositAsync(
        long id, bool approve, FundingDecisionRequest request, HttpContext http, CoinageDbContext db, FundingEvents events, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (ReadReason(request, required: !approve, out var reason) is { } invalid)
        {
            return invalid;
        }
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var deposit = await FundingOperations.LockDepositAsync(db, id, cancellationToken).ConfigureAwait(false);
        if (deposit is null)
        {
            return ExchangeProblems.NotFound($"No deposit {id}.");
        }
        if (deposit.Status != DepositStatus.Pending)
        {
            return ExchangeProblems.Conflict(FundingErrorCodes.DepositNotPending, $"The deposit is already {deposit.Status.ToString().ToLowerInvariant()}.");
        }
        var actor = Actor.Admin(http.User.UserId(), http.ClientIp());
        if (approve)
        {
            var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
            await FundingOperations.ConfirmDepositAsync(db, deposit, assets, actor, reason, now, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await FundingOperations.RejectDepositAsync(db, deposit, actor, reason!, now, cancellationToken).ConfigureAwait(false);
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        await events.PublishAsync(db, deposit, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(WalletApi.ToResponse(deposit));
    }

    public static async Task<Results<Ok<WithdrawalResponse>, ValidationProblem, ProblemHttpResult>> DecideWithdrawalAsync(
        long id, bool approve, FundingDecisionRequest request, HttpContext http, CoinageDbContext db, FundingEvents events, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (ReadReason(request, required: !approve, out var reason) is { } invalid)
        {
            return invalid;
        }
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var withdrawal = await FundingOperations.LockWithdrawalAsync(db, id, cancellationToken).ConfigureAwait(false);
        if (withdrawal is null)
        {
            return ExchangeProblems.NotFound($"No withdrawal {id}.");
        }
        // Approving skips nothing the user must do: an unconfirmed withdrawal can only be rejected.
        var allowed = approve
            ? withdrawal.Status is WithdrawalStatus.Pending or WithdrawalStatus.PendingApproval
            : WithdrawalRecord.HoldsFunds(withdrawal.Status);
        if (!allowed)
        {
            return ExchangeProblems.Conflict(FundingErrorCodes.WithdrawalNotPending,
                $"The withdrawal is {WithdrawalsApi.StatusName(withdrawal.Status)}; it cannot be {(approve ? "approved" : "rejected")}.");
        }
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        var actor = Actor.Admin(http.User.UserId(), http.ClientIp());
        if (approve)
        {
            await FundingOperations.CompleteWithdrawalAsync(db, withdrawal, assets, actor, reason, now, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await FundingOperations.ReleaseWithdrawalAsync(db, withdrawal, WithdrawalStatus.Rejected, assets, actor, reason, now, cancellationToken).ConfigureAwait(false);
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        await events.PublishAsync(db, withdrawal, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(WithdrawalsApi.ToResponse(withdrawal));
    }

    private static ValidationProblem? ReadReason(FundingDecisionRequest request, bool required, out string? reason)
    {
        reason = string.IsNullOrWhiteSpace(request?.Reason) ? null : request.Reason.Trim();
        if (reason is null && required)
        {
            return Problems.Validation("reason", "Say why: the user and the audit log see it.");
        }
        if (reason is not null && (reason.Length > MaxReasonLength || reason.Any(char.IsControl)))
        {
            return Problems.Validation("reason", $"At most {MaxReasonLength} characters, on one line.");
        }
        return null;
    }
}

using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Funding;
using Coinage.Worker.Hangfire;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coinage.Worker.Funding;

/// <summary>What one run of <see cref="FundingJob"/> did.</summary>
public sealed record FundingRunResult(int DepositsConfirmed, int WithdrawalsCompleted, int WithdrawalsExpired);

/// <summary>
/// The simulated payment rail's back office, every 10 s: confirms pending deposits at or below
/// <see cref="FundingOptions.DepositApprovalThresholds"/>, completes confirmed withdrawals below the
/// approval threshold (status pending; larger ones are pending_approval and wait for an Admin), and
/// expires withdrawals whose confirmation link ran out, releasing their funds.
/// Each row is one transaction (ledger entry, row update, audit entry) taken with
/// <c>FOR UPDATE SKIP LOCKED</c>: two Worker replicas, or an Admin deciding the same row, never
/// process a row twice, and a row that changed status under its lock is simply not selected.
/// After each commit the owner hears of it live (<see cref="FundingEvents"/>), so the wallet page does
/// not show a completed withdrawal as processing until its next refetch.
/// </summary>
public sealed class FundingJob(CoinageDbContext db, FundingEvents events, IOptions<FundingOptions> options, TimeProvider clock)
{
    public const string RecurringJobId = "funding-rail";

    /// <summary>Rows per step per run, so one run stays short; the next run carries on.</summary>
    public const int BatchSize = 200;

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<FundingRunResult> RunAsync(CancellationToken cancellationToken)
    {
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        var thresholds = options.Value.DepositApprovalThresholds.Where(t => assets.ContainsKey(t.Key)).ToList();
        var codes = thresholds.Select(t => t.Key).ToArray();
        var limits = thresholds.Select(t => t.Value).ToArray();

        var confirmed = await RepeatAsync(async () =>
        {
            var deposit = await db.Deposits.FromSql($"""
                SELECT d.* FROM deposits d JOIN unnest({codes}, {limits}) AS t(asset, max_amount) ON d.asset = t.asset
                WHERE d.status = 0 AND d.amount <= t.max_amount
                ORDER BY d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED
                """).AsTracking().FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (deposit is null)
            {
                return null;
            }
            await FundingOperations.ConfirmDepositAsync(db, deposit, assets, Actor.Worker, null, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            return () => events.PublishAsync(db, deposit, cancellationToken);
        }, cancellationToken).ConfigureAwait(false);

        var completed = await RepeatAsync(async () =>
        {
            var withdrawal = await db.Withdrawals.FromSql($"SELECT * FROM withdrawals WHERE status = 1 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED")
                .AsTracking().FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (withdrawal is null)
            {
                return null;
            }
            await FundingOperations.CompleteWithdrawalAsync(db, withdrawal, assets, Actor.Worker, null, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            return () => events.PublishAsync(db, withdrawal, cancellationToken);
        }, cancellationToken).ConfigureAwait(false);

        var expired = await RepeatAsync(async () =>
        {
            var now = clock.GetUtcNow();
            var withdrawal = await db.Withdrawals.FromSql($"SELECT * FROM withdrawals WHERE status = 0 AND confirmation_expires_at <= {now} ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED")
                .AsTracking().FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (withdrawal is null)
            {
                return null;
            }
            await FundingOperations.ReleaseWithdrawalAsync(db, withdrawal, WithdrawalStatus.Expired, assets, Actor.Worker,
                "Not confirmed in time.", now, cancellationToken).ConfigureAwait(false);
            return () => events.PublishAsync(db, withdrawal, cancellationToken);
        }, cancellationToken).ConfigureAwait(false);

        return new FundingRunResult(confirmed, completed, expired);
    }

    /// <summary>
    /// Runs <paramref name="step"/> in its own transaction until it finds nothing to do or the batch is full.
    /// A step that changed a row returns how to announce it, which runs once the change is committed:
    /// announced before, a rolled-back change would reach the user as done.
    /// </summary>
    private async Task<int> RepeatAsync(Func<Task<Func<Task>?>> step, CancellationToken cancellationToken)
    {
        var done = 0;
        while (done < BatchSize)
        {
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (await step().ConfigureAwait(false) is not { } announce)
            {
                break;
            }
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            await announce().ConfigureAwait(false);
            db.ChangeTracker.Clear();
            done++;
        }
        return done;
    }

    internal sealed class Schedule : IJobSchedule
    {
        public void Declare(IRecurringJobManager recurringJobs, IBackgroundJobClient jobs) =>
            recurringJobs.AddOrUpdate<FundingJob>(RecurringJobId, job => job.RunAsync(CancellationToken.None), "*/10 * * * * *",
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
    }
}

internal static class FundingExtensions
{
    public static IHostApplicationBuilder AddFunding(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<FundingOptions>().Bind(builder.Configuration.GetSection(FundingOptions.Section));
        builder.AddFundingEvents();
        builder.Services.AddScoped<FundingJob>();
        builder.Services.AddSingleton<IJobSchedule, FundingJob.Schedule>();
        return builder;
    }
}

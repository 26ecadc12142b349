using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Privacy;
using Coinage.Worker.Hangfire;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coinage.Worker.Privacy;

/// <summary>
/// Hourly: deletes what has outlived its purpose (periods in <see cref="PrivacyOptions"/>), and
/// records each purge — category, cutoff, row count — in <c>retention_runs</c> and the audit log,
/// in the same transaction as the purge.
/// </summary>
public sealed class RetentionJob(CoinageDbContext db, IOptions<PrivacyOptions> options, TimeProvider clock)
{
    public const string RecurringJobId = "privacy-retention";

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public async Task<IReadOnlyList<RetentionRun>> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var o = options.Value;
        var runs = new List<RetentionRun>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Sessions (device, address) that ended: by expiry or revocation. Their refresh tokens go by cascade.
        var sessionCutoff = now - o.SessionRetention;
        runs.Add(Run("refresh_sessions", sessionCutoff, await db.RefreshSessions
            .Where(s => s.ExpiresAt < sessionCutoff || s.RevokedAt < sessionCutoff)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false)));
        // Rotated refresh tokens of live sessions: only kept to detect reuse for a while.
        runs.Add(Run("refresh_tokens", sessionCutoff, await db.RefreshTokens
            .Where(t => t.ConsumedAt < sessionCutoff)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false)));
        // Export archives whose link expired unused; the row stays for the user's history.
        runs.Add(Run("export_archives", now, await db.PrivacyExports
            .Where(e => e.Status == PrivacyExportStatus.Ready && e.ExpiresAt < now)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, PrivacyExportStatus.Expired).SetProperty(e => e.Archive, (byte[]?)null), cancellationToken).ConfigureAwait(false)));
        var exportCutoff = now - o.ExportRecordRetention;
        runs.Add(Run("privacy_exports", exportCutoff, await db.PrivacyExports
            .Where(e => e.Status != PrivacyExportStatus.Requested && e.Status != PrivacyExportStatus.Ready && e.RequestedAt < exportCutoff)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false)));
        // Delivered emails: recipient and contents are not needed once sent.
        var outboxCutoff = now - o.OutboxRetention;
        runs.Add(Run("outbox_messages", outboxCutoff, await db.OutboxMessages
            .Where(m => m.ProcessedAt != null && m.ProcessedAt < outboxCutoff)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false)));
        // Operational telemetry kept in the database.
        var telemetryCutoff = now - o.TelemetryRetention;
        runs.Add(Run("heartbeats", telemetryCutoff, await db.Heartbeats
            .Where(h => h.RecordedAt < telemetryCutoff)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false)));

        db.RetentionRuns.AddRange(runs);
        await AuditLog.AppendAsync(db, "privacy.retention_purged", now, null, null, null,
            runs.ToDictionary(r => r.Category, r => r.Purged), cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return runs;

        RetentionRun Run(string category, DateTimeOffset cutoff, int purged) =>
            new() { RanAt = now, Category = category, Cutoff = cutoff, Purged = purged };
    }

    internal sealed class Schedule : IJobSchedule
    {
        public void Declare(IRecurringJobManager recurringJobs, IBackgroundJobClient jobs) =>
            recurringJobs.AddOrUpdate<RetentionJob>(RecurringJobId, job => job.RunAsync(CancellationToken.None), Cron.Hourly(),
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
    }
}

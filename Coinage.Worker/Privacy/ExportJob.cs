using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Outbox;
using Coinage.Domain.Privacy;
using Coinage.Worker.Hangfire;
using Hangfire;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coinage.Worker.Privacy;

/// <summary>
/// Every minute: builds the requested exports, one per transaction. The archive is read in the same
/// transaction (one consistent snapshot, REPEATABLE READ), protected with Data Protection and stored
/// in the row with the hash of the link's nonce; the link goes out by email; the export is audited.
/// </summary>
public sealed class ExportJob(CoinageDbContext db, IDataProtectionProvider dataProtection, IOptions<PrivacyOptions> options, TimeProvider clock)
{
    public const string RecurringJobId = "privacy-exports";
    public const string ReadyEmail = "email.export_ready";

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var built = 0;
        while (await BuildNextAsync(cancellationToken).ConfigureAwait(false))
        {
            built++;
        }
        return built;
    }

    /// <summary>Builds the oldest requested export; false when there is none.</summary>
    public async Task<bool> BuildNextAsync(CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var export = await db.PrivacyExports
            .FromSql($"SELECT * FROM privacy_exports WHERE status = 0 ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED")
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (export is null)
        {
            return false;
        }
        var now = clock.GetUtcNow();
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == export.UserId, cancellationToken).ConfigureAwait(false);
        var archive = await PersonalDataArchive.BuildAsync(db, export.UserId, now, cancellationToken).ConfigureAwait(false);
        export.ExpiresAt = now + options.Value.ExportLinkLifetime;
        var (token, nonceHash) = ExportLink.Create(dataProtection, export.Id, export.ExpiresAt.Value);
        export.Archive = dataProtection.CreateProtector(PrivacyProtection.ArchivePurpose).Protect(archive);
        export.ArchiveBytes = archive.Length;
        export.NonceHash = nonceHash;
        export.Status = PrivacyExportStatus.Ready;
        export.CompletedAt = now;
        EmailOutbox.Enqueue(db, ReadyEmail, new EmailRecipient(user.Email!, user.Id, user.AntiPhishingPhrase), now, new Dictionary<string, string?>
        {
            ["exportId"] = export.Id.ToString(),
            ["token"] = token,
            ["expiresAt"] = export.ExpiresAt.Value.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
        });
        await AuditLog.AppendAsync(db, "privacy.export_ready", now, null, export.UserId, null,
            new { exportId = export.Id, bytes = archive.Length, expiresAt = export.ExpiresAt }, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    internal sealed class Schedule : IJobSchedule
    {
        public void Declare(IRecurringJobManager recurringJobs, IBackgroundJobClient jobs) =>
            recurringJobs.AddOrUpdate<ExportJob>(RecurringJobId, job => job.RunAsync(CancellationToken.None), Cron.Minutely(),
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
    }
}

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
/// Every minute: builds the requested exports, one at a time. The archive is read in one consistent
/// snapshot (REPEATABLE READ, the export row locked while it is read); then, in a READ COMMITTED
/// transaction, it is protected with Data Protection and stored in the row with the hash of the link's
/// nonce, the link goes out by email and the export is audited. Two transactions, because the audit chain
/// must be appended after its lock, never from a snapshot older than the chain's head (<see cref="AuditLog"/>).
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
        Guid exportId;
        byte[] archive;
        await using (var snapshot = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false))
        {
            var requested = await db.PrivacyExports
                .FromSql($"SELECT * FROM privacy_exports WHERE status = 0 ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED")
                .AsNoTracking()
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (requested is null)
            {
                return false;
            }
            exportId = requested.Id;
            archive = await PersonalDataArchive.BuildAsync(db, requested.UserId, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            await snapshot.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var export = await db.PrivacyExports
            .FromSql($"SELECT * FROM privacy_exports WHERE id = {exportId} AND status = 0 FOR UPDATE")
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (export is null)
        {
            return true; // built by another run between the two transactions: nothing left to do for it
        }
        var now = clock.GetUtcNow();
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == export.UserId, cancellationToken).ConfigureAwait(false);
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

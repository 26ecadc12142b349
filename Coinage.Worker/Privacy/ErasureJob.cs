using System.Text.Json;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Outbox;
using Coinage.Domain.Privacy;
using Coinage.Worker.Hangfire;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Coinage.Worker.Privacy;

/// <summary>
/// Every five minutes: carries out the erasures whose grace period is over, one per transaction.
/// Personal fields are pseudonymised or deleted; orders, trades, the ledger and the audit log stay,
/// under the user's id, which from then on points at a pseudonym only. Sessions end at once (Redis).
/// </summary>
public sealed partial class ErasureJob(CoinageDbContext db, IConnectionMultiplexer redis, TimeProvider clock, ILogger<ErasureJob> logger)
{
    public const string RecurringJobId = "privacy-erasure";
    public const string UserErasedEvent = "privacy.user_erased";

    /// <summary>The ApiService's revocation key (SessionService.RevokedKeyPrefix): checked on every request.</summary>
    public const string RevokedSessionKeyPrefix = "coinage:sessions:revoked:";

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var done = 0;
        while (await EraseNextAsync(cancellationToken).ConfigureAwait(false))
        {
            done++;
        }
        return done;
    }

    /// <summary>Handles the next due request (erased or refused); false when none is due.</summary>
    public async Task<bool> EraseNextAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        List<(Guid Id, DateTimeOffset ExpiresAt)> sessions;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            var request = await db.ErasureRequests
                .FromSql($"SELECT * FROM erasure_requests WHERE status = 0 AND effective_at <= {now} ORDER BY effective_at LIMIT 1 FOR UPDATE SKIP LOCKED")
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (request is null)
            {
                return false;
            }
            var userId = request.UserId;
            // Balances and orders are re-checked under the user's lock: the API's order and wallet paths lock it too.
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {userId} FOR UPDATE", cancellationToken).ConfigureAwait(false);
            if (await ErasureEligibility.CheckAsync(db, userId, cancellationToken).ConfigureAwait(false) is { } reason)
            {
                request.Status = ErasureStatus.Refused;
                request.RefusedReason = reason;
                await AuditLog.AppendAsync(db, "privacy.erasure_refused", now, null, userId, null, new { erasureId = request.Id, reason }, cancellationToken).ConfigureAwait(false);
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                LogRefused(logger, request.Id, reason);
                return true;
            }
            sessions = await db.RefreshSessions.Where(s => s.UserId == userId && s.RevokedAt == null && s.ExpiresAt > now)
                .Select(s => new ValueTuple<Guid, DateTimeOffset>(s.Id, s.ExpiresAt)).ToListAsync(cancellationToken).ConfigureAwait(false);
            var pseudonym = "erased-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
            await PseudonymiseAsync(db, userId, pseudonym, cancellationToken).ConfigureAwait(false);
            request.Status = ErasureStatus.Completed;
            request.CompletedAt = now;
            request.Pseudonym = pseudonym;
            // For the search index (and any other copy): remove or pseudonymise everything about this user.
            db.OutboxMessages.Add(OutboxMessage.Create(UserErasedEvent, JsonSerializer.Serialize(new { userId = userId.ToString(), pseudonym }), now));
            await AuditLog.AppendAsync(db, UserErasedEvent, now, null, userId, null, new { erasureId = request.Id, pseudonym, revokedSessions = sessions.Count }, cancellationToken).ConfigureAwait(false);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            LogErased(logger, request.Id, pseudonym);
        }
        // After commit, like the API's revocations: the rows are gone, now their access tokens stop too.
        var database = redis.GetDatabase();
        await Task.WhenAll(sessions.Select(s =>
        {
            var ttl = s.ExpiresAt - now;
            return database.StringSetAsync(RevokedSessionKeyPrefix + s.Id.ToString("N"), "1", ttl > TimeSpan.FromSeconds(1) ? ttl : TimeSpan.FromSeconds(1));
        })).ConfigureAwait(false);
        return true;
    }

    private static readonly DateTimeOffset LockedForGood = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Every personal field of the user, in the caller's transaction. Financial rows are left as they are.</summary>
    internal static async Task PseudonymiseAsync(CoinageDbContext db, Guid userId, string pseudonym, CancellationToken cancellationToken)
    {
        var email = $"{pseudonym}@erased.invalid";
        var normalized = email.ToUpperInvariant();
        // No password, no 2FA, locked for good: the pseudonym can never sign in.
        await db.Database.ExecuteSqlAsync($"""
            UPDATE users SET email = {email}, normalized_email = {normalized}, user_name = {email}, normalized_user_name = {normalized},
                email_confirmed = false, password_hash = NULL, security_stamp = {Guid.NewGuid().ToString("N")}, concurrency_stamp = {Guid.NewGuid().ToString()},
                phone_number = NULL, phone_number_confirmed = false, two_factor_enabled = false, totp_secret_protected = NULL, totp_last_time_step = NULL,
                anti_phishing_phrase = NULL, marketing_consent = false, lockout_enabled = true, lockout_end = {LockedForGood}, access_failed_count = 0
            WHERE id = {userId}
            """, cancellationToken).ConfigureAwait(false);
        // Sessions hold devices and addresses; their refresh tokens go with them (cascade).
        await db.RefreshSessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.KnownDevices.Where(d => d.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.RecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        // An erased account signs in with nothing, passkeys included (their names are personal too).
        await db.Passkeys.Where(p => p.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        // Their names are the user's words, and no program may act for an erased account; the audit keeps the ids.
        await db.ApiKeys.Where(k => k.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.UserClaims.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.UserLogins.Where(l => l.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.UserTokens.Where(t => t.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.UserRoles.Where(r => r.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.PrivacyExports.Where(e => e.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        // Saved withdrawal addresses are the person's choices, not a record the law keeps; the withdrawals keep theirs.
        await db.WithdrawalAddresses.Where(a => db.Traders.Any(t => t.OwnerId == a.OwnerId && t.UserId == userId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        // The consent history stays as proof of what was agreed, without where from.
        await db.ConsentRecords.Where(c => c.UserId == userId).ExecuteUpdateAsync(s => s.SetProperty(c => c.IpAddress, (string?)null), cancellationToken).ConfigureAwait(false);
        // Emails to the person (address, device, address of sign-in), sent or not: an unsent one must not go out any more.
        await db.Database.ExecuteSqlAsync($"DELETE FROM outbox_messages WHERE type LIKE 'email.%' AND payload->>'userId' = {userId.ToString()}", cancellationToken).ConfigureAwait(false);
        // The audit chain keeps the rows and their hashes; the trigger lets only the address and its salt be cleared.
        // Rows another person acted in (an administrator) keep that person's address.
        await db.Database.ExecuteSqlAsync($"""
            UPDATE audit_entries SET ip_address = NULL, ip_salt = NULL
            WHERE ip_address IS NOT NULL AND ip_digest IS NOT NULL
              AND (actor_user_id = {userId} OR (actor_user_id IS NULL AND subject_user_id = {userId}))
            """, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(1, LogLevel.Warning, "Erasure {ErasureId} refused when due: {Reason}")]
    private static partial void LogRefused(ILogger logger, Guid erasureId, string reason);

    [LoggerMessage(2, LogLevel.Information, "Erasure {ErasureId} done; records kept under {Pseudonym}")]
    private static partial void LogErased(ILogger logger, Guid erasureId, string pseudonym);

    internal sealed class Schedule : IJobSchedule
    {
        public void Declare(IRecurringJobManager recurringJobs, IBackgroundJobClient jobs) =>
            recurringJobs.AddOrUpdate<ErasureJob>(RecurringJobId, job => job.RunAsync(CancellationToken.None), "*/5 * * * *",
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
    }
}

using Coinage.Domain.Data;
using Coinage.Domain.Identity;
using Coinage.Domain.Operations;
using Coinage.Domain.Outbox;
using Coinage.Domain.Privacy;
using Coinage.Worker.Privacy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Coinage.Worker.Tests.Privacy;

public sealed class RetentionTests(InfrastructureFixture infrastructure)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Retention_purges_what_outlived_its_period_keeps_the_rest_and_records_each_purge()
    {
        var database = await infrastructure.CreateDatabaseAsync("retention");
        await InfrastructureFixture.MigrateAsync(database);
        await using var dataSource = NpgsqlDataSource.Create(database);
        var now = DateTimeOffset.UtcNow;
        var user = Guid.CreateVersion7();
        Guid activeSession, expiredSession, revokedSession, expiredExport, liveExport, oldExport;
        await using (var db = Open(dataSource))
        {
            db.Users.Add(new CoinageUser { Id = user, Email = "keep@example.test", UserName = "keep@example.test", CreatedAt = now, SecurityStamp = "s" });
            RefreshSession Session(DateTimeOffset expires, DateTimeOffset? revoked) => new()
            {
                Id = Guid.CreateVersion7(), UserId = user, CreatedAt = expires.AddDays(-30), LastSeenAt = expires.AddDays(-30),
                ExpiresAt = expires, Device = "d", IpAddress = "192.0.2.1", RevokedAt = revoked,
            };
            var active = Session(now.AddDays(10), null);
            var expired = Session(now.AddDays(-100), null);
            var revoked = Session(now.AddDays(10), now.AddDays(-91));
            db.RefreshSessions.AddRange(active, expired, revoked);
            (activeSession, expiredSession, revokedSession) = (active.Id, expired.Id, revoked.Id);
            db.RefreshTokens.AddRange(
                new RefreshToken { TokenHash = "old-consumed", SessionId = active.Id, CreatedAt = now.AddDays(-100), ConsumedAt = now.AddDays(-100) },
                new RefreshToken { TokenHash = "fresh", SessionId = active.Id, CreatedAt = now });
            var sentLongAgo = OutboxMessage.Create("email.verify_email", "{}", now.AddDays(-40));
            sentLongAgo.ProcessedAt = now.AddDays(-40);
            var sentYesterday = OutboxMessage.Create("email.verify_email", "{}", now.AddDays(-1));
            sentYesterday.ProcessedAt = now.AddDays(-1);
            var unsentOld = OutboxMessage.Create("privacy.user_erased", "{}", now.AddDays(-40));
            db.OutboxMessages.AddRange(sentLongAgo, sentYesterday, unsentOld);
            db.Heartbeats.AddRange(new Heartbeat("old", now.AddDays(-31)), new Heartbeat("new", now));
            PrivacyExport Export(PrivacyExportStatus status, DateTimeOffset requested, DateTimeOffset? expires) => new()
            {
                Id = Guid.CreateVersion7(), UserId = user, Status = status, RequestedAt = requested, ExpiresAt = expires,
                Archive = status == PrivacyExportStatus.Ready ? [1, 2, 3] : null,
            };
            var e1 = Export(PrivacyExportStatus.Ready, now.AddDays(-8), now.AddHours(-1));
            var e2 = Export(PrivacyExportStatus.Ready, now.AddDays(-1), now.AddDays(6));
            var e3 = Export(PrivacyExportStatus.Downloaded, now.AddDays(-400), now.AddDays(-393));
            db.PrivacyExports.AddRange(e1, e2, e3);
            (expiredExport, liveExport, oldExport) = (e1.Id, e2.Id, e3.Id);
            await db.SaveChangesAsync(Ct);
        }

        IReadOnlyList<RetentionRun> runs;
        await using (var db = Open(dataSource))
        {
            runs = await new RetentionJob(db, Options.Create(new PrivacyOptions()), TimeProvider.System).RunAsync(Ct);
        }

        var purged = runs.ToDictionary(r => r.Category, r => r.Purged);
        Assert.Equal(2, purged["refresh_sessions"]);
        Assert.Equal(1, purged["refresh_tokens"]);
        Assert.Equal(1, purged["export_archives"]);
        Assert.Equal(1, purged["privacy_exports"]);
        Assert.Equal(1, purged["outbox_messages"]);
        Assert.Equal(1, purged["heartbeats"]);
        await using (var db = Open(dataSource))
        {
            Assert.Equal([activeSession], await db.RefreshSessions.Select(s => s.Id).ToListAsync(Ct));
            Assert.DoesNotContain(expiredSession, await db.RefreshSessions.Select(s => s.Id).ToListAsync(Ct));
            Assert.DoesNotContain(revokedSession, await db.RefreshSessions.Select(s => s.Id).ToListAsync(Ct));
            Assert.Equal(["fresh"], await db.RefreshTokens.Select(t => t.TokenHash).ToListAsync(Ct));
            var exports = await db.PrivacyExports.ToDictionaryAsync(e => e.Id, Ct);
            Assert.Equal(PrivacyExportStatus.Expired, exports[expiredExport].Status);
            Assert.Null(exports[expiredExport].Archive);
            Assert.NotNull(exports[liveExport].Archive);
            Assert.False(exports.ContainsKey(oldExport));
            Assert.Equal(2, await db.OutboxMessages.CountAsync(Ct)); // yesterday's email and the unprocessed event
            Assert.Equal(["new"], await db.Heartbeats.Select(h => h.Source).ToListAsync(Ct));
            // Recorded twice: in retention_runs and in the audit chain.
            Assert.Equal(6, await db.RetentionRuns.CountAsync(Ct));
            var audit = await db.AuditEntries.SingleAsync(a => a.Action == "privacy.retention_purged", Ct);
            Assert.Contains("\"refresh_sessions\":2", audit.Data, StringComparison.Ordinal);
            Assert.True((await Coinage.Domain.Audit.AuditLog.VerifyAsync(db, Ct)).Intact);
        }
    }

    [Fact]
    public async Task Marketing_emails_go_only_to_verified_users_who_consented()
    {
        var database = await infrastructure.CreateDatabaseAsync("marketing");
        await InfrastructureFixture.MigrateAsync(database);
        await using var dataSource = NpgsqlDataSource.Create(database);
        var yes = new CoinageUser { Id = Guid.CreateVersion7(), Email = "yes@example.test", UserName = "yes@example.test", EmailConfirmed = true, MarketingConsent = true, SecurityStamp = "s" };
        var no = new CoinageUser { Id = Guid.CreateVersion7(), Email = "no@example.test", UserName = "no@example.test", EmailConfirmed = true, MarketingConsent = false, SecurityStamp = "s" };
        await using var db = Open(dataSource);
        db.Users.AddRange(yes, no);
        await db.SaveChangesAsync(Ct);

        Assert.True(await PrivacyJobsExtensions.MaySendAsync(db, "email.marketing_newsletter", yes.Id.ToString(), Ct));
        Assert.False(await PrivacyJobsExtensions.MaySendAsync(db, "email.marketing_newsletter", no.Id.ToString(), Ct));
        Assert.False(await PrivacyJobsExtensions.MaySendAsync(db, "email.marketing_newsletter", "not-a-guid", Ct));
        // Service emails (security notices, verification) do not depend on marketing consent.
        Assert.True(await PrivacyJobsExtensions.MaySendAsync(db, "email.password_changed", no.Id.ToString(), Ct));
    }

    private static CoinageDbContext Open(NpgsqlDataSource dataSource)
    {
        var options = new DbContextOptionsBuilder<CoinageDbContext>();
        CoinageDbContext.Configure(options, dataSource);
        return new CoinageDbContext(options.Options);
    }
}

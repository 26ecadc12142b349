using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Coinage.Worker.Tests.Audit;

/// <summary>
/// The audit chain is appended under a lock, after which the writer reads the chain's head. A transaction that
/// reads from an older snapshot (REPEATABLE READ: the snapshot of its first statement) would read a head another
/// writer has since moved past and give two entries one sequence number: the privacy export job did, and failed
/// with a duplicate key whenever someone signed in while an archive was being read.
/// </summary>
public sealed class AuditChainTests(InfrastructureFixture infrastructure)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_append_from_a_snapshot_older_than_the_chain_lock_is_refused_and_the_chain_stays_whole()
    {
        var database = await infrastructure.CreateDatabaseAsync("audit-chain");
        await InfrastructureFixture.MigrateAsync(database);
        await using var dataSource = NpgsqlDataSource.Create(database);
        var now = DateTimeOffset.UtcNow;

        await using var stale = Open(dataSource);
        await using var snapshot = await stale.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, Ct);
        Assert.Equal(0, await stale.AuditEntries.CountAsync(Ct)); // the snapshot is taken here

        // Another writer appends and commits after the snapshot was taken.
        await using (var other = Open(dataSource))
        {
            await using var transaction = await other.Database.BeginTransactionAsync(Ct);
            await AuditLog.AppendAsync(other, "test.first", now, null, null, null, cancellationToken: Ct);
            await other.SaveChangesAsync(Ct);
            await transaction.CommitAsync(Ct);
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(
            () => AuditLog.AppendAsync(stale, "test.from_snapshot", now, null, null, null, cancellationToken: Ct));
        Assert.Contains("READ COMMITTED", refused.Message, StringComparison.Ordinal);
        await snapshot.RollbackAsync(Ct);

        // In READ COMMITTED, the same context appends after the other writer's entry.
        await using (var transaction = await stale.Database.BeginTransactionAsync(Ct))
        {
            await AuditLog.AppendAsync(stale, "test.second", now, null, null, null, cancellationToken: Ct);
            await stale.SaveChangesAsync(Ct);
            await transaction.CommitAsync(Ct);
        }
        Assert.Equal(["test.first", "test.second"], await stale.AuditEntries.OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync(Ct));
        Assert.Equal([1L, 2L], await stale.AuditEntries.OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync(Ct));
        Assert.True((await AuditLog.VerifyAsync(stale, Ct)).Intact);
    }

    private static CoinageDbContext Open(NpgsqlDataSource dataSource)
    {
        var options = new DbContextOptionsBuilder<CoinageDbContext>();
        CoinageDbContext.Configure(options, dataSource);
        return new CoinageDbContext(options.Options);
    }
}

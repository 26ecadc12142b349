using System.Text.Json;
using Coinage.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Coinage.Domain.Audit;

/// <summary>Appends to the audit chain inside the caller's transaction, and verifies the chain.</summary>
public static class AuditLog
{
    /// <summary>Key of the transaction-scoped advisory lock that serializes appends: "CoinAudt".</summary>
    public const long ChainLockKey = 0x436F_696E_4175_6474;

    /// <summary>
    /// Adds one entry to the chain. Must run inside a transaction of <paramref name="db"/>: the
    /// advisory lock it takes lasts until that transaction ends, so concurrent appends queue and
    /// each sees its predecessor. The row is saved with the caller's next SaveChanges, before commit.
    /// </summary>
    public static async Task AppendAsync(
        CoinageDbContext db, string action, DateTimeOffset now, Guid? actor, Guid? subject, string? ip,
        object? data = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.CurrentTransaction is not { } transaction)
        {
            throw new InvalidOperationException("The audit log is written in the transaction of the action it records.");
        }
        // A REPEATABLE READ or SERIALIZABLE transaction reads from the snapshot of its first statement, taken before
        // the chain lock: it could read a head that another writer has since moved past, and fork the chain.
        var isolation = transaction.GetDbTransaction().IsolationLevel;
        if (isolation is not (System.Data.IsolationLevel.ReadCommitted or System.Data.IsolationLevel.Unspecified))
        {
            throw new InvalidOperationException(
                $"The audit log is appended in READ COMMITTED transactions only, not {isolation}: a snapshot older than the chain lock could fork the chain.");
        }
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ChainLockKey})", cancellationToken).ConfigureAwait(false);
        var last = await db.AuditEntries.AsNoTracking()
            .OrderByDescending(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Hash })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        // Unsaved entries of this same transaction come after the stored ones.
        var pending = db.ChangeTracker.Entries<AuditEntry>()
            .Where(e => e.State == EntityState.Added)
            .Select(e => e.Entity)
            .OrderByDescending(e => e.Sequence)
            .FirstOrDefault();
        var (previousSequence, previousHash) = pending is not null
            ? (pending.Sequence, pending.Hash)
            : last is not null ? (last.Sequence, last.Hash) : (0L, AuditEntry.GenesisHash);
        var entry = NewEntry(new AuditAppend(action, now, actor, subject, ip, data), previousSequence + 1, previousHash);
        db.AuditEntries.Add(entry);
    }

    /// <summary>
    /// For writers that build their transaction as one <see cref="Npgsql.NpgsqlBatch"/> (the group commit): the two
    /// statements that take the chain lock and read the chain's head. Add them last among the locks the batch takes
    /// (after balances, as every other writer does), read the head with <see cref="ReadHeadAsync"/>, then insert
    /// <see cref="Chain"/>'s entries with <see cref="Exchange.ExchangeSql.InsertAuditEntries"/> before the commit.
    /// </summary>
    public static IEnumerable<Npgsql.NpgsqlBatchCommand> LockAndReadHead() =>
    [
        new($"SELECT pg_advisory_xact_lock({ChainLockKey})"),
        new("SELECT sequence, hash FROM audit_entries ORDER BY sequence DESC LIMIT 1"),
    ];

    /// <summary>Reads the result of the second statement of <see cref="LockAndReadHead"/> (the reader stands on it).</summary>
    public static async Task<(long Sequence, string Hash)> ReadHeadAsync(Npgsql.NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? (reader.GetInt64(0), reader.GetString(1))
            : (0L, AuditEntry.GenesisHash);
    }

    /// <summary>The entries of <paramref name="items"/>, chained after the head (sequence, hash) read under the chain lock.</summary>
    public static List<AuditEntry> Chain(IReadOnlyList<AuditAppend> items, (long Sequence, string Hash) head)
    {
        ArgumentNullException.ThrowIfNull(items);
        var (sequence, hash) = head;
        var entries = new List<AuditEntry>(items.Count);
        foreach (var item in items)
        {
            var entry = NewEntry(item, ++sequence, hash);
            hash = entry.Hash;
            entries.Add(entry);
        }
        return entries;
    }

    /// <summary>
    /// The one place an entry is built, so every path hashes the same fields: the IP only through its salted
    /// digest (erasure may later clear the IP and salt, and the chain still verifies).
    /// </summary>
    private static AuditEntry NewEntry(AuditAppend item, long sequence, string previousHash)
    {
        var salt = item.Ip is null ? null : Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var entry = new AuditEntry
        {
            Sequence = sequence,
            // timestamptz keeps microseconds; hash what will be read back.
            OccurredAt = new DateTimeOffset(item.Now.UtcTicks - (item.Now.UtcTicks % 10), TimeSpan.Zero),
            Action = item.Action,
            ActorUserId = item.Actor,
            SubjectUserId = item.Subject,
            IpAddress = item.Ip,
            IpSalt = salt,
            IpDigest = salt is null ? null : AuditEntry.DigestIp(salt, item.Ip!),
            Data = JsonSerializer.Serialize(item.Data ?? new { }),
            PreviousHash = previousHash,
        };
        entry.Hash = entry.ComputeHash();
        return entry;
    }

    /// <summary>Walks the chain in order, in pages; returns the first broken link, or null when intact.</summary>
    public static async Task<AuditChainReport> VerifyAsync(CoinageDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var expectedPrevious = AuditEntry.GenesisHash;
        var expectedSequence = 1L;
        var checkedCount = 0L;
        while (true)
        {
            var page = await db.AuditEntries.AsNoTracking()
                .Where(e => e.Sequence >= expectedSequence)
                .OrderBy(e => e.Sequence)
                .Take(1000)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                return new AuditChainReport(true, checkedCount, null, null);
            }
            foreach (var entry in page)
            {
                if (entry.Sequence != expectedSequence)
                {
                    return new AuditChainReport(false, checkedCount, expectedSequence, "missing_entry");
                }
                if (entry.PreviousHash != expectedPrevious)
                {
                    return new AuditChainReport(false, checkedCount, entry.Sequence, "previous_hash_mismatch");
                }
                if (entry.ComputeHash() != entry.Hash || !entry.IpMatchesDigest())
                {
                    return new AuditChainReport(false, checkedCount, entry.Sequence, "content_hash_mismatch");
                }
                expectedPrevious = entry.Hash;
                expectedSequence++;
                checkedCount++;
            }
        }
    }
}

/// <param name="Intact">True when every link holds.</param>
/// <param name="CheckedEntries">Entries verified before the first broken link (all of them when intact).</param>
/// <param name="FirstBrokenSequence">The first entry whose link fails, or null.</param>
/// <param name="Reason"><c>missing_entry</c>, <c>previous_hash_mismatch</c> or <c>content_hash_mismatch</c>.</param>
public sealed record AuditChainReport(bool Intact, long CheckedEntries, long? FirstBrokenSequence, string? Reason);

/// <summary>One entry for <see cref="AuditLog.Chain"/>: the arguments of <see cref="AuditLog.AppendAsync"/>.</summary>
public sealed record AuditAppend(string Action, DateTimeOffset Now, Guid? Actor, Guid? Subject, string? Ip, object? Data = null);

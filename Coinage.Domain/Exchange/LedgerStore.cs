using Coinage.Domain.Data;
using Coinage.Domain.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Domain.Exchange;

/// <summary>
/// Stores what <see cref="LedgerOperations"/> and <see cref="SettlementCalculator"/> compute: journal
/// entries, their postings and the balance of every account they touch. No arithmetic of its own beyond
/// summing postings per account. Runs inside the caller's transaction; account rows are locked in
/// ascending id order (DESIGN.md §2) so API holds and Worker settlements never deadlock.
/// </summary>
public static class LedgerStore
{
    /// <summary>Locks (and creates when missing) the balance rows of <paramref name="accounts"/>, in id order.</summary>
    public static async Task<Dictionary<AccountId, BalanceRecord>> LockAsync(
        CoinageDbContext db, IEnumerable<AccountId> accounts, IReadOnlyDictionary<string, Asset> assets, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(assets);
        RequireTransaction(db);
        var wanted = accounts.Distinct().ToList();
        var owners = wanted.Select(a => a.Owner).ToArray();
        var codes = wanted.Select(a => a.Asset.Code).ToArray();
        var kinds = wanted.Select(a => (short)a.Kind).ToArray();
        // A missing row is created first (no lock is taken on existing rows by DO NOTHING), then all are locked in id order.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO balances (owner_id, asset, kind, amount, updated_at)
            SELECT o, a, k, 0, {now} FROM unnest({owners}, {codes}, {kinds}) AS t(o, a, k)
            WHERE NOT EXISTS (SELECT 1 FROM balances b WHERE b.owner_id = t.o AND b.asset = t.a AND b.kind = t.k)
            ON CONFLICT (owner_id, asset, kind) DO NOTHING
            """, cancellationToken).ConfigureAwait(false);
        var rows = await db.Balances.FromSql($"""
            SELECT b.* FROM balances b
            JOIN unnest({owners}, {codes}, {kinds}) AS t(o, a, k) ON b.owner_id = t.o AND b.asset = t.a AND b.kind = t.k
            ORDER BY b.id FOR UPDATE OF b
            """).AsTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => ToAccountId(r, assets));
    }

    /// <summary>Adds the entries and their postings and applies them to the balances (saved by the caller's SaveChanges).</summary>
    public static async Task<List<JournalEntryRecord>> PostAsync(
        CoinageDbContext db, IReadOnlyList<JournalEntry> entries, IReadOnlyDictionary<string, Asset> assets, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(entries);
        var records = new List<JournalEntryRecord>(entries.Count);
        if (entries.Count == 0)
        {
            return records;
        }
        var balances = await LockAsync(db, entries.SelectMany(e => e.Postings).Select(p => p.Account), assets, now, cancellationToken).ConfigureAwait(false);
        return Post(db, entries, balances, now);
    }

    /// <summary><see cref="PostAsync"/> on rows already locked with <see cref="LockAsync"/>.</summary>
    private static List<JournalEntryRecord> Post(
        CoinageDbContext db, IReadOnlyList<JournalEntry> entries, IReadOnlyDictionary<AccountId, BalanceRecord> balances, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(balances);
        RequireTransaction(db);
        var records = new List<JournalEntryRecord>(entries.Count);
        foreach (var entry in entries)
        {
            var record = new JournalEntryRecord { Kind = entry.Kind, ReferenceId = entry.ReferenceId, CreatedAt = now };
            foreach (var posting in entry.Postings)
            {
                var balance = balances[posting.Account];
                balance.Amount += posting.Amount;
                balance.UpdatedAt = now;
                record.Postings.Add(new PostingRecord
                {
                    AccountId = balance.Id,
                    OwnerId = posting.Account.Owner,
                    Asset = posting.Account.Asset.Code,
                    Kind = posting.Account.Kind,
                    Amount = posting.Amount,
                    CreatedAt = now,
                });
            }
            db.JournalEntries.Add(record);
            records.Add(record);
        }
        return records;
    }

    /// <summary>The ledger invariants of DESIGN.md §2 over the whole database (tests; the reconciliation job later).</summary>
    public static async Task<IReadOnlyList<LedgerDiscrepancy>> CheckInvariantsAsync(CoinageDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var assets = await LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        var postings = await db.Postings.AsNoTracking().Select(p => new { p.OwnerId, p.Asset, p.Kind, p.Amount }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var balances = await db.Balances.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var holds = await db.Orders.AsNoTracking()
            .Where(o => o.Status == OrderStatus.Pending || o.Status == OrderStatus.Open || o.Status == OrderStatus.PartiallyFilled || o.Status == OrderStatus.Untriggered)
            .Select(o => new { o.Id, o.OwnerId, o.HoldAsset, o.RemainingHold }).ToListAsync(cancellationToken).ConfigureAwait(false);
        // A withdrawal holds its amount and its fee from request until it completes or is released.
        var withdrawals = await db.Withdrawals.AsNoTracking()
            .Where(w => w.Status == Funding.WithdrawalStatus.AwaitingConfirmation || w.Status == Funding.WithdrawalStatus.Pending || w.Status == Funding.WithdrawalStatus.PendingApproval)
            .Select(w => new { w.Id, w.OwnerId, w.Asset, Hold = w.Amount + w.Fee }).ToListAsync(cancellationToken).ConfigureAwait(false);
        // An amend that needs more funds holds the extra from its acceptance until the matching host processes it.
        var amends = await db.Database.SqlQuery<AmendClaim>($"""
            SELECT sequence, owner_id, payload->>'HoldAsset' AS asset, (payload->>'ExtraHold')::numeric AS amount
            FROM market_commands WHERE type = {(short)MarketCommandType.Amend} AND processed_at IS NULL AND (payload->>'ExtraHold')::numeric > 0
            """).ToListAsync(cancellationToken).ConfigureAwait(false);
        return InvariantChecker.Check(
            postings.Select(p => new Posting(ToAccountId(p.OwnerId, p.Asset, p.Kind, assets), p.Amount)),
            balances.ToDictionary(b => ToAccountId(b, assets), b => b.Amount),
            holds.Select(h => new HeldFunds(h.OwnerId, assets[h.HoldAsset], h.RemainingHold, $"order {h.Id}"))
                .Concat(withdrawals.Select(w => new HeldFunds(w.OwnerId, assets[w.Asset], w.Hold, $"withdrawal {w.Id}")))
                .Concat(amends.Select(a => new HeldFunds(a.OwnerId, assets[a.Asset], a.Amount, $"amend {a.Sequence}"))));
    }

    private sealed class AmendClaim
    {
        public long Sequence { get; init; }

        public long OwnerId { get; init; }

        public string Asset { get; init; } = "";

        public decimal Amount { get; init; }
    }

    public static async Task<Dictionary<string, Asset>> LoadAssetsAsync(CoinageDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await db.Assets.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(a => a.Code, a => a.ToAsset(), StringComparer.Ordinal);
    }

    public static AccountId ToAccountId(BalanceRecord row, IReadOnlyDictionary<string, Asset> assets)
    {
        ArgumentNullException.ThrowIfNull(row);
        return ToAccountId(row.OwnerId, row.Asset, row.Kind, assets);
    }

    public static AccountId ToAccountId(long owner, string asset, AccountKind kind, IReadOnlyDictionary<string, Asset> assets)
    {
        ArgumentNullException.ThrowIfNull(assets);
        var a = assets[asset];
        return kind switch
        {
            AccountKind.Available => AccountId.Available(owner, a),
            AccountKind.Held => AccountId.Held(owner, a),
            AccountKind.External => AccountId.External(a),
            _ => AccountId.Fees(a),
        };
    }

    private static void RequireTransaction(CoinageDbContext db)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Ledger rows are locked and posted inside the transaction of the action.");
        }
    }
}

/// <summary>Markets as the ledger and the engine see them, built from their rows.</summary>
public static class ExchangeCatalog
{
    public static SpotMarket ToSpotMarket(MarketRecord market, IReadOnlyDictionary<string, Asset> assets)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(assets);
        return new SpotMarket(new Matching.MarketSpec(market.Symbol, market.TickSize, market.LotSize),
            assets[market.BaseAsset], assets[market.QuoteAsset], market.MakerFeeBps, market.TakerFeeBps);
    }

    /// <summary>The ledger's owner id of a user, created on first use.</summary>
    public static async Task<long> OwnerIdAsync(CoinageDbContext db, Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var existing = await db.Traders.AsNoTracking().Where(t => t.UserId == userId).Select(t => (long?)t.OwnerId)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (existing is { } id)
        {
            return id;
        }
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO traders (user_id, created_at) VALUES ({userId}, {now}) ON CONFLICT (user_id) DO NOTHING", cancellationToken).ConfigureAwait(false);
        return await db.Traders.AsNoTracking().Where(t => t.UserId == userId).Select(t => t.OwnerId).FirstAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The channel the ApiService NOTIFYs after committing a command; the payload is the market id.</summary>
    public const string CommandsChannel = "market_commands";

    /// <summary>Takes the next command sequence ahead of the insert, so a place command and its order share one number.</summary>
    public static async Task<long> NextCommandSequenceAsync(CoinageDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await db.Database.SqlQuery<long>($"SELECT nextval(pg_get_serial_sequence('market_commands', 'sequence')) AS \"Value\"")
            .SingleAsync(cancellationToken).ConfigureAwait(false);
    }
}

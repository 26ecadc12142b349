using System.Data.Common;
using System.Globalization;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Coinage.Worker.Reconciliation;

/// <summary>One thing found wrong. Amounts are decimal strings, as everywhere money leaves the engine.</summary>
/// <param name="Check">The check that found it (<see cref="ReconciliationChecks"/>' names, e.g. <c>ledger</c>, <c>fees</c>).</param>
/// <param name="Kind">What is wrong, e.g. <c>BalanceMismatch</c>, <c>pending_after_processing</c>.</param>
/// <param name="Subject">The account, order, trade or command concerned.</param>
public sealed record Discrepancy(string Check, string Kind, string Subject, string Expected, string Actual)
{
    public override string ToString() => $"[{Check}] {Kind} {Subject}: expected {Expected}, actual {Actual}";
}

public sealed record ReconciliationReport(IReadOnlyDictionary<string, long> Counts, IReadOnlyList<Discrepancy> Discrepancies);

/// <summary>
/// The checks of a reconciliation run, over one snapshot: the caller opens a REPEATABLE READ
/// transaction, so every query sees the same committed state however busy the exchange is.
/// Each check is one aggregate query, so a run reads each table a few times rather than loading the
/// ledger into memory; a check reports at most <see cref="RowsPerCheck"/> rows.
/// </summary>
public static class ReconciliationChecks
{
    public const int RowsPerCheck = 1000;

    public static async Task<ReconciliationReport> RunAsync(CoinageDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Reconciliation reads inside a REPEATABLE READ transaction.");
        var found = new List<Discrepancy>();
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);

        var counts = (await QueryAsync(transaction, """
            SELECT (SELECT count(*) FROM balances), (SELECT count(*) FROM ledger_postings), (SELECT count(*) FROM journal_entries),
                   (SELECT count(*) FROM orders), (SELECT count(*) FROM trades), (SELECT count(*) FROM market_commands),
                   (SELECT count(*) FROM deposits)
            """, r => new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["accounts"] = r.GetInt64(0),
            ["postings"] = r.GetInt64(1),
            ["journalEntries"] = r.GetInt64(2),
            ["orders"] = r.GetInt64(3),
            ["trades"] = r.GetInt64(4),
            ["commands"] = r.GetInt64(5),
            ["deposits"] = r.GetInt64(6),
        }, cancellationToken).ConfigureAwait(false)).Single();

        // 1. The ledger invariants (DESIGN.md §2) through the same InvariantChecker the property tests use,
        //    fed one summed posting per account: per asset and per account the sums are what it would compute.
        var sums = await QueryAsync(transaction,
            "SELECT owner_id, asset, kind, sum(amount) FROM ledger_postings GROUP BY owner_id, asset, kind",
            r => new Posting(LedgerStore.ToAccountId(r.GetInt64(0), r.GetString(1), (AccountKind)r.GetInt16(2), assets), r.GetDecimal(3)),
            cancellationToken).ConfigureAwait(false);
        var balances = await QueryAsync(transaction, "SELECT owner_id, asset, kind, amount FROM balances",
            r => (Account: LedgerStore.ToAccountId(r.GetInt64(0), r.GetString(1), (AccountKind)r.GetInt16(2), assets), Amount: r.GetDecimal(3)),
            cancellationToken).ConfigureAwait(false);
        // Held funds are claimed by the orders that are not done, the extra holds of amends not yet processed, and the
        // withdrawals not yet completed or released (awaiting confirmation, pending, pending approval), each for its
        // amount and its fee.
        var holds = await QueryAsync(transaction, """
            SELECT 'order ' || id, owner_id, hold_asset, remaining_hold FROM orders WHERE status IN (0, 1, 2, 6)
            UNION ALL
            SELECT 'amend ' || sequence, owner_id, payload->>'HoldAsset', (payload->>'ExtraHold')::numeric
            FROM market_commands WHERE type = 5 AND processed_at IS NULL AND (payload->>'ExtraHold')::numeric > 0
            UNION ALL
            SELECT 'withdrawal ' || id, owner_id, asset, amount + fee FROM withdrawals WHERE status IN (0, 1, 2)
            """,
            r => new HeldFunds(r.GetInt64(1), assets[r.GetString(2)], r.GetDecimal(3), r.GetString(0)),
            cancellationToken).ConfigureAwait(false);
        foreach (var d in InvariantChecker.Check(sums, balances.ToDictionary(b => b.Account, b => b.Amount), holds))
        {
            // Sums of on-grid postings are on grid; off-grid postings are reported one by one below.
            if (d.Kind != DiscrepancyKind.OffGridPosting)
            {
                found.Add(new("ledger", d.Kind.ToString(), d.Subject, Format(d.Expected), Format(d.Actual)));
            }
        }
        await AddAsync(found, transaction, "ledger", "OffGridPosting", """
            SELECT 'posting ' || p.id || ' (' || p.asset || ')', round(p.amount, a.precision)::text, p.amount::text
            FROM ledger_postings p JOIN assets a ON a.code = p.asset WHERE p.amount <> round(p.amount, a.precision)
            """, cancellationToken).ConfigureAwait(false);

        // The database has no foreign keys on postings (migration LedgerPostingsWithoutForeignKeys): each must
        // still belong to an entry and to the account row of its owner, asset and kind.
        await AddAsync(found, transaction, "ledger", "orphan_posting", """
            SELECT 'posting ' || p.id,
                   'entry ' || p.journal_entry_id || ', account ' || p.account_id || ' of owner ' || p.owner_id || ' ' || p.asset || ' kind ' || p.kind,
                   CASE WHEN j.id IS NULL THEN 'no entry' ELSE 'entry' END || ', '
                   || coalesce('account of owner ' || b.owner_id || ' ' || b.asset || ' kind ' || b.kind, 'no account')
            FROM ledger_postings p
            LEFT JOIN journal_entries j ON j.id = p.journal_entry_id
            LEFT JOIN balances b ON b.id = p.account_id
            WHERE j.id IS NULL OR b.id IS NULL OR b.owner_id <> p.owner_id OR b.asset <> p.asset OR b.kind <> p.kind
            """, cancellationToken).ConfigureAwait(false);

        // 2. Commands: a processed place command left no Pending order; every order has its place command;
        //    no trade exists for a command that is not marked processed (effects and mark commit together).
        await AddAsync(found, transaction, "commands", "pending_after_processing", """
            SELECT 'command ' || c.sequence || ' / order ' || o.id, 'not pending', 'pending'
            FROM market_commands c JOIN orders o ON o.id = c.order_id
            WHERE c.type IN (1, 4) AND c.processed_at IS NOT NULL AND o.status = 0
            """, cancellationToken).ConfigureAwait(false);
        // Rebuild restores the book from book_priority: set exactly on resting and armed (untriggered) orders, unique within a market.
        await AddAsync(found, transaction, "commands", "book_priority", """
            SELECT 'order ' || o.id, CASE WHEN o.status IN (1, 2, 6) THEN 'a priority of its own' ELSE 'no priority' END,
                   coalesce('priority ' || o.book_priority, 'none')
            FROM orders o
            WHERE (o.status IN (1, 2, 6)) <> (o.book_priority IS NOT NULL)
               OR (o.book_priority IS NOT NULL AND EXISTS (SELECT 1 FROM orders p
                   WHERE p.market_id = o.market_id AND p.book_priority = o.book_priority AND p.id <> o.id))
            """, cancellationToken).ConfigureAwait(false);
        await AddAsync(found, transaction, "commands", "order_without_command", """
            SELECT 'order ' || o.id, 'place command ' || o.id, 'none'
            FROM orders o WHERE NOT EXISTS (SELECT 1 FROM market_commands c WHERE c.sequence = o.id AND c.type IN (1, 4) AND c.order_id = o.id)
              -- the stop leg of an OCO pair is placed by its limit leg's command
              AND NOT EXISTS (SELECT 1 FROM market_commands c WHERE c.sequence = o.oco_partner_id AND c.type = 4 AND c.order_id = o.oco_partner_id)
            """, cancellationToken).ConfigureAwait(false);
        await AddAsync(found, transaction, "commands", "trade_of_unprocessed_command", """
            SELECT 'trade ' || t.id || ' / command ' || t.command_sequence, 'processed', coalesce(c.processed_at::text, 'unprocessed or missing')
            FROM trades t LEFT JOIN market_commands c ON c.sequence = t.command_sequence
            WHERE c.processed_at IS NULL
            """, cancellationToken).ConfigureAwait(false);

        // The order path has no foreign keys (migration OrderPathWithoutForeignKeys): every order and command
        // must still name an existing market, and every order an existing trader.
        await AddAsync(found, transaction, "commands", "orphan_row", """
            SELECT 'order ' || o.id, 'market ' || o.market_id || ', trader ' || o.owner_id,
                   CASE WHEN m.id IS NULL THEN 'no market' ELSE 'market' END || ', ' || CASE WHEN t.owner_id IS NULL THEN 'no trader' ELSE 'trader' END
            FROM orders o LEFT JOIN markets m ON m.id = o.market_id LEFT JOIN traders t ON t.owner_id = o.owner_id
            WHERE m.id IS NULL OR t.owner_id IS NULL
            UNION ALL
            SELECT 'command ' || c.sequence, 'market ' || c.market_id, 'no market'
            FROM market_commands c WHERE NOT EXISTS (SELECT 1 FROM markets m WHERE m.id = c.market_id)
            """, cancellationToken).ConfigureAwait(false);

        // 3. Applied exactly once: one hold entry per order that holds funds (and one per amend that took more), one
        //    deposit entry per confirmed deposit.
        await AddAsync(found, transaction, "exactly_once", "order_hold_entries", """
            WITH a AS (SELECT order_id, count(*) AS n FROM market_commands WHERE type = 5 AND (payload->>'ExtraHold')::numeric > 0 GROUP BY order_id)
            SELECT 'order ' || o.id, (CASE WHEN o.original_hold > 0 THEN 1 ELSE 0 END + coalesce(a.n, 0))::text, count(j.id)::text
            FROM orders o LEFT JOIN journal_entries j ON j.kind = 5 AND j.reference_id = o.id LEFT JOIN a ON a.order_id = o.id
            GROUP BY o.id, o.original_hold, a.n HAVING count(j.id) <> CASE WHEN o.original_hold > 0 THEN 1 ELSE 0 END + coalesce(a.n, 0)
            """, cancellationToken).ConfigureAwait(false);
        await AddAsync(found, transaction, "exactly_once", "deposit_entries", """
            SELECT 'deposit ' || d.id, CASE WHEN d.status = 1 THEN '1' ELSE '0' END, count(j.id)::text
            FROM deposits d LEFT JOIN journal_entries j ON j.kind = 1 AND j.reference_id = d.id
            GROUP BY d.id, d.status HAVING count(j.id) <> CASE WHEN d.status = 1 THEN 1 ELSE 0 END
            """, cancellationToken).ConfigureAwait(false);

        // 4. Trades ↔ journal: each trade has its own TradeSettlement entry, each such entry a trade, and the
        //    entry moves what the trade says (the buyer's base, both fees to the fee account).
        await AddAsync(found, transaction, "trades", "trade_entry", """
            SELECT 'trade ' || t.id, 'TradeSettlement entry ' || t.journal_entry_id, coalesce('kind ' || j.kind, 'missing')
            FROM trades t LEFT JOIN journal_entries j ON j.id = t.journal_entry_id
            WHERE j.id IS NULL OR j.kind <> 7
            """, cancellationToken).ConfigureAwait(false);
        await AddAsync(found, transaction, "trades", "entry_without_trade", """
            SELECT 'journal entry ' || j.id, '1 trade', count(t.id)::text
            FROM journal_entries j LEFT JOIN trades t ON t.journal_entry_id = j.id
            WHERE j.kind = 7 GROUP BY j.id HAVING count(t.id) <> 1
            """, cancellationToken).ConfigureAwait(false);
        await AddAsync(found, transaction, "trades", "trade_postings", """
            SELECT 'trade ' || t.id || ' (entry ' || t.journal_entry_id || ')',
                   'base ' || t.quantity || ', fees ' || (t.taker_fee + t.maker_fee),
                   'base ' || coalesce(sum(p.amount) FILTER (WHERE p.asset = m.base_asset AND p.kind = 0 AND p.amount > 0), 0)
                   || ', fees ' || coalesce(sum(p.amount) FILTER (WHERE p.kind = 3), 0)
            FROM trades t JOIN markets m ON m.id = t.market_id LEFT JOIN ledger_postings p ON p.journal_entry_id = t.journal_entry_id
            GROUP BY t.id, t.journal_entry_id, t.quantity, t.taker_fee, t.maker_fee
            HAVING coalesce(sum(p.amount) FILTER (WHERE p.asset = m.base_asset AND p.kind = 0 AND p.amount > 0), 0) <> t.quantity
                OR coalesce(sum(p.amount) FILTER (WHERE p.kind = 3), 0) <> t.taker_fee + t.maker_fee
            """, cancellationToken).ConfigureAwait(false);

        // 5. Fills = trades: what each order says it filled is what its trades add up to.
        await AddAsync(found, transaction, "fills", "filled_quantity", """
            WITH f AS (
                SELECT order_id, sum(quantity) AS quantity, sum(quote_amount) AS quote FROM (
                    SELECT taker_order_id AS order_id, quantity, quote_amount FROM trades
                    UNION ALL SELECT maker_order_id, quantity, quote_amount FROM trades) x
                GROUP BY order_id)
            SELECT 'order ' || o.id, 'quantity ' || coalesce(f.quantity, 0) || ', quote ' || coalesce(f.quote, 0),
                   'quantity ' || (o.filled_lots * m.lot_size) || ', quote ' || o.filled_quote
            FROM orders o JOIN markets m ON m.id = o.market_id LEFT JOIN f ON f.order_id = o.id
            WHERE o.filled_lots * m.lot_size <> coalesce(f.quantity, 0) OR o.filled_quote <> coalesce(f.quote, 0)
            """, cancellationToken).ConfigureAwait(false);

        // 6. Fee accounts = Σ trade fees (every fee is charged in the market's quote asset) + Σ fees of completed
        //    withdrawals (charged in the withdrawn asset; a released withdrawal's fee went back to its owner).
        await AddAsync(found, transaction, "fees", "fee_account", """
            WITH t AS (SELECT asset, sum(fees) AS fees FROM (
                    SELECT m.quote_asset AS asset, t.taker_fee + t.maker_fee AS fees FROM trades t JOIN markets m ON m.id = t.market_id
                    UNION ALL SELECT asset, fee FROM withdrawals WHERE status = 3) x
                GROUP BY asset)
            SELECT 'fees ' || a.code, coalesce(t.fees, 0)::text, coalesce(b.amount, 0)::text
            FROM assets a LEFT JOIN t ON t.asset = a.code LEFT JOIN balances b ON b.owner_id = 0 AND b.asset = a.code AND b.kind = 3
            WHERE coalesce(t.fees, 0) <> coalesce(b.amount, 0)
            """, cancellationToken).ConfigureAwait(false);

        return new ReconciliationReport(counts, found);
    }

    private static async Task AddAsync(List<Discrepancy> found, DbTransaction transaction, string check, string kind, string sql, CancellationToken cancellationToken)
    {
        // Every query returns (subject, expected, actual) as text: numeric::text keeps the exact decimal.
        found.AddRange(await QueryAsync(transaction, $"{sql} LIMIT {RowsPerCheck}",
            r => new Discrepancy(check, kind, r.GetString(0), Normalize(r.GetString(1)), Normalize(r.GetString(2))), cancellationToken).ConfigureAwait(false));
    }

    private static async Task<List<T>> QueryAsync<T>(DbTransaction transaction, string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }
        return rows;
    }

    private static string Format(decimal value) => value.ToString("0.##################", CultureInfo.InvariantCulture);

    // numeric(38,18)::text carries 18 trailing decimals; "1.500000000000000000" reads better as "1.5".
    private static string Normalize(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"(\d+\.\d*?)0+\b", m => m.Groups[1].Value.TrimEnd('.'));
}

using Coinage.Domain.Audit;
using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;
using Coinage.Domain.Outbox;
using Npgsql;

namespace Coinage.Domain.Exchange;

/// <summary>
/// The SQL of the two hot paths (the API's group commit of placements and cancels, the matching host's
/// settlement batch), written by hand: each statement writes all the rows of one table for the whole batch
/// (<c>INSERT … SELECT FROM unnest(arrays)</c>, <c>UPDATE … FROM unnest(arrays)</c>), and the statements go
/// to the server together in one <see cref="NpgsqlBatch"/>: one round trip per phase instead of one per
/// row. EF Core's change tracking cost about 1.9 ms per order on these paths (docs/performance.md); the rest
/// of the code base stays on EF Core. Column lists are constants; values only ever travel as parameters.
/// </summary>
public static class ExchangeSql
{
    /// <summary>A statement with positional parameters <c>$1…$n</c>.</summary>
    public static NpgsqlBatchCommand Statement(string sql, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
        return command;
    }

    /// <summary>The next <paramref name="count"/> command sequences, ascending (a place command and its order share one).</summary>
    public static NpgsqlBatchCommand NextCommandSequences(int count) => NextValues("market_commands", "sequence", count);

    public static NpgsqlBatchCommand NextJournalEntryIds(int count) => NextValues("journal_entries", "id", count);

    public static NpgsqlBatchCommand NextTradeIds(int count) => NextValues("trades", "id", count);

    // table and column are the constants above, never input. The sequence is looked up once (an InitPlan), not
    // per row: pg_get_serial_sequence in the select list costs a catalog lookup per value, 6× the nextval itself.
    private static NpgsqlBatchCommand NextValues(string table, string column, int count) => Statement(
        $"SELECT nextval((SELECT pg_get_serial_sequence('{table}', '{column}')::regclass)) FROM generate_series(1, $1) ORDER BY 1", count);

    /// <summary>Reads the values of a <c>Next…</c> statement: the reader must stand on its result set.</summary>
    public static async Task<long[]> ReadIdsAsync(NpgsqlDataReader reader, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var ids = new long[count];
        for (var i = 0; i < count && await reader.ReadAsync(cancellationToken).ConfigureAwait(false); i++)
        {
            ids[i] = reader.GetInt64(0);
        }
        return ids;
    }

    public const string OrderColumns =
        "id, market_id, owner_id, client_order_id, request_hash, side, type, time_in_force, post_only, self_trade_prevention, " +
        "limit_price_ticks, quantity_lots, quote_budget_units, hold_asset, original_hold, remaining_hold, filled_lots, filled_quote, " +
        "fee_exact, fee_paid, status, book_priority, created_at, updated_at, close_reason, trigger_type, trigger_price_ticks, triggered_at, " +
        "oco_partner_id, last_amend_rejection";

    /// <summary>One row of <c>SELECT <see cref="OrderColumns"/> FROM orders</c>.</summary>
    public static OrderRecord ReadOrder(NpgsqlDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new OrderRecord
        {
            Id = reader.GetInt64(0),
            MarketId = reader.GetInt32(1),
            OwnerId = reader.GetInt64(2),
            ClientOrderId = reader.IsDBNull(3) ? null : reader.GetString(3),
            RequestHash = reader.GetString(4),
            Side = (Side)reader.GetInt16(5),
            Type = (OrderType)reader.GetInt16(6),
            TimeInForce = (TimeInForce)reader.GetInt16(7),
            PostOnly = reader.GetBoolean(8),
            SelfTradePrevention = (SelfTradePrevention)reader.GetInt16(9),
            LimitPriceTicks = reader.GetInt64(10),
            QuantityLots = reader.GetInt64(11),
            QuoteBudgetUnits = reader.GetInt64(12),
            HoldAsset = reader.GetString(13),
            OriginalHold = reader.GetDecimal(14),
            RemainingHold = reader.GetDecimal(15),
            FilledLots = reader.GetInt64(16),
            FilledQuote = reader.GetDecimal(17),
            FeeExact = reader.GetDecimal(18),
            FeePaid = reader.GetDecimal(19),
            Status = (OrderStatus)reader.GetInt16(20),
            BookPriority = reader.IsDBNull(21) ? null : reader.GetInt64(21),
            CreatedAt = reader.GetFieldValue<DateTimeOffset>(22),
            UpdatedAt = reader.GetFieldValue<DateTimeOffset>(23),
            CloseReason = (OrderCloseReason)reader.GetInt16(24),
            TriggerType = (TriggerType)reader.GetInt16(25),
            TriggerPriceTicks = reader.GetInt64(26),
            TriggeredAt = reader.IsDBNull(27) ? null : reader.GetFieldValue<DateTimeOffset>(27),
            OcoPartnerId = reader.IsDBNull(28) ? null : reader.GetInt64(28),
            LastAmendRejection = (AmendRejection)reader.GetInt16(29),
        };
    }

    public static async Task<List<OrderRecord>> ReadOrdersAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var orders = new List<OrderRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            orders.Add(ReadOrder(reader));
        }
        return orders;
    }

    public static NpgsqlBatchCommand InsertOrders(IReadOnlyList<OrderRecord> orders)
    {
        ArgumentNullException.ThrowIfNull(orders);
        return Statement($"""
            INSERT INTO orders ({OrderColumns})
            SELECT * FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::smallint[], $7::smallint[], $8::smallint[],
                $9::boolean[], $10::smallint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::text[], $15::numeric[], $16::numeric[],
                $17::bigint[], $18::numeric[], $19::numeric[], $20::numeric[], $21::smallint[], $22::bigint[], $23::timestamptz[], $24::timestamptz[], $25::smallint[],
                $26::smallint[], $27::bigint[], $28::timestamptz[], $29::bigint[], $30::smallint[])
            """,
            Column(orders, o => o.Id), Column(orders, o => o.MarketId), Column(orders, o => o.OwnerId), Column(orders, o => o.ClientOrderId),
            Column(orders, o => o.RequestHash), Column(orders, o => (short)o.Side), Column(orders, o => (short)o.Type), Column(orders, o => (short)o.TimeInForce),
            Column(orders, o => o.PostOnly), Column(orders, o => (short)o.SelfTradePrevention), Column(orders, o => o.LimitPriceTicks),
            Column(orders, o => o.QuantityLots), Column(orders, o => o.QuoteBudgetUnits), Column(orders, o => o.HoldAsset),
            Column(orders, o => o.OriginalHold), Column(orders, o => o.RemainingHold), Column(orders, o => o.FilledLots),
            Column(orders, o => o.FilledQuote), Column(orders, o => o.FeeExact), Column(orders, o => o.FeePaid), Column(orders, o => (short)o.Status),
            Column(orders, o => o.BookPriority), Column(orders, o => o.CreatedAt.ToUniversalTime()), Column(orders, o => o.UpdatedAt.ToUniversalTime()),
            Column(orders, o => (short)o.CloseReason), Column(orders, o => (short)o.TriggerType), Column(orders, o => o.TriggerPriceTicks),
            Column(orders, o => o.TriggeredAt?.ToUniversalTime()), Column(orders, o => o.OcoPartnerId), Column(orders, o => (short)o.LastAmendRejection));
    }

    /// <summary>
    /// What a settlement batch changes in an order row: its state, its book priority, its time, when its trigger fired,
    /// and its terms and last amend refusal (amend). None of these columns is indexed but book_priority, so an update
    /// that leaves the priority alone stays a HOT update.
    /// </summary>
    public static NpgsqlBatchCommand UpdateOrders(IReadOnlyList<OrderRecord> orders)
    {
        ArgumentNullException.ThrowIfNull(orders);
        return Statement("""
            UPDATE orders o SET remaining_hold = u.remaining_hold, filled_lots = u.filled_lots, filled_quote = u.filled_quote,
                fee_exact = u.fee_exact, fee_paid = u.fee_paid, status = u.status, book_priority = u.book_priority, updated_at = u.updated_at,
                close_reason = u.close_reason, triggered_at = u.triggered_at, limit_price_ticks = u.limit_price_ticks, quantity_lots = u.quantity_lots,
                last_amend_rejection = u.last_amend_rejection
            FROM unnest($1::bigint[], $2::numeric[], $3::bigint[], $4::numeric[], $5::numeric[], $6::numeric[], $7::smallint[], $8::bigint[], $9::timestamptz[], $10::smallint[],
                $11::timestamptz[], $12::bigint[], $13::bigint[], $14::smallint[])
                AS u(id, remaining_hold, filled_lots, filled_quote, fee_exact, fee_paid, status, book_priority, updated_at, close_reason, triggered_at,
                     limit_price_ticks, quantity_lots, last_amend_rejection)
            WHERE o.id = u.id
            """,
            Column(orders, o => o.Id), Column(orders, o => o.RemainingHold), Column(orders, o => o.FilledLots), Column(orders, o => o.FilledQuote),
            Column(orders, o => o.FeeExact), Column(orders, o => o.FeePaid), Column(orders, o => (short)o.Status), Column(orders, o => o.BookPriority),
            Column(orders, o => o.UpdatedAt.ToUniversalTime()), Column(orders, o => (short)o.CloseReason), Column(orders, o => o.TriggeredAt?.ToUniversalTime()),
            Column(orders, o => o.LimitPriceTicks), Column(orders, o => o.QuantityLots), Column(orders, o => (short)o.LastAmendRejection));
    }

    /// <summary>Commands with their sequence taken in advance (<see cref="NextCommandSequences"/>).</summary>
    public static NpgsqlBatchCommand InsertCommands(IReadOnlyList<MarketCommand> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        return Statement("""
            INSERT INTO market_commands (sequence, market_id, type, owner_id, order_id, payload, created_at)
            SELECT * FROM unnest($1::bigint[], $2::int[], $3::smallint[], $4::bigint[], $5::bigint[], $6::text[]::jsonb[], $7::timestamptz[])
            """,
            Column(commands, c => c.Sequence), Column(commands, c => c.MarketId), Column(commands, c => (short)c.Type), Column(commands, c => c.OwnerId),
            Column(commands, c => c.OrderId), Column(commands, c => c.Payload), Column(commands, c => c.CreatedAt.ToUniversalTime()));
    }

    /// <summary>Marks commands processed with their result (null when applied as asked).</summary>
    public static NpgsqlBatchCommand MarkProcessed(IReadOnlyList<MarketCommand> commands, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(commands);
        return Statement("""
            UPDATE market_commands c SET processed_at = $3, result = u.result
            FROM unnest($1::bigint[], $2::text[]) AS u(sequence, result) WHERE c.sequence = u.sequence
            """,
            Column(commands, c => c.Sequence), Column(commands, c => c.Result), now.ToUniversalTime());
    }

    public static NpgsqlBatchCommand InsertTrades(IReadOnlyList<TradeRecord> trades)
    {
        ArgumentNullException.ThrowIfNull(trades);
        return Statement("""
            INSERT INTO trades (id, market_id, taker_order_id, maker_order_id, taker_owner_id, maker_owner_id, taker_side, price, quantity,
                quote_amount, taker_fee, maker_fee, journal_entry_id, command_sequence, created_at)
            SELECT * FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::smallint[], $8::numeric[],
                $9::numeric[], $10::numeric[], $11::numeric[], $12::numeric[], $13::bigint[], $14::bigint[], $15::timestamptz[])
            """,
            Column(trades, t => t.Id), Column(trades, t => t.MarketId), Column(trades, t => t.TakerOrderId), Column(trades, t => t.MakerOrderId),
            Column(trades, t => t.TakerOwnerId), Column(trades, t => t.MakerOwnerId), Column(trades, t => (short)t.TakerSide), Column(trades, t => t.Price),
            Column(trades, t => t.Quantity), Column(trades, t => t.QuoteAmount), Column(trades, t => t.TakerFee), Column(trades, t => t.MakerFee),
            Column(trades, t => t.JournalEntryId), Column(trades, t => t.CommandSequence), Column(trades, t => t.CreatedAt.ToUniversalTime()));
    }

    public static NpgsqlBatchCommand InsertOutbox(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Statement("""
            INSERT INTO outbox_messages (id, type, payload, created_at, attempts, next_attempt_at) VALUES ($1, $2, $3::jsonb, $4, 0, $5)
            """, message.Id, message.Type, message.Payload, message.CreatedAt.ToUniversalTime(), message.NextAttemptAt.ToUniversalTime());
    }

    public static NpgsqlBatchCommand InsertAuditEntries(IReadOnlyList<AuditEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return Statement("""
            INSERT INTO audit_entries (sequence, occurred_at, action, actor_user_id, subject_user_id, ip_address, data, previous_hash, hash, ip_digest, ip_salt)
            SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
            """,
            Column(entries, e => e.Sequence), Column(entries, e => e.OccurredAt.ToUniversalTime()), Column(entries, e => e.Action),
            Column(entries, e => e.ActorUserId), Column(entries, e => e.SubjectUserId), Column(entries, e => e.IpAddress), Column(entries, e => e.Data),
            Column(entries, e => e.PreviousHash), Column(entries, e => e.Hash), Column(entries, e => e.IpDigest), Column(entries, e => e.IpSalt));
    }

    /// <summary>Creates the missing balance rows of <paramref name="accounts"/> (no lock is taken on existing rows).</summary>
    public static NpgsqlBatchCommand EnsureBalances(IReadOnlyList<AccountId> accounts, DateTimeOffset now) => Statement("""
        INSERT INTO balances (owner_id, asset, kind, amount, updated_at)
        SELECT o, a, k, 0, $4 FROM unnest($1::bigint[], $2::text[], $3::smallint[]) AS t(o, a, k)
        WHERE NOT EXISTS (SELECT 1 FROM balances b WHERE b.owner_id = t.o AND b.asset = t.a AND b.kind = t.k)
        ON CONFLICT (owner_id, asset, kind) DO NOTHING
        """, Column(accounts, a => a.Owner), Column(accounts, a => a.Asset.Code), Column(accounts, a => (short)a.Kind), now.ToUniversalTime());

    /// <summary>The balance rows of <paramref name="accounts"/> (id, owner, asset, kind, amount); locked in id order when <paramref name="forUpdate"/>.</summary>
    public static NpgsqlBatchCommand SelectBalances(IReadOnlyList<AccountId> accounts, bool forUpdate) => Statement($"""
        SELECT b.id, b.owner_id, b.asset, b.kind, b.amount FROM balances b
        JOIN unnest($1::bigint[], $2::text[], $3::smallint[]) AS t(o, a, k) ON b.owner_id = t.o AND b.asset = t.a AND b.kind = t.k
        ORDER BY b.id{(forUpdate ? " FOR UPDATE OF b" : "")}
        """, Column(accounts, a => a.Owner), Column(accounts, a => a.Asset.Code), Column(accounts, a => (short)a.Kind));

    /// <summary>
    /// Locks balance rows by id, in id order (DESIGN.md §2: every writer locks accounts in one fixed order, so the
    /// API's holds and the matching hosts' settlements never deadlock). Taken by <see cref="LedgerWrites.AddBalanceUpdateTo"/>
    /// just before the deltas, after every other row of the batch is written: the rows are shared by every writer,
    /// so each holds them only for its last statements and its commit.
    /// </summary>
    public static NpgsqlBatchCommand LockBalances(IReadOnlyList<long> ids) =>
        Statement("SELECT id FROM balances WHERE id = ANY($1) ORDER BY id FOR UPDATE", ids.ToArray());

    public static async Task<List<BalanceRecord>> ReadBalancesAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var rows = new List<BalanceRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new BalanceRecord
            {
                Id = reader.GetInt64(0),
                OwnerId = reader.GetInt64(1),
                Asset = reader.GetString(2),
                Kind = (AccountKind)reader.GetInt16(3),
                Amount = reader.GetDecimal(4),
            });
        }
        return rows;
    }

    internal static T[] Column<TRow, T>(IReadOnlyList<TRow> rows, Func<TRow, T> select)
    {
        var values = new T[rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = select(rows[i]);
        }
        return values;
    }
}

/// <summary>
/// Journal entries, their postings and the balance deltas of one batch, written by three statements. The
/// entries' ids are taken in advance (<see cref="ExchangeSql.NextJournalEntryIds"/>) so that postings and
/// trades can name them without a round trip. Balances are changed by delta (<c>amount = amount + Δ</c>) on
/// rows locked in id order (<see cref="ExchangeSql.LockBalances"/>) by the last statements before the commit.
/// </summary>
public sealed class LedgerWrites(IReadOnlyDictionary<AccountId, long> balanceIds, DateTimeOffset now)
{
    private readonly List<(long Id, JournalEntry Entry)> _entries = [];
    private readonly Dictionary<long, decimal> _deltas = [];
    private int _postings;

    public int Count => _entries.Count;

    public void Post(JournalEntry entry, long id)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _entries.Add((id, entry));
        foreach (var posting in entry.Postings)
        {
            var balance = balanceIds[posting.Account];
            _deltas[balance] = _deltas.GetValueOrDefault(balance) + posting.Amount;
            _postings++;
        }
    }

    /// <summary>The journal entries: add them before the rows that point at them (postings, trades).</summary>
    public void AddEntriesTo(NpgsqlBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_entries.Count == 0)
        {
            return;
        }
        batch.BatchCommands.Add(ExchangeSql.Statement("""
            INSERT INTO journal_entries (id, kind, reference_id, created_at)
            SELECT i, k, r, $4 FROM unnest($1::bigint[], $2::smallint[], $3::bigint[]) AS t(i, k, r)
            """,
            ExchangeSql.Column(_entries, e => e.Id), ExchangeSql.Column(_entries, e => (short)e.Entry.Kind), ExchangeSql.Column(_entries, e => e.Entry.ReferenceId), now.ToUniversalTime()));
    }

    /// <summary>
    /// The postings. They take no lock (ledger_postings has no foreign keys, docs/exchange.md "Locks"), so they go
    /// before <see cref="AddBalanceUpdateTo"/>, with the rest of the batch's rows.
    /// </summary>
    public void AddPostingsTo(NpgsqlBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_entries.Count == 0)
        {
            return;
        }
        var entryIds = new long[_postings];
        var accounts = new long[_postings];
        var owners = new long[_postings];
        var assets = new string[_postings];
        var kinds = new short[_postings];
        var amounts = new decimal[_postings];
        var n = 0;
        foreach (var (id, entry) in _entries)
        {
            foreach (var posting in entry.Postings)
            {
                entryIds[n] = id;
                accounts[n] = balanceIds[posting.Account];
                owners[n] = posting.Account.Owner;
                assets[n] = posting.Account.Asset.Code;
                kinds[n] = (short)posting.Account.Kind;
                amounts[n] = posting.Amount;
                n++;
            }
        }
        batch.BatchCommands.Add(ExchangeSql.Statement("""
            INSERT INTO ledger_postings (journal_entry_id, account_id, owner_id, asset, kind, amount, created_at)
            SELECT e, a, o, s, k, m, $7 FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::smallint[], $6::numeric[]) AS t(e, a, o, s, k, m)
            """, entryIds, accounts, owners, assets, kinds, amounts, now.ToUniversalTime()));
    }

    /// <summary>
    /// The balance rows locked in id order, then their deltas (<c>amount = amount + Δ</c>): add this last, just before
    /// the commit. A delta that would take a user's or the fees' balance below zero fails the statement with
    /// <c>check_violation</c> (<c>ck_balances_not_negative</c>) and nothing of the transaction is written.
    /// </summary>
    /// <returns>Whether it added the two statements (the lock returns a result set of the locked ids).</returns>
    public bool AddBalanceUpdateTo(NpgsqlBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var changed = _deltas.Where(d => d.Value != 0).OrderBy(d => d.Key).ToList();
        if (changed.Count == 0)
        {
            return false;
        }
        var ids = changed.Select(d => d.Key).ToArray();
        batch.BatchCommands.Add(ExchangeSql.LockBalances(ids));
        batch.BatchCommands.Add(ExchangeSql.Statement("""
            UPDATE balances b SET amount = b.amount + u.delta, updated_at = $3
            FROM unnest($1::bigint[], $2::numeric[]) AS u(id, delta) WHERE b.id = u.id
            """, ids, changed.Select(d => d.Value).ToArray(), now.ToUniversalTime()));
        return true;
    }
}

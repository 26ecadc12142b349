using System.Globalization;
using System.Text.Json;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;
using Coinage.Domain.Outbox;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Coinage.Worker.Matching;

/// <summary>What one committed batch changed, published to Redis after the commit.</summary>
internal sealed record BatchOutcome(int Commands, IReadOnlyList<TradeRecord> Trades, IReadOnlyList<OrderRecord> Orders, BookSnapshot Book, long LastSequence);

/// <summary>
/// The in-memory book of one market and the code that feeds it from <c>market_commands</c>. Used by one
/// owner at a time (the matching host holding the market's advisory lock). Every batch is one
/// transaction: the commands' effects and their processed marks commit together or not at all.
/// </summary>
internal sealed class MarketProcessor(MarketRecord market, SpotMarket spot, IReadOnlyDictionary<string, Asset> assets, TimeProvider clock)
{
    private readonly MatchingEngine _engine = new(spot.Spec);
    private readonly MatchEventBuffer _events = new();
    private readonly SettlementCalculator _calculator = new(spot);
    private long _lastPriority;

    /// <summary>The rows of the orders on the book, as committed: kept with the engine, rebuilt with it.</summary>
    private readonly Dictionary<long, OrderRecord> _resting = [];

    /// <summary>Balance row ids by account: a row, once created, keeps its id for ever.</summary>
    private readonly Dictionary<AccountId, long> _balanceIds = [];

    public MarketRecord Market => market;

    public SpotMarket Spot => spot;

    public int RestingOrders => _engine.OrderCount;

    public BookSnapshot Snapshot(int depth) => _engine.GetSnapshot(depth);

    /// <summary>The first command the last <see cref="ProcessBatchAsync"/> read: with a batch of one, the command that failed.</summary>
    public long? FirstAttemptedSequence { get; private set; }

    /// <summary>Type and creation time of the commands of the last committed batch (metrics).</summary>
    public IReadOnlyList<(MarketCommandType Type, DateTimeOffset CreatedAt)> LastBatchCommands { get; private set; } = [];

    /// <summary>
    /// Why the commands of the last committed batch that the matching host refused were refused (metrics): an order it
    /// rejected by its close reason (<c>post_only_would_take</c>, <c>would_trigger_immediately</c>, …; an OCO pair once),
    /// an amend by the code of its <c>lastAmendRejection</c>.
    /// </summary>
    public IReadOnlyList<string> LastBatchRejections { get; private set; } = [];

    /// <summary>
    /// Rebuilds the book (and the rows of its orders) from the open orders in the database, in book priority, the
    /// armed stop and take-profit orders, and the last trade price their triggers compare with. An order whose trigger
    /// fired is Open (or done) in the same transaction that recorded the firing, so it is never armed again.
    /// </summary>
    public async Task RebuildAsync(CoinageDbContext db, CancellationToken cancellationToken)
    {
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Waits for a batch a previous owner may still be committing (it holds this row until its commit).
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM markets WHERE id = {market.Id} FOR SHARE", cancellationToken).ConfigureAwait(false);
        var open = await db.Orders.AsNoTracking()
            .Where(o => o.MarketId == market.Id && o.BookPriority != null
                && (o.Status == OrderStatus.Open || o.Status == OrderStatus.PartiallyFilled || o.Status == OrderStatus.Untriggered))
            .OrderBy(o => o.BookPriority)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var lastPrice = await db.Trades.Where(t => t.MarketId == market.Id).OrderByDescending(t => t.Id).Select(t => (decimal?)t.Price)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        _lastPriority = await db.Orders.Where(o => o.MarketId == market.Id).MaxAsync(o => o.BookPriority, cancellationToken).ConfigureAwait(false) ?? 0;
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        _engine.Clear();
        _resting.Clear();
        // A failed batch may have learnt the ids of balance rows its rollback removed.
        _balanceIds.Clear();
        // An OCO pair is linked again only while both legs are live: once one traded, fired or was cancelled, the other
        // is done too, or (a limit leg that traded) goes on alone, as the engine left it.
        var live = open.Select(o => o.Id).ToHashSet();
        foreach (var o in open)
        {
            var partner = o.OcoPartnerId is { } p && live.Contains(p) ? p : 0;
            if (o.Status == OrderStatus.Untriggered)
            {
                _engine.RestoreArmed(new ArmedOrder(o.ToPlaceCommand(), partner));
            }
            else
            {
                _engine.Restore(new RestingOrder(o.Id, o.OwnerId, o.Side, o.LimitPriceTicks, o.QuantityLots - o.FilledLots) { OcoPartner = partner });
            }
            _resting[o.Id] = o;
        }
        _engine.RestoreLastTradePrice(lastPrice is { } price && spot.Spec.TryToPriceTicks(price, out var ticks) ? ticks : 0);
    }

    /// <summary>
    /// Processes up to <paramref name="batchSize"/> pending commands in one transaction. <paramref name="ownerPid"/>
    /// is the backend of the connection holding the advisory lock: checked inside the transaction, so a host
    /// that lost its lock connection cannot commit.
    /// </summary>
    /// <remarks>
    /// Four round trips, written with <see cref="ExchangeSql"/>'s multi-row statements: (1) the market locked, the
    /// ownership checked, the commands read; (2) the rows of the orders they place; (3) ids for the journal entries
    /// and trades, and the ids of balance rows not seen before; (4) every write, ending with the balance rows
    /// locked in id order and their deltas, then COMMIT. The balance rows are shared with the API's holds, so they
    /// are locked by the last two statements and held only for those and the commit. Resting orders are
    /// kept in memory with the book (<see cref="_resting"/>), so a trade with a maker costs no query; after any
    /// failure the host rebuilds both from the database.
    /// </remarks>
    public async Task<BatchOutcome?> ProcessBatchAsync(CoinageDbContext db, int ownerPid, long lockKey, int batchSize, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        now = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // (1) NO KEY UPDATE serializes batches, quarantines and rebuilds (FOR SHARE) of this market, but not the API's
        // inserts of orders and commands. Nothing else writes a command row before it is processed, so the commands
        // are read without a row lock of their own: one fewer tuple write per command (docs/performance.md, session 8).
        var commands = new List<MarketCommand>();
        await using (var read = new NpgsqlBatch(connection, tx))
        {
            foreach (var statement in LockMarket(ownerPid, lockKey))
            {
                read.BatchCommands.Add(statement);
            }
            // The payload is read for amends only: the other commands' terms are in their order rows.
            read.BatchCommands.Add(ExchangeSql.Statement($"""
                SELECT sequence, type, owner_id, order_id, created_at, CASE WHEN type = {(short)MarketCommandType.Amend} THEN payload::text END
                FROM market_commands WHERE market_id = $1 AND processed_at IS NULL ORDER BY sequence LIMIT $2
                """, market.Id, batchSize));
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            // The band market orders stop at (docs/exchange.md, "Market-order protection"), read under the row lock an
            // admin's change also takes: every command of a batch sees one value, the one committed before the batch.
            var band = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && !reader.IsDBNull(0) ? reader.GetInt32(0) : 0;
            // Outside 0-100 % is no band, as PriceBand.Around treats it for limit orders.
            _engine.PriceBandBps = band is > 0 and <= 10_000 ? band : 0;
            await ReadOwnershipAsync(reader, cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                commands.Add(new MarketCommand
                {
                    Sequence = reader.GetInt64(0),
                    MarketId = market.Id,
                    Type = (MarketCommandType)reader.GetInt16(1),
                    OwnerId = reader.GetInt64(2),
                    OrderId = reader.IsDBNull(3) ? null : reader.GetInt64(3),
                    CreatedAt = reader.GetFieldValue<DateTimeOffset>(4),
                    Payload = reader.IsDBNull(5) ? "{}" : reader.GetString(5),
                });
            }
        }
        if (commands.Count == 0)
        {
            return null;
        }
        FirstAttemptedSequence = commands[0].Sequence;

        // (2) The orders this batch places; makers come from _resting.
        var rows = new Dictionary<long, OrderRecord>();
        var placeIds = commands.Where(c => c.Type is MarketCommandType.Place or MarketCommandType.PlaceOco && c.OrderId is not null).Select(c => c.OrderId!.Value).ToArray();
        var ocoIds = commands.Where(c => c.Type == MarketCommandType.PlaceOco && c.OrderId is not null).Select(c => c.OrderId!.Value).ToArray();
        foreach (var row in await LoadOrdersAsync(connection, tx, placeIds, cancellationToken, ocoIds).ConfigureAwait(false))
        {
            rows[row.Id] = row;
        }
        var states = rows.Values.ToDictionary(o => o.Id, ToState);
        var entries = new List<JournalEntry>();
        var trades = new List<(SettledTrade Trade, long Sequence)>();
        var rested = new List<long>();
        var triggered = new List<long>();
        var amended = new HashSet<long>();
        foreach (var command in commands)
        {
            _events.Clear();
            decimal amendRelease = 0;
            switch (command.Type)
            {
                case MarketCommandType.Place when command.OrderId is { } id && rows.TryGetValue(id, out var order) && order.Status == OrderStatus.Pending:
                    _engine.Place(order.ToPlaceCommand(), _events);
                    break;
                case MarketCommandType.PlaceOco when command.OrderId is { } id && rows.TryGetValue(id, out var limit) && limit.Status == OrderStatus.Pending
                    && limit.OcoPartnerId is { } stopId && rows.TryGetValue(stopId, out var stop) && stop.Status == OrderStatus.Pending:
                    _engine.PlaceOco(limit.ToPlaceCommand(), stop.ToPlaceCommand(), _events);
                    break;
                case MarketCommandType.PlaceOco:
                    command.Result = OrderNotPending;
                    break;
                case MarketCommandType.Amend when command.OrderId is { } id:
                    amendRelease = Amend(command, id, rows, states, amended, rested);
                    break;
                case MarketCommandType.Place:
                    // The order is gone or no longer pending: nothing to do, but say so rather than silently skip.
                    command.Result = OrderNotPending;
                    break;
                case MarketCommandType.Cancel when command.OrderId is { } id:
                    _engine.Cancel(id, command.OwnerId, _events);
                    break;
                case MarketCommandType.CancelAll:
                    _engine.CancelAll(command.OwnerId, _events);
                    break;
                default:
                    command.Result = "invalid_command";
                    break;
            }
            var referenced = SettlementCalculator.ReferencedOrderIds(_events.Events);
            List<long>? missing = null;
            foreach (var id in referenced)
            {
                if (states.ContainsKey(id))
                {
                    continue;
                }
                if (_resting.TryGetValue(id, out var resting))
                {
                    rows[id] = resting;
                    states[id] = ToState(resting);
                }
                else
                {
                    (missing ??= []).Add(id);
                }
            }
            if (missing is not null)
            {
                // Not expected (every order on the book is in _resting); read rather than fail.
                foreach (var o in await LoadOrdersAsync(connection, tx, missing.ToArray(), cancellationToken).ConfigureAwait(false))
                {
                    rows[o.Id] = o;
                    states[o.Id] = ToState(o);
                }
            }
            var events = _events.Events;
            var result = _calculator.Settle(events, states);
            foreach (var state in result.Orders)
            {
                states[state.OrderId] = state;
            }
            entries.AddRange(result.Entries);
            if (amendRelease > 0)
            {
                // The extra hold of a refused amend goes back (the order, if still there, keeps its own hold).
                var amend = JsonSerializer.Deserialize<AmendCommand>(command.Payload)!;
                entries.Add(LedgerOperations.ReleaseHold(command.OrderId!.Value, command.OwnerId, assets[amend.HoldAsset], amendRelease));
            }
            trades.AddRange(result.Trades.Select(t => (t, command.Sequence)));
            foreach (ref readonly var e in events)
            {
                if (e.Kind is MatchEventKind.Rested or MatchEventKind.Armed)
                {
                    rested.Add(e.OrderId);
                }
                else if (e.Kind == MatchEventKind.Triggered)
                {
                    triggered.Add(e.OrderId);
                    // Armed with a priority: it comes to rest (if it does) behind what rested before it fired.
                    rows[e.OrderId].BookPriority = null;
                    rows[e.OrderId].TriggeredAt = now;
                }
                else if (e.Kind == MatchEventKind.Rejected && command.Result is null)
                {
                    command.Result = e.RejectReason.ToString();
                }
            }
        }

        var touched = new List<OrderRecord>();
        foreach (var (id, state) in states)
        {
            var row = rows[id];
            if (row.Status != state.Status || row.RemainingHold != state.RemainingHold || row.FilledLots != state.FilledQuantity
                || triggered.Contains(id) || amended.Contains(id))
            {
                row.Apply(state, now);
                touched.Add(row);
            }
        }
        foreach (var id in rested)
        {
            // An order that rested (or was armed) and left within the batch takes no priority (Apply cleared it).
            if (rows[id].BookPriority is null && rows[id].Status is OrderStatus.Open or OrderStatus.PartiallyFilled or OrderStatus.Untriggered)
            {
                rows[id].BookPriority = ++_lastPriority;
                if (!touched.Contains(rows[id]))
                {
                    touched.Add(rows[id]);
                }
            }
        }

        // (3) Ids for what this batch creates, and the balance rows it posts to (created when missing).
        var accounts = entries.SelectMany(e => e.Postings).Select(p => p.Account).Distinct().ToList();
        var unknown = accounts.Where(a => !_balanceIds.ContainsKey(a)).ToList();
        long[] entryIds = [];
        long[] tradeIds = [];
        if (entries.Count > 0)
        {
            await using var ids = new NpgsqlBatch(connection, tx);
            ids.BatchCommands.Add(ExchangeSql.NextJournalEntryIds(entries.Count));
            ids.BatchCommands.Add(ExchangeSql.NextTradeIds(trades.Count));
            if (unknown.Count > 0)
            {
                ids.BatchCommands.Add(ExchangeSql.EnsureBalances(unknown, now));
                ids.BatchCommands.Add(ExchangeSql.SelectBalances(unknown, forUpdate: false));
            }
            await using var reader = await ids.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            entryIds = await ExchangeSql.ReadIdsAsync(reader, entries.Count, cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            tradeIds = await ExchangeSql.ReadIdsAsync(reader, trades.Count, cancellationToken).ConfigureAwait(false);
            if (unknown.Count > 0)
            {
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                foreach (var balance in await ExchangeSql.ReadBalancesAsync(reader, cancellationToken).ConfigureAwait(false))
                {
                    _balanceIds[LedgerStore.ToAccountId(balance, assets)] = balance.Id;
                }
            }
        }
        var ledger = new LedgerWrites(_balanceIds, now);
        var byEntry = new Dictionary<JournalEntry, long>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < entries.Count; i++)
        {
            ledger.Post(entries[i], entryIds[i]);
            byEntry[entries[i]] = entryIds[i];
        }
        var tradeRows = trades.Select((t, i) => new TradeRecord
        {
            Id = tradeIds[i],
            MarketId = market.Id,
            TakerOrderId = t.Trade.TakerOrderId,
            MakerOrderId = t.Trade.MakerOrderId,
            TakerOwnerId = t.Trade.TakerOwner,
            MakerOwnerId = t.Trade.MakerOwner,
            TakerSide = t.Trade.TakerSide,
            Price = t.Trade.Price,
            Quantity = t.Trade.Quantity,
            QuoteAmount = t.Trade.QuoteAmount,
            TakerFee = t.Trade.TakerFee,
            MakerFee = t.Trade.MakerFee,
            JournalEntryId = byEntry[t.Trade.Entry],
            CommandSequence = t.Sequence,
            CreatedAt = now,
        }).ToList();

        // (4) Everything, the contended balance rows last; then the commit.
        await using (var write = new NpgsqlBatch(connection, tx))
        {
            ledger.AddEntriesTo(write);
            if (tradeRows.Count > 0)
            {
                write.BatchCommands.Add(ExchangeSql.InsertTrades(tradeRows));
            }
            if (touched.Count > 0)
            {
                write.BatchCommands.Add(ExchangeSql.UpdateOrders(touched));
                write.BatchCommands.Add(ExchangeSql.InsertOutbox(OutboxMessage.Create("exchange.orders_updated", JsonSerializer.Serialize(new
                {
                    market = market.Symbol,
                    orders = touched.Select(o => new { id = o.Id.ToString(CultureInfo.InvariantCulture), owner = o.OwnerId, status = o.Status.ToString() }),
                    trades = tradeRows.Count,
                }), now)));
            }
            ledger.AddPostingsTo(write);
            write.BatchCommands.Add(ExchangeSql.MarkProcessed(commands, now));
            ledger.AddBalanceUpdateTo(write);
            await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);

        // Committed: the rows in memory follow the book.
        foreach (var row in touched.Concat(rows.Values))
        {
            if (row.Status is OrderStatus.Open or OrderStatus.PartiallyFilled or OrderStatus.Untriggered)
            {
                _resting[row.Id] = row;
            }
            else
            {
                _resting.Remove(row.Id);
            }
        }
        LastBatchCommands = commands.Select(c => (c.Type, c.CreatedAt)).ToList();
        LastBatchRejections = [.. commands.Select(c => RejectionOf(c, rows)).OfType<string>()];
        return new BatchOutcome(commands.Count, tradeRows, touched, _engine.GetSnapshot(50), commands[^1].Sequence);
    }

    /// <summary><c>market_commands.result</c> of a place command whose order was no longer pending (rejected before, by another batch): not a new refusal.</summary>
    private const string OrderNotPending = "order_not_pending";

    /// <summary>Why the matching host refused a processed command, for the metrics: a placed order (both legs of a pair are one) it rejected, by close reason; an amend, by its code.</summary>
    private static string? RejectionOf(MarketCommand command, Dictionary<long, OrderRecord> placed) => command.Type switch
    {
        MarketCommandType.Amend => command.Result,
        MarketCommandType.Place or MarketCommandType.PlaceOco when command.Result != OrderNotPending && command.OrderId is { } id
            && placed.TryGetValue(id, out var order) && order.Status == OrderStatus.Rejected => OrderNames.CloseReason(order.CloseReason) ?? "rejected",
        _ => null,
    };

    /// <summary>
    /// Applies one amend command to the engine (its events go to <see cref="_events"/>) and returns the extra hold to
    /// release when the amend is refused. Refusals the engine would not see are judged here first: a leg of an OCO
    /// pair (its hold is the pair's), a new size not above what has filled by now, and a hold (the order's plus the
    /// extra the API took) short of what the new terms need because the order traded since the amend was accepted.
    /// </summary>
    private decimal Amend(
        MarketCommand command, long id, Dictionary<long, OrderRecord> rows, Dictionary<long, OrderLedgerState> states, HashSet<long> amended, List<long> rested)
    {
        var amend = JsonSerializer.Deserialize<AmendCommand>(command.Payload)
            ?? throw new InvalidOperationException($"Amend command {command.Sequence} has no terms.");
        if (!rows.ContainsKey(id) && _resting.TryGetValue(id, out var resting))
        {
            rows[id] = resting;
            states[id] = ToState(resting);
        }
        if (!rows.TryGetValue(id, out var row) || row.OwnerId != command.OwnerId || !states[id].IsOpen)
        {
            // Filled or cancelled since it was accepted (or never this owner's): nothing to amend.
            return Refuse(null, AmendRejection.NotAmendable);
        }
        var state = states[id];
        if (state.OcoPartner != 0)
        {
            return Refuse(row, AmendRejection.NotAmendable);
        }
        var remaining = amend.QuantityLots - state.FilledQuantity;
        if (remaining < 1)
        {
            return Refuse(row, AmendRejection.InvalidQuantity);
        }
        if (state.RemainingHold + amend.ExtraHold < state.Amended(amend.PriceTicks, amend.QuantityLots).RequiredHold(spot))
        {
            return Refuse(row, AmendRejection.InsufficientFunds);
        }
        var before = _engine.TryGetOrder(id, out var onBook) ? onBook : default;
        _engine.Amend(id, command.OwnerId, amend.PriceTicks, remaining, _events);
        if (_events.Events is not [{ Kind: MatchEventKind.Amended }])
        {
            var reason = _events.Events is [{ Kind: MatchEventKind.Rejected, RejectReason: RejectReason.AmendWouldCross }]
                ? AmendRejection.WouldCross : AmendRejection.NotAmendable;
            return Refuse(row, reason);
        }
        // Settled with the extra hold in: the Amended event trims the order to what its new terms need.
        states[id] = state with { RemainingHold = state.RemainingHold + amend.ExtraHold };
        row.LastAmendRejection = AmendRejection.None;
        amended.Add(id);
        if (amend.PriceTicks != before.Price || remaining > before.Quantity)
        {
            // It went to the back of its (new) price's queue: a new priority, stamped with those that rested in this batch.
            row.BookPriority = null;
            rested.Add(id);
        }
        return 0;

        decimal Refuse(OrderRecord? order, AmendRejection reason)
        {
            command.Result = OrderNames.AmendRejection(reason);
            if (order is not null)
            {
                order.LastAmendRejection = reason;
                amended.Add(order.Id);
            }
            return amend.ExtraHold;
        }
    }

    private static async Task<List<OrderRecord>> LoadOrdersAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long[] ids, CancellationToken cancellationToken,
        long[]? ocoIds = null)
    {
        if (ids.Length == 0)
        {
            return [];
        }
        // The stop legs of the OCO pairs come with their limit legs (whose rows name them), in the same round trip.
        await using var command = new NpgsqlCommand($"""
            SELECT {ExchangeSql.OrderColumns} FROM orders
            WHERE id = ANY($1 || ARRAY(SELECT oco_partner_id FROM orders WHERE id = ANY($2) AND oco_partner_id IS NOT NULL))
            """, connection, tx)
        {
            Parameters = { new NpgsqlParameter { Value = ids }, new NpgsqlParameter { Value = ocoIds ?? [] } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ExchangeSql.ReadOrdersAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The two statements of the market lock (which reads the market's price band) and the ownership check (read
    /// with <see cref="ReadOwnershipAsync"/>).
    /// </summary>
    private IEnumerable<NpgsqlBatchCommand> LockMarket(int ownerPid, long lockKey)
    {
        var (classId, objId) = ((int)(lockKey >> 32), (int)(lockKey & 0xFFFFFFFF));
        yield return ExchangeSql.Statement("SELECT price_band_bps FROM markets WHERE id = $1 FOR NO KEY UPDATE", market.Id);
        yield return ExchangeSql.Statement("""
            SELECT count(*)::int FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND pid = $1 AND classid::bigint = $2 AND objid::bigint = $3 AND objsubid = 1
            """, ownerPid, (long)(uint)classId, (long)(uint)objId);
    }

    /// <summary>Reads past the market lock to the ownership check; throws when this host no longer holds the market's advisory lock.</summary>
    private async Task ReadOwnershipAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.GetInt32(0) == 0)
        {
            throw new MarketOwnershipLostException(market.Symbol);
        }
    }

    private async Task LockMarketAsync(CoinageDbContext db, int ownerPid, long lockKey, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM markets WHERE id = {market.Id} FOR NO KEY UPDATE", cancellationToken).ConfigureAwait(false);
        var (classId, objId) = ((int)(lockKey >> 32), (int)(lockKey & 0xFFFFFFFF));
        var owned = await db.Database.SqlQuery<int>($"""
            SELECT count(*)::int AS "Value" FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND pid = {ownerPid} AND classid::bigint = {(long)(uint)classId} AND objid::bigint = {(long)(uint)objId} AND objsubid = 1
            """).SingleAsync(cancellationToken).ConfigureAwait(false);
        if (owned == 0)
        {
            throw new MarketOwnershipLostException(market.Symbol);
        }
    }

    /// <summary>
    /// Takes a command that fails on its own, every time, out of the stream (the matching host calls this after
    /// it failed alone <see cref="MatchingOptions.PoisonAttempts"/> times): one transaction marks it processed
    /// with <see cref="PoisonResult"/> and gives back what it held, so no funds are stuck: a place command's order
    /// (both legs of an OCO pair) still Pending is Rejected and its hold released; an amend's extra hold is released
    /// and its order keeps its terms and its own hold. When even that fails (the order row itself is what is broken),
    /// the command is only marked, and its order stays Pending with its hold for an operator.
    /// The engine is not touched: the caller rebuilds the book from the database afterwards. Null when the command
    /// was no longer waiting.
    /// </summary>
    public async Task<QuarantinedCommand?> QuarantineAsync(IDbContextFactory<CoinageDbContext> contexts, int ownerPid, long lockKey, long sequence, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            return await QuarantineAsync(db, ownerPid, lockKey, sequence, release: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not MarketOwnershipLostException and not OperationCanceledException && !IsTransient(ex))
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            return await QuarantineAsync(db, ownerPid, lockKey, sequence, release: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>market_commands.result</c> of a command taken out of the stream.</summary>
    public const string PoisonResult = "failed";

    private async Task<QuarantinedCommand?> QuarantineAsync(CoinageDbContext db, int ownerPid, long lockKey, long sequence, bool release, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockMarketAsync(db, ownerPid, lockKey, cancellationToken).ConfigureAwait(false);
        var command = await db.MarketCommands.FromSql($"""
            SELECT * FROM market_commands WHERE sequence = {sequence} AND market_id = {market.Id} AND processed_at IS NULL FOR UPDATE
            """).AsTracking().FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (command is null)
        {
            return null;
        }
        command.ProcessedAt = now;
        command.Result = PoisonResult;
        var released = false;
        if (release && command.Type == MarketCommandType.Amend && command.OrderId is { } amended && ExtraHoldOf(command.Payload) is var (extra, asset) && extra > 0)
        {
            // The order keeps its terms; the extra hold the amend took goes back. Read as the invariants read it (the
            // payload's ExtraHold and HoldAsset only): the rest of the payload may be what made the command fail.
            await LedgerStore.PostAsync(db, [LedgerOperations.ReleaseHold(amended, command.OwnerId, assets[asset], extra)], assets, now, cancellationToken)
                .ConfigureAwait(false);
            released = true;
        }
        if (release && command.Type == MarketCommandType.Amend && command.OrderId is { } refused)
        {
            // The trader was told 202: the order says its amend was refused, as any refusal at processing does.
            await db.Orders.Where(o => o.Id == refused).ExecuteUpdateAsync(set => set
                .SetProperty(o => o.LastAmendRejection, AmendRejection.ProcessingFailed)
                .SetProperty(o => o.UpdatedAt, now), cancellationToken).ConfigureAwait(false);
        }
        if (release && command.Type is MarketCommandType.Place or MarketCommandType.PlaceOco && command.OrderId is { } orderId)
        {
            // Both legs of an OCO pair (the stop leg names the limit leg, which carries the pair's hold).
            foreach (var order in await db.Orders.AsTracking().Where(o => (o.Id == orderId || o.OcoPartnerId == orderId) && o.Status == OrderStatus.Pending)
                .ToListAsync(cancellationToken).ConfigureAwait(false))
            {
                var state = ToState(order);
                if (state.RemainingHold > 0)
                {
                    await LedgerStore.PostAsync(db, [LedgerOperations.ReleaseHold(state, state.RemainingHold)], assets, now, cancellationToken).ConfigureAwait(false);
                }
                order.Apply(state with { RemainingHold = 0, Status = OrderStatus.Rejected, CloseReason = OrderCloseReason.ProcessingFailed }, now);
                released = true;
            }
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new QuarantinedCommand(command.Type, released);
    }

    /// <summary>The extra hold an amend command claims, as <c>LedgerStore.CheckInvariantsAsync</c> reads it; null when the payload does not say.</summary>
    private static (decimal Amount, string Asset)? ExtraHoldOf(string payload)
    {
        try
        {
            using var json = JsonDocument.Parse(payload);
            return json.RootElement is { ValueKind: JsonValueKind.Object } root
                && root.TryGetProperty(nameof(AmendCommand.ExtraHold), out var amount) && Amount(amount) is { } extra
                && root.TryGetProperty(nameof(AmendCommand.HoldAsset), out var asset) && asset.ValueKind == JsonValueKind.String && asset.GetString() is { } code
                ? (extra, code) : null;
        }
        catch (JsonException)
        {
            return null;
        }

        // PostgreSQL's (payload->>'ExtraHold')::numeric takes a JSON number or a string holding one.
        static decimal? Amount(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetDecimal(out var number) => number,
            JsonValueKind.String when decimal.TryParse(value.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var text) => text,
            _ => null,
        };
    }

    /// <summary>A failure that says nothing about the command (the database or the network is down): never grounds to quarantine.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        Npgsql.NpgsqlException { IsTransient: true } => true,
        TimeoutException or System.IO.IOException or System.Net.Sockets.SocketException => true,
        DbUpdateException { InnerException: { } inner } => IsTransient(inner),
        InvalidOperationException { InnerException: { } inner } => IsTransient(inner),
        _ => false,
    };

    private OrderLedgerState ToState(OrderRecord o) => o.ToLedgerState(assets[o.HoldAsset]);
}

/// <summary>A command taken out of the stream: its type, and whether holds it had taken were given back.</summary>
internal sealed record QuarantinedCommand(MarketCommandType Type, bool Released);

/// <summary>The host's lock connection is gone: another replica may own the market now.</summary>
internal sealed class MarketOwnershipLostException(string symbol) : Exception($"The matching host no longer owns {symbol}.");

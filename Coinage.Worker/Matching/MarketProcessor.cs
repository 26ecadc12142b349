using System.Globalization;
using System.Text.Json;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;
using Coinage.Domain.Outbox;
using Microsoft.EntityFrameworkCore;

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

    public MarketRecord Market => market;

    public SpotMarket Spot => spot;

    public int RestingOrders => _engine.OrderCount;

    public BookSnapshot Snapshot(int depth) => _engine.GetSnapshot(depth);

    /// <summary>The first command the last <see cref="ProcessBatchAsync"/> read: with a batch of one, the command that failed.</summary>
    public long? FirstAttemptedSequence { get; private set; }

    /// <summary>Type and creation time of the commands of the last committed batch (metrics).</summary>
    public IReadOnlyList<(MarketCommandType Type, DateTimeOffset CreatedAt)> LastBatchCommands { get; private set; } = [];

    /// <summary>Rebuilds the book from the open orders in the database, in book priority.</summary>
    public async Task RebuildAsync(CoinageDbContext db, CancellationToken cancellationToken)
    {
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Waits for a batch a previous owner may still be committing (it holds this row until its commit).
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM markets WHERE id = {market.Id} FOR SHARE", cancellationToken).ConfigureAwait(false);
        var open = await db.Orders.AsNoTracking()
            .Where(o => o.MarketId == market.Id && (o.Status == OrderStatus.Open || o.Status == OrderStatus.PartiallyFilled))
            .OrderBy(o => o.BookPriority)
            .Select(o => new { o.Id, o.OwnerId, o.Side, o.LimitPriceTicks, o.QuantityLots, o.FilledLots, o.BookPriority })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        _lastPriority = await db.Orders.Where(o => o.MarketId == market.Id).MaxAsync(o => o.BookPriority, cancellationToken).ConfigureAwait(false) ?? 0;
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        _engine.Clear();
        foreach (var o in open)
        {
            _engine.Restore(new RestingOrder(o.Id, o.OwnerId, o.Side, o.LimitPriceTicks, o.QuantityLots - o.FilledLots));
        }
    }

    /// <summary>
    /// Processes up to <paramref name="batchSize"/> pending commands in one transaction. <paramref name="ownerPid"/>
    /// is the backend of the connection holding the advisory lock: checked inside the transaction, so a host
    /// that lost its lock connection cannot commit.
    /// </summary>
    public async Task<BatchOutcome?> ProcessBatchAsync(CoinageDbContext db, int ownerPid, long lockKey, int batchSize, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // NO KEY UPDATE serializes batches and rebuilds (FOR SHARE) of this market, but not the API's inserts of
        // orders and commands, whose foreign keys take KEY SHARE on this row while they hold balance rows:
        // FOR UPDATE here would deadlock with them (this batch then waits for those same balance rows).
        await LockMarketAsync(db, ownerPid, lockKey, cancellationToken).ConfigureAwait(false);
        var commands = await db.MarketCommands.FromSql($"""
            SELECT * FROM market_commands WHERE market_id = {market.Id} AND processed_at IS NULL ORDER BY sequence LIMIT {batchSize} FOR UPDATE
            """).AsTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        if (commands.Count == 0)
        {
            return null;
        }
        FirstAttemptedSequence = commands[0].Sequence;

        var placeIds = commands.Where(c => c.Type == MarketCommandType.Place && c.OrderId is not null).Select(c => c.OrderId!.Value).ToList();
        var rows = await db.Orders.Where(o => placeIds.Contains(o.Id)).AsTracking().ToDictionaryAsync(o => o.Id, cancellationToken).ConfigureAwait(false);
        var states = rows.Values.ToDictionary(o => o.Id, ToState);
        var entries = new List<JournalEntry>();
        var trades = new List<(SettledTrade Trade, long Sequence)>();
        var rested = new List<long>();
        foreach (var command in commands)
        {
            _events.Clear();
            switch (command.Type)
            {
                case MarketCommandType.Place when command.OrderId is { } id && rows.TryGetValue(id, out var order) && order.Status == OrderStatus.Pending:
                    _engine.Place(order.ToPlaceCommand(), _events);
                    break;
                case MarketCommandType.Place:
                    // The order is gone or no longer pending: nothing to do, but say so rather than silently skip.
                    command.Result = "order_not_pending";
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
            var events = _events.Events;
            var referenced = SettlementCalculator.ReferencedOrderIds(events);
            var missing = referenced.Where(id => !states.ContainsKey(id)).ToList();
            if (missing.Count > 0)
            {
                var loaded = await db.Orders.Where(o => missing.Contains(o.Id)).AsTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
                foreach (var o in loaded)
                {
                    rows[o.Id] = o;
                    states[o.Id] = ToState(o);
                }
                events = _events.Events;
            }
            var result = _calculator.Settle(events, states);
            foreach (var state in result.Orders)
            {
                states[state.OrderId] = state;
            }
            entries.AddRange(result.Entries);
            trades.AddRange(result.Trades.Select(t => (t, command.Sequence)));
            foreach (ref readonly var e in events)
            {
                if (e.Kind == MatchEventKind.Rested)
                {
                    rested.Add(e.OrderId);
                }
                else if (e.Kind == MatchEventKind.Rejected && command.Result is null)
                {
                    command.Result = e.RejectReason.ToString();
                }
            }
            command.ProcessedAt = now;
        }

        var touched = new List<OrderRecord>();
        foreach (var (id, state) in states)
        {
            var row = rows[id];
            if (row.Status != state.Status || row.RemainingHold != state.RemainingHold || row.FilledLots != state.FilledQuantity)
            {
                row.Apply(state, now);
                touched.Add(row);
            }
        }
        foreach (var id in rested)
        {
            if (rows[id].BookPriority is null)
            {
                rows[id].BookPriority = ++_lastPriority;
            }
        }

        var journal = await LedgerStore.PostAsync(db, entries, assets, now, cancellationToken).ConfigureAwait(false);
        var byEntry = new Dictionary<JournalEntry, JournalEntryRecord>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < entries.Count; i++)
        {
            byEntry[entries[i]] = journal[i];
        }
        // The entries need their ids before the trades can point at them.
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var tradeRows = trades.Select(t => new TradeRecord
        {
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
            JournalEntryId = byEntry[t.Trade.Entry].Id,
            CommandSequence = t.Sequence,
            CreatedAt = now,
        }).ToList();
        db.Trades.AddRange(tradeRows);
        if (touched.Count > 0)
        {
            db.OutboxMessages.Add(OutboxMessage.Create("exchange.orders_updated", JsonSerializer.Serialize(new
            {
                market = market.Symbol,
                orders = touched.Select(o => new { id = o.Id.ToString(CultureInfo.InvariantCulture), owner = o.OwnerId, status = o.Status.ToString() }),
                trades = tradeRows.Count,
            }), now));
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        LastBatchCommands = commands.Select(c => (c.Type, c.CreatedAt)).ToList();
        return new BatchOutcome(commands.Count, tradeRows, touched, _engine.GetSnapshot(50), commands[^1].Sequence);
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
    /// with <see cref="PoisonResult"/> and, for a place command whose order is still Pending, rejects the order
    /// and releases its hold, so the funds are not stuck. When even that fails (the order row itself is what is
    /// broken), the command is only marked, and its order stays Pending with its hold for an operator.
    /// The engine is not touched: the caller rebuilds the book from the database afterwards.
    /// </summary>
    public async Task<bool> QuarantineAsync(IDbContextFactory<CoinageDbContext> contexts, int ownerPid, long lockKey, long sequence, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            return await QuarantineAsync(db, ownerPid, lockKey, sequence, rejectOrder: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not MarketOwnershipLostException and not OperationCanceledException && !IsTransient(ex))
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            return await QuarantineAsync(db, ownerPid, lockKey, sequence, rejectOrder: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>market_commands.result</c> of a command taken out of the stream.</summary>
    public const string PoisonResult = "failed";

    private async Task<bool> QuarantineAsync(CoinageDbContext db, int ownerPid, long lockKey, long sequence, bool rejectOrder, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockMarketAsync(db, ownerPid, lockKey, cancellationToken).ConfigureAwait(false);
        var command = await db.MarketCommands.FromSql($"""
            SELECT * FROM market_commands WHERE sequence = {sequence} AND market_id = {market.Id} AND processed_at IS NULL FOR UPDATE
            """).AsTracking().FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (command is null)
        {
            return false;
        }
        command.ProcessedAt = now;
        command.Result = PoisonResult;
        var rejected = false;
        if (rejectOrder && command.Type == MarketCommandType.Place && command.OrderId is { } orderId)
        {
            var order = await db.Orders.AsTracking().FirstOrDefaultAsync(o => o.Id == orderId && o.Status == OrderStatus.Pending, cancellationToken).ConfigureAwait(false);
            if (order is not null)
            {
                var state = ToState(order);
                if (state.RemainingHold > 0)
                {
                    await LedgerStore.PostAsync(db, [LedgerOperations.ReleaseHold(state, state.RemainingHold)], assets, now, cancellationToken).ConfigureAwait(false);
                }
                order.Apply(state with { RemainingHold = 0, Status = OrderStatus.Rejected }, now);
                rejected = true;
            }
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return rejected;
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

/// <summary>The host's lock connection is gone: another replica may own the market now.</summary>
internal sealed class MarketOwnershipLostException(string symbol) : Exception($"The matching host no longer owns {symbol}.");

using System.Globalization;
using System.Threading.Channels;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Coinage.ApiService.Trading;

/// <summary>Configuration section <c>Coinage:Trading:GroupCommit</c>.</summary>
public sealed class GroupCommitOptions
{
    public const string Section = "Coinage:Trading:GroupCommit";

    /// <summary>Most placements and cancels written by one transaction.</summary>
    public int MaxBatch { get; set; } = 256;

    /// <summary>Requests waiting for the writer; beyond this, requests wait to enqueue (back pressure, not an error).</summary>
    public int QueueCapacity { get; set; } = 20_000;
}

/// <summary>A placement validated by the endpoint, waiting for the writer: everything but the id, the funds and the market's status.</summary>
internal sealed record PlacementRequest(
    MarketRecord Market, SpotMarket Spot, PlaceOrder Terms, long Owner, string? ClientOrderId, string Hash, string Payload, Guid UserId, string? Ip);

internal enum PlacementOutcome
{
    /// <summary>Stored as Pending with its hold, command and audit entry (201).</summary>
    Created,

    /// <summary>The clientOrderId already names an order (stored earlier, or earlier in the same batch): <see cref="PlacementResult.Order"/>.</summary>
    Existing,
    MarketHalted,
    InsufficientFunds,
}

internal sealed record PlacementResult(PlacementOutcome Outcome, OrderRecord? Order, decimal Needed = 0, decimal Available = 0);

/// <summary>A cancel or cancel-all command with its audit entry.</summary>
internal sealed record CommandRequest(MarketRecord Market, MarketCommandType Type, long Owner, long? OrderId, string AuditAction, Guid UserId, string? Ip);

/// <summary>
/// Group commit (DESIGN.md §2, Throughput): one writer per process drains the placements and cancels that
/// arrive concurrently and writes them in ONE transaction, because PostgreSQL with fsync on commits a few
/// thousand transactions per second but takes hundreds of rows per commit at almost the same cost. Each
/// request is still judged on its own (funds under the row locks, clientOrderId, market status) and one
/// refusal never fails the others; each caller is answered only after the commit, so an acknowledged order
/// is durable and a crash before the commit loses only unanswered requests.
/// </summary>
public sealed partial class OrderCommitter(
    IDbContextFactory<CoinageDbContext> contexts,
    TimeProvider clock,
    TradingTelemetry telemetry,
    IOptions<GroupCommitOptions> options,
    ILogger<OrderCommitter> logger) : BackgroundService
{
    private readonly Channel<Work> _queue = Channel.CreateBounded<Work>(new BoundedChannelOptions(Math.Max(1, options.Value.QueueCapacity))
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    internal Task<PlacementResult> PlaceAsync(PlacementRequest request, CancellationToken cancellationToken) =>
        EnqueueAsync(new PlacementWork(request), cancellationToken);

    internal Task<bool> AppendCommandAsync(CommandRequest request, CancellationToken cancellationToken) =>
        EnqueueAsync(new CommandWork(request), cancellationToken);

    private async Task<T> EnqueueAsync<T>(Work<T> work, CancellationToken cancellationToken)
    {
        await _queue.Writer.WriteAsync(work, cancellationToken).ConfigureAwait(false);
        // Once queued, the request is written even if its caller goes away: a client retrying with the same
        // clientOrderId then gets the stored order. Waiting is what the caller may abandon, not the write.
        return await work.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Requests already queued are still written (the loop drains the channel), new ones are refused.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var max = Math.Max(1, options.Value.MaxBatch);
        var batch = new List<Work>(max);
        // Not stoppingToken: queued requests are drained at shutdown rather than dropped (their callers wait for them).
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < max && _queue.Reader.TryRead(out var work))
            {
                batch.Add(work);
            }
            await CommitAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task CommitAsync(List<Work> batch)
    {
        try
        {
            await CommitWithRetryAsync(batch).ConfigureAwait(false);
            return;
        }
        catch (CommitOutcomeUnknownException ex)
        {
            LogCommitUnknown(ex.InnerException!, batch.Count);
            foreach (var work in batch)
            {
                work.Fail(ex);
            }
            return;
        }
        catch (Exception ex) when (batch.Count > 1)
        {
            // Nothing of the batch committed. Whatever failed must not fail the others: write each alone.
            LogBatchFailed(ex, batch.Count);
        }
        foreach (var work in batch)
        {
            try
            {
                await CommitWithRetryAsync([work]).ConfigureAwait(false);
            }
            catch (CommitOutcomeUnknownException ex)
            {
                LogCommitUnknown(ex.InnerException!, 1);
                work.Fail(ex);
            }
            catch (Exception ex)
            {
                work.Fail(ex);
            }
        }
    }

    private async Task CommitWithRetryAsync(List<Work> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await CommitOnceAsync(batch).ConfigureAwait(false);
                return;
            }
            catch (DbUpdateException ex) when (attempt < 3 && ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // Another replica committed the same (owner, clientOrderId) after this batch looked: the next
                // attempt sees that order and answers with it.
            }
            catch (PostgresException ex) when (attempt < 3 && ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // Lock order is fixed (markets, balances by id, audit chain), so this is not expected; retrying is safe.
            }
        }
    }

    private async Task CommitOnceAsync(List<Work> batch)
    {
        var now = clock.GetUtcNow();
        var started = clock.GetTimestamp();
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        await using var tx = await db.Database.BeginTransactionAsync().ConfigureAwait(false);

        // KEY SHARE on the market rows: a halt (FOR UPDATE) waits for this batch to commit, and a batch that
        // starts after a halt began waits for it and then reads the new status. So an order is accepted only if
        // the market was open when its transaction committed (docs/exchange.md, "Halts"). It does not conflict
        // with the matching host's NO KEY UPDATE, so placements never queue behind a settlement batch.
        var marketIds = batch.Select(w => w.MarketId).Distinct().ToArray();
        var open = await db.Database.SqlQuery<int>($"""
            SELECT id AS "Value" FROM markets WHERE id = ANY({marketIds}) AND status = {(short)MarketStatus.Open} FOR KEY SHARE
            """).ToListAsync().ConfigureAwait(false);
        var openMarkets = open.ToHashSet();

        var placements = batch.OfType<PlacementWork>().ToList();
        foreach (var work in placements)
        {
            work.Result = null; // a retried batch is judged afresh
        }
        var existing = await ExistingOrdersAsync(db, placements).ConfigureAwait(false);
        var accepted = new List<PlacementWork>(placements.Count);
        var sameInBatch = new Dictionary<(long, string), PlacementWork>();
        foreach (var work in placements)
        {
            var r = work.Request;
            if (r.ClientOrderId is { } coid)
            {
                if (existing.TryGetValue((r.Owner, coid), out var stored))
                {
                    work.Result = new PlacementResult(PlacementOutcome.Existing, stored);
                    continue;
                }
                if (!sameInBatch.TryAdd((r.Owner, coid), work))
                {
                    // Answered after the first one of this batch is judged (it may still be refused).
                    continue;
                }
            }
            if (!openMarkets.Contains(r.Market.Id))
            {
                work.Result = new PlacementResult(PlacementOutcome.MarketHalted, null);
                continue;
            }
            accepted.Add(work);
        }

        var ids = await NextIdsAsync(db, accepted.Count).ConfigureAwait(false);
        var holds = new List<(PlacementWork Work, OrderPlacement Placement, long Id)>(accepted.Count);
        for (var i = 0; i < accepted.Count; i++)
        {
            var r = accepted[i].Request;
            holds.Add((accepted[i], LedgerOperations.PlaceOrder(r.Spot, r.Terms with { OrderId = ids[i], Owner = r.Owner }), ids[i]));
        }
        var accounts = holds.SelectMany(h => new[] { AccountId.Available(h.Work.Request.Owner, h.Placement.Order.HoldAsset), AccountId.Held(h.Work.Request.Owner, h.Placement.Order.HoldAsset) });
        var assets = holds.Select(h => h.Placement.Order.HoldAsset).DistinctBy(a => a.Code).ToDictionary(a => a.Code, StringComparer.Ordinal);
        var balances = holds.Count == 0
            ? []
            : await LedgerStore.LockAsync(db, accounts, assets, now, CancellationToken.None).ConfigureAwait(false);

        var audit = new List<AuditAppend>(batch.Count);
        var notify = new HashSet<int>();
        foreach (var (work, placement, id) in holds)
        {
            var r = work.Request;
            var order = placement.Order;
            // In arrival order, on the balances as the earlier placements of this batch left them.
            var available = balances[AccountId.Available(r.Owner, order.HoldAsset)].Amount;
            if (available < order.OriginalHold)
            {
                work.Result = new PlacementResult(PlacementOutcome.InsufficientFunds, null, order.OriginalHold, available);
                continue;
            }
            LedgerStore.Post(db, [placement.Hold], balances, now);
            var record = new OrderRecord
            {
                Id = id,
                MarketId = r.Market.Id,
                OwnerId = r.Owner,
                ClientOrderId = r.ClientOrderId,
                RequestHash = r.Hash,
                Side = r.Terms.Side,
                Type = r.Terms.Type,
                TimeInForce = r.Terms.TimeInForce,
                PostOnly = r.Terms.PostOnly,
                SelfTradePrevention = r.Terms.SelfTradePrevention,
                LimitPriceTicks = order.LimitPrice,
                QuantityLots = r.Terms.Quantity,
                QuoteBudgetUnits = r.Terms.QuoteBudget,
                HoldAsset = order.HoldAsset.Code,
                OriginalHold = order.OriginalHold,
                RemainingHold = order.RemainingHold,
                Status = OrderStatus.Pending,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Orders.Add(record);
            db.MarketCommands.Add(new MarketCommand
            {
                Sequence = id,
                MarketId = r.Market.Id,
                Type = MarketCommandType.Place,
                OwnerId = r.Owner,
                OrderId = id,
                Payload = r.Payload,
                CreatedAt = now,
            });
            audit.Add(new AuditAppend("order.placed", now, r.UserId, r.UserId, r.Ip,
                new { orderId = id, market = r.Market.Symbol, side = OrdersApi.Name(r.Terms.Side), clientOrderId = r.ClientOrderId }));
            notify.Add(r.Market.Id);
            work.Result = new PlacementResult(PlacementOutcome.Created, record);
        }
        foreach (var work in placements.Where(w => w.Result is null))
        {
            // A repeat of a clientOrderId within the batch gets the first one's answer: its order, or the same refusal.
            var first = sameInBatch[(work.Request.Owner, work.Request.ClientOrderId!)].Result!;
            work.Result = first.Outcome == PlacementOutcome.Created ? first with { Outcome = PlacementOutcome.Existing } : first;
        }
        foreach (var work in batch.OfType<CommandWork>())
        {
            var r = work.Request;
            db.MarketCommands.Add(new MarketCommand { MarketId = r.Market.Id, Type = r.Type, OwnerId = r.Owner, OrderId = r.OrderId, Payload = "{}", CreatedAt = now });
            audit.Add(new AuditAppend(r.AuditAction, now, r.UserId, r.UserId, r.Ip, new { orderId = r.OrderId, market = r.Market.Symbol }));
            notify.Add(r.Market.Id);
        }
        await AuditLog.AppendRangeAsync(db, audit).ConfigureAwait(false);
        await db.SaveChangesAsync().ConfigureAwait(false);
        if (notify.Count > 0)
        {
            // NOTIFY is delivered at commit; one per market wakes its matching host for the whole batch.
            var channels = notify.Select(id => id.ToString(CultureInfo.InvariantCulture)).ToArray();
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({ExchangeCatalog.CommandsChannel}, m) FROM unnest({channels}) AS m").ConfigureAwait(false);
        }
        try
        {
            await tx.CommitAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The connection may have dropped after the server committed: writing the batch again could store
            // its orders twice, so its callers get an error instead (a retry with a clientOrderId is safe).
            throw new CommitOutcomeUnknownException(ex);
        }
        telemetry.Committed(batch.Count, clock.GetElapsedTime(started));
        foreach (var work in batch)
        {
            work.Complete();
        }
    }

    private static async Task<Dictionary<(long, string), OrderRecord>> ExistingOrdersAsync(CoinageDbContext db, List<PlacementWork> placements)
    {
        var keyed = placements.Where(w => w.Request.ClientOrderId is not null).ToList();
        if (keyed.Count == 0)
        {
            return [];
        }
        var owners = keyed.Select(w => w.Request.Owner).ToArray();
        var coids = keyed.Select(w => w.Request.ClientOrderId!).ToArray();
        var rows = await db.Orders.FromSql($"""
            SELECT o.* FROM orders o JOIN unnest({owners}, {coids}) AS t(owner_id, client_order_id)
            ON o.owner_id = t.owner_id AND o.client_order_id = t.client_order_id
            """).AsNoTracking().ToListAsync().ConfigureAwait(false);
        return rows.ToDictionary(o => (o.OwnerId, o.ClientOrderId!));
    }

    /// <summary>The place command and its order share one number (docs/exchange.md): taken for the whole batch in one round trip.</summary>
    private static async Task<List<long>> NextIdsAsync(CoinageDbContext db, int count)
    {
        if (count == 0)
        {
            return [];
        }
        return await db.Database.SqlQuery<long>($"""
            SELECT nextval(pg_get_serial_sequence('market_commands', 'sequence')) AS "Value" FROM generate_series(1, {count}) ORDER BY 1
            """).ToListAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group commit of {Count} requests failed; writing them one by one")]
    private partial void LogBatchFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "The commit of a group of {Count} requests failed without saying whether it took effect; its requests are answered with an error, not written again")]
    private partial void LogCommitUnknown(Exception exception, int count);

    private sealed class CommitOutcomeUnknownException(Exception inner) : Exception("The commit's outcome is unknown.", inner);

    private abstract class Work
    {
        public abstract int MarketId { get; }

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private abstract class Work<T> : Work
    {
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Fail(Exception exception) => Completion.TrySetException(exception);
    }

    private sealed class PlacementWork(PlacementRequest request) : Work<PlacementResult>
    {
        public PlacementRequest Request => request;

        public override int MarketId => request.Market.Id;

        /// <summary>Decided inside the transaction, delivered only after the commit.</summary>
        public PlacementResult? Result { get; set; }

        public override void Complete() => Completion.TrySetResult(Result!);
    }

    private sealed class CommandWork(CommandRequest request) : Work<bool>
    {
        public CommandRequest Request => request;

        public override int MarketId => request.Market.Id;

        public override void Complete() => Completion.TrySetResult(true);
    }
}

using System.Globalization;
using System.Threading.Channels;
using Coinage.ApiService.Identity.ApiKeys;
using Coinage.Domain.Audit;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Coinage.ApiService.Trading;

/// <summary>Configuration section <c>Coinage:Trading:GroupCommit</c>.</summary>
public sealed class GroupCommitOptions
{
    public const string Section = "Coinage:Trading:GroupCommit";

    /// <summary>Most placements and cancels written by one transaction (a batch request is never split, so it may add up to 19 more).</summary>
    public int MaxBatch { get; set; } = 1024;

    /// <summary>
    /// Writers draining the queue, each writing its own transactions. With one, the process has one transaction in
    /// flight and waits through its round trips and fsync; more overlap them, and contend only where every writer
    /// of the platform does (the balance rows locked by id at the end, the audit chain). On the 2-core benchmark
    /// machine two measured the same as one (docs/performance.md, session 6), so one is the default; a machine
    /// with more cores is where to try more.
    /// </summary>
    public int Writers { get; set; } = 1;

    /// <summary>Requests waiting for the writers (a batch request counts once); beyond this, requests wait to enqueue (back pressure, not an error).</summary>
    public int QueueCapacity { get; set; } = 20_000;
}

/// <summary>A placement validated by the endpoint, waiting for the writer: everything but the id, the funds and the market's status.</summary>
/// <param name="Stop">
/// The stop leg of a one-cancels-the-other pair whose limit leg is <paramref name="Terms"/>: both are stored, linked, with
/// one hold (<see cref="LedgerOperations.PlaceOco"/>) and one command; null for a single order.
/// </param>
internal sealed record PlacementRequest(
    MarketRecord Market, SpotMarket Spot, PlaceOrder Terms, long Owner, string? ClientOrderId, string Hash, string Payload, Guid UserId, string? Ip,
    string? ApiKeyId = null, PlaceOrder? Stop = null)
{
    public int Legs => Stop is null ? 1 : 2;
}

/// <summary>An amend validated by the endpoint: the command's terms and the extra hold (if any) it takes, judged by the writer.</summary>
internal sealed record AmendRequest(
    MarketRecord Market, SpotMarket Spot, long Owner, long OrderId, AmendCommand Terms, JournalEntry? ExtraHold, object AuditData, Guid UserId, string? Ip,
    string? ApiKeyId = null);

internal enum PlacementOutcome
{
    /// <summary>Stored as Pending with its hold, command and audit entry (201).</summary>
    Created,

    /// <summary>The clientOrderId already names an order (stored earlier, or earlier in the same batch): <see cref="PlacementResult.Order"/>.</summary>
    Existing,
    MarketHalted,
    InsufficientFunds,

    /// <summary>The market takes cancels only (an Admin's kill switch, or the circuit breaker reopening it).</summary>
    MarketCancelOnly,

    /// <summary>An Admin suspended the trader's trading.</summary>
    TradingSuspended,

    /// <summary>The trader has <see cref="PlacementResult.OpenOrders"/> open orders in the market, its cap.</summary>
    OpenOrderLimit,
}

/// <param name="Partner">The stop leg of a pair just placed (<see cref="PlacementOutcome.Created"/>).</param>
internal sealed record PlacementResult(PlacementOutcome Outcome, OrderRecord? Order, decimal Needed = 0, decimal Available = 0, int OpenOrders = 0,
    OrderRecord? Partner = null);

/// <summary>A cancel or cancel-all command with its audit entry.</summary>
/// <param name="ApiKeyId">The API key the request was signed with (on its audit entry), null for a session.</param>
internal sealed record CommandRequest(MarketRecord Market, MarketCommandType Type, long Owner, long? OrderId, string AuditAction, Guid UserId, string? Ip, string? ApiKeyId = null);

/// <summary>
/// Group commit (DESIGN.md §2, Throughput): a writer (one by default, <see cref="GroupCommitOptions.Writers"/>) drains
/// the placements and cancels that arrive concurrently and writes them in ONE transaction, because PostgreSQL with fsync on commits a few
/// thousand transactions per second but takes hundreds of rows per commit at almost the same cost. Each
/// request is still judged on its own (funds, clientOrderId, market status; see CommitOnceAsync) and one
/// refusal never fails the others; each caller is answered only after the commit, so an acknowledged order
/// is durable and a crash before the commit loses only unanswered requests.
/// </summary>
public sealed partial class OrderCommitter(
    NpgsqlDataSource dataSource,
    TimeProvider clock,
    TradingTelemetry telemetry,
    IOptions<GroupCommitOptions> options,
    ILogger<OrderCommitter> logger) : BackgroundService
{
    // One entry per HTTP request: a single placement or cancel, or the items of one batch request, which are
    // therefore written by one transaction and audited by one entry.
    private readonly Channel<Work[]> _queue = Channel.CreateBounded<Work[]>(new BoundedChannelOptions(Math.Max(1, options.Value.QueueCapacity))
    {
        SingleReader = options.Value.Writers <= 1,
        FullMode = BoundedChannelFullMode.Wait,
    });

    internal Task<PlacementResult> PlaceAsync(PlacementRequest request, CancellationToken cancellationToken) =>
        Enqueue([new PlacementWork(request)], group: null, cancellationToken)[0];

    /// <summary>
    /// The placements of one batch request, queued as one unit: they are judged in the order given, written by the
    /// same transaction, and audited by one <c>order.placed</c> entry listing the orders it placed.
    /// </summary>
    internal IReadOnlyList<Task<PlacementResult>> PlaceAllAsync(IReadOnlyList<PlacementRequest> requests, CancellationToken cancellationToken) =>
        Enqueue(requests.Select(r => new PlacementWork(r)).ToArray(), new RequestGroup(), cancellationToken);

    /// <summary>
    /// An amend: its command, and the extra hold it needs taken from the available balance in the same transaction. The
    /// outcome is <see cref="PlacementOutcome.Created"/> (appended), or why it was refused (funds, market, suspension).
    /// </summary>
    internal Task<PlacementResult> AmendAsync(AmendRequest request, CancellationToken cancellationToken) =>
        Enqueue([new AmendWork(request)], group: null, cancellationToken)[0];

    internal Task<bool> AppendCommandAsync(CommandRequest request, CancellationToken cancellationToken) =>
        Enqueue([new CommandWork(request)], group: null, cancellationToken)[0];

    /// <summary>The cancels of one batch request, queued as one unit: one transaction, one audit entry listing the orders.</summary>
    internal IReadOnlyList<Task<bool>> AppendCommandsAsync(IReadOnlyList<CommandRequest> requests, CancellationToken cancellationToken) =>
        Enqueue(requests.Select(r => new CommandWork(r)).ToArray(), new RequestGroup(), cancellationToken);

    /// <summary>Queues the items of one request as one unit; each task completes with its item's answer, after the commit.</summary>
    private List<Task<T>> Enqueue<T>(Work<T>[] works, RequestGroup? group, CancellationToken cancellationToken)
    {
        if (works.Length == 0)
        {
            return [];
        }
        foreach (var work in works)
        {
            work.Group = group;
        }
        var queued = _queue.Writer.WriteAsync(works, cancellationToken).AsTask();
        return works.Select(w => AnsweredAsync(queued, w, cancellationToken)).ToList();
    }

    private static async Task<T> AnsweredAsync<T>(Task queued, Work<T> work, CancellationToken cancellationToken)
    {
        await queued.ConfigureAwait(false);
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

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Value.Writers)).Select(_ => Task.Run(WriteAsync, CancellationToken.None)));

    private async Task WriteAsync()
    {
        var max = Math.Max(1, options.Value.MaxBatch);
        var batch = new List<Work>(max);
        // Not stoppingToken: queued requests are drained at shutdown rather than dropped (their callers wait for them).
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < max && _queue.Reader.TryRead(out var works))
            {
                batch.AddRange(works);
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
        var lockFirst = false;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await CommitOnceAsync(batch, lockFirst).ConfigureAwait(false);
                return;
            }
            catch (PostgresException ex) when (attempt < 3 && ex.SqlState is PostgresErrorCodes.CheckViolation && !lockFirst)
            {
                // A hold judged on balances read without a lock would take an account below zero: something spent
                // those funds between the read and the lock (a withdrawal, another replica). Judge again under the lock.
                telemetry.HoldConflict();
                lockFirst = true;
            }
            catch (PostgresException ex) when (attempt < 3 && ex.SqlState is PostgresErrorCodes.UniqueViolation)
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

    /// <summary>
    /// One transaction in four round trips, written with <see cref="ExchangeSql"/>'s multi-row statements:
    /// (1) the markets under KEY SHARE, the balances the placements hold from (read without a lock), the orders
    /// already carrying these clientOrderIds, ids for everything; (2) every request judged in memory, in arrival
    /// order; (3) the accepted orders, the commands, the hold entries and postings inserted, then the balance rows
    /// locked in id order and their deltas applied, then the audit chain locked and read; (4) the audit entries
    /// and NOTIFY, then COMMIT. The contended locks (balances, shared with the matching hosts' settlements, and
    /// the audit chain) are taken by the last statements of (3), so they are held for (4) and the commit only.
    /// </summary>
    /// <remarks>
    /// Judging on balances read without a lock is safe because of what the other writers can do in between: a
    /// settlement only adds to <c>available</c> (proceeds, released holds), which at worst refuses an order that
    /// a moment later would have fitted, as if it had arrived a moment earlier; what takes funds away (a withdrawal,
    /// another writer's or replica's holds) makes the deltas of (3) take an account below zero, which the balances' check
    /// constraint refuses, and the batch is judged again with the rows locked in (1) (<paramref name="lockFirst"/>).
    /// </remarks>
    private async Task CommitOnceAsync(List<Work> batch, bool lockFirst)
    {
        // timestamptz keeps microseconds: answer with what a later read returns.
        var now = clock.GetUtcNow();
        now = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
        var started = clock.GetTimestamp();
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync().ConfigureAwait(false);

        var placements = batch.OfType<PlacementWork>().ToList();
        var cancels = batch.OfType<CommandWork>().ToList();
        var amends = batch.OfType<AmendWork>().ToList();
        foreach (var work in placements)
        {
            work.Result = null; // a retried batch is judged afresh
        }
        foreach (var work in amends)
        {
            work.Result = null;
        }
        var keyed = placements.Where(w => w.Request.ClientOrderId is not null).ToList();
        var accounts = placements
            .Select(w => (w.Request.Owner, Asset: OrderLedgerState.HoldAssetOf(w.Request.Spot, w.Request.Terms.Side)))
            .Concat(amends.Where(w => w.Request.ExtraHold is not null).Select(w => (w.Request.Owner, Asset: w.Request.ExtraHold!.Postings[0].Account.Asset)))
            .Distinct()
            // Sorted: two writers creating the same missing rows insert them in the same order (no deadlock on the unique index).
            .OrderBy(a => a.Owner).ThenBy(a => a.Asset.Code, StringComparer.Ordinal)
            .SelectMany(a => new[] { AccountId.Available(a.Owner, a.Asset), AccountId.Held(a.Owner, a.Asset) })
            .ToList();

        // (1) KEY SHARE on the market rows: a halt (FOR UPDATE) waits for this batch to commit, and a batch that
        // starts after a halt began waits for it and then reads the new status. So an order is accepted only if
        // the market was open when its transaction committed (docs/exchange.md, "Halts"). It does not conflict
        // with the matching host's NO KEY UPDATE, so placements never queue behind a settlement batch.
        var marketStatus = new Dictionary<int, MarketStatus>();
        var owners = placements.Select(w => w.Request.Owner).Concat(amends.Select(w => w.Request.Owner)).Distinct().Order().ToList();
        var capped = placements.Where(w => w.Request.Market.OpenOrderLimit is not null).Select(w => (w.Request.Owner, w.Request.Market.Id)).Distinct().ToList();
        var suspended = new HashSet<long>();
        var openOrders = new Dictionary<(long Owner, int Market), int>();
        var existing = new Dictionary<(long, string), OrderRecord>();
        var balances = new Dictionary<AccountId, BalanceRecord>();
        long[] sequences;
        long[] entryIds;
        // One per order (an OCO pair has two, its command the limit leg's), cancel and amend.
        var sequenceCount = placements.Sum(w => w.Request.Legs) + cancels.Count + amends.Count;
        await using (var read = new NpgsqlBatch(connection, tx))
        {
            read.BatchCommands.Add(ExchangeSql.Statement(
                "SELECT id, status FROM markets WHERE id = ANY($1) FOR KEY SHARE", batch.Select(w => w.MarketId).Distinct().ToArray()));
            if (owners.Count > 0)
            {
                // Risk controls judged under a lock (docs/exchange.md, "Risk controls"): the traders' locks first, then
                // (each statement with a snapshot of its own) their suspensions and open orders as committed by then.
                read.BatchCommands.Add(Risk.RiskSql.LockTraders(owners));
                read.BatchCommands.Add(Risk.RiskSql.SuspendedTraders(owners));
                if (capped.Count > 0)
                {
                    read.BatchCommands.Add(Risk.RiskSql.OpenOrderCounts(capped));
                }
            }
            if (accounts.Count > 0)
            {
                // Before the clientOrderIds: under lockFirst this waits for the writer that holds the rows, and the
                // next statement then sees the orders that writer committed (each statement reads its own snapshot).
                read.BatchCommands.Add(ExchangeSql.EnsureBalances(accounts, now));
                read.BatchCommands.Add(ExchangeSql.SelectBalances(accounts, forUpdate: lockFirst));
            }
            if (keyed.Count > 0)
            {
                read.BatchCommands.Add(ExchangeSql.Statement($"""
                    SELECT {ExchangeSql.OrderColumns} FROM orders
                    WHERE (owner_id, client_order_id) IN (SELECT * FROM unnest($1::bigint[], $2::text[]))
                    """, keyed.Select(w => w.Request.Owner).ToArray(), keyed.Select(w => w.Request.ClientOrderId!).ToArray()));
            }
            read.BatchCommands.Add(ExchangeSql.NextCommandSequences(sequenceCount));
            read.BatchCommands.Add(ExchangeSql.NextJournalEntryIds(placements.Count + amends.Count));
            await using var reader = await read.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                marketStatus[reader.GetInt32(0)] = (MarketStatus)reader.GetInt16(1);
            }
            if (owners.Count > 0)
            {
                await reader.NextResultAsync().ConfigureAwait(false); // the locks
                await reader.NextResultAsync().ConfigureAwait(false);
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    suspended.Add(reader.GetInt64(0));
                }
                if (capped.Count > 0)
                {
                    await reader.NextResultAsync().ConfigureAwait(false);
                    while (await reader.ReadAsync().ConfigureAwait(false))
                    {
                        openOrders[(reader.GetInt64(0), reader.GetInt32(1))] = (int)reader.GetInt64(2);
                    }
                }
            }
            if (accounts.Count > 0)
            {
                await reader.NextResultAsync().ConfigureAwait(false); // (the insert of missing rows returns no result set)
                var assets = placements.Select(w => w.Request.Spot).Concat(amends.Select(w => w.Request.Spot))
                    .SelectMany(s => new[] { s.Base, s.Quote }).DistinctBy(a => a.Code).ToDictionary(a => a.Code, StringComparer.Ordinal);
                foreach (var row in await ExchangeSql.ReadBalancesAsync(reader, CancellationToken.None).ConfigureAwait(false))
                {
                    balances[LedgerStore.ToAccountId(row, assets)] = row;
                }
            }
            if (keyed.Count > 0)
            {
                await reader.NextResultAsync().ConfigureAwait(false);
                foreach (var order in await ExchangeSql.ReadOrdersAsync(reader, CancellationToken.None).ConfigureAwait(false))
                {
                    existing[(order.OwnerId, order.ClientOrderId!)] = order;
                }
            }
            await reader.NextResultAsync().ConfigureAwait(false);
            sequences = await ExchangeSql.ReadIdsAsync(reader, sequenceCount, CancellationToken.None).ConfigureAwait(false);
            await reader.NextResultAsync().ConfigureAwait(false);
            entryIds = await ExchangeSql.ReadIdsAsync(reader, placements.Count + amends.Count, CancellationToken.None).ConfigureAwait(false);
        }

        // (2) Each request in arrival order, each hold on the balances as the earlier placements of this batch left them.
        var ledger = new LedgerWrites(balances.ToDictionary(b => b.Key, b => b.Value.Id), now);
        var accepted = new List<OrderRecord>(placements.Count);
        var commands = new List<MarketCommand>(placements.Count + cancels.Count + amends.Count);
        var audit = new List<AuditAppend>(batch.Count);
        var audited = new Dictionary<RequestGroup, List<object>>();
        var notify = new HashSet<int>();
        var sameInBatch = new Dictionary<(long, string), PlacementWork>();
        var next = 0;
        var entry = 0;
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
            if (Closed(r.Market.Id, r.Owner) is { } closed)
            {
                work.Result = new PlacementResult(closed, null);
                continue;
            }
            var open = openOrders.GetValueOrDefault((r.Owner, r.Market.Id));
            if (r.Market.OpenOrderLimit is { } cap && open + r.Legs > cap)
            {
                work.Result = new PlacementResult(PlacementOutcome.OpenOrderLimit, null, OpenOrders: open);
                continue;
            }
            var id = sequences[next++];
            var stopId = r.Stop is null ? 0 : sequences[next++];
            OrderLedgerState held;
            JournalEntry hold;
            OrderLedgerState? stopLeg = null;
            if (r.Stop is { } stopTerms)
            {
                (held, stopLeg, hold) = LedgerOperations.PlaceOco(r.Spot, r.Terms with { OrderId = id, Owner = r.Owner }, stopTerms with { OrderId = stopId, Owner = r.Owner });
            }
            else
            {
                (held, hold) = LedgerOperations.PlaceOrder(r.Spot, r.Terms with { OrderId = id, Owner = r.Owner });
            }
            var available = balances[AccountId.Available(r.Owner, held.HoldAsset)];
            if (available.Amount < held.OriginalHold)
            {
                work.Result = new PlacementResult(PlacementOutcome.InsufficientFunds, null, held.OriginalHold, available.Amount);
                continue;
            }
            foreach (var posting in hold.Postings)
            {
                balances[posting.Account].Amount += posting.Amount;
            }
            ledger.Post(hold, entryIds[entry++]);
            var order = NewOrder(r, r.Terms, held, id, r.ClientOrderId, now);
            accepted.Add(order);
            OrderRecord? stop = null;
            if (stopLeg is not null)
            {
                // The pair's clientOrderId names the limit leg; both legs carry the request's hash.
                stop = NewOrder(r, r.Stop!.Value, stopLeg, stopId, null, now);
                order.OcoPartnerId = stopId;
                stop.OcoPartnerId = id;
                accepted.Add(stop);
            }
            openOrders[(r.Owner, r.Market.Id)] = open + r.Legs; // the next placement of this batch counts these
            commands.Add(new MarketCommand
            {
                Sequence = id, MarketId = order.MarketId, Type = stop is null ? MarketCommandType.Place : MarketCommandType.PlaceOco, OwnerId = order.OwnerId, OrderId = id,
                Payload = r.Payload, CreatedAt = now,
            });
            Audit(work.Group, "order.placed", r.UserId, r.Ip, r.ApiKeyId, stop is null
                ? new { orderId = id, market = r.Market.Symbol, side = OrderNames.Side(r.Terms.Side), clientOrderId = r.ClientOrderId }
                : new { orderId = id, market = r.Market.Symbol, side = OrderNames.Side(r.Terms.Side), clientOrderId = r.ClientOrderId, ocoPartnerId = (long?)stopId });
            notify.Add(r.Market.Id);
            work.Result = new PlacementResult(PlacementOutcome.Created, order, Partner: stop);
        }
        foreach (var work in placements.Where(w => w.Result is null))
        {
            // A repeat of a clientOrderId within the batch gets the first one's answer: its order, or the same refusal.
            var first = sameInBatch[(work.Request.Owner, work.Request.ClientOrderId!)].Result!;
            work.Result = first.Outcome == PlacementOutcome.Created ? first with { Outcome = PlacementOutcome.Existing } : first;
        }
        foreach (var work in cancels)
        {
            var r = work.Request;
            commands.Add(new MarketCommand
            {
                Sequence = sequences[next++], MarketId = r.Market.Id, Type = r.Type, OwnerId = r.Owner, OrderId = r.OrderId, Payload = "{}", CreatedAt = now,
            });
            Audit(work.Group, r.AuditAction, r.UserId, r.Ip, r.ApiKeyId, new { orderId = r.OrderId, market = r.Market.Symbol });
            notify.Add(r.Market.Id);
        }
        foreach (var work in amends)
        {
            // Judged like a placement (the market open, the trader not suspended, the extra hold available); no clientOrderId.
            var r = work.Request;
            if (Closed(r.Market.Id, r.Owner) is { } closed)
            {
                work.Result = new PlacementResult(closed, null);
                continue;
            }
            if (r.ExtraHold is { } extra)
            {
                var (from, amount) = (extra.Postings[0].Account, -extra.Postings[0].Amount);
                if (balances[from].Amount < amount)
                {
                    work.Result = new PlacementResult(PlacementOutcome.InsufficientFunds, null, amount, balances[from].Amount);
                    continue;
                }
                foreach (var posting in extra.Postings)
                {
                    balances[posting.Account].Amount += posting.Amount;
                }
                ledger.Post(extra, entryIds[entry++]);
            }
            commands.Add(new MarketCommand
            {
                Sequence = sequences[next++], MarketId = r.Market.Id, Type = MarketCommandType.Amend, OwnerId = r.Owner, OrderId = r.OrderId,
                Payload = System.Text.Json.JsonSerializer.Serialize(r.Terms), CreatedAt = now,
            });
            Audit(null, "order.amend_requested", r.UserId, r.Ip, r.ApiKeyId, r.AuditData);
            notify.Add(r.Market.Id);
            work.Result = new PlacementResult(PlacementOutcome.Created, null);
        }

        // Why the market or the trader takes no new orders or amends now (read under the locks of (1)), or null.
        PlacementOutcome? Closed(int market, long owner) =>
            marketStatus.GetValueOrDefault(market, MarketStatus.Halted) switch
            {
                MarketStatus.CancelOnly => PlacementOutcome.MarketCancelOnly,
                not MarketStatus.Open => PlacementOutcome.MarketHalted,
                _ when suspended.Contains(owner) => PlacementOutcome.TradingSuspended,
                _ => null,
            };

        // One entry per request: a single placement or cancel has its own; a batch request has one, where its first
        // accepted item stands in the chain, listing its items (serialized when the chain is built, so with all of them).
        void Audit(RequestGroup? group, string action, Guid user, string? ip, string? apiKey, object item)
        {
            if (group is null)
            {
                audit.Add(new AuditAppend(action, now, user, user, ip, ApiKeyClaims.WithApiKey(item, apiKey)));
            }
            else if (audited.TryGetValue(group, out var items))
            {
                items.Add(item);
            }
            else
            {
                audited[group] = items = [item];
                audit.Add(new AuditAppend(action, now, user, user, ip, ApiKeyClaims.WithApiKey(new { orders = items }, apiKey)));
            }
        }

        // (3) The rows nobody else touches, then the contended locks in the order every writer takes them: balances
        // by id (with their deltas), the audit chain last.
        (long Sequence, string Hash) head;
        await using (var write = new NpgsqlBatch(connection, tx))
        {
            if (accepted.Count > 0)
            {
                write.BatchCommands.Add(ExchangeSql.InsertOrders(accepted));
            }
            if (commands.Count > 0)
            {
                write.BatchCommands.Add(ExchangeSql.InsertCommands(commands));
            }
            ledger.AddEntriesTo(write);
            ledger.AddPostingsTo(write);
            var balanceLocks = ledger.AddBalanceUpdateTo(write) ? 1 : 0;
            foreach (var statement in AuditLog.LockAndReadHead())
            {
                write.BatchCommands.Add(statement);
            }
            await using var reader = await write.ExecuteReaderAsync().ConfigureAwait(false);
            // Past the result sets of the balance lock (when there is one) and of pg_advisory_xact_lock; the inserts and the update return none.
            for (var i = 0; i < balanceLocks + 1; i++)
            {
                await reader.NextResultAsync().ConfigureAwait(false);
            }
            head = await AuditLog.ReadHeadAsync(reader, CancellationToken.None).ConfigureAwait(false);
        }

        // (4)
        await using (var write = new NpgsqlBatch(connection, tx))
        {
            if (audit.Count > 0)
            {
                write.BatchCommands.Add(ExchangeSql.InsertAuditEntries(AuditLog.Chain(audit, head)));
            }
            if (notify.Count > 0)
            {
                // NOTIFY is delivered at commit; one per market wakes its matching host for the whole batch.
                write.BatchCommands.Add(ExchangeSql.Statement("SELECT pg_notify($1, m::text) FROM unnest($2::int[]) AS m",
                    ExchangeCatalog.CommandsChannel, notify.ToArray()));
            }
            if (write.BatchCommands.Count > 0)
            {
                await write.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
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

    private static OrderRecord NewOrder(PlacementRequest r, PlaceOrder terms, OrderLedgerState order, long id, string? clientOrderId, DateTimeOffset now) => new()
    {
        Id = id,
        MarketId = r.Market.Id,
        OwnerId = r.Owner,
        ClientOrderId = clientOrderId,
        RequestHash = r.Hash,
        Side = terms.Side,
        Type = terms.Type,
        TimeInForce = terms.TimeInForce,
        PostOnly = terms.PostOnly,
        SelfTradePrevention = terms.SelfTradePrevention,
        LimitPriceTicks = order.LimitPrice,
        QuantityLots = terms.Quantity,
        QuoteBudgetUnits = terms.QuoteBudget,
        TriggerType = terms.Trigger,
        TriggerPriceTicks = terms.TriggerPrice,
        HoldAsset = order.HoldAsset.Code,
        OriginalHold = order.OriginalHold,
        RemainingHold = order.RemainingHold,
        Status = OrderStatus.Pending,
        CreatedAt = now,
        UpdatedAt = now,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group commit of {Count} requests failed; writing them one by one")]
    private partial void LogBatchFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "The commit of a group of {Count} requests failed without saying whether it took effect; its requests are answered with an error, not written again")]
    private partial void LogCommitUnknown(Exception exception, int count);

    private sealed class CommitOutcomeUnknownException(Exception inner) : Exception("The commit's outcome is unknown.", inner);

    private abstract class Work
    {
        public abstract int MarketId { get; }

        /// <summary>The batch request this item came in (its items share one audit entry), or null for a single request.</summary>
        public RequestGroup? Group { get; set; }

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private abstract class Work<T> : Work
    {
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Fail(Exception exception) => Completion.TrySetException(exception);
    }

    /// <summary>The items of one batch request (compared by reference).</summary>
    private sealed class RequestGroup;

    private sealed class PlacementWork(PlacementRequest request) : Work<PlacementResult>
    {
        public PlacementRequest Request => request;

        public override int MarketId => request.Market.Id;

        /// <summary>Decided inside the transaction, delivered only after the commit.</summary>
        public PlacementResult? Result { get; set; }

        public override void Complete() => Completion.TrySetResult(Result!);
    }

    private sealed class AmendWork(AmendRequest request) : Work<PlacementResult>
    {
        public AmendRequest Request => request;

        public override int MarketId => request.Market.Id;

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

using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.MarketData;
using Coinage.Domain.Matching;
using Coinage.Worker.Matching;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using static Coinage.Domain.MarketData.MarketDataJson;
using BookSnapshot = Coinage.Domain.MarketData.BookSnapshot;

namespace Coinage.Worker.MarketData;

public sealed class MarketDataOptions
{
    public const string Section = "Coinage:MarketData";

    /// <summary>Levels per side kept in the published snapshot and diffed after every batch.</summary>
    public int BookDepth { get; set; } = 100;

    /// <summary>Length of the recent-trades list per market (the REST maximum is 500).</summary>
    public int RecentTrades { get; set; } = 500;

    /// <summary>Prefix of every market-data key and channel; the ApiService must use the same (<see cref="MarketDataKeys.PrefixSetting"/>).</summary>
    public string KeyPrefix { get; set; } = "";
}

/// <summary>
/// Publishes what a committed batch changed (docs/exchange.md, "Market data"): the book as a diff against
/// the last published book, numbered with the batch's last command sequence (monotonic per market, and
/// the same number whichever replica processed it) and with an update number that goes up by exactly one per
/// update within an epoch (what the WebSocket feed's clients count to detect a gap), the trades, and each touched user's orders, fills
/// and balances. The snapshot key, the trades list and the messages go in one Redis transaction, so a
/// reader never sees a snapshot newer than the update that produced it. Best effort: the database is the
/// record, and a client that misses an update sees the gap in the sequences and resubscribes.
/// </summary>
public sealed partial class MarketDataPublisher(
    IConnectionMultiplexer redis,
    IDbContextFactory<CoinageDbContext> contexts,
    TimeProvider clock,
    IOptions<MarketDataOptions> options,
    ILogger<MarketDataPublisher> logger)
{
    private readonly MarketDataKeys _keys = new(options.Value.KeyPrefix);

    /// <param name="Epoch">0 for a book stored before epochs existed: its successor starts a new one.</param>
    private sealed record Published(long Sequence, List<BookLevel> Bids, List<BookLevel> Asks, long Epoch, long Update);

    // The book each market's last update described; the next diff starts from it. Only the owner of a
    // market publishes it, so an entry is touched by one matching loop at a time.
    private readonly ConcurrentDictionary<int, Published> _books = new();

    // Ledger owner → Identity user: fixed once created, so cached for the life of the process.
    private readonly ConcurrentDictionary<long, Guid> _users = new();

    /// <summary>
    /// After a (re)build of a market's book: continues the published sequence from whatever is in Redis,
    /// so subscribers of the previous owner resync with one ordinary update (or see a gap and resubscribe).
    /// </summary>
    internal async Task PublishRebuiltAsync(MarketProcessor processor, CancellationToken cancellationToken)
    {
        _books.TryRemove(processor.Market.Id, out _);
        if (!Connected(processor))
        {
            return;
        }
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var sequence = await LastProcessedSequenceAsync(db, processor.Market.Id, cancellationToken).ConfigureAwait(false);
            var transaction = redis.GetDatabase().CreateTransaction();
            var book = await StageBookAsync(transaction, processor, sequence).ConfigureAwait(false);
            await ExecuteAsync(transaction).ConfigureAwait(false);
            _books[processor.Market.Id] = book;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or DbException or JsonException)
        {
            LogPublishFailed(ex, processor.Market.Symbol);
        }
    }

    /// <summary>After a batch committed: the book diff, the trades and the private events, in one Redis transaction.</summary>
    internal async Task PublishBatchAsync(MarketProcessor processor, BatchOutcome outcome, CancellationToken cancellationToken)
    {
        var market = processor.Market;
        if (!Connected(processor))
        {
            return;
        }
        try
        {
            var transaction = redis.GetDatabase().CreateTransaction();
            var book = await StageBookAsync(transaction, processor, outcome.LastSequence).ConfigureAwait(false);
            StageTrades(transaction, processor, outcome.Trades);
            await StagePrivateAsync(transaction, processor, outcome, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(transaction).ConfigureAwait(false);
            _books[market.Id] = book;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or DbException or JsonException)
        {
            // Forget the last book: the next publish diffs against what Redis holds, or starts afresh.
            _books.TryRemove(market.Id, out _);
            LogPublishFailed(ex, market.Symbol);
        }
    }

    /// <summary>
    /// While Redis is unreachable, publishing would wait for the command timeout after every batch and slow
    /// matching down: skip it, and start the next publish from what Redis holds by then (subscribers see a gap).
    /// </summary>
    private bool Connected(MarketProcessor processor)
    {
        if (redis.IsConnected)
        {
            return true;
        }
        _books.TryRemove(processor.Market.Id, out _);
        LogRedisDown(processor.Market.Symbol);
        return false;
    }

    private async Task<Published> StageBookAsync(ITransaction transaction, MarketProcessor processor, long sequence)
    {
        var market = processor.Market;
        var spot = processor.Spot;
        var depth = Math.Clamp(options.Value.BookDepth, 1, 1000);
        var snapshot = processor.Snapshot(depth);
        var bids = ToLevels(snapshot.Bids, spot);
        var asks = ToLevels(snapshot.Asks, spot);
        var previous = _books.TryGetValue(market.Id, out var known) ? known : await StoredAsync(market.Symbol).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        // The update number continues from the stored book, which was written in the same transaction as the last
        // update: a restart or a takeover keeps counting, and a failed publish leaves no hole. With nothing to
        // continue from, a new epoch, later than the one before, so a WebSocket client holding the old one resyncs.
        var advances = previous is not null && sequence > previous.Sequence;
        var continues = previous is { Epoch: > 0 }
            && (advances || (sequence == previous.Sequence && previous.Bids.SequenceEqual(bids) && previous.Asks.SequenceEqual(asks)));
        var current = continues
            ? new Published(sequence, bids, asks, previous!.Epoch, previous.Update + (advances ? 1 : 0))
            : new Published(sequence, bids, asks, Math.Max(now.ToUnixTimeMilliseconds(), (previous?.Epoch ?? 0) + 1), advances ? 1 : 0);
        _ = transaction.StringSetAsync(_keys.Book(market.Symbol), JsonSerializer.Serialize(new StoredBook(depth,
            new BookSnapshot(market.Symbol, Format(sequence), ToWire(current.Bids), ToWire(current.Asks), now, Format(current.Epoch), Format(current.Update))), Serializer));
        // Nothing to continue from (first start, Redis flushed): the snapshot alone; clients that hold an
        // older one see the gap at the next update.
        if (advances)
        {
            var update = new BookUpdate(market.Symbol, Format(sequence), Format(previous!.Sequence),
                ToWire(BookDiff.Compute(previous.Bids, current.Bids, bids: true)),
                ToWire(BookDiff.Compute(previous.Asks, current.Asks, bids: false)),
                Format(current.Epoch), Format(current.Update));
            _ = transaction.PublishAsync(RedisChannel.Literal(_keys.BookChannel(market.Symbol)), JsonSerializer.Serialize(update, Serializer));
        }
        else if (previous is not null && (previous.Sequence > sequence || !SameBook(previous, current)))
        {
            LogSequenceNotAdvanced(market.Symbol, previous.Sequence, sequence);
        }
        return current;
    }

    private void StageTrades(ITransaction transaction, MarketProcessor processor, IReadOnlyList<TradeRecord> trades)
    {
        if (trades.Count == 0)
        {
            return;
        }
        var symbol = processor.Market.Symbol;
        var items = trades.OrderBy(t => t.Id).Select(t => new PublicTrade(
            t.Id.ToString(CultureInfo.InvariantCulture), Format(t.Price), Format(t.Quantity), OrderNames.Side(t.TakerSide), t.CreatedAt)).ToList();
        var key = _keys.Trades(symbol);
        // LPUSH of oldest-to-newest leaves the newest at the head.
        _ = transaction.ListLeftPushAsync(key, items.Select(t => (RedisValue)JsonSerializer.Serialize(t, Serializer)).ToArray());
        _ = transaction.ListTrimAsync(key, 0, Math.Clamp(options.Value.RecentTrades, 1, 10_000) - 1);
        _ = transaction.PublishAsync(RedisChannel.Literal(_keys.TradesChannel(symbol)), JsonSerializer.Serialize(new TradesUpdate(symbol, items), Serializer));
    }

    private async Task StagePrivateAsync(ITransaction transaction, MarketProcessor processor, BatchOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome.Orders.Count == 0 && outcome.Trades.Count == 0)
        {
            return;
        }
        var market = processor.Market;
        var spot = processor.Spot;
        var events = new Dictionary<long, List<UserEvent>>();
        void Add(long owner, string name, object data)
        {
            if (!events.TryGetValue(owner, out var list))
            {
                events[owner] = list = [];
            }
            list.Add(new UserEvent(name, data));
        }
        foreach (var o in outcome.Orders)
        {
            var state = o.ToLedgerState(o.Side == Side.Buy ? spot.Quote : spot.Base);
            Add(o.OwnerId, "orderUpdate", new OrderUpdate(
                o.Id.ToString(CultureInfo.InvariantCulture), market.Symbol, OrderNames.Side(o.Side),
                OrderNames.Type(o.Type, o.TriggerType), OrderNames.Status(o.Status),
                o.Type == OrderType.Limit ? Format(spot.Spec.ToPrice(o.LimitPriceTicks)) : null,
                o.QuoteBudgetUnits > 0 ? null : Format(spot.BaseQuantity(o.QuantityLots)),
                Format(spot.BaseQuantity(o.FilledLots)), Format(o.FilledQuote),
                state.AveragePrice(spot) is { } average ? Format(average) : null, o.UpdatedAt, OrderNames.CloseReason(o.CloseReason),
                OrderNames.Id(o.OcoPartnerId), OrderNames.AmendRejection(o.LastAmendRejection)));
        }
        foreach (var t in outcome.Trades.OrderBy(t => t.Id))
        {
            var makerSide = OrderNames.Side(t.TakerSide == Side.Buy ? Side.Sell : Side.Buy);
            var id = t.Id.ToString(CultureInfo.InvariantCulture);
            Add(t.TakerOwnerId, "fill", new FillUpdate(id, t.TakerOrderId.ToString(CultureInfo.InvariantCulture), market.Symbol,
                OrderNames.Side(t.TakerSide), "taker", Format(t.Price), Format(t.Quantity), Format(t.QuoteAmount),
                Format(t.TakerFee), market.QuoteAsset, t.CreatedAt));
            Add(t.MakerOwnerId, "fill", new FillUpdate(id, t.MakerOrderId.ToString(CultureInfo.InvariantCulture), market.Symbol,
                makerSide, "maker", Format(t.Price), Format(t.Quantity), Format(t.QuoteAmount),
                Format(t.MakerFee), market.QuoteAsset, t.CreatedAt));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var owners = events.Keys.ToList();
        // Read after the commit: the balances as they are now, which is what a client should show.
        var rows = await db.Balances.AsNoTracking()
            .Where(b => owners.Contains(b.OwnerId) && (b.Asset == market.BaseAsset || b.Asset == market.QuoteAsset)
                && (b.Kind == AccountKind.Available || b.Kind == AccountKind.Held))
            .Select(b => new { b.OwnerId, b.Asset, b.Kind, b.Amount })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var group in rows.GroupBy(b => (b.OwnerId, b.Asset)).OrderBy(g => g.Key.Asset, StringComparer.Ordinal))
        {
            var available = group.Where(b => b.Kind == AccountKind.Available).Sum(b => b.Amount);
            var held = group.Where(b => b.Kind == AccountKind.Held).Sum(b => b.Amount);
            Add(group.Key.OwnerId, "balance", new BalanceUpdate(group.Key.Asset, Format(available), Format(held), Format(available + held)));
        }
        var missing = owners.Where(o => !_users.ContainsKey(o)).ToList();
        if (missing.Count > 0)
        {
            foreach (var trader in await db.Traders.AsNoTracking().Where(t => missing.Contains(t.OwnerId))
                .Select(t => new { t.OwnerId, t.UserId }).ToListAsync(cancellationToken).ConfigureAwait(false))
            {
                _users[trader.OwnerId] = trader.UserId;
            }
        }
        foreach (var (owner, list) in events)
        {
            if (_users.TryGetValue(owner, out var user))
            {
                _ = transaction.PublishAsync(RedisChannel.Literal(_keys.UserChannel(user)), JsonSerializer.Serialize(list, Serializer));
            }
        }
    }

    private static async Task ExecuteAsync(ITransaction transaction)
    {
        if (!await transaction.ExecuteAsync().ConfigureAwait(false))
        {
            throw new RedisException("The market-data transaction was not applied.");
        }
    }

    /// <summary>The book the last publisher left in Redis, if any and readable.</summary>
    private async Task<Published?> StoredAsync(string symbol)
    {
        var stored = await redis.GetDatabase().StringGetAsync(_keys.Book(symbol)).ConfigureAwait(false);
        if (stored.IsNullOrEmpty)
        {
            return null;
        }
        var book = JsonSerializer.Deserialize<StoredBook>(stored.ToString(), Serializer)?.Book;
        return book is null ? null : new Published(ParseSequence(book.Sequence), FromWire(book.Bids), FromWire(book.Asks),
            book.Epoch is null ? 0 : ParseSequence(book.Epoch), book.Update is null ? 0 : ParseSequence(book.Update));
    }

    /// <summary>
    /// The sequence a rebuilt book stands at: commands are processed in order and marked in the batch's
    /// transaction, so this is the last command whose effects the open orders include.
    /// </summary>
    internal static async Task<long> LastProcessedSequenceAsync(CoinageDbContext db, int marketId, CancellationToken cancellationToken) =>
        await db.MarketCommands.Where(c => c.MarketId == marketId && c.ProcessedAt != null)
            .MaxAsync(c => (long?)c.Sequence, cancellationToken).ConfigureAwait(false) ?? 0;

    private static List<BookLevel> ToLevels(IReadOnlyList<PriceLevel> levels, SpotMarket spot) =>
        levels.Select(l => new BookLevel(spot.Spec.ToPrice(l.Price), spot.BaseQuantity(l.Quantity))).ToList();

    private static string[][] ToWire(List<BookLevel> levels) =>
        levels.Select(l => new[] { Format(l.Price), Format(l.Quantity) }).ToArray();

    private static List<BookLevel> FromWire(string[][] levels) =>
        levels.Select(l => new BookLevel(ParseDecimal(l[0]), ParseDecimal(l[1]))).ToList();

    private static bool SameBook(Published a, Published b) => a.Bids.SequenceEqual(b.Bids) && a.Asks.SequenceEqual(b.Asks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Market} market data to Redis failed")]
    private partial void LogPublishFailed(Exception exception, string market);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis is not connected: {Market} market data not published")]
    private partial void LogRedisDown(string market);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Market} book changed without its sequence advancing (published {Published}, now {Sequence}); subscribers resync on their next gap")]
    private partial void LogSequenceNotAdvanced(string market, long published, long sequence);
}

public static class MarketDataExtensions
{
    public static IHostApplicationBuilder AddMarketDataPublishing(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<MarketDataOptions>().Bind(builder.Configuration.GetSection(MarketDataOptions.Section));
        builder.Services.AddSingleton<MarketDataPublisher>();
        return builder;
    }
}

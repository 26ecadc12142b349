using System.Text.Json;
using System.Threading.Channels;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.MarketData;
using Coinage.Worker.Matching;
using Coinage.Worker.MarketData;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Coinage.Worker.Tests.MarketData;

/// <summary>What a new owner of a market publishes after rebuilding its book (takeover, restart).</summary>
public sealed class MarketDataPublisherTests(InfrastructureFixture infrastructure)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_a_rebuild_the_new_owner_continues_the_sequence_from_the_snapshot_left_in_redis()
    {
        var database = await infrastructure.CreateDatabaseAsync("mdpub");
        await InfrastructureFixture.MigrateAsync(database);
        var prefix = $"test{Guid.NewGuid():N}:";
        var keys = new MarketDataKeys(prefix);
        await using var factory = new WorkerFactory(infrastructure).WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:coinagedb", database);
            b.UseSetting("Coinage:Matching:Enabled", "false");
            b.UseSetting("Coinage:MarketData:KeyPrefix", prefix);
        });
        var publisher = factory.Services.GetRequiredService<MarketDataPublisher>();
        var contexts = factory.Services.GetRequiredService<IDbContextFactory<CoinageDbContext>>();
        var sequence = await RestOrderAsync(database, price: 50000m, quantity: 0.25m);

        // What the previous owner last published: an empty book at sequence 0.
        var redis = factory.Services.GetRequiredService<IConnectionMultiplexer>();
        await redis.GetDatabase().StringSetAsync(keys.Book("BTC-USD"), JsonSerializer.Serialize(
            new StoredBook(100, new BookSnapshot("BTC-USD", "0", [], [], DateTimeOffset.UtcNow)), MarketDataJson.Serializer));
        var updates = Channel.CreateUnbounded<string>();
        var queue = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(keys.BookChannel("BTC-USD")));
        queue.OnMessage(m => { updates.Writer.TryWrite(m.Message.ToString()); });

        await using (var db = await contexts.CreateDbContextAsync(Ct))
        {
            var assets = await LedgerStore.LoadAssetsAsync(db, Ct);
            var market = await db.Markets.AsNoTracking().SingleAsync(m => m.Symbol == "BTC-USD", Ct);
            var processor = new MarketProcessor(market, ExchangeCatalog.ToSpotMarket(market, assets), assets, TimeProvider.System);
            await processor.RebuildAsync(db, Ct);
            await publisher.PublishRebuiltAsync(processor, Ct);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var update = JsonSerializer.Deserialize<BookUpdate>(await updates.Reader.ReadAsync(timeout.Token), MarketDataJson.Serializer)!;
        Assert.Equal(("0", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)), (update.PreviousSequence, update.Sequence));
        Assert.Equal([["50000", "0.25"]], update.Bids);
        Assert.Empty(update.Asks);
        var stored = JsonSerializer.Deserialize<StoredBook>((await redis.GetDatabase().StringGetAsync(keys.Book("BTC-USD"))).ToString(), MarketDataJson.Serializer)!;
        Assert.Equal((100, update.Sequence), (stored.Depth, stored.Book.Sequence));
        Assert.Equal(update.Bids, stored.Book.Bids);
        await queue.UnsubscribeAsync();
    }

    /// <summary>
    /// The WebSocket feed's numbering: the update after a rebuild is one more than the update the stored book includes,
    /// in the same epoch, so a restart or a takeover does not make the feed's clients resync; with no stored book a new,
    /// later epoch starts at 0.
    /// </summary>
    [Fact]
    public async Task After_a_rebuild_the_update_number_continues_in_its_epoch_and_without_a_stored_book_a_later_epoch_starts()
    {
        var database = await infrastructure.CreateDatabaseAsync("mdepoch");
        await InfrastructureFixture.MigrateAsync(database);
        var prefix = $"test{Guid.NewGuid():N}:";
        var keys = new MarketDataKeys(prefix);
        await using var factory = new WorkerFactory(infrastructure).WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:coinagedb", database);
            b.UseSetting("Coinage:Matching:Enabled", "false");
            b.UseSetting("Coinage:MarketData:KeyPrefix", prefix);
        });
        var redis = factory.Services.GetRequiredService<IConnectionMultiplexer>();
        var sequence = await RestOrderAsync(database, price: 50000m, quantity: 0.25m);
        await redis.GetDatabase().StringSetAsync(keys.Book("BTC-USD"), JsonSerializer.Serialize(
            new StoredBook(100, new BookSnapshot("BTC-USD", "0", [], [], DateTimeOffset.UtcNow, Epoch: "1234", Update: "41")), MarketDataJson.Serializer));
        var updates = Channel.CreateUnbounded<string>();
        var queue = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(keys.BookChannel("BTC-USD")));
        queue.OnMessage(m => { updates.Writer.TryWrite(m.Message.ToString()); });

        await RebuildAndPublishAsync(factory);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var update = JsonSerializer.Deserialize<BookUpdate>(await updates.Reader.ReadAsync(timeout.Token), MarketDataJson.Serializer)!;
        Assert.Equal((sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), "1234", "42"), (update.Sequence, update.Epoch, update.Update));
        Assert.Equal(("1234", "42"), await StoredNumberAsync());

        // Again with nothing new: the same book, the same number, nothing published.
        await RebuildAndPublishAsync(factory);
        Assert.Equal(("1234", "42"), await StoredNumberAsync());

        // Redis lost the book (flushed): a new epoch, later than any before, at 0.
        await redis.GetDatabase().KeyDeleteAsync(keys.Book("BTC-USD"));
        await RebuildAndPublishAsync(factory);
        var (epoch, number) = await StoredNumberAsync();
        Assert.True(long.Parse(epoch, System.Globalization.CultureInfo.InvariantCulture) > 1234);
        Assert.Equal("0", number);
        await queue.UnsubscribeAsync();
        Assert.False(updates.Reader.TryRead(out var extra), $"published {extra}");

        async Task<(string Epoch, string Update)> StoredNumberAsync()
        {
            var stored = JsonSerializer.Deserialize<StoredBook>((await redis.GetDatabase().StringGetAsync(keys.Book("BTC-USD"))).ToString(), MarketDataJson.Serializer)!;
            return (stored.Book.Epoch!, stored.Book.Update!);
        }
    }

    private static async Task RebuildAndPublishAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> factory)
    {
        var publisher = factory.Services.GetRequiredService<MarketDataPublisher>();
        var contexts = factory.Services.GetRequiredService<IDbContextFactory<CoinageDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(Ct);
        var assets = await LedgerStore.LoadAssetsAsync(db, Ct);
        var market = await db.Markets.AsNoTracking().SingleAsync(m => m.Symbol == "BTC-USD", Ct);
        var processor = new MarketProcessor(market, ExchangeCatalog.ToSpotMarket(market, assets), assets, TimeProvider.System);
        await processor.RebuildAsync(db, Ct);
        await publisher.PublishRebuiltAsync(processor, Ct);
    }

    /// <summary>A resting buy as the matching host leaves one: a trader, a processed place command, an open order with the same number.</summary>
    private static async Task<long> RestOrderAsync(string database, decimal price, decimal quantity)
    {
        var owner = await InfrastructureFixture.ScalarAsync<long>(database,
            "INSERT INTO traders (user_id, created_at) VALUES (gen_random_uuid(), now()) RETURNING owner_id");
        var sequence = await InfrastructureFixture.ScalarAsync<long>(database, """
            INSERT INTO market_commands (market_id, type, owner_id, payload, created_at, processed_at)
            SELECT id, 1, @owner, '{}', now(), now() FROM markets WHERE symbol = 'BTC-USD' RETURNING sequence
            """, ("owner", owner));
        await InfrastructureFixture.ScalarAsync<long>(database, """
            INSERT INTO orders (id, market_id, owner_id, request_hash, side, type, time_in_force, post_only, self_trade_prevention,
                                limit_price_ticks, quantity_lots, quote_budget_units, hold_asset, original_hold, remaining_hold,
                                filled_lots, filled_quote, fee_exact, fee_paid, status, book_priority, created_at, updated_at)
            SELECT @id, id, @owner, '', 0, 0, 0, false, 0, (@price / tick_size)::bigint, (@quantity / lot_size)::bigint, 0, 'USD',
                   @price * @quantity, @price * @quantity, 0, 0, 0, 0, 1, 1, now(), now()
            FROM markets WHERE symbol = 'BTC-USD' RETURNING id
            """, ("id", sequence), ("owner", owner), ("price", price), ("quantity", quantity));
        return sequence;
    }
}

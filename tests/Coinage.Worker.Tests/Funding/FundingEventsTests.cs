using System.Text.Json;
using System.Threading.Channels;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Funding;
using Coinage.Domain.Ledger;
using Coinage.Domain.MarketData;
using Coinage.Worker.Funding;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Coinage.Worker.Tests.Funding;

/// <summary>
/// What the funding rail tells the owner when it moves their money (issue 19, defect 6: the wallet showed a
/// completed withdrawal as "Processing" with a live Cancel button until its next refetch).
/// </summary>
public sealed class FundingEventsTests(InfrastructureFixture infrastructure)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Completing_expiring_and_confirming_publish_each_change_and_the_new_balance_to_the_owner_only_once_committed()
    {
        var database = await infrastructure.CreateDatabaseAsync("fundingevents");
        await InfrastructureFixture.MigrateAsync(database);
        var prefix = $"test{Guid.NewGuid():N}:";
        var keys = new MarketDataKeys(prefix);
        await using var factory = new WorkerFactory(infrastructure).WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:coinagedb", database);
            b.UseSetting("Coinage:Matching:Enabled", "false");
            b.UseSetting("Coinage:MarketData:KeyPrefix", prefix);
        });
        var user = Guid.NewGuid();
        var bystander = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        long completing, expiring, deposit;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CoinageDbContext>();
            var owner = await ExchangeCatalog.OwnerIdAsync(db, user, now, Ct);
            var other = await ExchangeCatalog.OwnerIdAsync(db, bystander, now, Ct);
            var assets = await LedgerStore.LoadAssetsAsync(db, Ct);
            await using var tx = await db.Database.BeginTransactionAsync(Ct);
            await LedgerStore.PostAsync(db, [LedgerOperations.Deposit(-1, owner, assets["BTC"], 3m), LedgerOperations.Deposit(-2, other, assets["BTC"], 3m)], assets, now, Ct);
            var ids = new List<long>();
            // A confirmed withdrawal (the rail sends it) and one whose link ran out (the rail releases it), 1 BTC each.
            foreach (var (status, expires) in new[] { (WithdrawalStatus.Pending, now.AddMinutes(30)), (WithdrawalStatus.AwaitingConfirmation, now.AddMinutes(-1)) })
            {
                var withdrawal = new WithdrawalRecord
                {
                    OwnerId = owner, IdempotencyKey = Guid.NewGuid().ToString(), Asset = "BTC", Amount = 1m, Address = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                    Status = status, ConfirmationExpiresAt = expires, CreatedAt = now,
                };
                db.Withdrawals.Add(withdrawal);
                await db.SaveChangesAsync(Ct);
                await LedgerStore.PostAsync(db, [LedgerOperations.RequestWithdrawal(withdrawal.Id, owner, assets["BTC"], 1m)], assets, now, Ct);
                ids.Add(withdrawal.Id);
            }
            var pending = new DepositRecord { OwnerId = owner, IdempotencyKey = "d1", Asset = "USD", Amount = 250m, CreatedAt = now };
            db.Deposits.Add(pending);
            await db.SaveChangesAsync(Ct);
            await tx.CommitAsync(Ct);
            (completing, expiring, deposit) = (ids[0], ids[1], pending.Id);
        }

        var redis = factory.Services.GetRequiredService<IConnectionMultiplexer>();
        var received = Channel.CreateUnbounded<(string Message, Dictionary<long, WithdrawalStatus> StatusesWhenReceived)>();
        var queue = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(keys.UserChannel(user)));
        // The rows as another connection sees them the moment the event arrives: a change announced before
        // its commit would still read as pending here.
        queue.OnMessage(async m => received.Writer.TryWrite((m.Message.ToString(), await StatusesAsync(database))));
        var others = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(keys.UserChannel(bystander)));
        var leaked = 0;
        others.OnMessage(_ => { Interlocked.Increment(ref leaked); });

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            // The replica's own Hangfire schedule may take some rows first: every change is announced either way.
            await scope.ServiceProvider.GetRequiredService<FundingJob>().RunAsync(Ct);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var updates = new Dictionary<string, (JsonElement Update, JsonElement Balance, Dictionary<long, WithdrawalStatus> Statuses)>();
        while (updates.Count < 3)
        {
            var (message, statuses) = await received.Reader.ReadAsync(timeout.Token);
            var events = JsonDocument.Parse(message).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
            Assert.Equal(["fundingUpdate", "balance"], events.Select(e => e.GetProperty("event").GetString()));
            var update = events[0].GetProperty("data");
            updates[update.GetProperty("kind").GetString() + update.GetProperty("id").GetString()] = (update, events[1].GetProperty("data"), statuses);
        }

        var completed = updates[$"withdrawal{completing}"];
        Assert.Equal(("BTC", "completed"), (completed.Update.GetProperty("asset").GetString(), completed.Update.GetProperty("status").GetString()));
        Assert.Equal(WithdrawalStatus.Completed, completed.Statuses[completing]);
        var expired = updates[$"withdrawal{expiring}"];
        Assert.Equal("expired", expired.Update.GetProperty("status").GetString());
        Assert.Equal(WithdrawalStatus.Expired, expired.Statuses[expiring]);
        // Deposits are announced with the balance of their own asset.
        var confirmed = updates[$"deposit{deposit}"];
        Assert.Equal(("USD", "confirmed"), (confirmed.Update.GetProperty("asset").GetString(), confirmed.Update.GetProperty("status").GetString()));
        Assert.Equal(("USD", "250", "0", "250"), Balance(confirmed.Balance));
        // Whichever withdrawal went last, both are settled by then: 3 − 1 sent, the other 1 back, nothing held.
        Assert.Contains(("BTC", "2", "0", "2"), new[] { Balance(completed.Balance), Balance(expired.Balance) });
        Assert.Equal(0, Volatile.Read(ref leaked));
        await queue.UnsubscribeAsync();
        await others.UnsubscribeAsync();
    }

    private static (string?, string?, string?, string?) Balance(JsonElement b) =>
        (b.GetProperty("asset").GetString(), b.GetProperty("available").GetString(), b.GetProperty("held").GetString(), b.GetProperty("total").GetString());

    private static async Task<Dictionary<long, WithdrawalStatus>> StatusesAsync(string database)
    {
        await using var source = Npgsql.NpgsqlDataSource.Create(database);
        var options = new DbContextOptionsBuilder<CoinageDbContext>();
        CoinageDbContext.Configure(options, source);
        await using var db = new CoinageDbContext(options.Options);
        var withdrawals = await db.Withdrawals.AsNoTracking().Select(w => new { w.Id, w.Status }).ToListAsync();
        return withdrawals.ToDictionary(w => w.Id, w => w.Status);
    }
}

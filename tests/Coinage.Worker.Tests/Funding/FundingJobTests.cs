using System.Data;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Funding;
using Coinage.Domain.Ledger;
using Coinage.Domain.MarketData;
using Coinage.Worker.Funding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Coinage.Worker.Tests.Funding;

/// <summary>The funding job against a database of its own, so no other test's rows are in its way.</summary>
public sealed class FundingJobTests(InfrastructureFixture infrastructure)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_replicas_running_at_once_process_every_eligible_row_exactly_once_and_leave_the_rest()
    {
        var database = await infrastructure.CreateDatabaseAsync("funding");
        await InfrastructureFixture.MigrateAsync(database);
        await using var source = NpgsqlDataSource.Create(database);
        var now = DateTimeOffset.UtcNow;
        long owner;
        await using (var db = Open(source))
        {
            owner = await ExchangeCatalog.OwnerIdAsync(db, Guid.NewGuid(), now, Ct);
            var assets = await LedgerStore.LoadAssetsAsync(db, Ct);
            await using var tx = await db.Database.BeginTransactionAsync(Ct);
            // 20 small deposits (Worker), 2 above the USD threshold (Admin).
            for (var i = 0; i < 22; i++)
            {
                db.Deposits.Add(new DepositRecord { OwnerId = owner, IdempotencyKey = $"d{i}", Asset = "USD", Amount = i < 20 ? 100m : 200_000m, CreatedAt = now });
            }
            await LedgerStore.PostAsync(db, [LedgerOperations.Deposit(-1, owner, assets["BTC"], 100m)], assets, now, Ct);
            // 10 confirmed, 5 expired and 3 still awaiting confirmation, 2 waiting for approval: all holding 1 BTC.
            var plan = Enumerable.Repeat((WithdrawalStatus.Pending, -1), 10)
                .Concat(Enumerable.Repeat((WithdrawalStatus.AwaitingConfirmation, -1), 5))
                .Concat(Enumerable.Repeat((WithdrawalStatus.AwaitingConfirmation, 30), 3))
                .Concat(Enumerable.Repeat((WithdrawalStatus.PendingApproval, -1), 2)).ToList();
            foreach (var (status, minutes) in plan)
            {
                var withdrawal = new WithdrawalRecord
                {
                    OwnerId = owner, IdempotencyKey = Guid.NewGuid().ToString(), Asset = "BTC", Amount = 1m, Address = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                    Status = status, ConfirmationExpiresAt = now.AddMinutes(minutes), CreatedAt = now,
                };
                db.Withdrawals.Add(withdrawal);
                await db.SaveChangesAsync(Ct);
                await LedgerStore.PostAsync(db, [LedgerOperations.RequestWithdrawal(withdrawal.Id, owner, assets["BTC"], 1m)], assets, now, Ct);
            }
            await db.SaveChangesAsync(Ct);
            await tx.CommitAsync(Ct);
        }
        await AssertInvariantsAsync(source);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(infrastructure.RedisConnectionString);
        var events = new FundingEvents(redis, new MarketDataKeys($"test{Guid.NewGuid():N}:"), NullLogger<FundingEvents>.Instance);
        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            await using var db = Open(source);
            return await new FundingJob(db, events, Options.Create(new FundingOptions()), TimeProvider.System).RunAsync(Ct);
        }));

        Assert.Equal(20, results.Sum(r => r.DepositsConfirmed));
        Assert.Equal(10, results.Sum(r => r.WithdrawalsCompleted));
        Assert.Equal(5, results.Sum(r => r.WithdrawalsExpired));
        Assert.Equal(20, await ScalarAsync(database, "SELECT count(DISTINCT reference_id) FROM journal_entries WHERE kind = 1 AND reference_id > 0"));
        Assert.Equal(20, await ScalarAsync(database, "SELECT count(*) FROM journal_entries WHERE kind = 1 AND reference_id > 0"));
        Assert.Equal(15, await ScalarAsync(database, "SELECT count(*) FROM journal_entries WHERE kind IN (3, 4)"));
        Assert.Equal(2, await ScalarAsync(database, "SELECT count(*) FROM deposits WHERE status = 0"));
        Assert.Equal(5, await ScalarAsync(database, "SELECT count(*) FROM withdrawals WHERE status IN (0, 2)"));
        Assert.Equal(20 + 15, await ScalarAsync(database, "SELECT count(*) FROM audit_entries WHERE action IN ('wallet.deposit_confirmed', 'wallet.withdrawal_completed', 'wallet.withdrawal_expired')"));
        await using (var db = Open(source))
        {
            var balances = await db.Balances.AsNoTracking().Where(b => b.OwnerId == owner).ToDictionaryAsync(b => (b.Asset, b.Kind), b => b.Amount, Ct);
            Assert.Equal(2000m, balances[("USD", AccountKind.Available)]);
            // 100 − 10 sent − 5 pending; released 5 back.
            Assert.Equal(85m, balances[("BTC", AccountKind.Available)]);
            Assert.Equal(5m, balances[("BTC", AccountKind.Held)]);
        }
        await AssertInvariantsAsync(source);

        await using (var db = Open(source))
        {
            Assert.Equal(new FundingRunResult(0, 0, 0), await new FundingJob(db, events, Options.Create(new FundingOptions()), TimeProvider.System).RunAsync(Ct));
        }
    }

    [Fact]
    public async Task Thresholds_come_from_configuration_and_an_asset_without_one_always_waits_for_an_admin()
    {
        var database = await infrastructure.CreateDatabaseAsync("fundingcfg");
        await InfrastructureFixture.MigrateAsync(database);
        await using var factory = new WorkerFactory(database, infrastructure.RedisConnectionString);
        await using var configured = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Coinage:Wallet:DepositApprovalThresholds:USD", "50");
            b.UseSetting("Coinage:Matching:Enabled", "false");
        });
        await using var scope = configured.Services.CreateAsyncScope();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<FundingOptions>>().Value;
        Assert.Equal(50m, options.DepositApprovalThresholds["USD"]);
        Assert.Equal(2m, options.DepositApprovalThresholds["BTC"]);
        Assert.False(FundingOptions.WithinThreshold(options.DepositApprovalThresholds, "SOL", 0.01m));

        var db = scope.ServiceProvider.GetRequiredService<CoinageDbContext>();
        var owner = await ExchangeCatalog.OwnerIdAsync(db, Guid.NewGuid(), DateTimeOffset.UtcNow, Ct);
        db.Deposits.Add(new DepositRecord { OwnerId = owner, IdempotencyKey = "a", Asset = "USD", Amount = 50m, CreatedAt = DateTimeOffset.UtcNow });
        db.Deposits.Add(new DepositRecord { OwnerId = owner, IdempotencyKey = "b", Asset = "USD", Amount = 50.01m, CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync(Ct);
        db.ChangeTracker.Clear();

        // The replica's own Hangfire schedule may run too: either way each deposit ends the same. A row that run has
        // locked is skipped by ours (SKIP LOCKED), so ours can return before that run commits: wait for its commit
        // by taking the rows' locks without skipping.
        await scope.ServiceProvider.GetRequiredService<FundingJob>().RunAsync(Ct);
        await ScalarAsync(database, "SELECT count(*) FROM (SELECT id FROM deposits FOR UPDATE) AS locked");

        Assert.Equal(1, await ScalarAsync(database, "SELECT count(*) FROM deposits WHERE status = 1 AND amount = 50"));
        Assert.Equal(1, await ScalarAsync(database, "SELECT count(*) FROM deposits WHERE status = 0 AND amount = 50.01"));
        await using var source = NpgsqlDataSource.Create(database);
        await AssertInvariantsAsync(source);
    }

    private static CoinageDbContext Open(NpgsqlDataSource source)
    {
        var options = new DbContextOptionsBuilder<CoinageDbContext>();
        CoinageDbContext.Configure(options, source);
        return new CoinageDbContext(options.Options);
    }

    private static async Task AssertInvariantsAsync(NpgsqlDataSource source)
    {
        await using var db = Open(source);
        await using var tx = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, Ct);
        var found = await LedgerStore.CheckInvariantsAsync(db, Ct);
        Assert.True(found.Count == 0, string.Join(Environment.NewLine, found));
    }

    private static async Task<long> ScalarAsync(string database, string sql) =>
        Convert.ToInt64(await InfrastructureFixture.ScalarAsync<object>(database, sql), System.Globalization.CultureInfo.InvariantCulture);
}

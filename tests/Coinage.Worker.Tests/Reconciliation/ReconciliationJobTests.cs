using System.Text.Json;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.Reconciliation;
using Coinage.Worker.Reconciliation;
using Coinage.Worker.Tests.Metrics;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Worker.Tests.Reconciliation;

[Collection(MetricsCollection.Name)] // reads /metrics
public sealed class ReconciliationJobTests(InfrastructureFixture infrastructure)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A migrated database of the test's own and a Worker on it that neither matches nor reconciles by itself: the test runs the job.</summary>
    private async Task<(string Database, WebApplicationFactory<Program> Worker)> IdleWorkerAsync(string name)
    {
        var database = await infrastructure.CreateDatabaseAsync(name);
        await InfrastructureFixture.MigrateAsync(database);
        var worker = new WorkerFactory(database, infrastructure.RedisConnectionString)
            .WithWebHostBuilder(b => b.UseSetting("Coinage:Reconciliation:Cron", "0 0 1 1 *").UseSetting("Coinage:Matching:Enabled", "false"));
        return (database, worker);
    }

    [Fact]
    public async Task A_healthy_ledger_passes_and_a_balance_corrupted_in_sql_fails_the_run_with_the_discrepancy_and_the_metric()
    {
        var database = await infrastructure.CreateDatabaseAsync("recon");
        await InfrastructureFixture.MigrateAsync(database);
        // The recurring schedule is left far away: this test runs the job itself.
        await using var factory = new WorkerFactory(database, infrastructure.RedisConnectionString)
            .WithWebHostBuilder(b => b.UseSetting("Coinage:Reconciliation:Cron", "0 0 1 1 *"));
        using var client = factory.CreateClient();
        await DepositAsync(factory.Services, owner: 7, "USD", 100m);
        await DepositAsync(factory.Services, owner: 8, "BTC", 0.5m);

        var healthy = await RunAsync(factory.Services);
        Assert.Equal(ReconciliationStatus.Succeeded, healthy.Status);
        Assert.Equal(0, healthy.DiscrepancyCount);
        Assert.Equal(4, JsonDocument.Parse(healthy.Counts).RootElement.GetProperty("postings").GetInt64());

        await InfrastructureFixture.ScalarAsync<object>(database, "UPDATE balances SET amount = amount + 1 WHERE owner_id = 7 AND asset = 'USD' AND kind = 0");
        var failed = await RunAsync(factory.Services);

        Assert.Equal(ReconciliationStatus.Failed, failed.Status);
        // The stored balance no longer equals its postings, and USD as a whole no longer sums to what it holds.
        var discrepancies = JsonDocument.Parse(failed.Discrepancies).RootElement.EnumerateArray()
            .Select(d => (Check: d.GetProperty("check").GetString(), Kind: d.GetProperty("kind").GetString(), Subject: d.GetProperty("subject").GetString(),
                Expected: d.GetProperty("expected").GetString(), Actual: d.GetProperty("actual").GetString())).ToList();
        Assert.Contains(("ledger", "BalanceMismatch", "7:USD:Available", "100", "101"), discrepancies);
        Assert.Equal(discrepancies.Count, failed.DiscrepancyCount);
        Assert.Equal(2L, await InfrastructureFixture.ScalarAsync<long>(database, "SELECT count(*) FROM reconciliation_runs"));
        Assert.Equal((short)ReconciliationStatus.Failed, await InfrastructureFixture.ScalarAsync<short>(database, "SELECT status FROM reconciliation_runs ORDER BY id DESC LIMIT 1"));

        var metrics = await MetricsText.EventuallyAsync(client, text =>
            MetricsText.Value(text, "coinage_reconciliation_failures_total") == 1 && MetricsText.Value(text, "coinage_reconciliation_last_status") == 0);
        var reconciliationLines = string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith("coinage_reconciliation", StringComparison.Ordinal)));
        Assert.True(MetricsText.Value(metrics, "coinage_reconciliation_last_discrepancies") == failed.DiscrepancyCount, reconciliationLines);
        Assert.Equal(1, MetricsText.Value(metrics, "coinage_reconciliation_runs_total", "status=\"succeeded\""));
        Assert.Equal(1, MetricsText.Value(metrics, "coinage_reconciliation_runs_total", "status=\"failed\""));
        var lastSuccess = MetricsText.Value(metrics, "coinage_reconciliation_last_success_timestamp_seconds");
        Assert.Equal(healthy.FinishedAt.ToUnixTimeSeconds(), (long)lastSuccess!.Value);
    }

    [Fact]
    public async Task A_posting_without_its_entry_or_with_someone_elses_account_is_found_though_the_database_has_no_foreign_keys_for_them()
    {
        var (database, worker) = await IdleWorkerAsync("recon_orphans");
        await using var factory = worker;
        await DepositAsync(factory.Services, owner: 7, "USD", 100m);
        await DepositAsync(factory.Services, owner: 8, "USD", 50m);
        Assert.Equal(ReconciliationStatus.Succeeded, (await RunAsync(factory.Services)).Status);

        // Zero amounts, so every sum still balances: only the references are wrong. The database accepts both rows.
        var entry = await InfrastructureFixture.ScalarAsync<long>(database, "SELECT max(id) FROM journal_entries");
        var account8 = await InfrastructureFixture.ScalarAsync<long>(database, "SELECT id FROM balances WHERE owner_id = 8 AND asset = 'USD' AND kind = 0");
        const string Insert = """
            INSERT INTO ledger_postings (journal_entry_id, account_id, owner_id, asset, kind, amount, created_at)
            VALUES (@entry, @account, @owner, 'USD', 0, 0, now()) RETURNING id
            """;
        var noEntry = await InfrastructureFixture.ScalarAsync<long>(database, Insert, ("entry", entry + 1000), ("account", account8), ("owner", 8L));
        var wrongAccount = await InfrastructureFixture.ScalarAsync<long>(database, Insert, ("entry", entry), ("account", account8), ("owner", 7L));

        var run = await RunAsync(factory.Services);

        Assert.Equal(ReconciliationStatus.Failed, run.Status);
        var orphans = JsonDocument.Parse(run.Discrepancies).RootElement.EnumerateArray()
            .Where(d => d.GetProperty("kind").GetString() == "orphan_posting")
            .ToDictionary(d => d.GetProperty("subject").GetString()!, d => d.GetProperty("actual").GetString()!);
        Assert.Equal(2, orphans.Count);
        Assert.Equal("no entry, account of owner 8 USD kind 0", orphans[$"posting {noEntry}"]);
        Assert.Equal("entry, account of owner 8 USD kind 0", orphans[$"posting {wrongAccount}"]);
    }

    [Fact]
    public async Task An_order_or_command_naming_a_market_or_trader_that_does_not_exist_is_found_though_the_database_has_no_foreign_keys_for_them()
    {
        var (database, worker) = await IdleWorkerAsync("recon_orphan_rows");
        await using var factory = worker;
        Assert.Equal(ReconciliationStatus.Succeeded, (await RunAsync(factory.Services)).Status);

        // A done order that holds nothing, and its processed place command, on market 999 for owner 4242: neither
        // exists. The database accepts both rows.
        await InfrastructureFixture.ScalarAsync<long>(database, """
            INSERT INTO orders (id, market_id, owner_id, request_hash, side, type, time_in_force, post_only, self_trade_prevention,
                                limit_price_ticks, quantity_lots, quote_budget_units, hold_asset, original_hold, remaining_hold,
                                filled_lots, filled_quote, fee_exact, fee_paid, status, created_at, updated_at)
            VALUES (900001, 999, 4242, 'test', 0, 0, 0, false, 0, 1, 1, 0, 'USD', 0, 0, 0, 0, 0, 0, 4, now(), now()) RETURNING id
            """);
        await InfrastructureFixture.ScalarAsync<long>(database, """
            INSERT INTO market_commands (sequence, market_id, type, owner_id, order_id, payload, created_at, processed_at, result)
            VALUES (900001, 999, 1, 4242, 900001, '{}', now(), now(), 'cancelled') RETURNING sequence
            """);

        var run = await RunAsync(factory.Services);

        Assert.Equal(ReconciliationStatus.Failed, run.Status);
        var orphans = JsonDocument.Parse(run.Discrepancies).RootElement.EnumerateArray()
            .Where(d => d.GetProperty("kind").GetString() == "orphan_row")
            .ToDictionary(d => d.GetProperty("subject").GetString()!, d => d.GetProperty("actual").GetString()!);
        Assert.Equal(2, orphans.Count);
        Assert.Equal("no market, no trader", orphans["order 900001"]);
        Assert.Equal("no market", orphans["command 900001"]);
    }

    [Fact]
    public async Task Exchange_checks_find_a_pending_order_whose_command_was_processed_and_fees_that_trades_do_not_explain()
    {
        var (database, worker) = await IdleWorkerAsync("recon_exchange");
        await using var factory = worker;
        _ = factory.Services;
        await DepositAsync(factory.Services, owner: 1, "USD", 1000m);
        // An order as the API stores it (hold posted, order Pending, place command), then a command marked
        // processed without its effects, a book priority on an order that is not on the book, and money in the
        // fee account that no trade charged.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CoinageDbContext>();
            var now = DateTimeOffset.UtcNow;
            await db.Database.ExecuteSqlAsync($"INSERT INTO traders (owner_id, user_id, created_at) OVERRIDING SYSTEM VALUE VALUES (1, {Guid.NewGuid()}, {now})", Ct);
            var assets = await LedgerStore.LoadAssetsAsync(db, Ct);
            var market = await db.Markets.AsNoTracking().SingleAsync(m => m.Symbol == "BTC-USD", Ct);
            var spot = ExchangeCatalog.ToSpotMarket(market, assets);
            await using var tx = await db.Database.BeginTransactionAsync(Ct);
            var id = await ExchangeCatalog.NextCommandSequenceAsync(db, Ct);
            var placement = LedgerOperations.PlaceOrder(spot, new Coinage.Domain.Matching.PlaceOrder
            {
                OrderId = id, Owner = 1, Side = Coinage.Domain.Matching.Side.Buy, Type = Coinage.Domain.Matching.OrderType.Limit,
                TimeInForce = Coinage.Domain.Matching.TimeInForce.GoodTillCancel, Price = 100, Quantity = 10,
            });
            await LedgerStore.PostAsync(db, [placement.Hold], assets, now, Ct);
            db.Orders.Add(new OrderRecord
            {
                Id = id, MarketId = market.Id, OwnerId = 1, RequestHash = "test", Side = Coinage.Domain.Matching.Side.Buy,
                Type = Coinage.Domain.Matching.OrderType.Limit, TimeInForce = Coinage.Domain.Matching.TimeInForce.GoodTillCancel,
                LimitPriceTicks = 100, QuantityLots = 10, HoldAsset = "USD", OriginalHold = placement.Order.RemainingHold,
                RemainingHold = placement.Order.RemainingHold, Status = OrderStatus.Pending, BookPriority = 7, CreatedAt = now, UpdatedAt = now,
            });
            db.MarketCommands.Add(new MarketCommand { Sequence = id, MarketId = market.Id, Type = MarketCommandType.Place, OwnerId = 1, OrderId = id, CreatedAt = now, ProcessedAt = now });
            await db.SaveChangesAsync(Ct);
            await tx.CommitAsync(Ct);
        }
        await InfrastructureFixture.ScalarAsync<object>(database, "UPDATE balances SET amount = 5 WHERE owner_id = 0 AND asset = 'USD' AND kind = 3");

        var run = await RunAsync(factory.Services);

        Assert.Equal(ReconciliationStatus.Failed, run.Status);
        var kinds = JsonDocument.Parse(run.Discrepancies).RootElement.EnumerateArray()
            .Select(d => $"{d.GetProperty("check").GetString()}/{d.GetProperty("kind").GetString()}/{d.GetProperty("subject").GetString()}").ToList();
        Assert.Contains(kinds, k => k.StartsWith("commands/pending_after_processing/", StringComparison.Ordinal));
        Assert.Contains(kinds, k => k.StartsWith("commands/book_priority/order ", StringComparison.Ordinal));
        Assert.Contains("fees/fee_account/fees USD", kinds);
        // The fee account's 5 were never posted either.
        Assert.Contains("ledger/BalanceMismatch/Fees:USD", kinds);
    }

    [Fact]
    public async Task The_job_is_scheduled_with_the_configured_cron()
    {
        var database = await infrastructure.CreateDatabaseAsync("recon_cron");
        await InfrastructureFixture.MigrateAsync(database);
        await using var factory = new WorkerFactory(database, infrastructure.RedisConnectionString)
            .WithWebHostBuilder(b => b.UseSetting("Coinage:Reconciliation:Cron", "*/5 * * * *"));
        _ = factory.Services;
        RecurringJobDto? job = null;
        for (var i = 0; i < 300 && job is null; i++)
        {
            try
            {
                using var connection = factory.Services.GetRequiredService<JobStorage>().GetConnection();
                job = connection.GetRecurringJobs().SingleOrDefault(j => j.Id == ReconciliationJob.RecurringJobId);
            }
            catch (Npgsql.PostgresException)
            {
                // Hangfire installs its schema when its server starts, a moment after the host.
            }
            if (job is null)
            {
                await Task.Delay(100, Ct);
            }
        }
        Assert.NotNull(job);
        Assert.Equal("*/5 * * * *", job.Cron);
    }

    private static async Task<ReconciliationRun> RunAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ReconciliationJob>().RunAsync(Ct);
    }

    private static async Task DepositAsync(IServiceProvider services, long owner, string asset, decimal amount)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CoinageDbContext>();
        var assets = await LedgerStore.LoadAssetsAsync(db, Ct);
        await using var tx = await db.Database.BeginTransactionAsync(Ct);
        await LedgerStore.PostAsync(db, [LedgerOperations.Deposit(owner * 100, owner, assets[asset], amount)], assets, DateTimeOffset.UtcNow, Ct);
        await db.SaveChangesAsync(Ct);
        await tx.CommitAsync(Ct);
    }
}

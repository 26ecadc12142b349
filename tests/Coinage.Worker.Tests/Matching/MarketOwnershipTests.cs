using Coinage.Worker.Matching;
using Microsoft.Extensions.DependencyInjection;

namespace Coinage.Worker.Tests.Matching;

/// <summary>Two Worker replicas on one database: each market has exactly one owner, and a survivor takes over.</summary>
public sealed class MarketOwnershipTests(InfrastructureFixture infrastructure)
{
    private static readonly string[] Markets = ["BTC-USD", "ETH-BTC", "ETH-USD"];

    [Fact]
    public async Task Two_replicas_never_both_own_a_market_and_the_survivor_takes_over_when_one_stops()
    {
        var database = await infrastructure.CreateDatabaseAsync("owners");
        await InfrastructureFixture.MigrateAsync(database);
        var first = new WorkerFactory(database, infrastructure.RedisConnectionString, smtp: infrastructure.SmtpConnectionString);
        await using var second = new WorkerFactory(database, infrastructure.RedisConnectionString, smtp: infrastructure.SmtpConnectionString);
        try
        {
            var one = first.Services.GetRequiredService<MatchingHost>();
            var two = second.Services.GetRequiredService<MatchingHost>();
            await WaitUntilAsync(() => one.OwnedMarkets.Concat(two.OwnedMarkets).Order(StringComparer.Ordinal).SequenceEqual(Markets));
            // Sample for a while: every market always has at most one owner.
            for (var i = 0; i < 20; i++)
            {
                Assert.Empty(one.OwnedMarkets.Intersect(two.OwnedMarkets));
                Assert.Equal(3, one.OwnedMarkets.Count + two.OwnedMarkets.Count);
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
            Assert.Equal(3L, await InfrastructureFixture.ScalarAsync<long>(database,
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = @high AND a.datname = current_database()",
                ("high", MatchingHost.LockKeyBase >> 32)));
        }
        finally
        {
            await first.DisposeAsync();
        }
        var survivor = second.Services.GetRequiredService<MatchingHost>();
        await WaitUntilAsync(() => survivor.OwnedMarkets.Order(StringComparer.Ordinal).SequenceEqual(Markets));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}

using System.Diagnostics;
using Coinage.Domain.Data;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace Coinage.ApiService.Tests;

/// <summary>
/// What the Aspire client integrations register, with our settings kept: the hot paths' data source
/// (docs/performance.md), its traces, and the one Redis connection every Redis-backed piece shares.
/// </summary>
public sealed class ClientIntegrationTests(InfrastructureFixture infrastructure)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_context_and_the_hot_paths_share_one_data_source_that_prepares_statements()
    {
        await using var api = new ApiFactory(infrastructure);
        var dataSource = api.Services.GetRequiredService<NpgsqlDataSource>();

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal(128, settings.MaxAutoPrepare);
        Assert.Equal(2, settings.AutoPrepareMinUsages);

        // A context on a data source of its own (as AddNpgsqlDbContext would build from the bare connection
        // string) would neither prepare nor count against the same pool.
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CoinageDbContext>();
        var contextSettings = new NpgsqlConnectionStringBuilder(db.Database.GetDbConnection().ConnectionString);
        Assert.Equal(128, contextSettings.MaxAutoPrepare);
        Assert.Equal(2, contextSettings.AutoPrepareMinUsages);
        await using var factoryContext = await api.Services.GetRequiredService<IDbContextFactory<CoinageDbContext>>().CreateDbContextAsync(Ct);
        Assert.Equal(128, new NpgsqlConnectionStringBuilder(factoryContext.Database.GetDbConnection().ConnectionString).MaxAutoPrepare);
    }

    [Fact]
    public async Task The_context_takes_the_integration_s_settings_but_never_retries()
    {
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?>
        {
            ["Aspire:Npgsql:EntityFrameworkCore:PostgreSQL:CommandTimeout"] = "17",
            // Configuration cannot turn retries on: the ledger and order paths run explicit transactions.
            ["Aspire:Npgsql:EntityFrameworkCore:PostgreSQL:DisableRetry"] = "false",
        });
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CoinageDbContext>();

        Assert.Equal(17, db.Database.GetCommandTimeout());
        Assert.False(db.Database.CreateExecutionStrategy().RetriesOnFailure);
    }

    [Fact]
    public async Task Database_spans_are_exported_and_named_after_the_statement_and_the_database()
    {
        var exported = new List<Activity>();
        await using var api = new ApiFactory(infrastructure);
        await using var factory = api.WithWebHostBuilder(builder => builder.ConfigureServices(services =>
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new CollectingExporter(exported))))));
        var marker = $"probe_{Guid.NewGuid():N}";
        var database = new NpgsqlConnectionStringBuilder(infrastructure.PostgresConnectionString).Database;

        // Services starts the host, and with it the tracer provider, before the command runs. The query runs inside a
        // request's activity: queries outside any trace are background polling, not exported (BackgroundQueryFilter).
        var dataSource = factory.Services.GetRequiredService<NpgsqlDataSource>();
        using (new Activity("probe request") { ActivityTraceFlags = ActivityTraceFlags.Recorded }.Start())
        await using (var command = dataSource.CreateCommand($"SELECT 1 AS {marker}"))
        {
            await command.ExecuteScalarAsync(Ct);
        }

        Activity[] spans;
        lock (exported)
        {
            spans = [.. exported];
        }
        // Activities are process-wide: other tests' statements are exported too, so the probe is found by its text.
        var probe = Assert.Single(spans, span => span.Source.Name == "Npgsql" && span.TagObjects.Any(tag => tag.Value is string text && text.Contains(marker, StringComparison.Ordinal)));
        Assert.Equal($"SELECT {database}", probe.DisplayName);
        Assert.DoesNotContain(probe.Events, e => e.Name == "received-first-response");
    }

    [Fact]
    public async Task The_signalr_backplane_connects_with_the_redis_client_s_options()
    {
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?>
        {
            ["Aspire:StackExchange:Redis:ConfigurationOptions:ConnectTimeout"] = "4321",
            ["Coinage:MarketData:KeyPrefix"] = "tenant-a:",
        });
        var shared = ConfigurationOptions.Parse(api.Services.GetRequiredService<IConnectionMultiplexer>().Configuration);

        var backplane = api.Services.GetRequiredService<IOptions<RedisOptions>>().Value.Configuration;

        Assert.Equal(shared.EndPoints.Select(e => e.ToString()), backplane.EndPoints.Select(e => e.ToString()));
        Assert.Equal(4321, shared.ConnectTimeout);
        Assert.Equal(4321, backplane.ConnectTimeout);
        Assert.False(shared.AbortOnConnectFail);
        Assert.False(backplane.AbortOnConnectFail);
        // Only the backplane's channels carry the prefix: the market-data channels name theirs in full.
        Assert.Equal(RedisChannel.Literal("tenant-a:signalr"), backplane.ChannelPrefix);
        Assert.True(shared.ChannelPrefix.IsNullOrEmpty);
    }

    private sealed class CollectingExporter(List<Activity> sink) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            lock (sink)
            {
                foreach (var activity in batch)
                {
                    sink.Add(activity);
                }
            }
            return ExportResult.Success;
        }
    }
}

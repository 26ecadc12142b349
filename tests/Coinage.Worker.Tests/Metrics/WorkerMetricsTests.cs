namespace Coinage.Worker.Tests.Metrics;

/// <summary>What Prometheus scrapes from the Worker's real <c>/metrics</c>, beyond Coinage's own business meters.</summary>
[Collection(MetricsCollection.Name)]
public sealed class WorkerMetricsTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task Metrics_export_database_command_durations_runtime_and_process_metrics_and_the_settlement_lag()
    {
        var database = await infrastructure.CreateDatabaseAsync("metrics");
        await InfrastructureFixture.MigrateAsync(database);
        await using var factory = new WorkerFactory(database, infrastructure.RedisConnectionString);
        using var client = factory.CreateClient();

        var text = await MetricsText.EventuallyAsync(client, t =>
            MetricsText.Has(t, "db_client_operation_duration_seconds_count") && MetricsText.Value(t, "coinage_settlement_lag_seconds", "market=\"BTC-USD\"") is not null);

        // Npgsql's meter: every command the Worker sends (matching polls, Hangfire, monitors) is timed.
        Assert.True(MetricsText.Value(text, "db_client_operation_duration_seconds_count") > 0, "no database command durations in /metrics");
        Assert.True(MetricsText.Has(text, "db_client_operation_duration_seconds_bucket"));
        // Runtime and process: CPU, memory, GC.
        Assert.True(MetricsText.Value(text, "dotnet_process_cpu_time_seconds_total") > 0, "no CPU time in /metrics");
        Assert.True(MetricsText.Value(text, "dotnet_process_memory_working_set_bytes") > 0, "no working set in /metrics");
        Assert.True(MetricsText.Has(text, "dotnet_gc_heap_total_allocated_bytes_total"), "no GC metrics in /metrics");
        // Nothing waits on an empty exchange: the lag is an explicit 0 for every seeded market.
        foreach (var market in new[] { "BTC-USD", "ETH-USD", "ETH-BTC" })
        {
            Assert.Equal(0, MetricsText.Value(text, "coinage_settlement_lag_seconds", $"market=\"{market}\""));
        }
    }
}

using System.Diagnostics.Metrics;
using Coinage.Domain.Data;
using Coinage.Domain.Outbox;
using Coinage.Worker.Email;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Coinage.Worker.Tests.Email;

public sealed class EmailMetricsTests(InfrastructureFixture infrastructure)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sends_failures_and_the_backlog_are_measured()
    {
        // Its own database, so the backlog counts only this test's rows.
        var database = await infrastructure.CreateDatabaseAsync("emailmetrics");
        await InfrastructureFixture.MigrateAsync(database);
        // The pieces the Worker wires, without its Hangfire server, whose dispatcher would lease the rows meanwhile.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:coinagedb", database)]);
        builder.Services.AddLogging();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddCoinageDbContext();
        builder.Services.AddSingleton<EmailTelemetry>();
        await using var services = builder.Services.BuildServiceProvider();
        var telemetry = services.GetRequiredService<EmailTelemetry>();
        var settings = new EmailSettings { SmtpEndpoint = new Uri(infrastructure.SmtpConnectionString["Endpoint=".Length..]), WebBaseUrl = new Uri(WorkerFactory.WebBaseUrl) };
        var meters = services.GetRequiredService<IMeterFactory>();
        using var sent = new MetricCollector<long>(meters, EmailTelemetry.MeterName, "coinage.email.sent");
        using var failures = new MetricCollector<long>(meters, EmailTelemetry.MeterName, "coinage.email.failures");
        using var queue = new MetricCollector<long>(meters, EmailTelemetry.MeterName, "coinage.email.queue_depth");
        using var dead = new MetricCollector<long>(meters, EmailTelemetry.MeterName, "coinage.email.dead_letters");

        var good = await InsertAsync(database, "email.password_changed", $"ok-{Guid.NewGuid():N}@example.test", attempts: 0);
        var broken = await InsertAsync(database, "email.password_changed", "not an address", attempts: 0);
        await InsertAsync(database, "email.password_changed", $"dead-{Guid.NewGuid():N}@example.test", attempts: OutboxRetryPolicy.MaxAttempts);

        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CoinageDbContext>();
            await new SendEmailJob(db, new SmtpEmailSender(settings), settings, TimeProvider.System, telemetry).SendAsync(good, Ct);
        }
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CoinageDbContext>();
            await Assert.ThrowsAnyAsync<Exception>(() => new SendEmailJob(db, new SmtpEmailSender(settings), settings, TimeProvider.System, telemetry).SendAsync(broken, Ct));
        }
        var sentMeasurement = Assert.Single(sent.GetMeasurementSnapshot());
        Assert.Equal(1, sentMeasurement.Value);
        Assert.Equal("email.password_changed", sentMeasurement.Tags["type"]);
        Assert.Equal(1, failures.GetMeasurementSnapshot().EvaluateAsCounter());

        // The broken one is backed off (not due), the dead letter is given up, nothing else is due.
        await InsertAsync(database, "email.password_changed", $"due-{Guid.NewGuid():N}@example.test", attempts: 0);
        using var monitor = new EmailBacklogMonitor(services.GetRequiredService<IServiceScopeFactory>(), telemetry, TimeProvider.System,
            services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<EmailBacklogMonitor>>());
        queue.RecordObservableInstruments();
        Assert.Null(queue.LastMeasurement); // nothing counted yet: no sample rather than a false zero
        await monitor.ReadAsync(Ct);
        queue.RecordObservableInstruments();
        dead.RecordObservableInstruments();
        Assert.Equal(1, queue.LastMeasurement!.Value);
        Assert.Equal(1, dead.LastMeasurement!.Value);
    }

    private static async Task<Guid> InsertAsync(string database, string type, string to, int attempts)
    {
        var id = Guid.CreateVersion7();
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "INSERT INTO outbox_messages (id, type, payload, created_at, attempts, next_attempt_at) VALUES (@id, @type, @payload::jsonb, now(), @attempts, now() - interval '1 second')", connection);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("payload", System.Text.Json.JsonSerializer.Serialize(new { to, userId = Guid.NewGuid().ToString(), antiPhishingPhrase = (string?)null, data = new Dictionary<string, string>() }));
        command.Parameters.AddWithValue("attempts", attempts);
        await command.ExecuteNonQueryAsync(Ct);
        return id;
    }
}

using System.Data;
using System.Text.Json;
using Coinage.Domain.Data;
using Coinage.Domain.Reconciliation;
using Coinage.Worker.Hangfire;
using Coinage.Worker.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coinage.Worker.Reconciliation;

public sealed class ReconciliationOptions
{
    public const string Section = "Coinage:Reconciliation";

    /// <summary>Hangfire cron expression (UTC); every minute by default.</summary>
    public string Cron { get; set; } = "* * * * *";

    /// <summary>Discrepancies kept in a run's row (all are counted and logged up to this number).</summary>
    public int MaxStoredDiscrepancies { get; set; } = 200;
}

/// <summary>
/// Checks every ledger and exchange invariant over one REPEATABLE READ snapshot
/// (<see cref="ReconciliationChecks"/>), records the run in <c>reconciliation_runs</c> in its own
/// transaction, updates the metrics and logs an error naming the discrepancies when there are any.
/// A run that cannot complete is recorded with status Error and fails in Hangfire.
/// </summary>
public sealed partial class ReconciliationJob(
    CoinageDbContext db, ReconciliationTelemetry telemetry, TimeProvider clock, ServiceInstance instance,
    IOptions<ReconciliationOptions> options, ILogger<ReconciliationJob> logger)
{
    public const string RecurringJobId = "reconciliation";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The recurring job (the run itself stays in <c>reconciliation_runs</c>, not in Hangfire's job state).</summary>
    // The next run is at most a cron interval away; two overlapping runs would only compete for I/O.
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task ExecuteAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken);

    public async Task<ReconciliationRun> RunAsync(CancellationToken cancellationToken)
    {
        var run = new ReconciliationRun { StartedAt = clock.GetUtcNow(), Instance = instance.Name };
        Exception? failure = null;
        try
        {
            ReconciliationReport report;
            await using (var snapshot = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false))
            {
                await db.Database.ExecuteSqlRawAsync("SET TRANSACTION READ ONLY", cancellationToken).ConfigureAwait(false);
                report = await ReconciliationChecks.RunAsync(db, cancellationToken).ConfigureAwait(false);
                await snapshot.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            run.Status = report.Discrepancies.Count == 0 ? ReconciliationStatus.Succeeded : ReconciliationStatus.Failed;
            run.DiscrepancyCount = report.Discrepancies.Count;
            run.Counts = JsonSerializer.Serialize(report.Counts, Json);
            run.Discrepancies = JsonSerializer.Serialize(report.Discrepancies.Take(options.Value.MaxStoredDiscrepancies), Json);
            if (run.Status == ReconciliationStatus.Failed)
            {
                LogFailed(logger, run.DiscrepancyCount, string.Join(Environment.NewLine, report.Discrepancies.Take(options.Value.MaxStoredDiscrepancies)));
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failure = exception;
            run.Status = ReconciliationStatus.Error;
            var message = $"{exception.GetType().Name}: {exception.Message}";
            run.Error = message.Length > 2000 ? message[..2000] : message;
            LogError(logger, exception);
        }
        run.FinishedAt = clock.GetUtcNow();
        db.ChangeTracker.Clear();
        db.ReconciliationRuns.Add(run);
        await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
        telemetry.Completed(run);
        if (failure is not null)
        {
            throw new InvalidOperationException("The reconciliation run could not complete; see the inner exception.", failure);
        }
        return run;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciliation found {Count} discrepancies:\n{Discrepancies}")]
    private static partial void LogFailed(ILogger logger, int count, string discrepancies);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciliation could not complete")]
    private static partial void LogError(ILogger logger, Exception exception);

    internal sealed class Schedule(IOptions<ReconciliationOptions> options) : IJobSchedule
    {
        public void Declare(IRecurringJobManager recurringJobs, IBackgroundJobClient jobs) =>
            recurringJobs.AddOrUpdate<ReconciliationJob>(RecurringJobId, job => job.ExecuteAsync(CancellationToken.None), options.Value.Cron,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
    }
}

internal static class ReconciliationExtensions
{
    public static IHostApplicationBuilder AddReconciliation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReconciliationOptions>().Bind(builder.Configuration.GetSection(ReconciliationOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Cron) && o.MaxStoredDiscrepancies is >= 1 and <= 10_000,
                "Coinage:Reconciliation needs a Cron expression and MaxStoredDiscrepancies between 1 and 10000.")
            .ValidateOnStart();
        builder.Services.AddScoped<ReconciliationJob>();
        builder.Services.AddSingleton<ReconciliationTelemetry>();
        builder.Services.AddHostedService<ReconciliationMonitor>();
        builder.Services.AddSingleton<IJobSchedule, ReconciliationJob.Schedule>();
        return builder;
    }
}

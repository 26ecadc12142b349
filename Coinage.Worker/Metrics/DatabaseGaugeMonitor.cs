namespace Coinage.Worker.Metrics;

/// <summary>
/// Feeds gauges from the database every <c>interval</c>, because a Prometheus scrape must not query the
/// database, and every replica should report the same figures. A failed read (before the API has migrated
/// the database, or during an outage) is logged and retried on the next tick.
/// </summary>
internal abstract partial class DatabaseGaugeMonitor(TimeSpan interval, TimeProvider clock, ILogger logger) : BackgroundService
{
    protected TimeProvider Clock => clock;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, clock);
        do
        {
            try
            {
                await ReadAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogReadFailed(logger, GetType().Name, exception.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One read of the database into the gauges.</summary>
    internal abstract Task ReadAsync(CancellationToken cancellationToken);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Monitor} did not read the database: {ErrorType}")]
    private static partial void LogReadFailed(ILogger logger, string monitor, string errorType);
}

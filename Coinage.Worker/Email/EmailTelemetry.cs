using System.Diagnostics.Metrics;
using Coinage.Domain.Data;
using Coinage.Domain.Outbox;
using Coinage.ServiceDefaults.Compliance;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Worker.Email;

/// <summary>
/// Meter <c>Coinage.Email</c>: sends and failures by email type, and the outbox backlog (due
/// emails, dead letters) as gauges. Recipients are personal data: logged as HMAC tokens.
/// </summary>
public sealed partial class EmailTelemetry
{
    public const string MeterName = "Coinage.Email";

    private readonly ILogger<EmailTelemetry> _logger;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _failures;
    private long _due = -1;
    private long _deadLetters = -1;

    public EmailTelemetry(IMeterFactory meters, ILogger<EmailTelemetry> logger)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _logger = logger;
        var meter = meters.Create(MeterName);
        _sent = meter.CreateCounter<long>("coinage.email.sent", "{email}", "Emails handed to the SMTP server.");
        _failures = meter.CreateCounter<long>("coinage.email.failures", "{email}", "Failed delivery attempts.");
        // No sample before the first count: an unknown backlog must not read as an empty one.
        meter.CreateObservableGauge("coinage.email.queue_depth", () => Observe(_due), "{email}",
            "Unsent outbox emails that are due now (dead letters excluded).");
        meter.CreateObservableGauge("coinage.email.dead_letters", () => Observe(_deadLetters), "{email}",
            $"Unsent outbox emails given up after {OutboxRetryPolicy.MaxAttempts} failed attempts.");
    }

    public void Sent(string type, Guid messageId, string? to)
    {
        _sent.Add(1, new KeyValuePair<string, object?>("type", type));
        LogSent(_logger, type, messageId, to);
    }

    public void Failed(string type, Guid messageId, string? to, int attempts, string errorType)
    {
        _failures.Add(1, new KeyValuePair<string, object?>("type", type));
        if (attempts >= OutboxRetryPolicy.MaxAttempts)
        {
            LogDeadLettered(_logger, type, messageId, to, attempts, errorType);
        }
        else
        {
            LogFailed(_logger, type, messageId, to, attempts, errorType);
        }
    }

    public void Backlog(long due, long deadLetters)
    {
        Interlocked.Exchange(ref _due, due);
        Interlocked.Exchange(ref _deadLetters, deadLetters);
    }

    private static IEnumerable<Measurement<long>> Observe(long value) =>
        value < 0 ? [] : [new Measurement<long>(value)];

    // The exception itself is not logged: SMTP errors quote the recipient address.
    [LoggerMessage(Level = LogLevel.Information, Message = "Email {Type} {MessageId} sent to {To}")]
    private static partial void LogSent(ILogger logger, string type, Guid messageId, [Pii] string? to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email {Type} {MessageId} to {To} failed (attempt {Attempts}): {ErrorType}; retried later")]
    private static partial void LogFailed(ILogger logger, string type, Guid messageId, [Pii] string? to, int attempts, string errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Email {Type} {MessageId} to {To} failed {Attempts} times ({ErrorType}): dead letter, no further attempt")]
    private static partial void LogDeadLettered(ILogger logger, string type, Guid messageId, [Pii] string? to, int attempts, string errorType);
}

/// <summary>Counts the email backlog for the gauges every 15 s (a scrape must not query the database).</summary>
internal sealed class EmailBacklogMonitor(IServiceScopeFactory scopes, EmailTelemetry telemetry, TimeProvider clock, ILogger<EmailBacklogMonitor> logger) : Coinage.Worker.Metrics.DatabaseGaugeMonitor(Interval, clock, logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    internal override async Task ReadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CoinageDbContext>();
        var now = Clock.GetUtcNow();
        var unsent = db.OutboxMessages.AsNoTracking().Where(m => m.ProcessedAt == null && m.Type.StartsWith("email."));
        var due = await unsent.CountAsync(m => m.Attempts < OutboxRetryPolicy.MaxAttempts && m.NextAttemptAt <= now, cancellationToken).ConfigureAwait(false);
        var dead = await unsent.CountAsync(m => m.Attempts >= OutboxRetryPolicy.MaxAttempts, cancellationToken).ConfigureAwait(false);
        telemetry.Backlog(due, dead);
    }
}

using Coinage.Domain.Data;
using Coinage.Domain.Outbox;
using Coinage.Worker.Hangfire;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Worker.Email;

/// <summary>
/// Every ~5 s: takes the email rows of the outbox that are due (new, failed and backed off, or
/// leased by a delivery that never finished — a crash between taking and sending), leases them
/// under FOR UPDATE SKIP LOCKED so replicas never take the same row, and enqueues one
/// <see cref="SendEmailJob"/> per row. Nothing is lost between the two steps: a lease that runs
/// out makes the row due again.
/// </summary>
public sealed class OutboxEmailDispatcher(CoinageDbContext db, IBackgroundJobClient jobs, TimeProvider clock)
{
    public const string RecurringJobId = "outbox-email";
    public const int BatchSize = 100;

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 30)]
    public async Task<int> DispatchAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        List<OutboxMessage> due;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            due = await db.OutboxMessages
                .FromSql($"""
                    SELECT * FROM outbox_messages
                    WHERE processed_at IS NULL AND type LIKE 'email.%' AND next_attempt_at <= {now} AND attempts < {OutboxRetryPolicy.MaxAttempts}
                    ORDER BY next_attempt_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED
                    """)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            due.ForEach(m => m.Lease(now));
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var message in due)
        {
            jobs.Enqueue<SendEmailJob>(job => job.SendAsync(message.Id, CancellationToken.None));
        }
        return due.Count;
    }

    internal sealed class Schedule : IJobSchedule
    {
        public void Declare(IRecurringJobManager recurringJobs, IBackgroundJobClient jobs) =>
            recurringJobs.AddOrUpdate<OutboxEmailDispatcher>(RecurringJobId, job => job.DispatchAsync(CancellationToken.None), "*/5 * * * * *",
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
    }
}

/// <summary>
/// Renders and sends one outbox email, then marks it processed. A failure is recorded on the row
/// with the next attempt's time (<see cref="OutboxRetryPolicy"/>) and rethrown, so the job shows
/// as failed in Hangfire; the dispatcher, not Hangfire, retries it when it is due.
/// </summary>
public sealed class SendEmailJob(CoinageDbContext db, SmtpEmailSender sender, EmailSettings settings, TimeProvider clock, EmailTelemetry? telemetry = null)
{
    [AutomaticRetry(Attempts = 0)]
    public async Task SendAsync(Guid messageId, CancellationToken cancellationToken)
    {
        // The row lock makes concurrent runs for one row (a re-dispatch after an expired lease
        // overlapping a slow first try) send at most once: the second skips the locked row, or
        // finds it processed.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var message = await db.OutboxMessages
            .FromSql($"SELECT * FROM outbox_messages WHERE id = {messageId} FOR UPDATE SKIP LOCKED")
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (message is null || message.ProcessedAt is not null)
        {
            return;
        }
        EmailPayload? payload = null;
        try
        {
            payload = EmailPayload.Parse(message.Payload);
            if (!await Privacy.PrivacyJobsExtensions.MaySendAsync(db, message.Type, payload.UserId, cancellationToken).ConfigureAwait(false))
            {
                // No consent (any more): done without sending, and said so on the row.
                message.ProcessedAt = clock.GetUtcNow();
                message.LastError = "not sent: no marketing consent";
                message.Payload = payload.ToRedactedJson();
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            await sender.SendAsync(EmailTemplates.Render(message.Type, payload, settings.WebBaseUrl), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            message.RecordFailure($"{exception.GetType().Name}: {exception.Message}", clock.GetUtcNow());
            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            telemetry?.Failed(message.Type, message.Id, payload?.To, message.Attempts, exception.GetType().Name);
            throw;
        }
        message.ProcessedAt = clock.GetUtcNow();
        message.LastError = null;
        message.Payload = payload.ToRedactedJson();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        telemetry?.Sent(message.Type, message.Id, payload.To);
    }
}

internal static class EmailExtensions
{
    public static IHostApplicationBuilder AddEmailDelivery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(EmailSettings.FromConfiguration(builder.Configuration));
        builder.Services.AddSingleton<SmtpEmailSender>();
        builder.Services.AddScoped<OutboxEmailDispatcher>();
        builder.Services.AddScoped<SendEmailJob>();
        builder.Services.AddSingleton<EmailTelemetry>();
        builder.Services.AddHostedService<EmailBacklogMonitor>();
        builder.Services.AddSingleton<IJobSchedule, OutboxEmailDispatcher.Schedule>();
        return builder;
    }
}

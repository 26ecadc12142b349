using Coinage.Domain.Data;
using Coinage.Domain.Outbox;
using Coinage.Worker.Hangfire;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Worker.Email;

/// <summary>
/// Every ~5 s: claims the email rows of the outbox that no job has taken yet (attempts 0 → 1,
/// under FOR UPDATE SKIP LOCKED so replicas never claim the same row) and enqueues one
/// <see cref="SendEmailJob"/> per row.
/// </summary>
public sealed class OutboxEmailDispatcher(CoinageDbContext db, IBackgroundJobClient jobs)
{
    public const string RecurringJobId = "outbox-email";
    public const int BatchSize = 100;

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 30)]
    public async Task<int> DispatchAsync(CancellationToken cancellationToken)
    {
        List<Guid> claimed;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            claimed = await db.OutboxMessages
                .FromSql($"SELECT * FROM outbox_messages WHERE processed_at IS NULL AND attempts = 0 AND type LIKE 'email.%' ORDER BY created_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED")
                .Select(m => m.Id)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            await db.OutboxMessages.Where(m => claimed.Contains(m.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.Attempts, 1), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var id in claimed)
        {
            jobs.Enqueue<SendEmailJob>(job => job.SendAsync(id, CancellationToken.None));
        }
        return claimed.Count;
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
/// and rethrown, so Hangfire retries with its back-off (up to 10 times).
/// </summary>
public sealed class SendEmailJob(CoinageDbContext db, SmtpEmailSender sender, EmailSettings settings, TimeProvider clock)
{
    [AutomaticRetry(Attempts = 10)]
    public async Task SendAsync(Guid messageId, CancellationToken cancellationToken)
    {
        // The row lock makes concurrent runs of this job (a retry overlapping a slow first try)
        // send at most once: the second skips the locked row and finds it processed afterwards.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var message = await db.OutboxMessages
            .FromSql($"SELECT * FROM outbox_messages WHERE id = {messageId} FOR UPDATE SKIP LOCKED")
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (message is null || message.ProcessedAt is not null)
        {
            return;
        }
        try
        {
            var email = EmailTemplates.Render(message.Type, EmailPayload.Parse(message.Payload), settings.WebBaseUrl);
            await sender.SendAsync(email, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            message.Attempts++;
            var error = $"{exception.GetType().Name}: {exception.Message}";
            message.LastError = error.Length > 2000 ? error[..2000] : error;
            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        message.ProcessedAt = clock.GetUtcNow();
        message.LastError = null;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
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
        builder.Services.AddSingleton<IJobSchedule, OutboxEmailDispatcher.Schedule>();
        return builder;
    }
}

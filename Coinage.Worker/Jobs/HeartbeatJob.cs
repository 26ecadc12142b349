using Coinage.Domain.Data;
using Coinage.Domain.Operations;
using Coinage.Worker.Hangfire;
using Coinage.Worker.Infrastructure;
using Hangfire;

namespace Coinage.Worker.Jobs;

/// <summary>
/// Writes one <see cref="Heartbeat"/> row: proof that this replica's jobs run and reach the
/// database. Recurring every minute (<see cref="RecurringJobId"/>), and once at start-up so the
/// first sign of life does not wait for the next minute.
/// </summary>
public sealed class HeartbeatJob(CoinageDbContext db, TimeProvider clock, ServiceInstance instance)
{
    public const string RecurringJobId = "heartbeat";

    // A missed beat is not worth retrying: the next one is at most a minute away.
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        db.Heartbeats.Add(new Heartbeat(instance.Name, clock.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    internal sealed class Schedule : IJobSchedule
    {
        public void Declare(IRecurringJobManager recurringJobs, IBackgroundJobClient jobs)
        {
            recurringJobs.AddOrUpdate<HeartbeatJob>(RecurringJobId, job => job.RunAsync(CancellationToken.None), Cron.Minutely(), new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            jobs.Enqueue<HeartbeatJob>(job => job.RunAsync(CancellationToken.None));
        }
    }
}

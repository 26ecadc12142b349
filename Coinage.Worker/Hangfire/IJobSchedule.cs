using Hangfire;

namespace Coinage.Worker.Hangfire;

/// <summary>
/// A feature's recurring jobs and start-up work, declared each time this replica's Hangfire
/// server starts (after the migrations). Declaring is idempotent: recurring jobs are upserted by id.
/// </summary>
public interface IJobSchedule
{
    void Declare(IRecurringJobManager recurringJobs, IBackgroundJobClient jobs);
}

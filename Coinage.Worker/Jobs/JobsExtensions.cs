using Coinage.Worker.Hangfire;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Coinage.Worker.Jobs;

internal static class JobsExtensions
{
    /// <summary>The worker's jobs (resolved per run in a scope by Hangfire) and their schedules.</summary>
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<HeartbeatJob>();
        builder.Services.AddSingleton<IJobSchedule, HeartbeatJob.Schedule>();
        return builder;
    }
}

using System.Security.Cryptography;
using System.Text;
using Coinage.Domain.Search;
using Coinage.Worker.Hangfire;
using Coinage.Worker.Jobs;
using Coinage.Worker.Reconciliation;
using Coinage.Worker.Search;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Coinage.Worker.Operations;

/// <summary>
/// What the Aspire dashboard's commands on the worker call (Coinage.AppHost, docs/operations.md): run one of the
/// recurring jobs now. Mapped only when <see cref="KeySetting"/> is configured, which the AppHost does on a local run
/// and a published manifest never does (ops in a cluster use the Hangfire dashboard); every request must carry that key
/// in <see cref="KeyHeader"/>.
/// <para>
/// The recurring job is triggered rather than its method enqueued, so there stays one definition of each job: its
/// retry and concurrency attributes apply as to a scheduled run, and the Hangfire dashboard lists the run under it.
/// </para>
/// </summary>
internal static partial class OpsApi
{
    public const string KeySetting = "Coinage:Ops:Key";

    /// <summary>Sent by the AppHost's commands (Coinage.Hosting, <c>OpsCommands</c>): keep the two in step.</summary>
    public const string KeyHeader = "X-Coinage-Ops-Key";

    public static WebApplication MapOpsApi(this WebApplication app)
    {
        if (app.Configuration[KeySetting] is not { Length: > 0 } key)
        {
            return app; // no key, no endpoints: nothing to guess at
        }
        var group = app.MapGroup("/ops/jobs")
            .AddEndpointFilter(new KeyFilter(key))
            .ExcludeFromDescription();
        group.MapPost("/reconciliation", (IRecurringJobManagerV2 jobs, JobsStartupGate gate) =>
            Trigger(jobs, gate, ReconciliationJob.RecurringJobId));
        group.MapPost("/search-reindex", (IRecurringJobManagerV2 jobs, JobsStartupGate gate, IConfiguration configuration) =>
            SearchExtensions.IsElasticsearchConfigured(configuration)
                ? Trigger(jobs, gate, SearchReindexer.RecurringJobId)
                : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Elasticsearch is not configured.",
                    detail: "Search runs on PostgreSQL; there are no indices to rebuild."));
        group.MapPost("/heartbeat", (IRecurringJobManagerV2 jobs, JobsStartupGate gate) =>
            Trigger(jobs, gate, HeartbeatJob.RecurringJobId));
        return app;
    }

    private static Results<Accepted<JobTriggered>, ProblemHttpResult> Trigger(IRecurringJobManagerV2 jobs, JobsStartupGate gate, string recurringJobId)
    {
        // Before the migrations the Hangfire schema may not exist, nor the recurring jobs be declared.
        if (!gate.IsOpen || jobs.TriggerJob(recurringJobId) is not { } jobId)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The jobs are not running yet.",
                detail: "The worker starts its Hangfire server once the database is migrated; try again in a moment.");
        }
        return TypedResults.Accepted($"{HangfireExtensions.DashboardPath}/jobs/details/{jobId}", new JobTriggered(jobId, recurringJobId));
    }

    /// <summary>Lets through requests with the key; compares digests in constant time, so neither the key nor its length leaks.</summary>
    private sealed partial class KeyFilter(string key) : IEndpointFilter
    {
        private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(key));

        public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var http = context.HttpContext;
            var presented = http.Request.Headers[KeyHeader].ToString();
            if (CryptographicOperations.FixedTimeEquals(_expected, SHA256.HashData(Encoding.UTF8.GetBytes(presented))))
            {
                return next(context);
            }
            LogRefused(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OpsApi).FullName!),
                http.Request.Path, http.Connection.RemoteIpAddress?.ToString());
            return ValueTask.FromResult<object?>(TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized,
                title: $"A valid {KeyHeader} header is required."));
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "Ops request to {Path} from {Remote} refused: missing or wrong key")]
        private static partial void LogRefused(ILogger logger, string path, string? remote);
    }
}

/// <summary>The answer of a triggered job: Hangfire's job id (its page is the response's Location).</summary>
internal sealed record JobTriggered(string JobId, string RecurringJobId);

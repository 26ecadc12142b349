using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps database queries that belong to no trace out of the exported traces: a root Npgsql span is background
/// polling (Hangfire fetching jobs, outbox dispatchers, pollers), thousands an hour that would bury the requests and
/// jobs a person looks for. A query inside a request or a job has a parent and is exported with it. (A sampler cannot
/// tell: Npgsql names the span and sets its tags only after it started.)
/// </summary>
public sealed class BackgroundQueryFilter : BaseProcessor<Activity>
{
    public const string NpgsqlSource = "Npgsql";

    public override void OnStart(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Source.Name == NpgsqlSource && data.ParentSpanId == default)
        {
            // Exporters skip what is not Recorded; the span still flows (and times) for whoever listens.
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}

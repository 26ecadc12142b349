using Coinage.Hosting.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Coinage.Hosting.Dashboard;

public sealed record LogsPage(IReadOnlyList<TelemetryLogEntry> Items, int Stored, IReadOnlyList<string> Resources);

public sealed record TracesPage(IReadOnlyList<TraceSummaryView> Items, int StoredTraces, int StoredSpans, IReadOnlyList<string> Resources);

public sealed record TraceSummaryView(string TraceId, string Name, string RootResource, DateTimeOffset Start, double DurationMs, int SpanCount, int ErrorCount, IReadOnlyList<string> Resources);

public sealed record SpanView(
    string SpanId,
    string ParentSpanId,
    string Name,
    string Kind,
    string Resource,
    string Instance,
    string Scope,
    DateTimeOffset Start,
    double OffsetMs,
    double DurationMs,
    int Depth,
    string Status,
    string? StatusMessage,
    IReadOnlyList<TelemetryAttribute> Attributes,
    IReadOnlyList<TelemetrySpanEvent> Events);

public sealed record TraceView(string TraceId, DateTimeOffset Start, double DurationMs, IReadOnlyList<string> Resources, IReadOnlyList<SpanView> Spans);

public sealed record MetricsPage(IReadOnlyList<InstrumentSummary> Instruments, IReadOnlyList<string> Resources);

public sealed record MetricSeriesView(string Name, IReadOnlyList<MetricPoint> Points, double? Current);

public sealed record InstrumentView(InstrumentSummary Instrument, IReadOnlyList<MetricSeriesView> Series);

/// <summary>What the OTLP receiver stored: structured logs, traces and metrics.</summary>
internal static class TelemetryApi
{
    public static void MapTelemetryApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api");
        api.MapGet("/logs", GetLogs);
        api.MapGet("/traces", GetTraces);
        api.MapGet("/traces/{traceId}", GetTrace);
        api.MapGet("/metrics", GetInstruments);
        api.MapGet("/metrics/{resource}/{instrument}", GetInstrument);
    }

    private static Ok<LogsPage> GetLogs(TelemetryStore store, string? resource, string? level, string? text, string? traceId, int? limit)
    {
        var items = store.Logs.Query(new LogQuery(resource, level, text, traceId, limit ?? 200));
        return TypedResults.Ok(new LogsPage(items, store.Logs.Count, TelemetryResources(store)));
    }

    private static Ok<TracesPage> GetTraces(TelemetryStore store, string? resource, string? text, int? limit)
    {
        var items = store.Traces.Query(resource, text, limit ?? 100)
            .Select(t => new TraceSummaryView(t.TraceId, t.Name, t.RootResource, t.Start, t.Duration.TotalMilliseconds, t.SpanCount, t.ErrorCount, t.Resources))
            .ToList();
        return TypedResults.Ok(new TracesPage(items, store.Traces.TraceCount, store.Traces.SpanCount, TelemetryResources(store)));
    }

    private static Results<Ok<TraceView>, NotFound> GetTrace(TelemetryStore store, string traceId)
    {
        if (store.Traces.Get(traceId) is not { Count: > 0 } spans)
        {
            return TypedResults.NotFound();
        }
        var start = spans.Min(s => s.Span.Start);
        var end = spans.Max(s => s.Span.End);
        return TypedResults.Ok(new TraceView(
            traceId.ToLowerInvariant(),
            start,
            (end - start).TotalMilliseconds,
            spans.Select(s => s.Span.Resource).Distinct().ToList(),
            spans.Select(s => new SpanView(
                s.Span.SpanId, s.Span.ParentSpanId, s.Span.Name, s.Span.Kind, s.Span.Resource, s.Span.Instance, s.Span.Scope,
                s.Span.Start, (s.Span.Start - start).TotalMilliseconds, s.Span.Duration.TotalMilliseconds, s.Depth,
                s.Span.Status, s.Span.StatusMessage, s.Span.Attributes, s.Span.Events)).ToList()));
    }

    private static Ok<MetricsPage> GetInstruments(TelemetryStore store, string? resource) =>
        TypedResults.Ok(new MetricsPage(store.Metrics.Instruments(resource), store.Resources));

    private static Results<Ok<InstrumentView>, NotFound> GetInstrument(TelemetryStore store, string resource, string instrument, string? scope)
    {
        if (store.Metrics.Get(resource, instrument, scope) is not { } found)
        {
            return TypedResults.NotFound();
        }
        var series = found.Points
            .GroupBy(p => p.Series)
            .Select(g => new MetricSeriesView(g.Key.Length == 0 ? "(no attributes)" : g.Key, g.ToList(), g.Last().Value))
            .OrderByDescending(s => s.Points.Count)
            .ToList();
        return TypedResults.Ok(new InstrumentView(found.Summary, series));
    }

    private static IReadOnlyList<string> TelemetryResources(TelemetryStore store) => store.Resources;
}

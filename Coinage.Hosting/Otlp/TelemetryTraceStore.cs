using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Trace.V1;

namespace Coinage.Hosting.Otlp;

public sealed record TelemetrySpanEvent(string Name, DateTimeOffset Timestamp, IReadOnlyList<TelemetryAttribute> Attributes);

/// <summary>One span as received over OTLP.</summary>
public sealed record TelemetrySpan(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    string Kind,
    DateTimeOffset Start,
    DateTimeOffset End,
    string Status,
    string? StatusMessage,
    string Resource,
    string Instance,
    string Scope,
    IReadOnlyList<TelemetryAttribute> Attributes,
    IReadOnlyList<TelemetrySpanEvent> Events)
{
    public TimeSpan Duration => End >= Start ? End - Start : TimeSpan.Zero;
}

/// <summary>A trace as the list shows it.</summary>
public sealed record TraceSummary(
    string TraceId,
    string Name,
    string RootResource,
    DateTimeOffset Start,
    TimeSpan Duration,
    int SpanCount,
    int ErrorCount,
    IReadOnlyList<string> Resources);

/// <summary>Traces keyed by id; whole traces are evicted oldest first once a limit is reached.</summary>
public sealed class TelemetryTraceStore(TelemetryLimits limits)
{
    private readonly Dictionary<string, List<TelemetrySpan>> _traces = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _order = new();
    private readonly Dictionary<string, LinkedListNode<string>> _nodes = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly HashSet<string> _resources = new(StringComparer.Ordinal);
    private int _spanCount;

    public int SpanCount
    {
        get
        {
            lock (_gate)
            {
                return _spanCount;
            }
        }
    }

    public int TraceCount
    {
        get
        {
            lock (_gate)
            {
                return _traces.Count;
            }
        }
    }

    /// <summary>Every <c>service.name</c> that sent a span.</summary>
    public IReadOnlyList<string> Resources
    {
        get
        {
            lock (_gate)
            {
                return _resources.ToList();
            }
        }
    }

    /// <summary>Stores the spans; returns how many were rejected.</summary>
    internal int Add(RepeatedField<ResourceSpans> resourceSpans)
    {
        var spans = new List<TelemetrySpan>();
        var rejected = 0;
        foreach (var resource in resourceSpans)
        {
            var source = TelemetrySource.From(resource.Resource);
            foreach (var scope in resource.ScopeSpans)
            {
                foreach (var span in scope.Spans)
                {
                    if (span.TraceId.Length == 16 && span.SpanId.Length == 8)
                    {
                        spans.Add(Convert(span, source, scope.Scope?.Name ?? ""));
                    }
                    else
                    {
                        rejected++; // a span without valid ids cannot be placed in any trace
                    }
                }
            }
        }
        lock (_gate)
        {
            foreach (var span in spans)
            {
                if (!_traces.TryGetValue(span.TraceId, out var list))
                {
                    list = [];
                    _traces[span.TraceId] = list;
                    _nodes[span.TraceId] = _order.AddLast(span.TraceId);
                }
                list.Add(span);
                _spanCount++;
                _resources.Add(span.Resource);
            }
            while (_order.First is { } oldest && (_traces.Count > limits.MaxTraces || _spanCount > limits.MaxSpans))
            {
                _order.RemoveFirst();
                _nodes.Remove(oldest.Value);
                _spanCount -= _traces[oldest.Value].Count;
                _traces.Remove(oldest.Value);
            }
        }
        return rejected;
    }

    /// <summary>The newest traces (by start), optionally only those touching a resource or containing a text.</summary>
    public IReadOnlyList<TraceSummary> Query(string? resource = null, string? text = null, int limit = 100)
    {
        List<List<TelemetrySpan>> candidates;
        lock (_gate)
        {
            candidates = _traces.Values
                .Where(spans => resource is not { Length: > 0 } || spans.Any(s => s.Resource == resource || s.Instance == resource))
                .Where(spans => text is not { Length: > 0 } || spans.Any(s => s.Name.Contains(text, StringComparison.OrdinalIgnoreCase) || s.TraceId.StartsWith(text, StringComparison.OrdinalIgnoreCase)))
                .Select(spans => spans.ToList())
                .ToList();
        }
        return candidates.Select(Summarize).OrderByDescending(t => t.Start).Take(Math.Clamp(limit, 1, 1000)).ToList();
    }

    /// <summary>The spans of one trace, parents before children, siblings by start time.</summary>
    public IReadOnlyList<(TelemetrySpan Span, int Depth)>? Get(string traceId)
    {
        List<TelemetrySpan> spans;
        lock (_gate)
        {
            if (!_traces.TryGetValue(traceId.ToLowerInvariant(), out var list))
            {
                return null;
            }
            spans = list.ToList();
        }
        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var children = spans.GroupBy(s => ids.Contains(s.ParentSpanId) ? s.ParentSpanId : "")
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.Start).ToList(), StringComparer.Ordinal);
        var ordered = new List<(TelemetrySpan, int)>(spans.Count);
        void Walk(string parent, int depth)
        {
            if (!children.TryGetValue(parent, out var list))
            {
                return;
            }
            foreach (var span in list)
            {
                ordered.Add((span, depth));
                if (depth < 64)
                {
                    Walk(span.SpanId, depth + 1);
                }
            }
        }
        Walk("", 0);
        return ordered;
    }

    private static TraceSummary Summarize(List<TelemetrySpan> spans)
    {
        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var root = spans.Where(s => !ids.Contains(s.ParentSpanId)).OrderBy(s => s.Start).FirstOrDefault() ?? spans[0];
        var start = spans.Min(s => s.Start);
        var end = spans.Max(s => s.End);
        return new TraceSummary(
            root.TraceId,
            root.Name,
            root.Resource,
            start,
            end > start ? end - start : TimeSpan.Zero,
            spans.Count,
            spans.Count(s => s.Status == "Error"),
            spans.Select(s => s.Resource).Distinct().Order(StringComparer.Ordinal).ToList());
    }

    private TelemetrySpan Convert(Span span, TelemetrySource source, string scope) => new(
        OtlpConversions.ToHex(span.TraceId),
        OtlpConversions.ToHex(span.SpanId),
        OtlpConversions.ToHex(span.ParentSpanId),
        OtlpConversions.Truncate(span.Name, 512),
        span.Kind switch
        {
            Span.Types.SpanKind.Server => "Server",
            Span.Types.SpanKind.Client => "Client",
            Span.Types.SpanKind.Producer => "Producer",
            Span.Types.SpanKind.Consumer => "Consumer",
            _ => "Internal",
        },
        OtlpConversions.FromUnixNanos(span.StartTimeUnixNano),
        OtlpConversions.FromUnixNanos(span.EndTimeUnixNano),
        span.Status?.Code switch
        {
            Status.Types.StatusCode.Error => "Error",
            Status.Types.StatusCode.Ok => "Ok",
            _ => "Unset",
        },
        span.Status?.Message is { Length: > 0 } message ? OtlpConversions.Truncate(message, limits.MaxAttributeLength) : null,
        source.Resource,
        source.Instance,
        scope,
        OtlpConversions.Attributes(span.Attributes, limits),
        span.Events.Take(limits.MaxAttributeCount)
            .Select(e => new TelemetrySpanEvent(e.Name, OtlpConversions.FromUnixNanos(e.TimeUnixNano), OtlpConversions.Attributes(e.Attributes, limits)))
            .ToList());
}

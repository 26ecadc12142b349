using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Logs.V1;

namespace Coinage.Hosting.Otlp;

/// <summary>One structured log record as received over OTLP.</summary>
public sealed record TelemetryLogEntry(
    long Id,
    DateTimeOffset Timestamp,
    string Resource,
    string Instance,
    string Level,
    int SeverityNumber,
    string Message,
    string Category,
    string TraceId,
    string SpanId,
    string? EventName,
    IReadOnlyList<TelemetryAttribute> Attributes);

/// <summary>What the structured logs page asks for.</summary>
public sealed record LogQuery(string? Resource = null, string? MinimumLevel = null, string? Text = null, string? TraceId = null, int Limit = 200);

/// <summary>Structured logs in a ring: the oldest record is overwritten once it is full.</summary>
public sealed class TelemetryLogStore(TelemetryLimits limits)
{
    /// <summary>Log levels in .NET's names, from the OTLP severity number ranges (1-4 trace … 21-24 fatal).</summary>
    public static readonly IReadOnlyList<string> Levels = ["Trace", "Debug", "Information", "Warning", "Error", "Critical"];

    private readonly TelemetryLogEntry?[] _ring = new TelemetryLogEntry?[limits.MaxLogEntries];
    private readonly Lock _gate = new();
    private readonly HashSet<string> _resources = new(StringComparer.Ordinal);
    private int _next;
    private int _count;
    private long _id;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Every <c>service.name</c> that sent a log record.</summary>
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

    /// <summary>Stores the records; returns how many were rejected (none: every record has a place).</summary>
    internal int Add(RepeatedField<ResourceLogs> resourceLogs)
    {
        var entries = new List<TelemetryLogEntry>();
        foreach (var resource in resourceLogs)
        {
            var source = TelemetrySource.From(resource.Resource);
            foreach (var scope in resource.ScopeLogs)
            {
                var category = scope.Scope?.Name ?? "";
                foreach (var record in scope.LogRecords)
                {
                    entries.Add(Convert(record, source, category));
                }
            }
        }
        lock (_gate)
        {
            foreach (var entry in entries)
            {
                _ring[_next] = entry with { Id = ++_id };
                _resources.Add(entry.Resource);
                _next = (_next + 1) % _ring.Length;
                _count = Math.Min(_count + 1, _ring.Length);
            }
        }
        return 0;
    }

    /// <summary>The newest records matching <paramref name="query"/>, newest first.</summary>
    public IReadOnlyList<TelemetryLogEntry> Query(LogQuery query)
    {
        var minimum = query.MinimumLevel is { Length: > 0 } level ? LevelRank(level) : 0;
        var limit = Math.Clamp(query.Limit, 1, _ring.Length);
        var result = new List<TelemetryLogEntry>(Math.Min(limit, 256));
        lock (_gate)
        {
            for (var i = 1; i <= _count && result.Count < limit; i++)
            {
                var entry = _ring[(_next - i + _ring.Length) % _ring.Length]!;
                if (Matches(entry, query, minimum))
                {
                    result.Add(entry);
                }
            }
        }
        return result;
    }

    private static bool Matches(TelemetryLogEntry entry, LogQuery query, int minimumRank) =>
        (query.Resource is not { Length: > 0 } resource || entry.Resource == resource || entry.Instance == resource)
        && LevelRank(entry.Level) >= minimumRank
        && (query.TraceId is not { Length: > 0 } traceId || entry.TraceId.Equals(traceId, StringComparison.OrdinalIgnoreCase))
        && (query.Text is not { Length: > 0 } text
            || entry.Message.Contains(text, StringComparison.OrdinalIgnoreCase)
            || entry.Category.Contains(text, StringComparison.OrdinalIgnoreCase)
            || entry.Attributes.Any(a => a.Value.Contains(text, StringComparison.OrdinalIgnoreCase)));

    private static int LevelRank(string level)
    {
        for (var i = 0; i < Levels.Count; i++)
        {
            if (Levels[i].Equals(level, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return 0;
    }

    private TelemetryLogEntry Convert(LogRecord record, TelemetrySource source, string category)
    {
        var severity = (int)record.SeverityNumber;
        var level = severity switch
        {
            >= 21 => "Critical",
            >= 17 => "Error",
            >= 13 => "Warning",
            >= 9 => "Information",
            >= 5 => "Debug",
            >= 1 => "Trace",
            _ => LevelFromText(record.SeverityText),
        };
        var time = record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano;
        return new TelemetryLogEntry(
            0,
            OtlpConversions.FromUnixNanos(time),
            source.Resource,
            source.Instance,
            level,
            severity,
            OtlpConversions.Truncate(OtlpConversions.Display(record.Body), limits.MaxAttributeLength),
            category,
            OtlpConversions.ToHex(record.TraceId),
            OtlpConversions.ToHex(record.SpanId),
            record.Attributes.FirstOrDefault(a => a.Key == "event.name")?.Value.StringValue is { Length: > 0 } name ? name : null,
            OtlpConversions.Attributes(record.Attributes, limits));
    }

    private static string LevelFromText(string text) =>
        Levels.FirstOrDefault(l => l.StartsWith(text.Length >= 4 ? text[..4] : "Info", StringComparison.OrdinalIgnoreCase)) ?? "Information";
}

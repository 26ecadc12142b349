namespace Coinage.Hosting.Otlp;

/// <summary>
/// How much telemetry the dashboard keeps in memory (section <c>Coinage:Dashboard</c>). Every
/// store drops its oldest items first, so a chatty service costs a bounded amount of memory and
/// the newest data is always there.
/// </summary>
public sealed class TelemetryLimits
{
    /// <summary>Structured log records kept, across all resources.</summary>
    public int MaxLogEntries { get; set; } = 10_000;

    /// <summary>Traces kept; the oldest trace goes first, with all its spans.</summary>
    public int MaxTraces { get; set; } = 5_000;

    /// <summary>Spans kept across all traces.</summary>
    public int MaxSpans { get; set; } = 50_000;

    /// <summary>Data points kept per instrument (all its attribute series together).</summary>
    public int MaxMetricPointsPerInstrument { get; set; } = 1_000;

    /// <summary>Instruments kept per resource; new instruments beyond it are dropped and counted.</summary>
    public int MaxInstrumentsPerResource { get; set; } = 500;

    /// <summary>Attributes kept per log record, span, event or data point.</summary>
    public int MaxAttributeCount { get; set; } = 128;

    /// <summary>Characters kept per attribute value or log message.</summary>
    public int MaxAttributeLength { get; set; } = 4_096;

    /// <summary>Largest OTLP request accepted (bytes, after decompression): gRPC ResourceExhausted / HTTP 413 beyond it.</summary>
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    internal TelemetryLimits Validated()
    {
        Check(MaxLogEntries, nameof(MaxLogEntries));
        Check(MaxTraces, nameof(MaxTraces));
        Check(MaxSpans, nameof(MaxSpans));
        Check(MaxMetricPointsPerInstrument, nameof(MaxMetricPointsPerInstrument));
        Check(MaxInstrumentsPerResource, nameof(MaxInstrumentsPerResource));
        Check(MaxAttributeCount, nameof(MaxAttributeCount));
        Check(MaxAttributeLength, nameof(MaxAttributeLength));
        Check(MaxRequestBytes, nameof(MaxRequestBytes));
        return this;
    }

    private static void Check(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"Coinage:Dashboard:{name} must be a positive number, not {value}.");
        }
    }
}

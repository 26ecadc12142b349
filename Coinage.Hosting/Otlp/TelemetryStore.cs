namespace Coinage.Hosting.Otlp;

/// <summary>Everything the OTLP receiver stored, bounded by <see cref="TelemetryLimits"/>.</summary>
public sealed class TelemetryStore
{
    public TelemetryStore(TelemetryLimits limits)
    {
        Limits = limits.Validated();
        Logs = new TelemetryLogStore(limits);
        Traces = new TelemetryTraceStore(limits);
        Metrics = new TelemetryMetricStore(limits);
    }

    public TelemetryLimits Limits { get; }

    public TelemetryLogStore Logs { get; }

    public TelemetryTraceStore Traces { get; }

    public TelemetryMetricStore Metrics { get; }

    /// <summary>Every <c>service.name</c> that sent anything, for the pages' resource filters.</summary>
    public IReadOnlyList<string> Resources =>
        Logs.Resources.Concat(Traces.Resources).Concat(Metrics.Resources).Distinct().Order(StringComparer.Ordinal).ToList();
}

using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Metrics.V1;

namespace Coinage.Hosting.Otlp;

/// <summary>
/// One value of one series at one time. For histograms <see cref="Value"/> is the median of the
/// interval since the previous point (cumulative buckets are differenced), with P90/P99 beside it.
/// </summary>
public sealed record MetricPoint(DateTimeOffset Timestamp, string Series, double Value, double? P90 = null, double? P99 = null, ulong? Count = null, double? Sum = null);

/// <summary>An instrument of one resource, with its latest points.</summary>
public sealed record InstrumentSummary(
    string Resource,
    string Scope,
    string Name,
    string Description,
    string Unit,
    string Type,
    DateTimeOffset? LastTimestamp,
    double? LastValue,
    int PointCount);

/// <summary>Metric points per instrument, each in a ring (oldest dropped first).</summary>
public sealed class TelemetryMetricStore(TelemetryLimits limits)
{
    private readonly Dictionary<(string Resource, string Scope, string Name), Instrument> _instruments = [];
    private readonly Dictionary<string, int> _instrumentsPerResource = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Instruments refused because their resource already had <see cref="TelemetryLimits.MaxInstrumentsPerResource"/>.</summary>
    public long DroppedInstruments { get; private set; }

    /// <summary>Every <c>service.name</c> that sent a metric.</summary>
    public IReadOnlyList<string> Resources
    {
        get
        {
            lock (_gate)
            {
                return _instrumentsPerResource.Keys.ToList();
            }
        }
    }

    /// <summary>Stores the points; returns how many were rejected.</summary>
    internal int Add(RepeatedField<ResourceMetrics> resourceMetrics)
    {
        var rejected = 0;
        foreach (var resource in resourceMetrics)
        {
            var source = TelemetrySource.From(resource.Resource);
            foreach (var scope in resource.ScopeMetrics)
            {
                var scopeName = scope.Scope?.Name ?? "";
                foreach (var metric in scope.Metrics)
                {
                    lock (_gate)
                    {
                        if (GetOrAdd(source.Resource, scopeName, metric) is { } instrument)
                        {
                            instrument.Add(metric, source, limits);
                        }
                        else
                        {
                            rejected += CountPoints(metric);
                        }
                    }
                }
            }
        }
        return rejected;
    }

    public IReadOnlyList<InstrumentSummary> Instruments(string? resource = null)
    {
        lock (_gate)
        {
            return _instruments.Values
                .Where(i => resource is not { Length: > 0 } || i.Resource == resource)
                .OrderBy(i => i.Resource, StringComparer.Ordinal).ThenBy(i => i.Name, StringComparer.Ordinal)
                .Select(i => i.Summary())
                .ToList();
        }
    }

    /// <summary>An instrument's points, oldest first; null when it is unknown.</summary>
    public (InstrumentSummary Summary, IReadOnlyList<MetricPoint> Points)? Get(string resource, string name, string? scope = null)
    {
        lock (_gate)
        {
            var instrument = _instruments.Values.FirstOrDefault(i => i.Resource == resource && i.Name == name && (scope is null || i.Scope == scope));
            return instrument is null ? null : (instrument.Summary(), instrument.Points());
        }
    }

    private Instrument? GetOrAdd(string resource, string scope, Metric metric)
    {
        if (_instruments.TryGetValue((resource, scope, metric.Name), out var instrument))
        {
            return instrument;
        }
        var count = _instrumentsPerResource.GetValueOrDefault(resource);
        if (count >= limits.MaxInstrumentsPerResource)
        {
            DroppedInstruments++;
            return null;
        }
        _instrumentsPerResource[resource] = count + 1;
        instrument = new Instrument(resource, scope, OtlpConversions.Truncate(metric.Name, 256), limits.MaxMetricPointsPerInstrument);
        _instruments[(resource, scope, metric.Name)] = instrument;
        return instrument;
    }

    private static int CountPoints(Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Count,
        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Count,
        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Count,
        Metric.DataOneofCase.ExponentialHistogram => metric.ExponentialHistogram.DataPoints.Count,
        Metric.DataOneofCase.Summary => metric.Summary.DataPoints.Count,
        _ => 0,
    };

    private sealed class Instrument(string resource, string scope, string name, int capacity)
    {
        private readonly MetricPoint?[] _ring = new MetricPoint?[capacity];
        private readonly Dictionary<string, (ulong[] Buckets, ulong Count, double Sum)> _lastCumulative = new(StringComparer.Ordinal);
        private int _next;
        private int _count;

        public string Resource { get; } = resource;

        public string Scope { get; } = scope;

        public string Name { get; } = name;

        public string Description { get; private set; } = "";

        public string Unit { get; private set; } = "";

        public string Type { get; private set; } = "";

        public InstrumentSummary Summary()
        {
            var last = _count == 0 ? null : _ring[(_next - 1 + _ring.Length) % _ring.Length];
            return new(Resource, Scope, Name, Description, Unit, Type, last?.Timestamp, last?.Value, _count);
        }

        public List<MetricPoint> Points()
        {
            var start = (_next - _count + _ring.Length) % _ring.Length;
            return Enumerable.Range(0, _count).Select(i => _ring[(start + i) % _ring.Length]!).ToList();
        }

        public int Add(Metric metric, TelemetrySource source, TelemetryLimits limits)
        {
            Description = OtlpConversions.Truncate(metric.Description, 1024);
            Unit = metric.Unit;
            var added = 0;
            switch (metric.DataCase)
            {
                case Metric.DataOneofCase.Gauge:
                    Type = "Gauge";
                    added += AddNumbers(metric.Gauge.DataPoints, source, limits);
                    break;
                case Metric.DataOneofCase.Sum:
                    Type = metric.Sum.IsMonotonic ? "Counter" : "UpDownCounter";
                    added += AddNumbers(metric.Sum.DataPoints, source, limits);
                    break;
                case Metric.DataOneofCase.Histogram:
                    Type = "Histogram";
                    var cumulative = metric.Histogram.AggregationTemporality == AggregationTemporality.Cumulative;
                    foreach (var point in metric.Histogram.DataPoints)
                    {
                        // An interval without measurements has no median: charting it as 0 would be a lie.
                        if (HistogramPoint(point, Series(point.Attributes, source, limits), cumulative) is { Count: > 0 } interval)
                        {
                            Push(interval);
                            added++;
                        }
                    }
                    break;
                case Metric.DataOneofCase.ExponentialHistogram:
                    Type = "ExponentialHistogram";
                    foreach (var point in metric.ExponentialHistogram.DataPoints)
                    {
                        Push(new MetricPoint(OtlpConversions.FromUnixNanos(point.TimeUnixNano), Series(point.Attributes, source, limits),
                            point.Count == 0 ? 0 : point.Sum / point.Count, Count: point.Count, Sum: point.Sum));
                        added++;
                    }
                    break;
                case Metric.DataOneofCase.Summary:
                    Type = "Summary";
                    foreach (var point in metric.Summary.DataPoints)
                    {
                        var median = point.QuantileValues.FirstOrDefault(q => Math.Abs(q.Quantile - 0.5) < 1e-9)?.Value ?? (point.Count == 0 ? 0 : point.Sum / point.Count);
                        Push(new MetricPoint(OtlpConversions.FromUnixNanos(point.TimeUnixNano), Series(point.Attributes, source, limits), median, Count: point.Count, Sum: point.Sum));
                        added++;
                    }
                    break;
            }
            return added;
        }

        private int AddNumbers(RepeatedField<NumberDataPoint> points, TelemetrySource source, TelemetryLimits limits)
        {
            foreach (var point in points)
            {
                var value = point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;
                Push(new MetricPoint(OtlpConversions.FromUnixNanos(point.TimeUnixNano), Series(point.Attributes, source, limits), value));
            }
            return points.Count;
        }

        private static string Series(RepeatedField<OpenTelemetry.Proto.Common.V1.KeyValue> attributes, TelemetrySource source, TelemetryLimits limits)
        {
            var key = OtlpConversions.SeriesKey(OtlpConversions.Attributes(attributes, limits));
            // Replicas of one resource are separate series of the same instrument.
            return source.Instance == source.Resource ? key : key.Length == 0 ? source.Instance : $"{source.Instance}: {key}";
        }

        private MetricPoint HistogramPoint(HistogramDataPoint point, string series, bool cumulative)
        {
            var buckets = point.BucketCounts.ToArray();
            var count = point.Count;
            var sum = point.Sum;
            if (cumulative)
            {
                if (_lastCumulative.TryGetValue(series, out var last) && last.Buckets.Length == buckets.Length && last.Count <= count)
                {
                    _lastCumulative[series] = (buckets, count, sum);
                    buckets = buckets.Select((b, i) => b >= last.Buckets[i] ? b - last.Buckets[i] : 0).ToArray();
                    count -= last.Count;
                    sum -= last.Sum;
                }
                else
                {
                    _lastCumulative[series] = (buckets, count, sum);
                }
            }
            var bounds = point.ExplicitBounds;
            return new MetricPoint(
                OtlpConversions.FromUnixNanos(point.TimeUnixNano),
                series,
                Quantile(buckets, bounds, count, 0.50),
                Quantile(buckets, bounds, count, 0.90),
                Quantile(buckets, bounds, count, 0.99),
                count,
                sum);
        }

        /// <summary>The upper bound of the bucket holding the q-quantile (what Prometheus' histogram_quantile interpolates).</summary>
        private static double Quantile(ulong[] buckets, RepeatedField<double> bounds, ulong count, double q)
        {
            if (count == 0 || buckets.Length == 0)
            {
                return 0;
            }
            var rank = q * count;
            ulong seen = 0;
            for (var i = 0; i < buckets.Length; i++)
            {
                var before = seen;
                seen += buckets[i];
                if (seen >= rank && buckets[i] > 0)
                {
                    var lower = i == 0 ? 0 : bounds[i - 1];
                    if (i >= bounds.Count)
                    {
                        return lower; // the +Inf bucket: the last finite bound is the best we know
                    }
                    var upper = bounds[i];
                    return lower + (upper - lower) * ((rank - before) / buckets[i]);
                }
            }
            return bounds.Count > 0 ? bounds[^1] : 0;
        }

        private void Push(MetricPoint point)
        {
            _ring[_next] = point;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
        }
    }
}

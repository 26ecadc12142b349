using Coinage.Hosting.Otlp;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace Coinage.Hosting.Tests.Dashboard;

/// <summary>The stores stay within their limits by dropping the oldest data first.</summary>
public sealed class TelemetryStoreTests
{
    private static readonly TelemetryLimits Small = new() { MaxLogEntries = 5, MaxTraces = 3, MaxSpans = 7, MaxMetricPointsPerInstrument = 4, MaxInstrumentsPerResource = 2, MaxAttributeLength = 10 };

    [Fact]
    public void Logs_keep_the_newest_records_up_to_the_limit()
    {
        var store = new TelemetryStore(Small);

        for (var i = 1; i <= 12; i++)
        {
            store.Logs.Add(OtlpReceiverTests.ValidRequest($"message {i}").ResourceLogs);
        }

        Assert.Equal(5, store.Logs.Count);
        Assert.Equal(["message 12", "message 11", "message 10", "message 9", "message 8"], store.Logs.Query(new(Limit: 100)).Select(l => l.Message));
    }

    [Fact]
    public void Whole_traces_are_evicted_oldest_first_when_traces_or_spans_exceed_their_limits()
    {
        var store = new TelemetryStore(Small);

        store.Traces.Add(Spans(trace: 1, count: 2).ResourceSpans);
        store.Traces.Add(Spans(trace: 2, count: 2).ResourceSpans);
        store.Traces.Add(Spans(trace: 3, count: 2).ResourceSpans);
        Assert.Equal(3, store.Traces.TraceCount);

        store.Traces.Add(Spans(trace: 4, count: 1).ResourceSpans); // 4 traces > MaxTraces 3: trace 1 goes
        Assert.Null(store.Traces.Get(TraceId(1)));
        Assert.NotNull(store.Traces.Get(TraceId(4)));

        store.Traces.Add(Spans(trace: 5, count: 5).ResourceSpans); // spans 2+2+1+5 > 7: traces 2 and 3 go
        Assert.Null(store.Traces.Get(TraceId(2)));
        Assert.Null(store.Traces.Get(TraceId(3)));
        Assert.Equal(6, store.Traces.SpanCount);
        Assert.Equal([TraceId(5), TraceId(4)], store.Traces.Query().Select(t => t.TraceId));
    }

    [Fact]
    public void A_span_tree_is_ordered_parents_first_with_depths()
    {
        var store = new TelemetryStore(new TelemetryLimits());
        store.Traces.Add(Spans(trace: 9, count: 3).ResourceSpans); // a chain: span 1 <- span 2 <- span 3

        var spans = store.Traces.Get(TraceId(9))!;

        Assert.Equal([0, 1, 2], spans.Select(s => s.Depth));
        Assert.Equal("0000000000000001", spans[0].Span.SpanId);
    }

    [Fact]
    public void Metric_points_keep_the_newest_per_instrument_and_instruments_per_resource_are_capped()
    {
        var store = new TelemetryStore(Small);

        for (var i = 1; i <= 10; i++)
        {
            Assert.Equal(0, store.Metrics.Add(Gauge("queue.depth", i).ResourceMetrics));
        }
        store.Metrics.Add(Gauge("second", 1).ResourceMetrics);
        var rejected = store.Metrics.Add(Gauge("third", 1).ResourceMetrics); // a third instrument of the same resource

        var (summary, points) = store.Metrics.Get("store-test", "queue.depth")!.Value;
        Assert.Equal([7.0, 8.0, 9.0, 10.0], points.Select(p => p.Value));
        Assert.Equal(10.0, summary.LastValue);
        Assert.Equal("Gauge", summary.Type);
        Assert.Equal(1, rejected);
        Assert.Null(store.Metrics.Get("store-test", "third"));
        Assert.Equal(1, store.Metrics.DroppedInstruments);
    }

    [Fact]
    public void Cumulative_histograms_are_charted_per_interval()
    {
        var store = new TelemetryStore(new TelemetryLimits());

        store.Metrics.Add(Histogram(count: 10, buckets: [10, 0, 0]).ResourceMetrics);  // 10 fast requests
        store.Metrics.Add(Histogram(count: 20, buckets: [10, 0, 10]).ResourceMetrics); // then 10 slow ones

        var points = store.Metrics.Get("store-test", "http.server.request.duration")!.Value.Points;
        Assert.Equal([10UL, 10UL], points.Select(p => p.Count!.Value));
        Assert.True(points[0].Value <= 0.1, $"first interval median {points[0].Value}");
        Assert.True(points[1].Value >= 1, $"second interval median {points[1].Value}: only the slow requests of that interval count");
    }

    [Fact]
    public void Long_attribute_values_are_truncated()
    {
        var store = new TelemetryStore(Small);
        var request = OtlpReceiverTests.ValidRequest("a message that is much longer than ten characters");

        store.Logs.Add(request.ResourceLogs);

        Assert.Equal("a message …", store.Logs.Query(new()).Single().Message);
    }

    private static string TraceId(int trace) => $"{trace:x32}";

    private static ExportTraceServiceRequest Spans(int trace, int count)
    {
        var scope = new ScopeSpans();
        var start = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        for (var i = 1; i <= count; i++)
        {
            scope.Spans.Add(new Span
            {
                TraceId = ByteString.CopyFrom(Convert.FromHexString(TraceId(trace))),
                SpanId = ByteString.CopyFrom(Convert.FromHexString($"{i:x16}")),
                ParentSpanId = i == 1 ? ByteString.Empty : ByteString.CopyFrom(Convert.FromHexString($"{i - 1:x16}")),
                Name = $"span {i}",
                StartTimeUnixNano = start + (ulong)(trace * 1_000_000 + i * 1000),
                EndTimeUnixNano = start + (ulong)(trace * 1_000_000 + 10_000),
            });
        }
        return new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { Resource = Service(), ScopeSpans = { scope } } } };
    }

    private static ExportMetricsServiceRequest Gauge(string name, double value) => Metrics(new Metric
    {
        Name = name,
        Gauge = new Gauge { DataPoints = { new NumberDataPoint { AsDouble = value, TimeUnixNano = (ulong)value * 1_000_000_000 } } },
    });

    private static ExportMetricsServiceRequest Histogram(ulong count, ulong[] buckets) => Metrics(new Metric
    {
        Name = "http.server.request.duration",
        Unit = "s",
        Histogram = new Histogram
        {
            AggregationTemporality = AggregationTemporality.Cumulative,
            DataPoints = { new HistogramDataPoint { Count = count, ExplicitBounds = { 0.1, 1 }, BucketCounts = { buckets }, TimeUnixNano = count * 1_000_000_000 } },
        },
    });

    private static ExportMetricsServiceRequest Metrics(Metric metric) => new()
    {
        ResourceMetrics = { new ResourceMetrics { Resource = Service(), ScopeMetrics = { new ScopeMetrics { Scope = new InstrumentationScope { Name = "Tests" }, Metrics = { metric } } } } },
    };

    private static Resource Service() => new() { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "store-test" } } } };
}

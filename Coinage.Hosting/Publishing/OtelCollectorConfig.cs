using System.Globalization;
using YamlDotNet.Serialization;

namespace Coinage.Hosting.Publishing;

/// <summary>
/// The OpenTelemetry Collector that every published service sends OTLP to: metrics go to a Prometheus endpoint
/// (scraped like the services), logs and traces to Elasticsearch data streams when the model has one
/// (<see cref="LogStorage"/>), else to the collector's own log. Exporters and pipelines are plain dictionaries, so
/// another exporter is one more entry.
/// </summary>
internal static class OtelCollectorConfig
{
    public const int GrpcPort = 4317;
    public const int HttpPort = 4318;
    public const int MetricsPort = 8889;
    public const int HealthPort = 13133;

    /// <summary>The collector's own metrics (queue, sent and failed records), on loopback: they leave through <see cref="MetricsPort"/>.</summary>
    public const int OwnMetricsPort = 8888;

    public const long UserId = 10001;

    /// <summary>The Elasticsearch server of the model, if any: it stores the logs and traces.</summary>
    public static BackingService? Elasticsearch(IEnumerable<BackingService> servers) =>
        servers.FirstOrDefault(s => s.Environment.Any(e => e.Name == ElasticPasswordVariable));

    /// <summary>The variable of the Elasticsearch image that holds the <c>elastic</c> user's password.</summary>
    public const string ElasticPasswordVariable = "ELASTIC_PASSWORD";

    /// <summary>The Secret key of the Elasticsearch password, which the collector reads from its environment.</summary>
    public static string? ElasticsearchPasswordKey(IEnumerable<BackingService> servers) => Elasticsearch(servers)?.SecretKeyOf(ElasticPasswordVariable);

    public static string Render(IReadOnlyList<BackingService> servers)
    {
        var search = Elasticsearch(servers);
        var exporters = new Dictionary<string, object>
        {
            ["prometheus"] = new Dictionary<string, object>
            {
                ["endpoint"] = $"0.0.0.0:{MetricsPort}",
                // service.name etc. as labels, so dashboards can tell the services apart.
                ["resource_to_telemetry_conversion"] = new Dictionary<string, object> { ["enabled"] = true },
            },
        };
        var processors = new Dictionary<string, object>
        {
            ["memory_limiter"] = new Dictionary<string, object> { ["check_interval"] = "1s", ["limit_percentage"] = 80, ["spike_limit_percentage"] = 25 },
            ["batch"] = new Dictionary<string, object>(),
        };
        var store = "debug";
        string[] storeProcessors = ["memory_limiter", "batch"];
        if (search is null)
        {
            exporters[store] = new Dictionary<string, object> { ["verbosity"] = "basic" };
        }
        else
        {
            store = "elasticsearch";
            exporters[store] = ElasticsearchExporter(search, ElasticsearchPasswordKey(servers)!);
            processors[DataStreamProcessor] = DataStreams();
            storeProcessors = ["memory_limiter", DataStreamProcessor, "batch"];
        }
        var config = new Dictionary<string, object>
        {
            ["receivers"] = new Dictionary<string, object>
            {
                ["otlp"] = new Dictionary<string, object>
                {
                    ["protocols"] = new Dictionary<string, object>
                    {
                        ["grpc"] = new Dictionary<string, object> { ["endpoint"] = $"0.0.0.0:{GrpcPort}" },
                        ["http"] = new Dictionary<string, object> { ["endpoint"] = $"0.0.0.0:{HttpPort}" },
                    },
                },
                // The collector's own metrics join the services' on the Prometheus endpoint: whoever scrapes the
                // collector sees otelcol_exporter_send_failed_log_records_total and the queue's size and capacity.
                [OwnMetricsReceiver] = new Dictionary<string, object>
                {
                    ["config"] = new Dictionary<string, object>
                    {
                        ["scrape_configs"] = new[]
                        {
                            new Dictionary<string, object>
                            {
                                ["job_name"] = "otel-collector",
                                ["scrape_interval"] = "15s",
                                ["static_configs"] = new[] { new Dictionary<string, object> { ["targets"] = new[] { $"127.0.0.1:{OwnMetricsPort}" } } },
                            },
                        },
                    },
                },
            },
            ["processors"] = processors,
            ["exporters"] = exporters,
            ["extensions"] = new Dictionary<string, object>
            {
                ["health_check"] = new Dictionary<string, object> { ["endpoint"] = $"0.0.0.0:{HealthPort}" },
            },
            ["service"] = new Dictionary<string, object>
            {
                ["extensions"] = new[] { "health_check" },
                ["telemetry"] = new Dictionary<string, object>
                {
                    ["metrics"] = new Dictionary<string, object>
                    {
                        ["readers"] = new[]
                        {
                            new Dictionary<string, object>
                            {
                                ["pull"] = new Dictionary<string, object>
                                {
                                    ["exporter"] = new Dictionary<string, object>
                                    {
                                        ["prometheus"] = new Dictionary<string, object> { ["host"] = "127.0.0.1", ["port"] = OwnMetricsPort },
                                    },
                                },
                            },
                        },
                    },
                },
                ["pipelines"] = new Dictionary<string, object>
                {
                    ["metrics"] = Pipeline(["otlp", OwnMetricsReceiver], ["memory_limiter", "batch"], "prometheus"),
                    ["logs"] = Pipeline(["otlp"], storeProcessors, store),
                    ["traces"] = Pipeline(["otlp"], storeProcessors, store),
                },
            },
        };
        return "# Generated from the app model by Coinage.Hosting.\n" + new SerializerBuilder().DisableAliases().Build().Serialize(config);
    }

    public const string OwnMetricsReceiver = "prometheus/collector";

    public const string DataStreamProcessor = "transform/datastreams";

    /// <summary>
    /// The <c>elasticsearch</c> exporter. Mapping mode <c>otel</c>: documents keep OpenTelemetry's own fields
    /// (<c>severity_number</c>, <c>trace_id</c>, <c>resource.attributes.service.name</c>, …, the names the Aspire
    /// dashboard shows), which Elasticsearch 9's built-in otel templates map; <c>ecs</c> would rename them into ECS and
    /// is documented as unstable. No static index: each record goes to the data stream its
    /// <c>data_stream.dataset</c> names (<see cref="DataStreams"/>). The password comes from the collector's
    /// environment, which takes it from the Secret.
    /// </summary>
    private static Dictionary<string, object> ElasticsearchExporter(BackingService search, string passwordKey) => new()
    {
        ["endpoint"] = LogStorage.ElasticsearchUrl(search),
        ["user"] = "elastic",
        ["password"] = $"${{env:{passwordKey}}}",
        ["mapping"] = new Dictionary<string, object> { ["mode"] = "otel" },
        // A slow or restarting Elasticsearch: requests wait in the queue and are retried with back-off (ten retries, about
        // five minutes) instead of being dropped; 5xx besides 429 because an unavailable server answers those, and a line
        // indexed twice beats a lost one. What still fails is counted (otelcol_exporter_send_failed_log_records_total).
        ["retry"] = new Dictionary<string, object>
        {
            ["enabled"] = true,
            ["max_retries"] = 10,
            ["initial_interval"] = "1s",
            ["max_interval"] = "1m",
            ["retry_on_status"] = new[] { 429, 500, 502, 503, 504 },
        },
        // In memory, bounded by the memory_limiter: enough for minutes of Coinage's logs while Elasticsearch is away.
        // A full queue refuses new data (otelcol_exporter_enqueue_failed_log_records_total) rather than block the services.
        ["sending_queue"] = new Dictionary<string, object>
        {
            ["enabled"] = true,
            ["sizer"] = "requests",
            ["queue_size"] = 5000,
            ["num_consumers"] = 10,
        },
    };

    /// <summary>
    /// Routes each service to data streams of its own, <c>logs-coinage.apiservice.otel-default</c>, so a lifecycle or
    /// a search can take one service, and the index template <c>logs-coinage.*-*</c> takes all of Coinage's.
    /// </summary>
    private static Dictionary<string, object> DataStreams()
    {
        var statements = new[]
        {
            new Dictionary<string, object>
            {
                ["context"] = "resource",
                ["statements"] = new[]
                {
                    $"set(attributes[\"data_stream.dataset\"], Concat([\"{LogStorage.DatasetPrefix}\", attributes[\"service.name\"]], \".\")) where attributes[\"service.name\"] != nil",
                },
            },
        };
        return new Dictionary<string, object>
        {
            ["error_mode"] = "ignore",
            ["log_statements"] = statements,
            ["trace_statements"] = statements,
        };
    }

    private static Dictionary<string, object> Pipeline(string[] receivers, string[] processors, string exporter) => new()
    {
        ["receivers"] = receivers,
        ["processors"] = processors,
        ["exporters"] = new[] { exporter },
    };
}

using System.Globalization;
using YamlDotNet.Serialization;

namespace Coinage.Hosting.Publishing;

/// <summary>
/// The OpenTelemetry Collector that every published service sends OTLP to: metrics go to a
/// Prometheus endpoint (scraped like the services), logs and traces to Elasticsearch when the
/// model has one, else to the collector's own log. Exporters and pipelines are plain dictionaries, so another
/// exporter is one more entry.
/// </summary>
internal static class OtelCollectorConfig
{
    public const int GrpcPort = 4317;
    public const int HttpPort = 4318;
    public const int MetricsPort = 8889;
    public const int HealthPort = 13133;
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
        var store = "debug";
        if (search is null)
        {
            exporters[store] = new Dictionary<string, object> { ["verbosity"] = "basic" };
        }
        else
        {
            store = "elasticsearch";
            exporters[store] = new Dictionary<string, object>
            {
                ["endpoints"] = new[] { $"http://{search.Name}:{search.Resource.PublishedEndpoint("http").ContainerPort().ToString(CultureInfo.InvariantCulture)}" },
                ["user"] = "elastic",
                // Expanded by the collector from its environment, which takes it from the Secret.
                ["password"] = $"${{env:{ElasticsearchPasswordKey(servers)}}}",
                ["logs_index"] = "coinage-logs",
                ["traces_index"] = "coinage-traces",
            };
        }
        var processors = new[] { "memory_limiter", "batch" };
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
            },
            ["processors"] = new Dictionary<string, object>
            {
                ["memory_limiter"] = new Dictionary<string, object> { ["check_interval"] = "1s", ["limit_percentage"] = 80, ["spike_limit_percentage"] = 25 },
                ["batch"] = new Dictionary<string, object>(),
            },
            ["exporters"] = exporters,
            ["extensions"] = new Dictionary<string, object>
            {
                ["health_check"] = new Dictionary<string, object> { ["endpoint"] = $"0.0.0.0:{HealthPort}" },
            },
            ["service"] = new Dictionary<string, object>
            {
                ["extensions"] = new[] { "health_check" },
                ["pipelines"] = new Dictionary<string, object>
                {
                    ["metrics"] = Pipeline(processors, "prometheus"),
                    ["logs"] = Pipeline(processors, store),
                    ["traces"] = Pipeline(processors, store),
                },
            },
        };
        return "# Generated from the app model by Coinage.Hosting.\n" + new SerializerBuilder().DisableAliases().Build().Serialize(config);
    }

    private static Dictionary<string, object> Pipeline(string[] processors, string exporter) => new()
    {
        ["receivers"] = new[] { "otlp" },
        ["processors"] = processors,
        ["exporters"] = new[] { exporter },
    };
}

using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coinage.Hosting.Publishing;

/// <summary>
/// Where a deployment keeps every service's logs (and traces): the collector writes them into Elasticsearch data
/// streams <c>logs-coinage.&lt;service&gt;.otel-default</c> (<c>traces-…</c>), which the ILM policy
/// <see cref="PolicyName"/> rolls over while hot and deletes after <see cref="RetentionDays"/>; Kibana runs beside
/// Elasticsearch with a data view and two saved searches. A one-shot job (a Kubernetes Job, a Compose service)
/// applies all of it with curl, so Kubernetes and Compose get the same files. docs/deploy.md, "Logs".
/// </summary>
internal static class LogStorage
{
    // First: the static files below are built with it. Files people read (and Kibana's own export format): ">" and "'"
    // as themselves, not \u003E; still valid JSON.
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Days a log line or a span is kept: the figure docs/privacy.md states for "logs and traces" (the operations
    /// telemetry retention, like the heartbeats' <c>TelemetryRetention</c>). The ILM delete phase is this one setting;
    /// a test holds it and the privacy page together.
    /// </summary>
    public const int RetentionDays = 30;

    /// <summary>A hot index rolls over at this age (or size), so deletion works in steps of a day, not of a whole month.</summary>
    private const string RolloverAge = "1d";
    private const string RolloverSize = "10gb";

    public const string PolicyName = "coinage-logs";

    /// <summary>The collector's dataset for a service: <c>coinage.apiservice</c>; the exporter's otel mode appends <c>.otel</c>.</summary>
    public const string DatasetPrefix = "coinage";

    /// <summary>The data streams of <paramref name="type"/> (logs, traces) the collector writes: every service, every namespace.</summary>
    public static string DataStreamPattern(string type) => $"{type}-{DatasetPrefix}.*-*";

    public const string KibanaName = "kibana";
    public const int KibanaPort = 5601;

    /// <summary>The Kibana image's user.</summary>
    public const long KibanaUserId = 1000;

    /// <summary>The job that applies the lifecycle policy, the index templates and Kibana's saved objects.</summary>
    public const string SetupName = "logs-setup";

    /// <summary>The curl image's user (curl_user).</summary>
    public const long SetupUserId = 100;

    /// <summary>Where the job finds <see cref="SetupFiles"/>.</summary>
    public const string SetupDirectory = "/etc/coinage-logs";

    /// <summary>The password of Elasticsearch's built-in <c>kibana_system</c> user, which Kibana logs in with; the job sets it.</summary>
    public const string KibanaPasswordKey = "KIBANA_SYSTEM_PASSWORD";

    /// <summary>Kibana's key for encrypted saved objects (at least 32 characters).</summary>
    public const string KibanaEncryptionKey = "KIBANA_ENCRYPTION_KEY";

    public static IReadOnlyList<string> SecretKeys { get; } = [KibanaPasswordKey, KibanaEncryptionKey];

    public const string DataViewId = "coinage-logs";
    public const string ErrorsSearchId = "coinage-errors-by-service";
    public const string TraceSearchId = "coinage-by-trace-id";

    /// <summary>OpenTelemetry's severity numbers: 17–20 are ERROR, 21–24 FATAL (.NET's Error and Critical).</summary>
    public const int ErrorSeverityNumber = 17;

    public static string ElasticsearchUrl(BackingService search) =>
        $"http://{search.Name}:{search.Resource.PublishedEndpoint("http").ContainerPort().ToString(CultureInfo.InvariantCulture)}";

    public static string KibanaUrl => $"http://{KibanaName}:{KibanaPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The files the job reads from <see cref="SetupDirectory"/>, by name.</summary>
    public static IReadOnlyDictionary<string, string> SetupFiles { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["setup.sh"] = SetupScript(),
        ["ilm-policy.json"] = Json(LifecyclePolicy()),
        ["logs-index-template.json"] = Json(IndexTemplate("logs")),
        ["traces-index-template.json"] = Json(IndexTemplate("traces")),
        ["saved-objects.ndjson"] = SavedObjects(),
    };

    /// <summary>The job's environment: where the servers are, and the passwords from the Secret.</summary>
    public static IReadOnlyList<EnvironmentVariable> SetupEnvironment(BackingService search) =>
    [
        new("ES_URL", ElasticsearchUrl(search), []),
        new("KIBANA_URL", KibanaUrl, []),
        new("ELASTIC_PASSWORD", "", [], search.SecretKeyOf(OtelCollectorConfig.ElasticPasswordVariable)),
        new(KibanaPasswordKey, "", [], KibanaPasswordKey),
    ];

    /// <summary>Kibana's settings (the image turns <c>ELASTICSEARCH_HOSTS</c> into <c>elasticsearch.hosts</c>, and so on).</summary>
    public static IReadOnlyList<EnvironmentVariable> KibanaEnvironment(BackingService search) =>
    [
        new("ELASTICSEARCH_HOSTS", ElasticsearchUrl(search), []),
        new("ELASTICSEARCH_USERNAME", "kibana_system", []),
        new("ELASTICSEARCH_PASSWORD", "", [], KibanaPasswordKey),
        new("XPACK_ENCRYPTEDSAVEDOBJECTS_ENCRYPTIONKEY", "", [], KibanaEncryptionKey),
        new("SERVER_NAME", KibanaName, []),
        // Kibana would report usage to Elastic; the NetworkPolicies would refuse it anyway.
        new("TELEMETRY_OPTIN", "false", []),
    ];

    /// <summary>Answers 200 once Kibana serves (503 while it starts), without signing in.</summary>
    public const string KibanaReadyPath = "/login";

    public static readonly ResourceSizes KibanaSizes = new("250m", "768Mi", "1", "1536Mi");

    /// <summary>Hot: rolled over daily or at 10 GB; deleted <see cref="RetentionDays"/> after the rollover.</summary>
    public static JsonObject LifecyclePolicy() => new()
    {
        ["policy"] = new JsonObject
        {
            ["_meta"] = new JsonObject
            {
                ["description"] = $"Coinage's logs and traces: deleted after {RetentionDays} days, as docs/privacy.md states.",
                ["managed_by"] = "Coinage.Hosting publishers",
            },
            ["phases"] = new JsonObject
            {
                ["hot"] = new JsonObject
                {
                    ["min_age"] = "0ms",
                    ["actions"] = new JsonObject
                    {
                        ["rollover"] = new JsonObject { ["max_age"] = RolloverAge, ["max_primary_shard_size"] = RolloverSize },
                    },
                },
                ["delete"] = new JsonObject
                {
                    ["min_age"] = $"{RetentionDays.ToString(CultureInfo.InvariantCulture)}d",
                    ["actions"] = new JsonObject { ["delete"] = new JsonObject() },
                },
            },
        },
    };

    /// <summary>
    /// The index template of Coinage's data streams of <paramref name="type"/>: the same component templates as
    /// Elasticsearch's own <c>logs-otel@template</c> (the otel mapping mode's fields: <c>service.name</c>,
    /// <c>severity_number</c>, <c>trace_id</c>, …) with our lifecycle policy, at a priority above the built-in one
    /// (120) so that it wins for our streams and leaves everything else alone. A component template that an older
    /// server lacks is skipped rather than failing the request.
    /// </summary>
    public static JsonObject IndexTemplate(string type)
    {
        string[] components = [$"{type}@mappings", $"{type}@settings", "otel@mappings", $"{type}-otel@mappings", "semconv-resource-to-ecs@mappings", $"{type}@custom", $"{type}-otel@custom", "ecs@mappings"];
        return new()
        {
            ["index_patterns"] = new JsonArray(DataStreamPattern(type)),
            ["data_stream"] = new JsonObject(),
            ["priority"] = 500,
            ["composed_of"] = new JsonArray([.. components.Select(c => (JsonNode)c)]),
            ["ignore_missing_component_templates"] = new JsonArray([.. components.Select(c => (JsonNode)c)]),
            ["template"] = new JsonObject
            {
                ["settings"] = new JsonObject { ["index.lifecycle.name"] = PolicyName },
            },
            ["_meta"] = new JsonObject { ["description"] = $"Coinage's {type}: the otel mapping, deleted by the ILM policy {PolicyName}." },
        };
    }

    /// <summary>
    /// Kibana's saved objects, one JSON object a line as <c>_import</c> takes them: the data view over <c>logs-*</c>,
    /// "Errors by service" (severity ERROR and above, the histogram split by <c>service.name</c>) and "By trace id"
    /// (every line of one request across the services, oldest first; the operator puts the id in the query). Fixed ids
    /// and <c>overwrite=true</c> make a second import replace the first.
    /// </summary>
    public static string SavedObjects()
    {
        var lines = new[]
        {
            new JsonObject
            {
                ["type"] = "index-pattern",
                ["id"] = DataViewId,
                ["attributes"] = new JsonObject { ["title"] = "logs-*", ["name"] = "Coinage logs", ["timeFieldName"] = "@timestamp" },
                ["references"] = new JsonArray(),
                ["coreMigrationVersion"] = "8.8.0",
                ["typeMigrationVersion"] = "8.0.0",
            },
            Search(ErrorsSearchId, "Errors by service",
                "Log lines of severity ERROR or FATAL (severity_number 17 and above), the histogram split by service. Filter a service with service.name.",
                $"severity_number >= {ErrorSeverityNumber.ToString(CultureInfo.InvariantCulture)}",
                columns: ["service.name", "severity_text", "body.text", "trace_id"], sortDirection: "desc", breakdownField: "service.name"),
            Search(TraceSearchId, "By trace id",
                "Every log line of one trace, oldest first: replace * with the trace id (the TraceId of a console line, a span in the trace view, the traceparent of a request).",
                "trace_id : *",
                columns: ["service.name", "severity_text", "body.text", "span_id"], sortDirection: "asc", breakdownField: null),
        };
        return string.Concat(lines.Select(l => l.ToJsonString(Compact) + "\n"));
    }

    private static JsonObject Search(string id, string title, string description, string query, string[] columns, string sortDirection, string? breakdownField)
    {
        const string IndexReference = "kibanaSavedObjectMeta.searchSourceJSON.index";
        var searchSource = new JsonObject
        {
            ["query"] = new JsonObject { ["query"] = query, ["language"] = "kuery" },
            ["filter"] = new JsonArray(),
            ["indexRefName"] = IndexReference,
        };
        var attributes = new JsonObject
        {
            ["title"] = title,
            ["description"] = description,
            ["columns"] = new JsonArray([.. columns.Select(c => (JsonNode)c)]),
            ["sort"] = new JsonArray(new JsonArray("@timestamp", sortDirection)),
            ["kibanaSavedObjectMeta"] = new JsonObject { ["searchSourceJSON"] = searchSource.ToJsonString(Compact) },
        };
        if (breakdownField is not null)
        {
            attributes["breakdownField"] = breakdownField;
        }
        return new JsonObject
        {
            ["type"] = "search",
            ["id"] = id,
            ["attributes"] = attributes,
            ["references"] = new JsonArray(new JsonObject { ["name"] = IndexReference, ["type"] = "index-pattern", ["id"] = DataViewId }),
            ["coreMigrationVersion"] = "8.8.0",
            ["typeMigrationVersion"] = "8.0.0",
        };
    }

    /// <summary>The index setting that puts an index under the policy.</summary>
    private static string PolicySetting => new JsonObject { ["index"] = new JsonObject { ["lifecycle"] = new JsonObject { ["name"] = PolicyName } } }.ToJsonString(Compact);

    private static string Json(JsonNode node) => node.ToJsonString(new JsonSerializerOptions(Compact) { WriteIndented = true }) + "\n";

    /// <summary>
    /// The job: waits until Elasticsearch answers, sets kibana_system's password, PUTs the lifecycle policy and the
    /// index templates, puts streams that already exist under the policy, waits until Kibana answers, imports the
    /// saved objects. Every step replaces what it names, so
    /// it runs again safely (each deploy may run it). Passwords go through a curl config file, not the command line.
    /// </summary>
    private static string SetupScript() => $$"""
        #!/bin/sh
        # Generated from the app model by Coinage.Hosting (LogStorage.cs): change the publisher, not this file.
        # Applies the log storage of a deployment to Elasticsearch and Kibana; safe to run again.
        set -eu
        dir=$(dirname "$0")
        umask 077
        auth=$(mktemp)
        trap 'rm -f "$auth"' EXIT
        printf 'user = "elastic:%s"\n' "$ELASTIC_PASSWORD" > "$auth"

        # Retried: refused connections and transient answers (408, 429, 5xx); a 4xx is a mistake and fails at once.
        call() { curl -fsS --config "$auth" --retry 5 --retry-connrefused --retry-delay 5 "$@"; }

        # A fresh server needs a minute or two; give up (and let the job be retried) after ten.
        wait_for() {
          name=$1; shift; tries=0
          until curl -fsS -o /dev/null --config "$auth" --max-time 10 "$@"; do
            tries=$((tries + 1))
            [ "$tries" -lt 120 ] || { echo "$name did not answer in 10 minutes" >&2; exit 1; }
            echo "waiting for $name"; sleep 5
          done
        }

        wait_for Elasticsearch "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=5s"
        printf '{"password":"%s"}' "$KIBANA_SYSTEM_PASSWORD" | call -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @- "$ES_URL/_security/user/kibana_system/_password"
        echo "kibana_system password set"
        call -o /dev/null -X PUT -H 'Content-Type: application/json' --data-binary "@$dir/ilm-policy.json" "$ES_URL/_ilm/policy/{{PolicyName}}"
        echo "ILM policy {{PolicyName}}: hot, deleted after {{RetentionDays}} days"
        for type in logs traces; do
          call -o /dev/null -X PUT -H 'Content-Type: application/json' --data-binary "@$dir/$type-index-template.json" "$ES_URL/_index_template/coinage-$type"
          echo "index template coinage-$type"
        done
        # Streams the collector created before the templates existed (it may start first) get the policy as well;
        # their next backing index takes it from the template.
        call -o /dev/null -X PUT -H 'Content-Type: application/json' --data-binary '{{PolicySetting}}' "$ES_URL/{{DataStreamPattern("logs")}},{{DataStreamPattern("traces")}}/_settings?allow_no_indices=true&expand_wildcards=all"
        echo "existing Coinage data streams under {{PolicyName}}"

        wait_for Kibana "$KIBANA_URL/api/status"
        result=$(call -X POST -H 'kbn-xsrf: true' --form "file=@$dir/saved-objects.ndjson" "$KIBANA_URL/api/saved_objects/_import?overwrite=true")
        case "$result" in
          *'"success":true'*) echo "Kibana saved objects imported" ;;
          *) echo "Kibana refused the saved objects: $result" >&2; exit 1 ;;
        esac
        """ + "\n";
}

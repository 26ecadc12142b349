using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using Coinage.Hosting.Publishing;
using Coinage.Hosting.Publishing.Compose;
using Coinage.Hosting.Publishing.Kubernetes;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Coinage.Hosting.Tests.Publishing;

/// <summary>
/// Issue 24, item 4: in both deployments every service's logs reach Elasticsearch through the collector, into data
/// streams under a lifecycle that deletes them after the retention docs/privacy.md states, with Kibana beside it and
/// its saved searches. Checked on the rendered output: <c>kubectl kustomize</c> of every kustomization, and the
/// Compose files.
/// </summary>
[Collection(nameof(PublishedCoinage))]
public partial class LogStorageTests(PublishedCoinage published)
{
    public static TheoryData<string> Kustomizations => [.. PublishedCoinage.Kustomizations];

    /// <summary>The files of the log storage as each deployment ships them: "compose", or a kustomization's ConfigMaps.</summary>
    public static TheoryData<string> Deployments => ["compose", .. PublishedCoinage.Kustomizations];

    private IReadOnlyDictionary<string, string> SetupFiles(string deployment)
    {
        if (deployment == "compose")
        {
            var directory = Path.Combine(published.ComposeDirectory, LogStorage.SetupName);
            return Directory.GetFiles(directory).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        }
        return ConfigMap(deployment, Logging.SetupConfigMapName).Data.AsReadOnly();
    }

    private string CollectorConfig(string deployment) => deployment == "compose"
        ? File.ReadAllText(Path.Combine(published.ComposeDirectory, ComposePublisher.CollectorName, "config.yaml"))
        : ConfigMap(deployment, Telemetry.ConfigMapName).Data["config.yaml"];

    /// <summary>A generated ConfigMap: kustomize appends a hash of its content to the name.</summary>
    private V1ConfigMap ConfigMap(string kustomization, string name) =>
        Assert.Single(published.Objects(kustomization).OfType<V1ConfigMap>(), m => Regex.IsMatch(m.Metadata.Name, $"^{Regex.Escape(name)}-[a-z0-9]{{10}}$"));

    private static YamlMappingNode Yaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (current, key) => ((YamlMappingNode)current).Children.TryGetValue(new YamlScalarNode(key), out var child)
            ? child
            : throw new KeyNotFoundException($"no '{key}' in {current}"));

    private static string Scalar(YamlNode node, params string[] path) => ((YamlScalarNode)At(node, path)).Value!;

    private static List<string> Sequence(YamlNode node, params string[] path) =>
        [.. ((YamlSequenceNode)At(node, path)).Children.Cast<YamlScalarNode>().Select(s => s.Value!)];

    private static bool Has(YamlNode node, string key) => ((YamlMappingNode)node).Children.ContainsKey(new YamlScalarNode(key));

    [Theory]
    [MemberData(nameof(Deployments))]
    public void The_collector_sends_every_service_s_logs_and_traces_to_elasticsearch_with_the_password_from_its_environment(string deployment)
    {
        var config = Yaml(CollectorConfig(deployment));
        var exporter = At(config, "exporters", "elasticsearch");
        Assert.Equal("http://elasticsearch:9200", Scalar(exporter, "endpoint"));
        Assert.Equal("elastic", Scalar(exporter, "user"));
        Assert.Equal("${env:ELASTICSEARCH_PASSWORD}", Scalar(exporter, "password"));
        Assert.Equal("otel", Scalar(exporter, "mapping", "mode"));
        // No static index: each record goes to the data stream of its dataset.
        Assert.False(Has(exporter, "logs_index") || Has(exporter, "traces_index") || Has(exporter, "index"));
        // A slow Elasticsearch: queued and retried, not dropped.
        Assert.Equal("true", Scalar(exporter, "sending_queue", "enabled"));
        Assert.True(int.Parse(Scalar(exporter, "sending_queue", "queue_size"), System.Globalization.CultureInfo.InvariantCulture) >= 1000);
        Assert.Equal("true", Scalar(exporter, "retry", "enabled"));
        Assert.True(int.Parse(Scalar(exporter, "retry", "max_retries"), System.Globalization.CultureInfo.InvariantCulture) >= 5);
        Assert.Contains("503", Sequence(exporter, "retry", "retry_on_status"));

        var dataset = Assert.Single(((YamlSequenceNode)At(config, "processors", OtelCollectorConfig.DataStreamProcessor, "log_statements")).Children
            .SelectMany(c => Sequence(c, "statements")));
        Assert.Contains("attributes[\"data_stream.dataset\"]", dataset, StringComparison.Ordinal);
        Assert.Contains("attributes[\"service.name\"]", dataset, StringComparison.Ordinal);
        foreach (var signal in new[] { "logs", "traces" })
        {
            var pipeline = At(config, "service", "pipelines", signal);
            Assert.Equal(["otlp"], Sequence(pipeline, "receivers"));
            Assert.Equal(["elasticsearch"], Sequence(pipeline, "exporters"));
            Assert.Contains(OtelCollectorConfig.DataStreamProcessor, Sequence(pipeline, "processors"));
        }
        // Ops see drops: the collector's own metrics go out with the services' on the Prometheus endpoint.
        Assert.Contains(OtelCollectorConfig.OwnMetricsReceiver, Sequence(config, "service", "pipelines", "metrics", "receivers"));
        Assert.Contains("127.0.0.1:8888", CollectorConfig(deployment), StringComparison.Ordinal);

        // The password reaches the collector from the Secret (Kubernetes) or .env (Compose), never written out.
        if (deployment == "compose")
        {
            var collector = At(ComposeServices(), ComposePublisher.CollectorName);
            Assert.Equal("${ELASTICSEARCH_PASSWORD:?set ELASTICSEARCH_PASSWORD in .env}", Scalar(collector, "environment", "ELASTICSEARCH_PASSWORD"));
        }
        else
        {
            var container = Manifests.Workload(published.Objects(deployment), KubernetesModel.CollectorName).Template.Spec.Containers.Single();
            var password = Assert.Single(container.Env, e => e.Name == "ELASTICSEARCH_PASSWORD");
            Assert.Null(password.Value);
            Assert.Equal("ELASTICSEARCH_PASSWORD", password.ValueFrom.SecretKeyRef.Key);
            Assert.StartsWith(KubernetesModel.SecretName, password.ValueFrom.SecretKeyRef.Name, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Deployments))]
    public void The_lifecycle_policy_deletes_logs_after_the_retention_the_privacy_policy_states(string deployment)
    {
        var days = PrivacyPolicyLogRetentionDays();
        using var policy = JsonDocument.Parse(SetupFiles(deployment)["ilm-policy.json"]);
        var phases = policy.RootElement.GetProperty("policy").GetProperty("phases");
        Assert.Equal($"{days}d", phases.GetProperty("delete").GetProperty("min_age").GetString());
        Assert.True(phases.GetProperty("delete").GetProperty("actions").TryGetProperty("delete", out _));
        var rollover = phases.GetProperty("hot").GetProperty("actions").GetProperty("rollover");
        Assert.Equal("1d", rollover.GetProperty("max_age").GetString());
        Assert.Equal(["delete", "hot"], phases.EnumerateObject().Select(p => p.Name).Order());
    }

    /// <summary>The figure of the "logs and traces" row of docs/privacy.md's table of what is kept for how long.</summary>
    private static int PrivacyPolicyLogRetentionDays()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Coinage.sln")))
        {
            directory = directory.Parent;
        }
        Assert.NotNull(directory);
        var row = Assert.Single(File.ReadAllLines(Path.Combine(directory.FullName, "docs", "privacy.md")), l => l.StartsWith("| logs and traces |", StringComparison.Ordinal));
        var kept = row.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[2];
        return int.Parse(Assert.Single(DaysRegex().Matches(kept)).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"(\d+) days")]
    private static partial Regex DaysRegex();

    [Theory]
    [MemberData(nameof(Deployments))]
    public void The_index_templates_put_every_service_s_data_streams_under_the_policy(string deployment)
    {
        var files = SetupFiles(deployment);
        foreach (var type in new[] { "logs", "traces" })
        {
            using var template = JsonDocument.Parse(files[$"{type}-index-template.json"]);
            var root = template.RootElement;
            var pattern = Assert.Single(root.GetProperty("index_patterns").EnumerateArray()).GetString()!;
            // The streams the collector writes: dataset coinage.<service> (otel mode appends .otel), namespace "default".
            foreach (var project in published.Model.OfType<ProjectResource>())
            {
                Assert.Matches("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal) + "$", $"{type}-coinage.{project.Name}.otel-default");
            }
            Assert.DoesNotMatch("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal) + "$", $"{type}-generic.otel-default");
            Assert.Equal(JsonValueKind.Object, root.GetProperty("data_stream").ValueKind);
            // Above Elasticsearch's own logs-otel@template (120), which would otherwise take these streams.
            Assert.True(root.GetProperty("priority").GetInt32() > 120);
            Assert.Equal(LogStorage.PolicyName, root.GetProperty("template").GetProperty("settings").GetProperty("index.lifecycle.name").GetString());
            var components = root.GetProperty("composed_of").EnumerateArray().Select(c => c.GetString()).ToList();
            Assert.Contains("otel@mappings", components);
            Assert.Contains($"{type}-otel@mappings", components);
        }

        // The job applies them (and the policy, and Kibana's objects) with the names the templates refer to.
        var script = files["setup.sh"];
        Assert.Contains($"$ES_URL/_ilm/policy/{LogStorage.PolicyName}", script, StringComparison.Ordinal);
        Assert.Contains("$ES_URL/_index_template/coinage-$type", script, StringComparison.Ordinal);
        // Streams written before the templates existed are put under the policy too.
        Assert.Contains("$ES_URL/logs-coinage.*-*,traces-coinage.*-*/_settings", script, StringComparison.Ordinal);
        Assert.Contains($"{{\"index\":{{\"lifecycle\":{{\"name\":\"{LogStorage.PolicyName}\"}}}}}}", script, StringComparison.Ordinal);
        Assert.Contains("$ES_URL/_security/user/kibana_system/_password", script, StringComparison.Ordinal);
        Assert.Contains("$KIBANA_URL/api/saved_objects/_import?overwrite=true", script, StringComparison.Ordinal);
        Assert.Contains("--form \"file=@$dir/saved-objects.ndjson\"", script, StringComparison.Ordinal);
        Assert.DoesNotContain("-u ", script, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Deployments))]
    public void Kibana_has_a_data_view_of_the_logs_and_the_saved_searches_errors_by_service_and_by_trace_id(string deployment)
    {
        var objects = SetupFiles(deployment)["saved-objects.ndjson"].Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToList();
        var dataView = Assert.Single(objects, o => o.GetProperty("type").GetString() == "index-pattern");
        Assert.Equal("logs-*", dataView.GetProperty("attributes").GetProperty("title").GetString());
        Assert.Equal("@timestamp", dataView.GetProperty("attributes").GetProperty("timeFieldName").GetString());

        var searches = objects.Where(o => o.GetProperty("type").GetString() == "search")
            .ToDictionary(o => o.GetProperty("attributes").GetProperty("title").GetString()!);
        Assert.Equal(["By trace id", "Errors by service"], searches.Keys.Order());
        foreach (var search in searches.Values)
        {
            // Each search reads the data view above, through the reference Kibana resolves on import.
            var reference = Assert.Single(search.GetProperty("references").EnumerateArray());
            Assert.Equal(dataView.GetProperty("id").GetString(), reference.GetProperty("id").GetString());
            using var source = JsonDocument.Parse(search.GetProperty("attributes").GetProperty("kibanaSavedObjectMeta").GetProperty("searchSourceJSON").GetString()!);
            Assert.Equal(reference.GetProperty("name").GetString(), source.RootElement.GetProperty("indexRefName").GetString());
            Assert.Equal("kuery", source.RootElement.GetProperty("query").GetProperty("language").GetString());
            Assert.Contains("service.name", search.GetProperty("attributes").GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        }

        string Query(string title)
        {
            using var source = JsonDocument.Parse(searches[title].GetProperty("attributes").GetProperty("kibanaSavedObjectMeta").GetProperty("searchSourceJSON").GetString()!);
            return source.RootElement.GetProperty("query").GetProperty("query").GetString()!;
        }
        // ERROR is severity 17 in OpenTelemetry (.NET's LogLevel.Error), FATAL 21 (Critical).
        Assert.Equal("severity_number >= 17", Query("Errors by service"));
        Assert.Equal("service.name", searches["Errors by service"].GetProperty("attributes").GetProperty("breakdownField").GetString());
        Assert.StartsWith("trace_id : ", Query("By trace id"), StringComparison.Ordinal);
        Assert.Equal("asc", searches["By trace id"].GetProperty("attributes").GetProperty("sort")[0][1].GetString());
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Kibana_runs_beside_elasticsearch_in_its_version_reachable_only_inside_the_cluster(string kustomization)
    {
        var objects = published.Objects(kustomization);
        var search = Manifests.Workload(objects, "elasticsearch").Template.Spec.Containers.Single();
        var kibana = Manifests.Workload(objects, LogStorage.KibanaName);
        var container = kibana.Template.Spec.Containers.Single();
        Assert.Equal("docker.elastic.co/kibana/kibana:" + search.Image.Split(':')[^1], container.Image);
        Assert.Equal("http://elasticsearch:9200", Assert.Single(container.Env, e => e.Name == "ELASTICSEARCH_HOSTS").Value);
        Assert.Equal("kibana_system", Assert.Single(container.Env, e => e.Name == "ELASTICSEARCH_USERNAME").Value);
        foreach (var (variable, key) in new[] { ("ELASTICSEARCH_PASSWORD", LogStorage.KibanaPasswordKey), ("XPACK_ENCRYPTEDSAVEDOBJECTS_ENCRYPTIONKEY", LogStorage.KibanaEncryptionKey) })
        {
            var reference = Assert.Single(container.Env, e => e.Name == variable).ValueFrom.SecretKeyRef;
            Assert.Equal(key, reference.Key);
            Assert.StartsWith(KubernetesModel.SecretName, reference.Name, StringComparison.Ordinal);
        }
        Assert.Equal(LogStorage.KibanaReadyPath, container.ReadinessProbe.HttpGet.Path);

        // Not exposed: a ClusterIP Service, no Ingress, and no NetworkPolicy admits the Ingress controller.
        var service = Assert.Single(objects.OfType<V1Service>(), s => s.Metadata.Name == LogStorage.KibanaName);
        Assert.True(service.Spec.Type is null or "ClusterIP");
        Assert.DoesNotContain(objects.OfType<V1Ingress>(), i => i.Spec.Rules.Any(r => r.Http.Paths.Any(p => p.Backend.Service.Name == LogStorage.KibanaName)));
        var policies = objects.OfType<V1NetworkPolicy>().ToList();
        Assert.False(Manifests.AllowsFromNamespace(policies, KubernetesModel.IngressNamespace, kibana, LogStorage.KibanaPort));

        var setup = Manifests.Workload(objects, LogStorage.SetupName);
        var job = Assert.Single(objects.OfType<V1Job>());
        Assert.Equal(LogStorage.SetupName, job.Metadata.Name);
        Assert.NotNull(job.Spec.TtlSecondsAfterFinished);
        var curl = setup.Template.Spec.Containers.Single();
        Assert.Equal(ContainerImages.Curl, curl.Image);
        Assert.Matches(@"^curlimages/curl:\d+\.\d+\.\d+$", curl.Image);
        Assert.Equal(["sh", "/etc/coinage-logs/setup.sh"], curl.Command);
        Assert.Equal("ELASTICSEARCH_PASSWORD", Assert.Single(curl.Env, e => e.Name == "ELASTIC_PASSWORD").ValueFrom.SecretKeyRef.Key);
        Assert.Equal(LogStorage.KibanaPasswordKey, Assert.Single(curl.Env, e => e.Name == LogStorage.KibanaPasswordKey).ValueFrom.SecretKeyRef.Key);
        var mounted = setup.Template.Spec.Volumes.Single(v => v.Name == "setup").ConfigMap.Name;
        Assert.Equal(ConfigMap(kustomization, Logging.SetupConfigMapName).Metadata.Name, mounted);

        // The job reaches Elasticsearch and Kibana; Kibana reaches Elasticsearch.
        var elasticsearch = Manifests.Workload(objects, "elasticsearch");
        Assert.True(Manifests.Allows(policies, kibana, elasticsearch, 9200));
        Assert.True(Manifests.Allows(policies, setup, elasticsearch, 9200));
        Assert.True(Manifests.Allows(policies, setup, kibana, LogStorage.KibanaPort));
    }

    private YamlMappingNode ComposeServices() =>
        (YamlMappingNode)At(Yaml(File.ReadAllText(Path.Combine(published.ComposeDirectory, ComposePublisher.FileName))), "services");

    [Fact]
    public void Compose_runs_kibana_on_loopback_and_the_setup_once_elasticsearch_is_healthy()
    {
        var services = ComposeServices();
        var search = Scalar(services, "elasticsearch", "image");
        var kibana = At(services, LogStorage.KibanaName);
        Assert.Equal("docker.elastic.co/kibana/kibana:" + search.Split(':')[^1], Scalar(kibana, "image"));
        Assert.All(Sequence(kibana, "ports"), p => Assert.StartsWith("127.0.0.1:", p, StringComparison.Ordinal));
        Assert.Equal("${KIBANA_SYSTEM_PASSWORD:?set KIBANA_SYSTEM_PASSWORD in .env}", Scalar(kibana, "environment", "ELASTICSEARCH_PASSWORD"));
        Assert.Equal("service_healthy", Scalar(kibana, "depends_on", "elasticsearch", "condition"));
        Assert.Equal("true", Scalar(kibana, "read_only"));

        var setup = At(services, LogStorage.SetupName);
        Assert.Equal(ContainerImages.Curl, Scalar(setup, "image"));
        Assert.Equal("service_healthy", Scalar(setup, "depends_on", "elasticsearch", "condition"));
        Assert.Equal("on-failure", Scalar(setup, "restart"));
        Assert.Equal("${ELASTICSEARCH_PASSWORD:?set ELASTICSEARCH_PASSWORD in .env}", Scalar(setup, "environment", "ELASTIC_PASSWORD"));
        Assert.Contains($"./{LogStorage.SetupName}:{LogStorage.SetupDirectory}:ro", Sequence(setup, "volumes"));

        var example = File.ReadAllLines(Path.Combine(published.ComposeDirectory, ".env.example"));
        Assert.Contains($"{LogStorage.KibanaPasswordKey}=", example);
        Assert.Contains($"{LogStorage.KibanaEncryptionKey}=", example);
    }
}

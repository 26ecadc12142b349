using System.Globalization;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using YamlDotNet.Serialization;

namespace Coinage.Hosting.Publishing.Compose;

/// <summary>
/// The publish step <see cref="PublishingBuilderExtensions.ComposeStep"/> (<c>./coinage publish --target compose --output DIR</c>):
/// the Aspire model as a <c>docker-compose.yaml</c> for one machine, with the same images, environment and
/// telemetry as the Kubernetes manifests. Secrets come from a git-ignored <c>.env</c> beside it (Compose
/// interpolates <c>${NAME}</c>).
/// </summary>
internal static class ComposePublisher
{
    public const string FileName = "docker-compose.yaml";
    public const string CollectorName = "otel-collector";
    private const string Header = "# Generated from the app model by `./coinage publish --target compose`: change the model, not this file.\n";

    /// <summary>Compose stops with an error naming the variable when .env lacks it.</summary>
    public static string SecretReference(string name) => $"${{{name}:?set {name} in .env}}";

    public static async Task PublishAsync(DistributedApplicationModel model, DistributedApplicationExecutionContext execution, string solutionDirectory, string outputDirectory, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, string>();
        var services = new Dictionary<string, object>();
        var volumes = new Dictionary<string, object?>();
        var secretNames = new List<string>();
        var hostPorts = new HashSet<int>();
        var servers = new List<BackingService>();
        // One machine runs everything, the SMTP sink included.
        var target = new PublishTarget(model, execution, solutionDirectory, SecretReference, IsExternal: _ => false, $"http://{CollectorName}:{OtelCollectorConfig.GrpcPort}");

        foreach (var resource in model.Resources)
        {
            switch (resource)
            {
                case ProjectResource project:
                    var environment = await PublishedEnvironment.BuildAsync(project, target, DatabaseAccess.App, cancellationToken).ConfigureAwait(false);
                    secretNames.AddRange(SecretKeys(environment));
                    var image = $"${{COINAGE_IMAGE_PREFIX:-}}{ContainerImages.Repository(project)}:${{COINAGE_VERSION:-{ContainerImages.Tag(project)}}}";
                    var dependsOn = DependsOn(project);
                    if (project.Annotations.OfType<MigrationsAnnotation>().LastOrDefault() is { } migrations)
                    {
                        // The migrator connects as the database's owner; the service, started after it, as the app role.
                        var owner = await PublishedEnvironment.BuildAsync(project, target, DatabaseAccess.Owner, cancellationToken).ConfigureAwait(false);
                        secretNames.AddRange(SecretKeys(owner));
                        services[$"{project.Name}-migrations"] = ProjectService(image, Values(owner), new(dependsOn), restart: "no", command: migrations.Args);
                        dependsOn[$"{project.Name}-migrations"] = Condition("service_completed_successfully");
                    }
                    var service = ProjectService(image, Values(environment), dependsOn, restart: "unless-stopped", command: null);
                    AddPorts(service, project, hostPorts);
                    if (project.Replicas() > 1 && !service.ContainsKey("ports"))
                    {
                        ((Dictionary<string, object>)service["deploy"])["replicas"] = project.Replicas();
                    }
                    services[project.Name] = service;
                    break;

                case var prometheus when PublishedResources.IsPrometheus(prometheus):
                    services[prometheus.Name] = await PrometheusService(prometheus, model, solutionDirectory, files, volumes, cancellationToken).ConfigureAwait(false);
                    AddPorts((Dictionary<string, object>)services[prometheus.Name], prometheus, hostPorts);
                    break;

                case var other when PublishedResources.IsDeclarationOnly(other):
                    break;

                default:
                    var server = await BackingService.ForAsync(resource, target, cancellationToken).ConfigureAwait(false)
                        ?? throw new NotSupportedException($"The Compose publisher does not know how to run '{resource.Name}' ({resource.GetType().Name}).");
                    servers.Add(server);
                    secretNames.AddRange(server.SecretKeys);
                    services[server.Name] = ServerService(server, files, volumes);
                    AddPorts((Dictionary<string, object>)services[server.Name], resource, hostPorts);
                    break;
            }
        }

        var searchPassword = OtelCollectorConfig.ElasticsearchPasswordKey(servers);
        files[$"{CollectorName}/config.yaml"] = OtelCollectorConfig.Render(servers);
        services[CollectorName] = new Dictionary<string, object>
        {
            ["image"] = ContainerImages.OtelCollector,
            ["command"] = new[] { "--config=/etc/otelcol/config.yaml" },
            ["environment"] = searchPassword is null
                ? new Dictionary<string, string>()
                : new Dictionary<string, string> { [searchPassword] = SecretReference(searchPassword) },
            ["volumes"] = new[] { $"./{CollectorName}/config.yaml:/etc/otelcol/config.yaml:ro" },
            ["read_only"] = true,
            ["cap_drop"] = new[] { "ALL" },
            ["security_opt"] = new[] { "no-new-privileges:true" },
            ["restart"] = "unless-stopped",
        };
        if (OtelCollectorConfig.Elasticsearch(servers) is { } logStore)
        {
            AddLogStorage(logStore, services, files, volumes, secretNames, hostPorts);
        }

        var compose = new Dictionary<string, object>
        {
            ["name"] = "coinage",
            ["services"] = services,
            ["volumes"] = volumes,
        };
        files[FileName] = Header + Serializer.Serialize(compose);
        files[".env.example"] =
            "# Values for docker-compose.yaml: copy to .env (git-ignored) and fill in.\n"
            + "# Registry prefix of the Coinage images (e.g. ghcr.io/acme/) and their version; empty: local images.\n"
            + "COINAGE_IMAGE_PREFIX=\nCOINAGE_VERSION=\n"
            + "# Passwords: letters and digits only, e.g. `openssl rand -hex 24`.\n"
            + string.Concat(secretNames.Distinct().Select(n => $"{n}=\n"));
        files[".gitignore"] = "# Secret values never go into git.\n.env\n";

        foreach (var (relativePath, content) in files)
        {
            var path = Path.Combine(outputDirectory, relativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, content, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Kibana beside Elasticsearch, on loopback only (ops reach it through an SSH tunnel and sign in), and the one-shot
    /// <c>logs-setup</c> that applies the lifecycle policy, the index templates and Kibana's saved objects
    /// (<see cref="LogStorage"/>, the same files as the Kubernetes Job).
    /// </summary>
    private static void AddLogStorage(BackingService search, Dictionary<string, object> services, Dictionary<string, string> files, Dictionary<string, object?> volumes, List<string> secretNames, HashSet<int> hostPorts)
    {
        foreach (var (name, content) in LogStorage.SetupFiles)
        {
            files[$"{LogStorage.SetupName}/{name}"] = content;
        }
        secretNames.AddRange(LogStorage.SecretKeys);
        var afterSearch = new Dictionary<string, object> { [search.Name] = Condition("service_healthy") };
        var hostPort = LogStorage.KibanaPort;
        while (!hostPorts.Add(hostPort))
        {
            hostPort++;
        }
        var data = $"{LogStorage.KibanaName}-data";
        volumes[data] = null;
        services[LogStorage.KibanaName] = new Dictionary<string, object>
        {
            ["image"] = ContainerImages.Kibana(search.Image),
            ["environment"] = Values(LogStorage.KibanaEnvironment(search)),
            ["depends_on"] = afterSearch,
            ["ports"] = new[] { $"127.0.0.1:{hostPort}:{LogStorage.KibanaPort}" },
            ["volumes"] = new[] { $"{data}:/usr/share/kibana/data" },
            ["healthcheck"] = new Dictionary<string, object>
            {
                ["test"] = new[] { "CMD-SHELL", $"curl -fsS -o /dev/null http://127.0.0.1:{LogStorage.KibanaPort}{LogStorage.KibanaReadyPath}" },
                ["interval"] = "10s",
                ["timeout"] = "5s",
                ["retries"] = 30,
                ["start_period"] = "30s",
            },
            ["read_only"] = true,
            ["tmpfs"] = new[] { "/tmp" },
            ["cap_drop"] = new[] { "ALL" },
            ["security_opt"] = new[] { "no-new-privileges:true" },
            ["restart"] = "unless-stopped",
            ["deploy"] = new Dictionary<string, object>
            {
                ["resources"] = new Dictionary<string, object> { ["limits"] = new Dictionary<string, object> { ["cpus"] = Cpus(LogStorage.KibanaSizes.CpuLimit), ["memory"] = LogStorage.KibanaSizes.MemoryLimit.Replace("i", "", StringComparison.Ordinal) } },
            },
        };
        services[LogStorage.SetupName] = new Dictionary<string, object>
        {
            ["image"] = ContainerImages.Curl,
            ["command"] = new[] { "sh", $"{LogStorage.SetupDirectory}/setup.sh" },
            ["environment"] = Values(LogStorage.SetupEnvironment(search)),
            // Not on Kibana: Kibana becomes healthy only once this job has set its password. The script waits for it.
            ["depends_on"] = afterSearch,
            ["volumes"] = new[] { $"./{LogStorage.SetupName}:{LogStorage.SetupDirectory}:ro" },
            ["read_only"] = true,
            ["tmpfs"] = new[] { "/tmp" },
            ["cap_drop"] = new[] { "ALL" },
            ["security_opt"] = new[] { "no-new-privileges:true" },
            // Runs on every `docker compose up` (it is idempotent); a run that gave up waiting is started again.
            ["restart"] = "on-failure",
        };
    }

    private static ISerializer Serializer { get; } = new SerializerBuilder().WithQuotingNecessaryStrings(quoteYaml1_1Strings: true).DisableAliases().Build();

    private static Dictionary<string, object> Condition(string condition) => new() { ["condition"] = condition };

    private static IEnumerable<string> SecretKeys(IEnumerable<EnvironmentVariable> environment) =>
        environment.SelectMany(v => v.WholeSecretKey is { } key ? [key] : v.Secrets);

    /// <summary>Compose interpolates <c>${KEY}</c> anywhere in a value: a whole secret is just its reference.</summary>
    private static Dictionary<string, string> Values(IEnumerable<EnvironmentVariable> environment) =>
        environment.ToDictionary(v => v.Name, v => v.WholeSecretKey is { } key ? SecretReference(key) : v.Value);

    /// <summary>WaitFor as Compose conditions: a server must be healthy; a project (no shell for a health check in a chiseled image) started.</summary>
    private static Dictionary<string, object> DependsOn(IResource resource) =>
        resource.WaitsFor().Select(r => r.ProcessOwner()).Distinct()
            .ToDictionary(r => r.Name, r => (object)Condition(r is ProjectResource ? "service_started" : "service_healthy"));

    private static Dictionary<string, object> ProjectService(string image, Dictionary<string, string> environment, Dictionary<string, object> dependsOn, string restart, IReadOnlyList<string>? command)
    {
        var service = new Dictionary<string, object> { ["image"] = image };
        if (command is not null)
        {
            service["command"] = command;
        }
        service["environment"] = environment;
        if (dependsOn.Count > 0)
        {
            service["depends_on"] = dependsOn;
        }
        // The same hardening as the Kubernetes pods.
        service["user"] = ContainerImages.ProjectUserId.ToString(CultureInfo.InvariantCulture);
        service["read_only"] = true;
        service["tmpfs"] = new[] { "/tmp" };
        service["cap_drop"] = new[] { "ALL" };
        service["security_opt"] = new[] { "no-new-privileges:true" };
        service["stop_grace_period"] = "45s";
        service["restart"] = restart;
        service["deploy"] = new Dictionary<string, object>
        {
            ["resources"] = new Dictionary<string, object> { ["limits"] = new Dictionary<string, object> { ["cpus"] = "1", ["memory"] = "512M" } },
        };
        return service;
    }

    private static Dictionary<string, object> ServerService(BackingService server, Dictionary<string, string> files, Dictionary<string, object?> volumes)
    {
        var environment = Values(server.Environment);
        var service = new Dictionary<string, object> { ["image"] = server.Image };
        if (server.Arguments.Count > 0)
        {
            service["command"] = server.Arguments;
        }
        service["environment"] = environment;
        var mounts = new List<string>();
        if (server.DataPath is not null)
        {
            volumes[$"{server.Name}-data"] = null;
            mounts.Add($"{server.Name}-data:{server.DataPath}");
        }
        if (server.InitDirectory is not null && server.InitFiles is { Count: > 0 })
        {
            foreach (var (name, content) in server.InitFiles)
            {
                files[$"{server.Name}/init/{name}"] = content;
            }
            mounts.Add($"./{server.Name}/init:{server.InitDirectory}:ro");
        }
        if (mounts.Count > 0)
        {
            service["volumes"] = mounts;
        }
        service["healthcheck"] = new Dictionary<string, object>
        {
            // $$: a literal $ for the shell, not a Compose variable.
            ["test"] = new[] { "CMD-SHELL", server.ReadyCommand.Replace("$", "$$", StringComparison.Ordinal) },
            ["interval"] = "5s",
            ["timeout"] = "5s",
            ["retries"] = 30,
            ["start_period"] = "10s",
        };
        service["security_opt"] = new[] { "no-new-privileges:true" };
        service["restart"] = "unless-stopped";
        service["deploy"] = new Dictionary<string, object>
        {
            ["resources"] = new Dictionary<string, object> { ["limits"] = new Dictionary<string, object> { ["cpus"] = Cpus(server.Sizes.CpuLimit), ["memory"] = server.Sizes.MemoryLimit.Replace("i", "", StringComparison.Ordinal) } },
        };
        return service;
    }

    /// <summary>Kubernetes CPU quantities ("500m", "2") as Compose's decimal cpus ("0.5", "2").</summary>
    private static string Cpus(string quantity) => quantity.EndsWith('m')
        ? (decimal.Parse(quantity[..^1], CultureInfo.InvariantCulture) / 1000m).ToString(CultureInfo.InvariantCulture)
        : quantity;

    private static async Task<Dictionary<string, object>> PrometheusService(IResource prometheus, DistributedApplicationModel model, string solutionDirectory, Dictionary<string, string> files, Dictionary<string, object?> volumes, CancellationToken cancellationToken)
    {
        var ruleFiles = PublishedResources.RuleFiles(prometheus, solutionDirectory).ToList();
        files["prometheus/prometheus.yml"] = PrometheusConfig(model, ruleFiles);
        foreach (var ruleFile in ruleFiles)
        {
            files[$"prometheus/rules/{Path.GetFileName(ruleFile)}"] = await File.ReadAllTextAsync(ruleFile, cancellationToken).ConfigureAwait(false);
        }
        volumes[$"{prometheus.Name}-data"] = null;
        var port = prometheus.PublishedEndpoint("http").ContainerPort();
        return new Dictionary<string, object>
        {
            ["image"] = prometheus.Image(),
            ["command"] = new[] { "--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", $"--web.listen-address=:{port}" },
            ["volumes"] = new[] { "./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro", "./prometheus/rules:/etc/prometheus/rules:ro", $"{prometheus.Name}-data:/prometheus" },
            ["healthcheck"] = new Dictionary<string, object>
            {
                ["test"] = new[] { "CMD-SHELL", $"wget -q -O /dev/null http://127.0.0.1:{port}/-/ready" },
                ["interval"] = "10s",
                ["retries"] = 10,
            },
            ["security_opt"] = new[] { "no-new-privileges:true" },
            ["restart"] = "unless-stopped",
        };
    }

    /// <summary>
    /// The scrape configuration inside the Compose network: every project that serves metrics
    /// (<see cref="MetricsEndpointAnnotation"/>) by its service name, and the collector.
    /// </summary>
    private static string PrometheusConfig(DistributedApplicationModel model, IReadOnlyList<string> ruleFiles)
    {
        const string Interval = "5s";
        var writer = new StringBuilder();
        writer.Append("# Generated by Coinage.Hosting from the app model; do not edit.\n");
        writer.Append($"global:\n  scrape_interval: {Interval}\n  evaluation_interval: {Interval}\n");
        if (ruleFiles.Count > 0)
        {
            writer.Append("rule_files:\n");
            foreach (var file in ruleFiles)
            {
                writer.Append($"  - '/etc/prometheus/rules/{Path.GetFileName(file)}'\n");
            }
        }
        writer.Append("scrape_configs:\n");
        foreach (var project in model.Resources.OfType<ProjectResource>())
        {
            if (project.Annotations.OfType<MetricsEndpointAnnotation>().LastOrDefault() is not { } metrics)
            {
                continue;
            }
            var port = project.PublishedEndpoint(metrics.EndpointName).ContainerPort().ToString(CultureInfo.InvariantCulture);
            writer.Append($"  - job_name: '{project.Name}'\n    metrics_path: '{metrics.Path}'\n    static_configs:\n");
            writer.Append($"      - targets: ['{project.Name}:{port}']\n");
            writer.Append($"        labels: {{ resource: '{project.Name}', instance_name: '{project.Name}-0' }}\n");
        }
        writer.Append($"  - job_name: '{CollectorName}'\n    static_configs:\n      - targets: ['{CollectorName}:{OtelCollectorConfig.MetricsPort}']\n");
        return writer.ToString();
    }

    /// <summary>
    /// External endpoints are published on every interface; endpoints a person opens (a labelled
    /// URL such as the mail inbox: an HTTP endpoint of a resource with URLs in the model) on loopback
    /// only. The host port is the model's local port when it pins one, else the container port, moved
    /// up when taken.
    /// </summary>
    private static void AddPorts(Dictionary<string, object> service, IResource resource, HashSet<int> taken)
    {
        var opened = resource.Annotations.Any(a => a is ResourceUrlAnnotation or ResourceUrlsCallbackAnnotation);
        var ports = new List<string>();
        foreach (var endpoint in resource.PublishedEndpoints().Where(e => e.IsExternal || (opened && e.IsHttp())))
        {
            var containerPort = endpoint.ContainerPort();
            var hostPort = endpoint.Port ?? containerPort;
            while (!taken.Add(hostPort))
            {
                hostPort++;
            }
            ports.Add(endpoint.IsExternal ? $"{hostPort}:{containerPort}" : $"127.0.0.1:{hostPort}:{containerPort}");
        }
        if (ports.Count > 0)
        {
            service["ports"] = ports;
        }
    }
}

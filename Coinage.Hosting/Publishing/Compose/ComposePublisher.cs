using System.Globalization;
using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Prometheus;
using YamlDotNet.Serialization;

namespace Coinage.Hosting.Publishing.Compose;

/// <summary>
/// <c>publish --target compose --output DIR</c>: the app model as a <c>docker-compose.yaml</c> for
/// one machine, with the same images, environment and telemetry as the Kubernetes manifests.
/// Secrets come from a git-ignored <c>.env</c> beside it (Compose interpolates <c>${NAME}</c>).
/// </summary>
public sealed class ComposePublisher : IPublisher
{
    public const string FileName = "docker-compose.yaml";
    public const string CollectorName = "otel-collector";
    private const string Header = "# Generated from the app model by `Coinage.AppHost publish --target compose`: change the model, not this file.\n";

    public string Target => "compose";

    /// <summary>Compose stops with an error naming the variable when .env lacks it.</summary>
    public static string SecretReference(string name) => $"${{{name}:?set {name} in .env}}";

    public async Task PublishAsync(AppModel model, string outputDirectory, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, string>();
        var services = new Dictionary<string, object>();
        var volumes = new Dictionary<string, object?>();
        var secretNames = new List<string>();
        var hostPorts = new HashSet<int>();
        var otlp = $"http://{CollectorName}:{OtelCollectorConfig.GrpcPort}";

        foreach (var resource in model.Resources)
        {
            switch (resource)
            {
                case ProjectResource project:
                    var (environment, secrets) = PublishValueContext.Environment(project, model, SecretReference, otlp);
                    secretNames.AddRange(secrets.Select(s => s.EnvironmentName));
                    var env = environment.ToDictionary(v => v.Name, v => v.Value);
                    var image = $"${{COINAGE_IMAGE_PREFIX:-}}{ContainerImages.Repository(project)}:${{COINAGE_VERSION:-{ContainerImages.Tag(project)}}}";
                    var dependsOn = DependsOn(project, model);
                    if (project.Annotations.OfType<MigrationsAnnotation>().LastOrDefault() is { } migrations)
                    {
                        services[$"{project.Name}-migrations"] = ProjectService(image, env, new(dependsOn), restart: "no", command: migrations.Args);
                        dependsOn[$"{project.Name}-migrations"] = Condition("service_completed_successfully");
                    }
                    var service = ProjectService(image, env, dependsOn, restart: "unless-stopped", command: null);
                    AddPorts(service, project, hostPorts);
                    if (project.Replicas > 1 && !service.ContainsKey("ports"))
                    {
                        ((Dictionary<string, object>)service["deploy"])["replicas"] = project.Replicas;
                    }
                    services[project.Name] = service;
                    break;

                case PrometheusResource prometheus:
                    services[prometheus.Name] = await PrometheusService(prometheus, model, files, volumes, cancellationToken).ConfigureAwait(false);
                    AddPorts((Dictionary<string, object>)services[prometheus.Name], prometheus, hostPorts);
                    break;

                case IResourceWithoutProcess or ParameterResource:
                    break;

                default:
                    var server = BackingService.For(resource, SecretReference)
                        ?? throw new NotSupportedException($"The Compose publisher does not know how to run {resource}.");
                    secretNames.AddRange(server.Secrets.Values.Select(p => p.EnvironmentName));
                    services[server.Name] = ServerService(server, files, volumes);
                    AddPorts((Dictionary<string, object>)services[server.Name], resource, hostPorts);
                    break;
            }
        }

        var search = OtelCollectorConfig.Elasticsearch(model);
        files[$"{CollectorName}/config.yaml"] = OtelCollectorConfig.Render(model);
        services[CollectorName] = new Dictionary<string, object>
        {
            ["image"] = ContainerImages.OtelCollector,
            ["command"] = new[] { "--config=/etc/otelcol/config.yaml" },
            ["environment"] = search is null
                ? new Dictionary<string, string>()
                : new Dictionary<string, string> { [search.Password.EnvironmentName] = SecretReference(search.Password.EnvironmentName) },
            ["volumes"] = new[] { $"./{CollectorName}/config.yaml:/etc/otelcol/config.yaml:ro" },
            ["read_only"] = true,
            ["cap_drop"] = new[] { "ALL" },
            ["security_opt"] = new[] { "no-new-privileges:true" },
            ["restart"] = "unless-stopped",
        };

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

    private static ISerializer Serializer { get; } = new SerializerBuilder().WithQuotingNecessaryStrings(quoteYaml1_1Strings: true).DisableAliases().Build();

    private static Dictionary<string, object> Condition(string condition) => new() { ["condition"] = condition };

    /// <summary>WaitFor as Compose conditions: a server must be healthy; a project (no shell for a health check in a chiseled image) started.</summary>
    private static Dictionary<string, object> DependsOn(IResource resource, AppModel model) =>
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
        var environment = server.Settings.ToDictionary(s => s.Key, s => s.Value);
        foreach (var (name, parameter) in server.Secrets)
        {
            environment[name] = SecretReference(parameter.EnvironmentName);
        }
        var service = new Dictionary<string, object> { ["image"] = server.Image };
        if (server.Command.Count > 0)
        {
            service["command"] = server.Command;
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

    private static async Task<Dictionary<string, object>> PrometheusService(PrometheusResource prometheus, AppModel model, Dictionary<string, string> files, Dictionary<string, object?> volumes, CancellationToken cancellationToken)
    {
        var values = new PublishValueContext(SecretReference, null);
        var config = PrometheusConfig.Render(prometheus, model, values, file => $"/etc/prometheus/rules/{Path.GetFileName(file)}")
            + $"  - job_name: '{CollectorName}'\n    static_configs:\n      - targets: ['{CollectorName}:{OtelCollectorConfig.MetricsPort}']\n";
        files["prometheus/prometheus.yml"] = config;
        foreach (var ruleFile in prometheus.RuleFiles)
        {
            files[$"prometheus/rules/{Path.GetFileName(ruleFile)}"] = await File.ReadAllTextAsync(
                Kubernetes.KubernetesPublisher.ResolvePath(model, ruleFile), cancellationToken).ConfigureAwait(false);
        }
        volumes[$"{prometheus.Name}-data"] = null;
        var port = prometheus.GetEndpoint("http").TargetPort;
        return new Dictionary<string, object>
        {
            ["image"] = ContainerImages.Prometheus,
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
    /// External endpoints are published on every interface; endpoints a person opens (a labelled
    /// URL such as the mail inbox) on loopback only. The host port is the model's local port
    /// when it pins one, else the container port, moved up when taken.
    /// </summary>
    private static void AddPorts(Dictionary<string, object> service, IResource resource, HashSet<int> taken)
    {
        var urlEndpoints = resource.Annotations.OfType<UrlAnnotation>().Select(u => u.EndpointName).ToHashSet();
        var ports = new List<string>();
        foreach (var endpoint in resource.Endpoints().Where(e => e.IsExternal || urlEndpoints.Contains(e.Name)))
        {
            var hostPort = endpoint.Port ?? endpoint.TargetPort;
            while (!taken.Add(hostPort))
            {
                hostPort++;
            }
            ports.Add(endpoint.IsExternal ? $"{hostPort}:{endpoint.TargetPort}" : $"127.0.0.1:{hostPort}:{endpoint.TargetPort}");
        }
        if (ports.Count > 0)
        {
            service["ports"] = ports;
        }
    }
}

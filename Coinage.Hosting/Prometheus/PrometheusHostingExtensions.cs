using Coinage.Hosting.Prometheus;

namespace Coinage.Hosting;

public static class PrometheusHostingExtensions
{
    /// <summary>
    /// Prometheus named <paramref name="name"/> (port <c>Coinage:Ports:{name}</c>), scraping every project with a
    /// metrics endpoint every 5 s and evaluating <paramref name="ruleFiles"/> (relative to the repository root): the
    /// machine's prometheus, or a container where a container runtime answers and when publishing. Its URLs in the
    /// dashboard: Targets, Alerts.
    /// </summary>
    public static IResourceBuilder<IPrometheusResource> AddCoinagePrometheus(this IDistributedApplicationBuilder builder, string name, params string[] ruleFiles)
    {
        var hosting = CoinageHosting.For(builder);
        var port = hosting.PinnedPort(name);
        IResourceBuilder<IPrometheusResource> prometheus;
        if (hosting.UseContainers)
        {
            var container = builder.AddResource(new PrometheusContainerResource(name))
                .WithImage(PrometheusContainerResource.Image, PrometheusContainerResource.Tag)
                .WithHttpEndpoint(port: port, targetPort: 9090, name: IPrometheusResource.HttpEndpointName);
            if (builder.ExecutionContext.IsRunMode)
            {
                // Projects run on the host: the container reaches them through host.docker.internal.
                var directory = hosting.ResourceDirectory(name);
                builder.Eventing.Subscribe<BeforeResourceStartedEvent>(container.Resource, (e, ct) =>
                    WriteConfigurationAsync(e.Services, directory, container.Resource.RuleFiles.Select(f => $"/etc/prometheus/rules/{Path.GetFileName(f)}"),
                        async (endpoint, token) => $"host.docker.internal:{await endpoint.Property(EndpointProperty.Port).GetValueAsync(token).ConfigureAwait(false)}", ct));
                container.WithBindMount(directory, "/etc/prometheus/coinage", isReadOnly: true)
                    .WithArgs("--config.file=/etc/prometheus/coinage/prometheus.yml", "--web.enable-lifecycle");
                foreach (var file in ruleFiles)
                {
                    container.WithBindMount(hosting.ResolvePath(file), $"/etc/prometheus/rules/{Path.GetFileName(file)}", isReadOnly: true);
                }
            }
            prometheus = container;
        }
        else
        {
            var program = ProgramLocator.Find("prometheus") ?? "prometheus";
            var process = builder.AddResource(new PrometheusProcessResource(name, program, hosting.SolutionDirectory));
            var directory = Path.Combine(hosting.DataDirectory, name);
            builder.Eventing.Subscribe<BeforeResourceStartedEvent>(process.Resource, (e, ct) => ProgramLocator.Find(program) is null
                ? throw new ResourceStartException(process.Resource, "no prometheus program and no container runtime: install one (sudo apt-get install -y prometheus) or start Docker or Podman.")
                : WriteConfigurationAsync(e.Services, hosting.ResourceDirectory(name), process.Resource.RuleFiles.Select(hosting.ResolvePath),
                    async (endpoint, token) => await endpoint.Property(EndpointProperty.HostAndPort).GetValueAsync(token).ConfigureAwait(false) ?? "", ct));
            prometheus = process
                .WithHttpEndpoint(port: port, name: IPrometheusResource.HttpEndpointName)
                .WithArgs(context =>
                {
                    context.Args.Add($"--config.file={Path.Combine(directory, "prometheus.yml")}");
                    context.Args.Add($"--storage.tsdb.path={Path.Combine(directory, "data")}");
                    context.Args.Add(ReferenceExpression.Create($"--web.listen-address=127.0.0.1:{process.Resource.GetEndpoint(IPrometheusResource.HttpEndpointName).Property(EndpointProperty.TargetPort)}"));
                    context.Args.Add("--web.enable-lifecycle");
                    context.Args.Add("--storage.tsdb.retention.time=2d");
                });
        }
        foreach (var file in ruleFiles)
        {
            prometheus.Resource.RuleFiles.Add(file);
        }
        // Debian's prometheus (2.42) ships only the classic web UI, under /classic; the image serves the current one.
        var ui = hosting.UseContainers ? "" : "/classic";
        return prometheus
            .WithHttpHealthCheck("/-/ready", endpointName: IPrometheusResource.HttpEndpointName)
            .WithUrlForEndpoint(IPrometheusResource.HttpEndpointName, url => { url.Url = $"{ui}/targets"; url.DisplayText = "Prometheus"; })
            .WithUrls(context =>
            {
                var endpoint = context.GetEndpoint(IPrometheusResource.HttpEndpointName)!;
                if (endpoint.IsAllocated)
                {
                    context.Urls.Add(new ResourceUrlAnnotation { Url = $"{endpoint.Url}{ui}/alerts", DisplayText = "Prometheus alerts", Endpoint = endpoint });
                }
            })
            .WithIconName("ChartMultiple");
    }

    private static async Task WriteConfigurationAsync(IServiceProvider services, string directory, IEnumerable<string> ruleFiles,
        Func<EndpointReference, CancellationToken, ValueTask<string>> address, CancellationToken cancellationToken)
    {
        var model = services.GetRequiredService<DistributedApplicationModel>();
        var targets = await PrometheusConfig.TargetsAsync(model, async (endpoint, ct) => await address(endpoint, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), PrometheusConfig.Render(targets, ruleFiles), cancellationToken).ConfigureAwait(false);
    }
}

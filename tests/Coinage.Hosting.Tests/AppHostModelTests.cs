using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Coinage.Hosting.Elasticsearch;
using Coinage.Hosting.MailDev;
using Coinage.Hosting.Postgres;
using Coinage.Hosting.Prometheus;
using Coinage.Hosting.Redis;

namespace Coinage.Hosting.Tests;

/// <summary>
/// The model Coinage.AppHost builds, without starting it: with a container runtime (the path this machine cannot run)
/// the standard Aspire integrations and containers; without one, the local-process resources; the same names, references
/// and environment conventions either way.
/// </summary>
public sealed class AppHostModelTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    [Fact]
    public async Task With_a_container_runtime_the_backing_services_are_the_standard_aspire_resources_and_containers()
    {
        var builder = await CreateAsync("--Coinage:ContainerRuntime=docker");

        var postgres = Assert.IsType<PostgresServerResource>(Resource(builder, "postgres"));
        var database = Assert.IsType<PostgresDatabaseResource>(Resource(builder, "coinagedb"));
        Assert.Same(postgres, database.Parent);
        Assert.Equal("coinagedb", database.DatabaseName);
        Assert.IsType<RedisResource>(Resource(builder, "redis"));

        var smtp = Assert.IsType<MailDevContainerResource>(Resource(builder, "smtp"));
        Assert.Equal(MailDevContainerResource.Image, smtp.Annotations.OfType<ContainerImageAnnotation>().Single().Image);
        Assert.Equal(1025, Endpoint(smtp, "smtp").TargetPort);
        Assert.Equal(1080, Endpoint(smtp, "http").TargetPort);

        var prometheus = Assert.IsType<PrometheusContainerResource>(Resource(builder, "prometheus"));
        Assert.Equal(["deploy/prometheus/alerts.yml"], prometheus.RuleFiles);
        Assert.Equal(9090, Endpoint(prometheus, "http").TargetPort);

        var search = Assert.IsType<ElasticsearchContainerResource>(Resource(builder, "elasticsearch"));
        Assert.Equal(9200, Endpoint(search, "http").TargetPort);
        Assert.Equal("elasticsearch-password", search.PasswordParameter.Name);
    }

    [Fact]
    public async Task Without_a_container_runtime_the_same_names_run_as_local_processes()
    {
        var builder = await CreateAsync("--Coinage:ContainerRuntime=none");

        var postgres = Assert.IsType<PostgresProcessResource>(Resource(builder, "postgres"));
        Assert.False(Endpoint(postgres, "tcp").IsProxied); // the hot paths talk to PostgreSQL directly
        var database = Assert.IsType<PostgresProcessDatabaseResource>(Resource(builder, "coinagedb"));
        Assert.Same(postgres, database.Parent);
        Assert.IsType<RedisProcessResource>(Resource(builder, "redis"));
        Assert.IsType<MailDevProcessResource>(Resource(builder, "smtp"));
        Assert.IsType<PrometheusProcessResource>(Resource(builder, "prometheus"));
        // No elasticsearch program on this machine and no URL: none, and search falls back to PostgreSQL.
        Assert.DoesNotContain(builder.Resources, r => r.Name == "elasticsearch");
    }

    [Fact]
    public async Task A_configured_elasticsearch_url_is_used_as_it_is()
    {
        var builder = await CreateAsync("--Coinage:ContainerRuntime=none", "--Coinage:Elasticsearch:Url=http://search.example:9200/");

        var search = Assert.IsType<ConnectionStringResource>(Resource(builder, "elasticsearch"));
        Assert.Equal("http://search.example:9200", await search.ConnectionStringExpression.GetValueAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("docker")]
    [InlineData("none")]
    public async Task The_services_get_the_environment_they_read(string runtime)
    {
        var builder = await CreateAsync($"--Coinage:ContainerRuntime={runtime}", "--Coinage:Elasticsearch:Url=");

        var api = (ProjectResource)Resource(builder, "apiservice");
        var apiEnvironment = await PublishedEnvironmentAsync(api);
        foreach (var name in new[] { "coinagedb", "redis", "smtp" })
        {
            Assert.Equal($"{{{name}.connectionString}}", apiEnvironment[$"ConnectionStrings__{name}"]);
        }
        Assert.Equal("{jwt-signing-key.value}", apiEnvironment["Coinage__Jwt__SigningKey"]);
        Assert.Equal("{webfrontend.bindings.http.url}", apiEnvironment["Coinage__WebBaseUrl"]);
        Assert.Equal(["migrate"], api.Annotations.OfType<MigrationsAnnotation>().Single().Args);

        foreach (var dependent in new[] { "worker", "webfrontend" })
        {
            var environment = await PublishedEnvironmentAsync((ProjectResource)Resource(builder, dependent));
            Assert.Equal("{apiservice.bindings.http.url}", environment["services__apiservice__http__0"]);
        }
        Assert.All(new[] { "apiservice", "worker", "webfrontend" }, name =>
            Assert.Equal("/metrics", Resource(builder, name).Annotations.OfType<MetricsEndpointAnnotation>().Single().Path));
        // The API starts once PostgreSQL and Redis answer; the worker and the web front end once the API does.
        Assert.Equal(["coinagedb", "postgres", "redis"], WaitsFor(api)); // WaitFor(database) waits for its server too
        Assert.Equal(["apiservice", "smtp"], WaitsFor(Resource(builder, "worker")));
        Assert.Equal(["apiservice"], WaitsFor(Resource(builder, "webfrontend")));
    }

    [Fact]
    public async Task Only_the_benchmark_switch_lifts_the_rate_limits_and_samples_the_traces()
    {
        var normal = await CreateAsync("--Coinage:ContainerRuntime=none");
        var benchmark = await CreateAsync("--Coinage:ContainerRuntime=none", "--Coinage:Benchmark=true");

        foreach (var name in new[] { "apiservice", "worker", "webfrontend" })
        {
            var environment = await PublishedEnvironmentAsync((ProjectResource)Resource(normal, name));
            Assert.DoesNotContain("OTEL_TRACES_SAMPLER", environment.Keys);
            Assert.DoesNotContain(environment.Keys, key => key.StartsWith("Coinage__RateLimits__", StringComparison.Ordinal));

            environment = await PublishedEnvironmentAsync((ProjectResource)Resource(benchmark, name));
            Assert.Equal("parentbased_traceidratio", environment["OTEL_TRACES_SAMPLER"]);
            Assert.Equal("0.01", environment["OTEL_TRACES_SAMPLER_ARG"]);
        }
        var api = await PublishedEnvironmentAsync((ProjectResource)Resource(benchmark, "apiservice"));
        Assert.Equal("0", api["Coinage__RateLimits__Policies__user__Limit"]);
        Assert.Equal("0", api["Coinage__RateLimits__Policies__sign-in-ip__Limit"]);
    }

    [Fact]
    public async Task Ports_are_pinned_as_in_appsettings_unless_free_ports_are_asked_for()
    {
        var pinned = await CreateAsync("--Coinage:ContainerRuntime=none");
        Assert.Equal(5000, Endpoint(Resource(pinned, "webfrontend"), "http").Port);
        Assert.Equal(5100, Endpoint(Resource(pinned, "apiservice"), "http").Port);
        Assert.Equal(1080, Endpoint(Resource(pinned, "smtp"), "http").Port);
        Assert.Equal(9090, Endpoint(Resource(pinned, "prometheus"), "http").Port);

        var free = await CreateAsync("--Coinage:ContainerRuntime=none", "--Coinage:FreePorts=true");
        Assert.Null(Endpoint(Resource(free, "webfrontend"), "http").Port);
        Assert.Null(Endpoint(Resource(free, "prometheus"), "http").Port);
    }

    [Fact]
    public void Publishing_always_describes_containers()
    {
        var builder = DistributedApplication.CreateBuilder(["--operation", "publish", "--Coinage:ContainerRuntime=none"]);

        Assert.True(ResourceModeDetector.Resolve(builder).UsesContainers);
    }

    [Fact]
    public void An_unknown_container_runtime_setting_is_refused_with_the_values_it_takes()
    {
        var builder = DistributedApplication.CreateBuilder(["--Coinage:ContainerRuntime=lxc"]);

        var error = Assert.Throws<ArgumentException>(() => ResourceModeDetector.Resolve(builder));
        Assert.Contains("auto, docker, podman or none", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();

    private async Task<IDistributedApplicationTestingBuilder> CreateAsync(params string[] args) =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.Coinage_AppHost>(
            [.. args, $"--Coinage:DataDirectory={_data.Path}"], TestContext.Current.CancellationToken);

    /// <summary>The environment as a publisher writes it (manifest expressions, nothing needs to run).</summary>
#pragma warning disable CS0618 // Its replacement (ExecutionConfigurationBuilder) needs a running app's services; this reads the model alone.
    private static ValueTask<Dictionary<string, string>> PublishedEnvironmentAsync(ProjectResource project) =>
        project.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);
#pragma warning restore CS0618

    private static IResource Resource(IDistributedApplicationTestingBuilder builder, string name) =>
        builder.Resources.Single(r => r.Name == name);

    private static EndpointAnnotation Endpoint(IResource resource, string name) =>
        resource.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == name);

    private static string[] WaitsFor(IResource resource) =>
        [.. resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).Distinct().Order(StringComparer.Ordinal)];
}

using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.MailDev;
using Coinage.Hosting.Orchestration;
using Coinage.Hosting.Postgres;
using Coinage.Hosting.Redis;
using Coinage.Hosting.Testing;

namespace Coinage.Hosting.Tests.ApplicationModel;

public class EnvironmentTests
{
    private static (CoinageApplicationBuilder Builder, IResourceBuilder<ProjectResource> Api, IResourceBuilder<ProjectResource> Web) Model(int apiReplicas = 1)
    {
        var builder = CoinageTestingBuilder.Create();
        var db = builder.AddPostgres("postgres").AddDatabase("coinagedb");
        var redis = builder.AddRedis("redis");
        var smtp = builder.AddMailDev("smtp");
        var api = builder.AddProject<TestProject>("apiservice").WithReplicas(apiReplicas)
            .WithReference(db).WithReference(redis).WithReference(smtp).WaitFor(db);
        var web = builder.AddProject<TestProject>("webfrontend").WithReference(api).WaitFor(api);
        return (builder, api, web);
    }

    private static Dictionary<string, string> EnvironmentOf(CoinageApplicationBuilder builder, IResource resource, out LocalValueContext values, int replica = 0)
    {
        var model = new AppModel(builder.Resources, builder.ExecutionContext, null);
        values = new LocalValueContext(model);
        return ResourceEnvironment.Build(resource, values, model.Context, replica).ToDictionary(v => v.Name, v => v.Value);
    }

    [Fact]
    public void A_project_receives_connection_strings_in_the_aspire_format()
    {
        var (builder, api, _) = Model();
        var env = EnvironmentOf(builder, api.Resource, out var values);

        var postgres = (PostgresServerResource)builder.Resources.Single(r => r.Name == "postgres");
        var pgPort = values.Port(postgres.GetEndpoint("tcp"));
        Assert.Equal($"Host=127.0.0.1;Port={pgPort};Username=postgres;Password={postgres.Password.Value};Database=coinagedb", env["ConnectionStrings__coinagedb"]);

        var redis = (RedisResource)builder.Resources.Single(r => r.Name == "redis");
        Assert.Equal($"127.0.0.1:{values.Port(redis.GetEndpoint("tcp"))},password={redis.Password.Value}", env["ConnectionStrings__redis"]);

        var smtp = builder.Resources.Single(r => r.Name == "smtp");
        Assert.Equal($"Endpoint=smtp://127.0.0.1:{values.Port(smtp.GetEndpoint("smtp"))}", env["ConnectionStrings__smtp"]);
    }

    [Fact]
    public void A_project_receives_its_url_and_telemetry_settings()
    {
        var (builder, api, _) = Model();
        var env = EnvironmentOf(builder, api.Resource, out var values);

        Assert.Equal($"http://127.0.0.1:{values.Port(api.Resource.GetEndpoint("http"))}", env["ASPNETCORE_URLS"]);
        Assert.Equal("apiservice", env["OTEL_SERVICE_NAME"]);
        Assert.Contains("service.instance.id=apiservice-0", env["OTEL_RESOURCE_ATTRIBUTES"], StringComparison.Ordinal);
        Assert.Equal("Development", env["ASPNETCORE_ENVIRONMENT"]);
        Assert.DoesNotContain("OTEL_EXPORTER_OTLP_ENDPOINT", env.Keys); // no collector in this run

        values.OtlpEndpoint = "http://127.0.0.1:4317";
        var model = new AppModel(builder.Resources, builder.ExecutionContext, null);
        var withCollector = ResourceEnvironment.Build(api.Resource, values, model.Context).ToDictionary(v => v.Name, v => v.Value);
        Assert.Equal("http://127.0.0.1:4317", withCollector["OTEL_EXPORTER_OTLP_ENDPOINT"]);
    }

    [Fact]
    public void Service_discovery_lists_every_replica_of_a_referenced_project()
    {
        var (builder, api, web) = Model(apiReplicas: 3);
        var env = EnvironmentOf(builder, web.Resource, out var values);

        var endpoint = api.Resource.GetEndpoint("http");
        var expected = Enumerable.Range(0, 3).Select(i => $"http://127.0.0.1:{values.Port(endpoint, i)}").ToList();
        Assert.Equal(expected, Enumerable.Range(0, 3).Select(i => env[$"services__apiservice__http__{i}"]).ToList());
        Assert.Equal(3, expected.Distinct().Count());
        Assert.DoesNotContain("ConnectionStrings__coinagedb", env.Keys); // the web front end never sees the database
    }

    [Fact]
    public void Each_replica_listens_on_its_own_url()
    {
        var (builder, api, _) = Model(apiReplicas: 2);
        var first = EnvironmentOf(builder, api.Resource, out var values, replica: 0);
        var second = ResourceEnvironment.Build(api.Resource, values, builder.ExecutionContext, 1).ToDictionary(v => v.Name, v => v.Value);
        Assert.NotEqual(first["ASPNETCORE_URLS"], second["ASPNETCORE_URLS"]);
        Assert.Contains("service.instance.id=apiservice-1", second["OTEL_RESOURCE_ATTRIBUTES"], StringComparison.Ordinal);
    }

    [Fact]
    public void Explicit_environment_overrides_and_parameters_flow_through()
    {
        var builder = CoinageTestingBuilder.Create();
        builder.Configuration["Parameters:api-key"] = "configured-value";
        var key = builder.AddParameter("api-key", secret: true);
        var api = builder.AddProject<TestProject>("apiservice")
            .WithEnvironment("OTEL_SERVICE_NAME", "renamed")
            .WithEnvironment("Coinage__ApiKey", key);
        var env = EnvironmentOf(builder, api.Resource, out _);
        Assert.Equal("renamed", env["OTEL_SERVICE_NAME"]);
        Assert.Equal("configured-value", env["Coinage__ApiKey"]);
    }

    [Fact]
    public void WithReplicas_after_being_referenced_is_refused()
    {
        var (_, api, _) = Model();
        Assert.Throws<InvalidOperationException>(() => api.WithReplicas(2));
    }
}

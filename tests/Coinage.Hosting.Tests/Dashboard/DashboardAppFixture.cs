using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Dashboard;
using Coinage.Hosting.Testing;

namespace Coinage.Hosting.Tests.Dashboard;

[CollectionDefinition(Name)]
public sealed class DashboardAppCollection : ICollectionFixture<DashboardAppFixture>
{
    public const string Name = "AppHost with dashboard";
}

/// <summary>
/// The real AppHost model with the dashboard on, started once for the dashboard's end-to-end
/// tests: PostgreSQL, Redis, maildev, ApiService, Worker, Web and Prometheus, plus a second
/// ApiService ("apihttp") that exports over OTLP/HTTP-protobuf while the others use gRPC. An
/// OTLP API key is configured, so every export also proves the projects received it.
/// </summary>
public sealed class DashboardAppFixture : IAsyncLifetime
{
    public const string OtlpApiKey = "fixture-otlp-key";

    private CoinageApplication? _app;

    public CoinageApplication App => _app ?? throw new InvalidOperationException("Not started.");

    public DashboardServer Dashboard => App.Dashboard();

    public async ValueTask InitializeAsync()
    {
        var builder = await CoinageTestingBuilder.CreateAsync<Projects.Coinage_AppHost>();
        builder.AddDashboard(new Dictionary<string, string?> { ["OtlpApiKey"] = OtlpApiKey });
        AddHttpProtobufTwin(builder, () => _app!.Dashboard().OtlpHttpEndpoint.ToString().TrimEnd('/'));
        _app = await builder.BuildAsync();
        try
        {
            await _app.StartAsync(["prometheus", "apiservice", "worker", "webfrontend", "apihttp"], TestContext.Current.CancellationToken);
        }
        catch
        {
            await _app.DisposeAsync();
            _app = null;
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>The ApiService once more, exporting with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf.</summary>
    private static void AddHttpProtobufTwin(CoinageApplicationBuilder builder, Func<string> otlpHttpEndpoint)
    {
        var api = (ProjectResource)builder.Resources.Single(r => r.Name == "apiservice");
        var twin = new ProjectResource("apihttp", api.Metadata);
        twin.Annotations.Add(new EndpointAnnotation(twin, "http", "http", ProjectResource.ContainerHttpPort));
        foreach (var annotation in api.Annotations.Where(a => a is ReferenceAnnotation or EnvironmentAnnotation or HttpHealthCheckAnnotation))
        {
            twin.Annotations.Add(annotation);
        }
        twin.Annotations.Add(new WaitAnnotation(api)); // the first one migrates the database
        twin.Annotations.Add(new EnvironmentAnnotation("OTEL_EXPORTER_OTLP_PROTOCOL", _ => "http/protobuf"));
        twin.Annotations.Add(new EnvironmentAnnotation("OTEL_EXPORTER_OTLP_ENDPOINT", _ => otlpHttpEndpoint()));
        builder.AddResource(twin);
    }
}

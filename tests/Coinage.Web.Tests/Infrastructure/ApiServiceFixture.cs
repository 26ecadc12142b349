extern alias apphost;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

[assembly: AssemblyFixture(typeof(Coinage.Web.Tests.Infrastructure.ApiServiceFixture))]

namespace Coinage.Web.Tests.Infrastructure;

/// <summary>
/// The real ApiService, with the PostgreSQL and Redis it needs, started once for the assembly from the AppHost's
/// own model (so the proxy is tested against the API exactly as the AppHost wires it).
/// </summary>
public sealed class ApiServiceFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private DistributedApplication? _app;
    private Uri? _apiAddress;
    private string? _databaseConnectionString;
    private string? _dataDirectory;
    private Exception? _startFailure;

    /// <summary>Where the ApiService exports its logs, spans and metrics (OTLP/HTTP), as a collector would receive them.</summary>
    public OtlpReceiver Telemetry { get; private set; } = null!;

    /// <summary>The ApiService's database, for what a test must read as a person would from their inbox (emailed tokens).</summary>
    public string DatabaseConnectionString => _databaseConnectionString ?? throw new InvalidOperationException("Not started.", _startFailure);

    /// <summary>The OTLP settings a service needs to export to <see cref="Telemetry"/>, as the AppHost gives them to the dashboard.</summary>
    public IReadOnlyDictionary<string, string> OtlpSettings(string serviceName) => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Telemetry.Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_SERVICE_NAME"] = serviceName,
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "500",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
    };

    /// <summary>The ApiService's own address; throws (failing the calling test) if it could not be started.</summary>
    public Uri ApiAddress => _apiAddress is not null && _startFailure is null
        ? _apiAddress
        : throw new InvalidOperationException("The ApiService (with PostgreSQL and Redis) could not be started from the AppHost model.", _startFailure);

    public async ValueTask InitializeAsync()
    {
        // Only the proxy tests need the API: a start-up failure fails them, with its cause, not the whole assembly.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            Telemetry = await OtlpReceiver.StartAsync();
            _dataDirectory = Directory.CreateTempSubdirectory("coinage-web-test-").FullName;
            File.SetUnixFileMode(_dataDirectory, (UnixFileMode)0b111_101_101); // the postgres user keeps its cluster below
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<apphost::Projects.Coinage_AppHost>(
                ["--Coinage:Ephemeral=true", $"--Coinage:DataDirectory={_dataDirectory}"], timeout.Token);
            // The API and what it needs; the rest of the model stays as it is but is not started.
            foreach (var resource in builder.Resources.Where(r => r.Name is "worker" or "webfrontend" or "prometheus"))
            {
                resource.Annotations.Add(new ExplicitStartupAnnotation());
            }
            var api = builder.Resources.Single(r => r.Name == "apiservice");
            var settings = OtlpSettings("apiservice").Concat(new Dictionary<string, string>
            {
                // Everything a deployment could turn on, so a secret in any line at Information or above shows.
                ["Logging__LogLevel__Default"] = "Information",
                ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information",
                ["Logging__LogLevel__Microsoft.AspNetCore.SignalR"] = "Debug",
                ["Logging__LogLevel__Microsoft.AspNetCore.Http.Connections"] = "Debug",
            });
            foreach (var (name, value) in settings)
            {
                // After the AppHost's own OTLP settings (the dashboard's), so these win.
                api.Annotations.Add(new EnvironmentCallbackAnnotation(name, () => value));
            }
            _app = await builder.BuildAsync(timeout.Token);
            await _app.StartAsync(timeout.Token);
            await _app.ResourceNotifications.WaitForResourceHealthyAsync("apiservice", timeout.Token);
            _apiAddress = _app.GetEndpoint("apiservice", "http");
            _databaseConnectionString = await _app.GetConnectionStringAsync("coinagedb", timeout.Token);
        }
#pragma warning disable CA1031 // Kept and rethrown by ApiAddress, in the tests that need the API.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _startFailure = exception;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (Telemetry is not null)
        {
            await Telemetry.DisposeAsync();
        }
        if (_dataDirectory is not null)
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}

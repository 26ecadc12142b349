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
    private string? _dataDirectory;
    private Exception? _startFailure;

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
            _dataDirectory = Directory.CreateTempSubdirectory("coinage-web-test-").FullName;
            File.SetUnixFileMode(_dataDirectory, (UnixFileMode)0b111_101_101); // the postgres user keeps its cluster below
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<apphost::Projects.Coinage_AppHost>(
                ["--Coinage:Ephemeral=true", $"--Coinage:DataDirectory={_dataDirectory}"], timeout.Token);
            // The API and what it needs; the rest of the model stays as it is but is not started.
            foreach (var resource in builder.Resources.Where(r => r.Name is "worker" or "webfrontend" or "prometheus"))
            {
                resource.Annotations.Add(new ExplicitStartupAnnotation());
            }
            _app = await builder.BuildAsync(timeout.Token);
            await _app.StartAsync(timeout.Token);
            await _app.ResourceNotifications.WaitForResourceHealthyAsync("apiservice", timeout.Token);
            _apiAddress = _app.GetEndpoint("apiservice", "http");
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

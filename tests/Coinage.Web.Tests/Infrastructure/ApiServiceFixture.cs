using Coinage.Hosting;
using Coinage.Hosting.Testing;

[assembly: AssemblyFixture(typeof(Coinage.Web.Tests.Infrastructure.ApiServiceFixture))]

namespace Coinage.Web.Tests.Infrastructure;

/// <summary>
/// The real ApiService, with the PostgreSQL and Redis it needs, started once for the assembly from the AppHost's
/// own model (so the proxy is tested against the API exactly as the AppHost wires it).
/// </summary>
public sealed class ApiServiceFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private CoinageApplication? _app;
    private Exception? _startFailure;

    /// <summary>The ApiService's own address; throws (failing the calling test) if it could not be started.</summary>
    public Uri ApiAddress => _app is not null && _startFailure is null
        ? _app.GetEndpoint("apiservice")
        : throw new InvalidOperationException("The ApiService (with PostgreSQL and Redis) could not be started from the AppHost model.", _startFailure);

    public async ValueTask InitializeAsync()
    {
        // Only the proxy tests need the API: a start-up failure fails them, with its cause, not the whole assembly.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            var builder = await CoinageTestingBuilder.CreateAsync<Projects.Coinage_AppHost>();
            _app = await builder.BuildAsync();
            await _app.StartAsync(["apiservice"], timeout.Token);
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
    }
}

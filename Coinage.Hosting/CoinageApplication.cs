using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Orchestration;
using Coinage.Hosting.Publishing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Coinage.Hosting;

/// <summary>A built app model that runs locally or publishes, in the shape of Aspire's <c>DistributedApplication</c>.</summary>
public sealed class CoinageApplication : IAsyncDisposable, IDisposable
{
    private readonly IHost? _host;
    private readonly AppModel? _model;

    internal CoinageApplication(IHost host, AppModel model)
    {
        _host = host;
        _model = model;
    }

    private CoinageApplication()
    {
    }

    /// <summary>Returned by <c>Build()</c> while the testing entry point captures the model: running it does nothing.</summary>
    internal static CoinageApplication Captured { get; } = new();

    public static CoinageApplicationBuilder CreateBuilder(string[] args) =>
        Testing.TestingCapture.Current is { } capture
            ? capture.CreateBuilder(args)
            : new CoinageApplicationBuilder(args, isTesting: false, System.Reflection.Assembly.GetEntryAssembly());

    public AppModel Model => _model ?? throw new InvalidOperationException("This application was captured by the testing entry point.");

    public IServiceProvider Services => Host.Services;

    public ResourceStateStore ResourceStates => Services.GetRequiredService<ResourceStateStore>();

    public ResourceLogStore ResourceLogs => Services.GetRequiredService<ResourceLogStore>();

    public Orchestrator Orchestrator => Services.GetRequiredService<Orchestrator>();

    private IHost Host => _host ?? throw new InvalidOperationException("This application was captured by the testing entry point.");

    /// <summary><c>run</c>: start everything and block until Ctrl-C/SIGTERM; <c>publish</c>: write the artifacts and return.</summary>
    public void Run() => RunAsync().GetAwaiter().GetResult();

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        if (_host is null)
        {
            return;
        }
        if (Model.Context.IsPublishMode)
        {
            await PublishAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        await _host.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts the host and the whole model (or <paramref name="only"/> and what they need); returns once healthy.</summary>
    public async Task StartAsync(IEnumerable<string>? only = null, CancellationToken cancellationToken = default)
    {
        await Host.StartAsync(cancellationToken).ConfigureAwait(false);
        await Orchestrator.StartAsync(only, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync()
    {
        await Orchestrator.StopAsync().ConfigureAwait(false);
        await Host.StopAsync().ConfigureAwait(false);
    }

    /// <summary>The connection string a dependent receives for <paramref name="resourceName"/>.</summary>
    public string GetConnectionString(string resourceName) =>
        Model[resourceName] is IResourceWithConnectionString resource
            ? resource.GetConnectionString(Orchestrator.Values)
            : throw new InvalidOperationException($"'{resourceName}' has no connection string.");

    /// <summary>The local URL of an endpoint (for a project: its first replica).</summary>
    public Uri GetEndpoint(string resourceName, string endpointName = "http", int replica = 0) =>
        new(Orchestrator.Values.Url(Model[resourceName].GetEndpoint(endpointName), replica));

    /// <summary>An HttpClient whose base address is the resource's endpoint.</summary>
    public HttpClient CreateHttpClient(string resourceName, string endpointName = "http") =>
        new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = GetEndpoint(resourceName, endpointName) };

    private async Task PublishAsync(CancellationToken cancellationToken)
    {
        var context = Model.Context;
        var publisher = Services.GetServices<IPublisher>().FirstOrDefault(p => p.Target == context.PublishTarget)
            ?? throw new ArgumentException($"Unknown publish target '{context.PublishTarget}'. Known: {string.Join(", ", Services.GetServices<IPublisher>().Select(p => p.Target))}.");
        await publisher.PublishAsync(Model, Path.GetFullPath(context.OutputPath!), cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"Published the app model for {publisher.Target} to {Path.GetFullPath(context.OutputPath!)}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is null)
        {
            return;
        }
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
            if (Model.Context.IsTesting)
            {
                DeleteQuietly(Model.Context.DataDirectory);
            }
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static void DeleteQuietly(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

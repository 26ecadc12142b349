using Coinage.Hosting.ApplicationModel;

namespace Coinage.Hosting.Orchestration;

/// <summary>Everything a runner may need: the model, where to keep files, how to reach endpoints.</summary>
public sealed class RunContext(AppModel model, LocalValueContext values, ProcessLauncher launcher, ResourceLogStore logs, HttpClient http)
{
    public AppModel Model { get; } = model;

    public LocalValueContext Values { get; } = values;

    public ProcessLauncher Launcher { get; } = launcher;

    public ResourceLogStore Logs { get; } = logs;

    /// <summary>For health checks: short timeout, no proxy.</summary>
    public HttpClient Http { get; } = http;

    public bool IsTesting => Model.Context.IsTesting;

    /// <summary>A directory for the resource's state, created on demand.</summary>
    public string ResourceDirectory(IResource resource, string? sub = null)
    {
        var path = Path.Combine(Model.Context.DataDirectory, sub ?? resource.Name);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Resolves a path given in the model relative to the solution directory.</summary>
    public string ResolvePath(string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(Model.SolutionDirectory ?? Environment.CurrentDirectory, path));

    public IReadOnlyDictionary<string, string> EnvironmentFor(IResource resource, int replica) =>
        ResourceEnvironment.Build(resource, Values, Model.Context, replica)
            .ToDictionary(v => v.Name, v => v.Value);

    public async Task<bool> HttpOkAsync(string url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}

using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Testing;
using k8s;

namespace Coinage.Hosting.Tests.Publishing;

/// <summary>
/// The real AppHost's model published, once for all publishing tests, through the AppHost's own
/// <c>publish --target kubernetes|compose --output DIR</c> dispatch, into a temporary folder;
/// then each kustomization rendered with dummy secrets.
/// </summary>
public sealed class PublishedCoinage : IAsyncLifetime
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("coinage-publish-");
    private CoinageApplication? _kubernetesApp;
    private CoinageApplication? _composeApp;

    public string KubernetesDirectory => Path.Combine(_root.FullName, "k8s");

    public string ComposeDirectory => Path.Combine(_root.FullName, "compose");

    /// <summary>The AppHost's model, as the publisher saw it.</summary>
    public AppModel Model => _kubernetesApp!.Model;

    /// <summary>The value written for each key of secrets.env, unique so a leak is found by search.</summary>
    public Dictionary<string, string> DummySecrets { get; } = [];

    /// <summary>The output of <c>kubectl kustomize</c> for "base", "overlays/dev" and "overlays/prod"; empty without kubectl.</summary>
    public Dictionary<string, string> Rendered { get; } = [];

    public static IReadOnlyList<string> Kustomizations { get; } = ["base", "overlays/dev", "overlays/prod"];

    public async ValueTask InitializeAsync()
    {
        _kubernetesApp = await PublishAsync("kubernetes", KubernetesDirectory);
        _composeApp = await PublishAsync("compose", ComposeDirectory);

        foreach (var overlay in Kustomizations.Where(k => k.StartsWith("overlays/", StringComparison.Ordinal)))
        {
            var directory = Path.Combine(KubernetesDirectory, overlay);
            var lines = File.ReadAllLines(Path.Combine(directory, "secrets.env.example"))
                .Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Select(l => l.TrimEnd('='))
                .Select(key =>
                {
                    var value = DummySecrets.TryGetValue(key, out var existing) ? existing : DummySecrets[key] = "Dummy" + Guid.NewGuid().ToString("N");
                    return $"{key}={value}";
                });
            await File.WriteAllLinesAsync(Path.Combine(directory, "secrets.env"), lines);
        }
        if (Kubectl.Path is not null)
        {
            foreach (var kustomization in Kustomizations)
            {
                Rendered[kustomization] = await Kubectl.KustomizeAsync(Path.Combine(KubernetesDirectory, kustomization));
            }
        }
    }

    private static async Task<CoinageApplication> PublishAsync(string target, string output)
    {
        var builder = await CoinageTestingBuilder.CreateAsync<Projects.Coinage_AppHost>("publish", "--target", target, "--output", output);
        var app = await builder.BuildAsync();
        await app.RunAsync(TestContext.Current.CancellationToken);
        return app;
    }

    /// <summary>The objects <c>kubectl kustomize</c> rendered for <paramref name="kustomization"/>.</summary>
    public List<IKubernetesObject> Objects(string kustomization)
    {
        Kubectl.SkipIfMissing();
        return Kubectl.Parse(Rendered[kustomization]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_kubernetesApp is not null)
        {
            await _kubernetesApp.DisposeAsync();
        }
        if (_composeApp is not null)
        {
            await _composeApp.DisposeAsync();
        }
        _root.Delete(recursive: true);
    }
}

[CollectionDefinition(nameof(PublishedCoinage))]
public sealed class PublishedCoinageCollection : ICollectionFixture<PublishedCoinage>;

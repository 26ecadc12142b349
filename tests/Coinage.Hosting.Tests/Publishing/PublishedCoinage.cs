using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Coinage.Hosting.Publishing;
using k8s;

namespace Coinage.Hosting.Tests.Publishing;

/// <summary>
/// The real AppHost's model published, once for all publishing tests, through Aspire's publish pipeline with the
/// AppHost's own steps (<c>--operation publish --step coinage-kubernetes|coinage-compose --output-path DIR</c>) into
/// a temporary folder; then each kustomization rendered with dummy secrets.
/// </summary>
public sealed class PublishedCoinage : IAsyncLifetime
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("coinage-publish-");

    public string KubernetesDirectory => Path.Combine(_root.FullName, "k8s");

    public string ComposeDirectory => Path.Combine(_root.FullName, "compose");

    /// <summary>The AppHost's resources in publish mode, as the publish steps saw them.</summary>
    public IReadOnlyList<IResource> Model { get; private set; } = [];

    /// <summary>The value written for each key of secrets.env, unique so a leak is found by search.</summary>
    public Dictionary<string, string> DummySecrets { get; } = [];

    /// <summary>The output of <c>kubectl kustomize</c> for "base", "overlays/dev" and "overlays/prod"; empty without kubectl.</summary>
    public Dictionary<string, string> Rendered { get; } = [];

    public static IReadOnlyList<string> Kustomizations { get; } = ["base", "overlays/dev", "overlays/prod"];

    public IResource this[string name] => Model.Single(r => r.Name == name);

    public async ValueTask InitializeAsync()
    {
        Model = await PublishAsync(PublishingBuilderExtensions.KubernetesStep, KubernetesDirectory);
        await PublishAsync(PublishingBuilderExtensions.ComposeStep, ComposeDirectory);

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

    private static async Task<IReadOnlyList<IResource>> PublishAsync(string step, string output)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Coinage_AppHost>(
            ["--operation", "publish", "--step", step, "--output-path", output], cancellationToken);
        await using var app = await builder.BuildAsync(cancellationToken);
        await app.RunAsync(cancellationToken);
        Assert.True(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any(), $"the step {step} wrote nothing to {output}");
        return [.. builder.Resources];
    }

    /// <summary>The objects <c>kubectl kustomize</c> rendered for <paramref name="kustomization"/>.</summary>
    public List<IKubernetesObject> Objects(string kustomization)
    {
        Kubectl.SkipIfMissing();
        return Kubectl.Parse(Rendered[kustomization]);
    }

    /// <summary>
    /// The names of the variables <paramref name="project"/> gets in a local run (<c>./coinage run</c>): the same AppHost,
    /// run mode, never started. Elasticsearch is optional locally; given a URL, the run has every resource a deployment has.
    /// </summary>
    public static async Task<IReadOnlyList<string>> LocalEnvironmentNamesAsync(string project)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Coinage_AppHost>(
            ["--Coinage:Elasticsearch:Url=http://127.0.0.1:9200"], cancellationToken);
        var resource = builder.Resources.Single(r => r.Name == project);
        var execution = new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run);
        var context = new EnvironmentCallbackContext(execution, resource, cancellationToken: cancellationToken);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        return [.. context.EnvironmentVariables.Keys];
    }

    /// <summary>Names that carry a secret when they carry a value (for checks that none reaches a ConfigMap).</summary>
    public static bool LooksSecret(string name) =>
        name.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
        || name.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase)
        || name.Contains("SECRET", StringComparison.OrdinalIgnoreCase)
        || name.Contains("KEY", StringComparison.OrdinalIgnoreCase)
        || name.Contains("TOKEN", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith("_URI", StringComparison.Ordinal);

    public ValueTask DisposeAsync()
    {
        _root.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}

[CollectionDefinition(nameof(PublishedCoinage))]
public sealed class PublishedCoinageCollection : ICollectionFixture<PublishedCoinage>;

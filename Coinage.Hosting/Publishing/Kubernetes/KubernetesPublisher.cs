using k8s;
using k8s.Models;

namespace Coinage.Hosting.Publishing.Kubernetes;

/// <summary>
/// The publish step <see cref="PublishingBuilderExtensions.KubernetesStep"/> (<c>./coinage publish --target kubernetes --output DIR</c>):
/// a kustomize base generated from the Aspire model and two overlays, <c>dev</c> and <c>prod</c>. Deploy with
/// <c>kubectl apply -k DIR/overlays/prod</c> after writing <c>secrets.env</c> (docs/deploy.md).
/// </summary>
internal static class KubernetesPublisher
{
    internal const string Header = "Generated from the app model by `./coinage publish --target kubernetes`: change the model, not this file.";

    /// <summary>The git-ignored file kustomize's secretGenerator reads in each overlay.</summary>
    public const string SecretsFile = "secrets.env";

    public static async Task PublishAsync(KubernetesModel k8s, string outputDirectory, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, string>();
        var baseResources = new List<string>();

        void AddManifest(string file, IEnumerable<IKubernetesObject> objects)
        {
            files[$"base/{file}"] = $"# {Header}\n" + string.Join("---\n", objects.Select(o => KubernetesYaml.Serialize(o).TrimEnd() + "\n"));
            baseResources.Add(file);
        }

        foreach (var project in k8s.Projects)
        {
            AddManifest($"{project.Name}.yaml", Workloads.Project(project, k8s));
        }
        foreach (var server in k8s.Servers)
        {
            AddManifest($"{server.Name}.yaml", Workloads.Server(server).Concat(Backups.Servers(k8s).Contains(server) ? Backups.Create(server, k8s) : []));
        }
        AddManifest($"{KubernetesModel.CollectorName}.yaml", Telemetry.Collector(k8s));
        if (k8s.LogStore is { } logStore)
        {
            AddManifest("logging.yaml", Logging.Create(logStore));
        }
        AddManifest("network-policies.yaml", NetworkPolicies.Create(k8s));

        var configMaps = new List<Dictionary<string, object>>();
        foreach (var project in k8s.Projects)
        {
            configMaps.Add(new()
            {
                ["name"] = ContainerEnvironment.ConfigMapName(project),
                ["literals"] = ContainerEnvironment.For(project, k8s).ConfigMap.Select(v => $"{v.Key}={v.Value}").ToList(),
            });
        }
        files[$"base/{Telemetry.ConfigFile}"] = OtelCollectorConfig.Render(k8s.Servers);
        configMaps.Add(new() { ["name"] = Telemetry.ConfigMapName, ["files"] = new List<string> { $"config.yaml={Telemetry.ConfigFile}" } });
        if (k8s.LogStore is not null)
        {
            foreach (var (name, content) in LogStorage.SetupFiles)
            {
                files[$"base/{LogStorage.SetupName}/{name}"] = content;
            }
            configMaps.Add(new() { ["name"] = Logging.SetupConfigMapName, ["files"] = LogStorage.SetupFiles.Keys.Select(n => $"{LogStorage.SetupName}/{n}").ToList() });
        }
        foreach (var server in k8s.Servers.Where(s => s.InitFiles is { Count: > 0 }))
        {
            foreach (var (name, content) in server.InitFiles!)
            {
                files[$"base/{server.Name}/{name}"] = content;
            }
            configMaps.Add(new() { ["name"] = Workloads.InitConfigMapName(server), ["files"] = server.InitFiles!.Keys.Select(n => $"{server.Name}/{n}").ToList() });
        }
        if (k8s.RuleFiles.Count > 0)
        {
            // For the cluster's Prometheus (mounted, or turned into PrometheusRule objects): the same alerts as a local run.
            foreach (var ruleFile in k8s.RuleFiles)
            {
                files[$"base/prometheus/{Path.GetFileName(ruleFile)}"] = await File.ReadAllTextAsync(ruleFile, cancellationToken).ConfigureAwait(false);
            }
            configMaps.Add(new() { ["name"] = "prometheus-rules", ["files"] = k8s.RuleFiles.Select(f => $"prometheus/{Path.GetFileName(f)}").ToList() });
        }

        files["base/kustomization.yaml"] = new Kustomization()
            .Set("resources", baseResources)
            .Set("configMapGenerator", configMaps)
            .Set("images", k8s.Projects.Select(p => new Dictionary<string, object> { ["name"] = ContainerImages.Repository(p), ["newTag"] = ContainerImages.Tag(p) })
                .DistinctBy(i => i["name"]).ToList())
            .Render(Header);

        foreach (var overlay in Overlay.All)
        {
            foreach (var (name, content) in overlay.Files(k8s))
            {
                files[$"overlays/{overlay.Name}/{name}"] = content;
            }
        }
        files[".gitignore"] = $"# Secret values never go into git.\n{SecretsFile}\n";

        // base/ is wholly generated; overlays keep what we did not write (secrets.env).
        var baseDirectory = Path.Combine(outputDirectory, "base");
        if (Directory.Exists(baseDirectory))
        {
            Directory.Delete(baseDirectory, recursive: true);
        }
        foreach (var (relativePath, content) in files)
        {
            var path = Path.Combine(outputDirectory, relativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, content, cancellationToken).ConfigureAwait(false);
        }
    }
}

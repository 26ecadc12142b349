using Aspire.Hosting.ApplicationModel;
using Coinage.Hosting.Publishing;
using Coinage.Hosting.Publishing.Compose;
using YamlDotNet.RepresentationModel;

namespace Coinage.Hosting.Tests.Publishing;

[Collection(nameof(PublishedCoinage))]
public class ComposePublisherTests(PublishedCoinage published)
{
    private YamlMappingNode Services()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(published.ComposeDirectory, ComposePublisher.FileName))));
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }

    private static string Scalar(YamlNode node, string key) => ((YamlScalarNode)((YamlMappingNode)node)[key]).Value!;

    [Fact]
    public void The_compose_file_parses_and_names_every_service_of_the_model()
    {
        var services = Services();
        var names = services.Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!).ToList();
        var running = published.Model.Where(r => r is ProjectResource or ContainerResource).Select(r => r.Name).ToList();
        Assert.NotEmpty(running);
        Assert.All(running, name => Assert.Contains(name, names));
        Assert.Contains(ComposePublisher.CollectorName, names);
        Assert.All(names, name => Assert.False(string.IsNullOrEmpty(Scalar(services[name], "image")), $"{name} has no image"));
    }

    [Fact]
    public async Task Projects_receive_the_same_environment_names_as_the_local_run_and_no_secret_values()
    {
        var services = Services();
        foreach (var project in published.Model.OfType<ProjectResource>())
        {
            var service = (YamlMappingNode)services[project.Name];
            var environment = ((YamlMappingNode)service["environment"]).Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value!);
            var localNames = (await PublishedCoinage.LocalEnvironmentNamesAsync(project.Name))
                .Where(n => n.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || n.StartsWith("services__", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(localNames);
            Assert.Equal(project.Name, environment["OTEL_SERVICE_NAME"]);
            Assert.All(localNames, n => Assert.Contains(n, environment.Keys));
            Assert.Equal(ComposePublisher.CollectorName, new Uri(environment["OTEL_EXPORTER_OTLP_ENDPOINT"]).Host);
            Assert.Equal("8080", environment["HTTP_PORTS"]);
            foreach (var (name, value) in environment.Where(e => e.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal) && !e.Key.EndsWith("smtp", StringComparison.Ordinal)))
            {
                Assert.Matches(@"\$\{[A-Z_]+:\?", value);
            }
            Assert.Equal("true", Scalar(service, "read_only"));
            foreach (var dependency in project.WaitsFor().Select(d => d.ProcessOwner().Name))
            {
                Assert.True(((YamlMappingNode)service["depends_on"]).Children.ContainsKey(dependency), $"{project.Name} does not wait for {dependency}");
            }
        }
        var example = File.ReadAllText(Path.Combine(published.ComposeDirectory, ".env.example"));
        Assert.Contains("POSTGRES_PASSWORD=", example, StringComparison.Ordinal);
        Assert.Contains("COINAGEDB_APP_PASSWORD=", example, StringComparison.Ordinal);
        Assert.Contains("COINAGEDB_OWNER_PASSWORD=", example, StringComparison.Ordinal);
        Assert.All(published.Model.OfType<ProjectResource>(), p => Assert.DoesNotContain("POSTGRES_PASSWORD", Scalar(services[p.Name], "image") + string.Concat(((YamlMappingNode)((YamlMappingNode)services[p.Name])["environment"]).Children.Values.Cast<YamlScalarNode>().Select(v => v.Value)), StringComparison.Ordinal));
        Assert.Contains(".env", File.ReadAllLines(Path.Combine(published.ComposeDirectory, ".gitignore")));
    }

    [Fact]
    public void Prometheus_scrapes_the_projects_and_the_collector_with_the_models_rules()
    {
        var config = File.ReadAllText(Path.Combine(published.ComposeDirectory, "prometheus", "prometheus.yml"));
        Assert.Contains("apiservice:8080", config, StringComparison.Ordinal);
        Assert.Contains($"{ComposePublisher.CollectorName}:8889", config, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(published.ComposeDirectory, "prometheus", "rules", "alerts.yml")));
    }
}

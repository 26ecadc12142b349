using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Orchestration;
using Coinage.Hosting.Prometheus;
using Coinage.Hosting.Testing;
using YamlDotNet.RepresentationModel;

namespace Coinage.Hosting.Tests.Orchestration;

public class PrometheusConfigTests
{
    [Fact]
    public void Scrape_targets_are_every_replica_of_every_project_with_metrics()
    {
        var builder = CoinageTestingBuilder.Create();
        var api = builder.AddProject<TestProject>("apiservice").WithReplicas(2).WithMetricsEndpoint();
        builder.AddProject<TestProject>("silent"); // exposes no metrics: not scraped
        var prometheus = builder.AddPrometheus("prometheus").WithRuleFile("/etc/coinage/alerts.yml");
        var model = new AppModel(builder.Resources, builder.ExecutionContext, "/src");
        var values = new LocalValueContext(model);

        var yaml = new YamlStream();
        yaml.Load(new StringReader(PrometheusConfig.Render(prometheus.Resource, model, values, p => p)));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;

        var job = Assert.Single((YamlSequenceNode)root["scrape_configs"]);
        Assert.Equal("apiservice", ((YamlScalarNode)job["job_name"]).Value);
        Assert.Equal("/metrics", ((YamlScalarNode)job["metrics_path"]).Value);
        var targets = ((YamlSequenceNode)job["static_configs"]).Cast<YamlMappingNode>()
            .Select(c => ((YamlScalarNode)((YamlSequenceNode)c["targets"])[0]).Value).ToList();
        var endpoint = api.Resource.GetEndpoint("http");
        Assert.Equal([$"127.0.0.1:{values.Port(endpoint, 0)}", $"127.0.0.1:{values.Port(endpoint, 1)}"], targets);
        Assert.Equal("/etc/coinage/alerts.yml", ((YamlScalarNode)((YamlSequenceNode)root["rule_files"])[0]).Value);
    }
}

using Coinage.Hosting.Prometheus;
using YamlDotNet.RepresentationModel;

namespace Coinage.Hosting.Tests;

public class PrometheusConfigTests
{
    [Fact]
    public void Each_target_is_a_job_labelled_with_its_resource_and_the_rule_files_are_loaded()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(PrometheusConfig.Render(
            [new ScrapeTarget("apiservice", "/metrics", "localhost:5100"), new ScrapeTarget("worker", "/metrics", "localhost:5200")],
            ["/src/deploy/prometheus/alerts.yml"])));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;

        var jobs = ((YamlSequenceNode)root["scrape_configs"]).Cast<YamlMappingNode>().ToList();
        Assert.Equal(["apiservice", "worker"], jobs.Select(j => ((YamlScalarNode)j["job_name"]).Value));
        var api = (YamlMappingNode)((YamlSequenceNode)jobs[0]["static_configs"])[0];
        Assert.Equal("localhost:5100", ((YamlScalarNode)((YamlSequenceNode)api["targets"])[0]).Value);
        Assert.Equal("apiservice", ((YamlScalarNode)((YamlMappingNode)api["labels"])["resource"]).Value);
        Assert.Equal("/src/deploy/prometheus/alerts.yml", ((YamlScalarNode)((YamlSequenceNode)root["rule_files"])[0]).Value);
        Assert.Equal("5s", ((YamlScalarNode)((YamlMappingNode)root["global"])["scrape_interval"]).Value);
    }
}

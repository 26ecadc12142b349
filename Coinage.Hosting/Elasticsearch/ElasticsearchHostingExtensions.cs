using Coinage.Hosting.Elasticsearch;

namespace Coinage.Hosting;

public static class ElasticsearchHostingExtensions
{
    public const string UrlSetting = "Coinage:Elasticsearch:Url";

    /// <summary>
    /// Elasticsearch named <paramref name="name"/>, which is optional: the server at <c>Coinage:Elasticsearch:Url</c>
    /// when set; else a container where a container runtime answers and when publishing; else an installed
    /// <c>elasticsearch</c> program; else none (null), and search falls back to PostgreSQL.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString>? AddCoinageElasticsearch(this IDistributedApplicationBuilder builder, string name)
    {
        var hosting = CoinageHosting.For(builder);
        if (builder.Configuration[UrlSetting] is { Length: > 0 } url && builder.ExecutionContext.IsRunMode)
        {
            return builder.AddConnectionString(name, ReferenceExpression.Create($"{url.TrimEnd('/')}"));
        }
        var password = hosting.AddSecret($"{name}-password");
        var port = hosting.PinnedPort(name);
        IResourceBuilder<IElasticsearchResource> search;
        if (hosting.UseContainers)
        {
            var container = builder.AddResource(new ElasticsearchContainerResource(name, password.Resource))
                .WithImage(ElasticsearchContainerResource.Image, ElasticsearchContainerResource.Tag)
                .WithHttpEndpoint(port: port, targetPort: 9200, name: IElasticsearchResource.HttpEndpointName)
                .WithEnvironment("discovery.type", "single-node")
                .WithEnvironment("xpack.security.http.ssl.enabled", "false")
                .WithEnvironment("ES_JAVA_OPTS", "-Xms512m -Xmx512m")
                .WithEnvironment("ELASTIC_PASSWORD", password);
            if (builder.ExecutionContext.IsRunMode && !hosting.Ephemeral)
            {
                container.WithVolume($"coinage-{name}", "/usr/share/elasticsearch/data");
            }
            search = container;
        }
        else if (ProgramLocator.Find("elasticsearch", "/usr/share/elasticsearch/bin/elasticsearch") is { } program)
        {
            var process = builder.AddResource(new ElasticsearchProcessResource(name, program, hosting.SolutionDirectory, password.Resource));
            search = process
                .WithHttpEndpoint(port: port, name: IElasticsearchResource.HttpEndpointName)
                .WithEnvironment("ELASTIC_PASSWORD", password)
                .WithArgs(context =>
                {
                    context.Args.Add("-E");
                    context.Args.Add(ReferenceExpression.Create($"http.port={process.Resource.GetEndpoint(IElasticsearchResource.HttpEndpointName).Property(EndpointProperty.TargetPort)}"));
                    foreach (var arg in (string[])["-E", "network.host=127.0.0.1", "-E", "discovery.type=single-node", "-E", $"path.data={hosting.ResourceDirectory(name)}"])
                    {
                        context.Args.Add(arg);
                    }
                });
        }
        else
        {
            return null;
        }
        // No health check: the cluster answers only with the elastic user's credentials, and nothing waits for it
        // (the services index from the outbox and catch up once it answers).
        return search.WithIconName("DocumentSearch");
    }
}

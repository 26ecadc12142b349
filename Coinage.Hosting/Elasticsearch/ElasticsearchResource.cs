using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Orchestration;

namespace Coinage.Hosting.Elasticsearch;

/// <summary>
/// Elasticsearch, optional: used when a server is configured (<c>Coinage:Elasticsearch:Url</c>)
/// or an <c>elasticsearch</c> program is installed; otherwise shown as unavailable while the
/// rest of the platform runs (search falls back to PostgreSQL).
/// </summary>
public sealed class ElasticsearchResource : Resource, IResourceWithConnectionString, IRunnableResource
{
    public const string WhenMissing = "search falls back to PostgreSQL; indexing catches up from the outbox once a server is configured";

    public ElasticsearchResource(string name, ParameterResource password, string? externalUrl) : base(name)
    {
        Password = password;
        ExternalUrl = externalUrl?.TrimEnd('/');
        Annotations.Add(new EndpointAnnotation(this, "http", "http", 9200));
        Annotations.Add(new OptionalAnnotation(WhenMissing));
    }

    public override string ResourceType => "Elasticsearch";

    public ParameterResource Password { get; }

    /// <summary>An already-running server to use instead of starting one.</summary>
    public string? ExternalUrl { get; }

    public string GetConnectionString(IValueContext context) =>
        ExternalUrl is not null && !context.IsPublishing
            ? ExternalUrl
            : $"http://elastic:{context.Value(Password)}@{context.HostAndPort(this.GetEndpoint("http"))}";

    public IResourceRunner CreateRunner(RunContext context) => new ElasticsearchRunner(this, context);
}

public static class ElasticsearchBuilderExtensions
{
    public static IResourceBuilder<ElasticsearchResource> AddElasticsearch(this CoinageApplicationBuilder builder, string name)
    {
        var password = builder.AddParameter($"{name}-password", secret: true);
        return builder.AddResource(new ElasticsearchResource(name, password.Resource, builder.Configuration["Coinage:Elasticsearch:Url"]));
    }
}

internal sealed class ElasticsearchRunner(ElasticsearchResource resource, RunContext context) : IResourceRunner
{
    private string? _program;

    public Task PrepareAsync(CancellationToken cancellationToken)
    {
        if (resource.ExternalUrl is null)
        {
            _program = ExecutableLocator.Find("elasticsearch", "/usr/share/elasticsearch/bin/elasticsearch")
                ?? throw new ResourceFailedException(resource.Name,
                    $"no Elasticsearch server: none is installed and Coinage:Elasticsearch:Url is not set ({ElasticsearchResource.WhenMissing}).");
        }
        return Task.CompletedTask;
    }

    /// <summary>An external server needs no process of ours; its health check is all there is.</summary>
    public ProcessSpec? CreateProcess(int replica) => _program is null
        ? null
        : new ProcessSpec(_program,
        [
            "-E", $"http.port={context.Values.Port(resource.GetEndpoint("http"))}", "-E", "network.host=127.0.0.1",
            "-E", "discovery.type=single-node", "-E", $"path.data={context.ResourceDirectory(resource)}",
        ])
        { Environment = new Dictionary<string, string> { ["ELASTIC_PASSWORD"] = resource.Password.Value } };

    public Task<bool> IsHealthyAsync(int replica, CancellationToken cancellationToken) =>
        context.HttpOkAsync($"{resource.GetConnectionString(context.Values)}/_cluster/health", cancellationToken);
}

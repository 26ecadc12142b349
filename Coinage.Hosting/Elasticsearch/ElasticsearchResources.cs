namespace Coinage.Hosting.Elasticsearch;

/// <summary>Elasticsearch for the search feature: <c>ConnectionStrings__elasticsearch</c> is <c>http://elastic:PASSWORD@host:port</c>.</summary>
public interface IElasticsearchResource : IResourceWithConnectionString, IResourceWithEndpoints
{
    public const string HttpEndpointName = "http";

    ParameterResource PasswordParameter { get; }
}

/// <summary>An installed elasticsearch program, run by DCP as an executable (single node, loopback).</summary>
public sealed class ElasticsearchProcessResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IElasticsearchResource
{
    public ParameterResource PasswordParameter { get; } = password;

    public ReferenceExpression ConnectionStringExpression => ElasticsearchConnection.For(this);
}

/// <summary>The Elasticsearch container image (single node, security on, password <see cref="PasswordParameter"/>).</summary>
public sealed class ElasticsearchContainerResource(string name, ParameterResource password) : ContainerResource(name), IElasticsearchResource
{
    public const string Image = "docker.elastic.co/elasticsearch/elasticsearch";
    // The 9.x client (Elastic.Clients.Elasticsearch 9.5.3) asks for the 9.x API, which an 8.x server refuses.
    public const string Tag = "9.5.0";

    public ParameterResource PasswordParameter { get; } = password;

    public ReferenceExpression ConnectionStringExpression => ElasticsearchConnection.For(this);
}

internal static class ElasticsearchConnection
{
    public static ReferenceExpression For(IElasticsearchResource resource) => ReferenceExpression.Create(
        $"http://elastic:{resource.PasswordParameter}@{new EndpointReference(resource, IElasticsearchResource.HttpEndpointName).Property(EndpointProperty.HostAndPort)}");
}

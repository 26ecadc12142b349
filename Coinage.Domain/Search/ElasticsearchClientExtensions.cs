using System.Data.Common;
using Coinage.Domain.Search;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// <c>AddElasticsearchClient</c> as the Aspire client integration <c>Aspire.Elastic.Clients.Elasticsearch</c>
/// has it (same name, arguments, settings section, health check name and tracing source). That package
/// is not served to us; once it is, this file and <see cref="ElasticClientsElasticsearchSettings"/> go
/// and the package reference replaces them: the call in <see cref="SearchExtensions.AddCoinageSearch"/>
/// stays as it is.
/// </summary>
public static class ElasticsearchClientExtensions
{
    /// <summary>Where the settings are read from, as in the Aspire integration.</summary>
    public const string DefaultConfigSectionName = "Aspire:Elastic:Clients:Elasticsearch";

    /// <summary>The Aspire integration's health check name.</summary>
    public const string HealthCheckName = "Elastic.Clients.Elasticsearch";

    /// <summary>The client's own <c>ActivitySource</c>: one client span per request.</summary>
    public const string ActivitySourceName = "Elastic.Transport";

    /// <summary>
    /// Registers a singleton <see cref="ElasticsearchClient"/> for <c>ConnectionStrings:{connectionName}</c>
    /// (a URL, credentials allowed in it, or <c>Endpoint=…;ApiKey=…</c>), with its health check and tracing
    /// unless the settings disable them.
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither a connection string nor an endpoint is configured.</exception>
    public static void AddElasticsearchClient(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<ElasticClientsElasticsearchSettings>? configureSettings = null,
        Action<ElasticsearchClientSettings>? configureClientSettings = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionName);

        var settings = new ElasticClientsElasticsearchSettings();
        builder.Configuration.GetSection(DefaultConfigSectionName).Bind(settings);
        if (builder.Configuration.GetConnectionString(connectionName) is { } connectionString)
        {
            settings.ParseConnectionString(connectionString);
        }
        configureSettings?.Invoke(settings);
        // Fail at start, not at the first search: a half-configured client is a deployment mistake.
        if (settings.Endpoint is null && (settings.CloudId is null || settings.ApiKey is null))
        {
            throw NotConfigured(connectionName);
        }

        builder.Services.AddSingleton(_ =>
        {
            var clientSettings = CreateClientSettings(settings, connectionName);
            configureClientSettings?.Invoke(clientSettings);
            return new ElasticsearchClient(clientSettings);
        });

        if (!settings.DisableTracing)
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(ActivitySourceName));
        }

        if (!settings.DisableHealthChecks && !builder.Properties.ContainsKey(HealthCheckName))
        {
            builder.Properties[HealthCheckName] = true;
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                HealthCheckName,
                sp => new ElasticsearchHealthCheck(sp.GetRequiredService<ElasticsearchClient>()),
                failureStatus: null,
                tags: null,
                timeout: settings.HealthCheckTimeout > 0 ? TimeSpan.FromMilliseconds(settings.HealthCheckTimeout.Value) : null));
        }
    }

    private static ElasticsearchClientSettings CreateClientSettings(ElasticClientsElasticsearchSettings settings, string connectionName)
    {
        if (settings.Endpoint is { } endpoint)
        {
            // Credentials in the URL become a Basic header, so the node's URI (in traces, logs and
            // errors) never carries them; an API key from the settings wins over them.
            var (node, user, password) = SplitCredentials(endpoint);
            var clientSettings = new ElasticsearchClientSettings(node);
            if (settings.ApiKey is { Length: > 0 } apiKey)
            {
                clientSettings.Authentication(new ApiKey(apiKey));
            }
            else if (user is not null)
            {
                clientSettings.Authentication(new BasicAuthentication(user, password ?? ""));
            }
            return clientSettings;
        }
        if (settings.CloudId is not null && settings.ApiKey is not null)
        {
            return new ElasticsearchClientSettings(settings.CloudId, new ApiKey(settings.ApiKey));
        }
        throw NotConfigured(connectionName);
    }

    private static InvalidOperationException NotConfigured(string connectionName) => new(
        $"An ElasticsearchClient could not be configured. Ensure valid connection information was provided in 'ConnectionStrings:{connectionName}' or " +
        $"either {nameof(ElasticClientsElasticsearchSettings.Endpoint)} or {nameof(ElasticClientsElasticsearchSettings.CloudId)} and " +
        $"{nameof(ElasticClientsElasticsearchSettings.ApiKey)} must be provided in the '{DefaultConfigSectionName}' configuration section.");

    internal static (Uri Node, string? User, string? Password) SplitCredentials(Uri endpoint)
    {
        if (endpoint.UserInfo.Length == 0)
        {
            return (endpoint, null, null);
        }
        var parts = endpoint.UserInfo.Split(':', 2);
        var node = new UriBuilder(endpoint) { UserName = "", Password = "" }.Uri;
        return (node, Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null);
    }
}

/// <summary>The settings of <see cref="ElasticsearchClientExtensions.AddElasticsearchClient"/>, as the Aspire integration names them.</summary>
public sealed class ElasticClientsElasticsearchSettings
{
    private const string ConnectionStringEndpoint = "Endpoint";
    private const string ConnectionStringApiKey = "ApiKey";
    private const string ConnectionStringCloudId = "CloudId";

    /// <summary>No health check is registered. Default false.</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>The client's spans are not exported. Default false.</summary>
    public bool DisableTracing { get; set; }

    /// <summary>The health check's timeout in milliseconds (none when unset).</summary>
    public int? HealthCheckTimeout { get; set; }

    /// <summary>The server, e.g. <c>http://elastic:password@127.0.0.1:9200</c>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>An API key (with <see cref="Endpoint"/> or <see cref="CloudId"/>).</summary>
    public string? ApiKey { get; set; }

    /// <summary>An Elastic Cloud deployment (with <see cref="ApiKey"/>).</summary>
    public string? CloudId { get; set; }

    /// <summary>A URL, or <c>Endpoint=…;ApiKey=…;CloudId=…</c>.</summary>
    public void ParseConnectionString(string? connectionString)
    {
        if (Uri.TryCreate(connectionString, UriKind.Absolute, out var uri))
        {
            Endpoint = uri;
            return;
        }
        var connection = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (connection.TryGetValue(ConnectionStringEndpoint, out var endpoint) && Uri.TryCreate(endpoint?.ToString(), UriKind.Absolute, out var endpointUri))
        {
            Endpoint = endpointUri;
        }
        if (connection.TryGetValue(ConnectionStringApiKey, out var apiKey))
        {
            ApiKey = apiKey?.ToString();
        }
        if (connection.TryGetValue(ConnectionStringCloudId, out var cloudId))
        {
            CloudId = cloudId?.ToString();
        }
    }
}

/// <summary>
/// The Aspire integration's check with the cluster health API: green is healthy, yellow degraded (a
/// single node cannot place replicas), red or no answer the registration's failure status.
/// </summary>
internal sealed class ElasticsearchHealthCheck(ElasticsearchClient client) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failure = context.Registration.FailureStatus;
        try
        {
            var health = await client.Cluster.HealthAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!health.IsValidResponse)
            {
                return new HealthCheckResult(failure, "Elasticsearch did not answer.", health.ApiCallDetails.OriginalException);
            }
            var data = new Dictionary<string, object> { ["cluster"] = health.ClusterName, ["status"] = health.Status.ToString(), ["nodes"] = health.NumberOfNodes };
            return health.Status switch
            {
                Elastic.Clients.Elasticsearch.HealthStatus.Green => HealthCheckResult.Healthy($"Cluster {health.ClusterName} is green.", data),
                Elastic.Clients.Elasticsearch.HealthStatus.Yellow => HealthCheckResult.Degraded($"Cluster {health.ClusterName} is yellow.", data: data),
                _ => new HealthCheckResult(failure, $"Cluster {health.ClusterName} is {health.Status}.", data: data),
            };
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(failure, "Elasticsearch did not answer.", exception);
        }
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Coinage.Domain.Search.Elasticsearch;

public static class ElasticsearchExtensions
{
    /// <summary>The health check's tags: reported by <c>/health</c>, never failing it.</summary>
    public static readonly string[] HealthCheckTags = ["search", "optional"];

    /// <summary>
    /// Registers <see cref="ElasticsearchSettings"/> always, and <see cref="IElasticsearchClient"/> and its
    /// health check only when <c>ConnectionStrings:elasticsearch</c> is set; consumers take the client
    /// as an optional dependency.
    /// </summary>
    public static IHostApplicationBuilder AddElasticsearchClient(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = ElasticsearchSettings.Parse(builder.Configuration.GetConnectionString(ElasticsearchSettings.ConnectionName));
        builder.Services.TryAddSingleton(settings);
        if (settings.IsConfigured)
        {
            builder.Services.AddHttpClient<IElasticsearchClient, ElasticsearchClient>();
            builder.Services.AddHealthChecks().AddCheck<ElasticsearchHealthCheck>(
                ElasticsearchSettings.ConnectionName, HealthStatus.Degraded, HealthCheckTags, TimeSpan.FromSeconds(5));
        }
        return builder;
    }
}

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
            // No standard resilience handler (ServiceDefaults adds one to every client): the indexer retries
            // with its own back-off and a checkpoint, search falls back to PostgreSQL at once, and the health
            // check must answer quickly, so retries here would only make /health and searches wait.
#pragma warning disable EXTEXP0001 // Experimental in Microsoft.Extensions.Http.Resilience 10.x; the documented way to opt one client out.
            builder.Services.AddHttpClient<IElasticsearchClient, ElasticsearchClient>(http => http.Timeout = TimeSpan.FromSeconds(30))
                .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
            builder.Services.AddHealthChecks().AddCheck<ElasticsearchHealthCheck>(
                ElasticsearchSettings.ConnectionName, HealthStatus.Degraded, HealthCheckTags, TimeSpan.FromSeconds(5));
        }
        return builder;
    }
}

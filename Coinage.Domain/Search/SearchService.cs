using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coinage.Domain.Search;

/// <summary>A search answer and the back end that gave it.</summary>
public sealed record Searched<T>(T Result, string Source);

/// <summary>
/// Search that never depends on Elasticsearch: with it configured, each search asks it first; when it
/// fails (down, index not built yet) the same search is answered from PostgreSQL, and Elasticsearch is
/// left alone for <see cref="ElasticsearchBreaker.OpenFor"/> so a dead server costs no time per request.
/// </summary>
public sealed partial class SearchService(
    PostgresSearchBackend postgres, ElasticsearchBreaker breaker, TimeProvider clock, ILogger<SearchService> logger, ElasticsearchSearchBackend? elasticsearch = null)
{
    public Task<Searched<AuditSearchResult>> SearchAuditAsync(AuditSearchQuery query, CancellationToken cancellationToken) =>
        RunAsync((b, ct) => b.SearchAuditAsync(query, ct), cancellationToken);

    public Task<Searched<SearchPage<OrderDocument>>> SearchOrdersAsync(OrderSearchQuery query, CancellationToken cancellationToken) =>
        RunAsync((b, ct) => b.SearchOrdersAsync(query, ct), cancellationToken);

    public Task<Searched<SearchPage<FillDocument>>> SearchFillsAsync(FillSearchQuery query, CancellationToken cancellationToken) =>
        RunAsync((b, ct) => b.SearchFillsAsync(query, ct), cancellationToken);

    private async Task<Searched<T>> RunAsync<T>(Func<ISearchBackend, CancellationToken, Task<T>> search, CancellationToken cancellationToken)
    {
        if (elasticsearch is not null && breaker.IsClosed(clock.GetUtcNow()))
        {
            try
            {
                return new Searched<T>(await search(elasticsearch, cancellationToken).ConfigureAwait(false), elasticsearch.Name);
            }
            catch (ElasticsearchException exception)
            {
                breaker.Open(clock.GetUtcNow());
                LogFallback(exception.StatusCode, exception.ErrorType, exception.Message);
            }
        }
        return new Searched<T>(await search(postgres, cancellationToken).ConfigureAwait(false), postgres.Name);
    }

    [LoggerMessage(LogLevel.Warning, "Elasticsearch search failed ({StatusCode} {ErrorType}): {Reason}; answering from PostgreSQL")]
    private partial void LogFallback(int? statusCode, string? errorType, string reason);
}

/// <summary>Shared by every request of a process: when Elasticsearch last failed.</summary>
public sealed class ElasticsearchBreaker
{
    public static readonly TimeSpan OpenFor = TimeSpan.FromSeconds(30);

    private long _openUntilTicks;

    public bool IsClosed(DateTimeOffset now) => now.UtcTicks >= Interlocked.Read(ref _openUntilTicks);

    public void Open(DateTimeOffset now) => Interlocked.Exchange(ref _openUntilTicks, (now + OpenFor).UtcTicks);
}

public static class SearchExtensions
{
    /// <summary>The Aspire resource name: <c>ConnectionStrings:elasticsearch</c>.</summary>
    public const string ConnectionName = "elasticsearch";

    /// <summary>The health check's tags: reported by <c>/health</c>, never failing it.</summary>
    public static readonly string[] HealthCheckTags = ["search", "optional"];

    /// <summary>A connection string, or an endpoint or Elastic Cloud id in the client's settings section.</summary>
    public static bool IsElasticsearchConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(ElasticsearchClientExtensions.DefaultConfigSectionName);
        return !string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionName))
            || !string.IsNullOrWhiteSpace(section["Endpoint"]) || !string.IsNullOrWhiteSpace(section["CloudId"]);
    }

    /// <summary>
    /// The Elasticsearch client (when configured) and search with its PostgreSQL fallback. Without
    /// configuration no client is registered at all: Elasticsearch is optional (DESIGN.md §6).
    /// </summary>
    public static IHostApplicationBuilder AddCoinageSearch(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ElasticsearchBreaker>();
        builder.Services.TryAddScoped<SearchSource>();
        builder.Services.TryAddScoped<PostgresSearchBackend>();
        builder.Services.TryAddScoped<SearchService>();
        if (IsElasticsearchConfigured(builder.Configuration))
        {
            // Searches fall back to PostgreSQL and the indexer keeps its own checkpoint, so a request that
            // hangs helps no one: 30 s is already far more than a search or a 500-document bulk needs.
            builder.AddElasticsearchClient(ConnectionName, configureClientSettings: settings => settings.RequestTimeout(TimeSpan.FromSeconds(30)));
            // The platform does not depend on Elasticsearch: its check reports, /health stays 200.
            builder.Services.Configure<HealthCheckServiceOptions>(options =>
            {
                foreach (var registration in options.Registrations.Where(r => r.Name == ElasticsearchClientExtensions.HealthCheckName))
                {
                    registration.FailureStatus = HealthStatus.Degraded;
                    registration.Tags.UnionWith(HealthCheckTags);
                }
            });
            builder.Services.TryAddScoped<ElasticsearchSearchBackend>();
        }
        return builder;
    }
}

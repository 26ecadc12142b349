using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coinage.Domain.Search.Elasticsearch;

/// <summary>
/// Green is healthy, yellow degraded (a single node cannot place replicas), red or no answer is
/// the registration's failure status — which is <see cref="HealthStatus.Degraded"/>: the platform
/// does not depend on Elasticsearch, so <c>/health</c> stays 200 while it is down.
/// </summary>
public sealed class ElasticsearchHealthCheck(IElasticsearchClient client) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failure = context?.Registration.FailureStatus ?? HealthStatus.Degraded;
        try
        {
            var health = await client.GetClusterHealthAsync(cancellationToken).ConfigureAwait(false);
            var data = new Dictionary<string, object> { ["cluster"] = health.ClusterName, ["status"] = health.Status, ["nodes"] = health.NumberOfNodes };
            return health.Status switch
            {
                "green" => HealthCheckResult.Healthy($"Cluster {health.ClusterName} is green.", data),
                "yellow" => HealthCheckResult.Degraded($"Cluster {health.ClusterName} is yellow.", data: data),
                _ => new HealthCheckResult(failure, $"Cluster {health.ClusterName} is {health.Status}.", data: data),
            };
        }
        catch (ElasticsearchException exception)
        {
            return new HealthCheckResult(failure, "Elasticsearch did not answer; search falls back to PostgreSQL.", exception);
        }
    }
}

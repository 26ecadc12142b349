using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Coinage.Domain.Redis;

/// <summary>
/// Unhealthy at once while the multiplexer is disconnected (a PING would sit in its backlog until
/// the timeout, longer than a probe waits), otherwise as healthy as a PING round trip.
/// </summary>
public sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return new HealthCheckResult(context?.Registration.FailureStatus ?? HealthStatus.Unhealthy, "Not connected to Redis.");
        }
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"PING answered in {latency.TotalMilliseconds:0.#} ms.");
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return new HealthCheckResult(context?.Registration.FailureStatus ?? HealthStatus.Unhealthy, "Redis did not answer PING.", exception);
        }
    }
}

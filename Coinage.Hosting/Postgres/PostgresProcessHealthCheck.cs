using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Coinage.Hosting.Postgres;

/// <summary>
/// Healthy when the server answers <c>SELECT 1</c>. A refused password means the cluster in the data directory was
/// initialised with another one (secrets.json deleted or replaced): it will never answer, so that is recorded as the
/// reason the server cannot start, which the run summary prints instead of waiting for ever.
/// </summary>
internal sealed class PostgresProcessHealthCheck(PostgresProcessResource resource, string dataDirectory, Func<string?> connectionString) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (connectionString() is not { } available)
        {
            return HealthCheckResult.Unhealthy("The connection string is not available yet.");
        }
        try
        {
            await using var connection = new NpgsqlConnection(available + ";Database=postgres;Timeout=3;Pooling=false");
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
        {
            var failure = new ResourceStartException(resource,
                $"the cluster in {dataDirectory} was initialised with another password than {resource.PasswordParameter.Name} has now (was secrets.json deleted?); run ./coinage reset, or pass the old one with --Parameters:{resource.PasswordParameter.Name}=…");
            return HealthCheckResult.Unhealthy(failure.Reason, failure);
        }
        catch (NpgsqlException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message, ex);
        }
    }
}

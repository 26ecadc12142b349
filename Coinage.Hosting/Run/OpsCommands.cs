using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coinage.Hosting;

/// <summary>
/// Commands in the Aspire dashboard that ask a service to do something now (run reconciliation, rebuild the search
/// indices), as HTTP requests to small endpoints of that service. Those endpoints exist only where the service is given
/// a key (<c>Coinage__Ops__Key</c>), and every request must carry it in <see cref="KeyHeader"/>: the key is a secret of the
/// run, so nothing else on the machine can call them. Local runs only: a published manifest gets neither the key nor the
/// commands (a cluster's ops use the Hangfire dashboard or <c>kubectl exec</c>).
/// </summary>
public static class OpsCommands
{
    /// <summary>Read by the Worker (Coinage.Worker, <c>Operations/OpsApi</c>): keep the two in step.</summary>
    public const string KeyHeader = "X-Coinage-Ops-Key";

    public const string KeyVariable = "Coinage__Ops__Key";

    /// <summary>Hands the service <paramref name="key"/> (which maps its ops endpoints) for the commands added after it.</summary>
    public static IResourceBuilder<ProjectResource> WithOpsKey(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<ParameterResource> key)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(key);
        if (!builder.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return builder;
        }
        return builder.WithEnvironment(KeyVariable, key).WithAnnotation(new OpsKeyAnnotation(key.Resource), ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>
    /// A dashboard command that POSTs to <paramref name="path"/> on the service's <c>http</c> endpoint with the key of
    /// <see cref="WithOpsKey"/>, enabled while the service is healthy. The dashboard shows the service's answer: the
    /// Hangfire job it started, or why not.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithOpsCommand(this IResourceBuilder<ProjectResource> builder,
        string name, string displayName, string path, string iconName, string? description = null, string? confirmationMessage = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return builder;
        }
        var key = builder.Resource.Annotations.OfType<OpsKeyAnnotation>().LastOrDefault()?.Key
            ?? throw new InvalidOperationException($"{builder.Resource.Name} has no ops key: call WithOpsKey before WithOpsCommand.");
        return builder.WithHttpCommand(path, displayName, endpointName: "http", commandName: name, commandOptions: Options(key, description, iconName, confirmationMessage));
    }

    internal static HttpCommandOptions Options(ParameterResource key, string? description, string iconName, string? confirmationMessage) => new()
    {
        Method = HttpMethod.Post,
        Description = description,
        IconName = iconName,
        ConfirmationMessage = confirmationMessage,
        // Until then the service cannot run jobs (its Hangfire server waits for the migrations) and would only say so.
        UpdateState = context => context.ResourceSnapshot.State?.Text == KnownResourceStates.Running && context.ResourceSnapshot.HealthStatus == HealthStatus.Healthy
            ? ResourceCommandState.Enabled
            : ResourceCommandState.Disabled,
        PrepareRequest = async context => context.Request.Headers.Add(KeyHeader, await key.GetValueAsync(context.CancellationToken).ConfigureAwait(false)),
        GetCommandResult = ResultAsync,
    };

    /// <summary>The job the service started (202 with <c>{ jobId, recurringJobId }</c>), or its problem details as the error.</summary>
    internal static async Task<ExecuteCommandResult> ResultAsync(HttpCommandResultContext context)
    {
        var response = context.Response;
        var body = await response.Content.ReadAsStringAsync(context.CancellationToken).ConfigureAwait(false);
        JsonElement? json = null;
        try
        {
            json = body.Length > 0 ? JsonSerializer.Deserialize<JsonElement>(body) : null;
        }
        catch (JsonException)
        {
        }
        if (response.StatusCode == HttpStatusCode.Accepted && Text(json, "jobId") is { } jobId)
        {
            return CommandResults.Success($"Hangfire job {jobId} ({Text(json, "recurringJobId")}) enqueued: see Jobs on the worker for its progress.");
        }
        var reason = string.Join(" ", new[] { Text(json, "title"), Text(json, "detail") }.Where(t => t is { Length: > 0 }));
        return CommandResults.Failure($"{context.ResourceName} answered {(int)response.StatusCode} {response.ReasonPhrase}{(reason.Length > 0 ? $": {reason}" : ".")}");
    }

    private static string? Text(JsonElement? json, string property) =>
        json is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed record OpsKeyAnnotation(ParameterResource Key) : IResourceAnnotation;
}

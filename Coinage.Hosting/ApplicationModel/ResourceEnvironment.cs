
namespace Coinage.Hosting.ApplicationModel;

/// <summary>One environment variable a resource receives.</summary>
public sealed record EnvironmentValue(string Name, string Value, bool IsSecret);

/// <summary>
/// The environment a resource receives, following Aspire's conventions (DESIGN.md §1). The local
/// orchestrator and the publishers both use this, so a pod is configured exactly like a local
/// process: only the <see cref="IValueContext"/> differs.
/// </summary>
public static class ResourceEnvironment
{
    public static IReadOnlyList<EnvironmentValue> Build(IResource resource, IValueContext context, CoinageExecutionContext execution, int replica = 0)
    {
        var values = new List<EnvironmentValue>();
        if (resource is ProjectResource project)
        {
            var http = project.GetEndpoint("http");
            if (context.IsPublishing)
            {
                values.Add(new("HTTP_PORTS", http.TargetPort.ToString(System.Globalization.CultureInfo.InvariantCulture), false));
            }
            else
            {
                values.Add(new("ASPNETCORE_URLS", context.Url(http, replica), false));
                var environment = execution.IsTesting ? "Development" : System.Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Development";
                values.Add(new("ASPNETCORE_ENVIRONMENT", environment, false));
                values.Add(new("DOTNET_ENVIRONMENT", environment, false));
                // Development-friendly export intervals, as Aspire sets them.
                values.Add(new("OTEL_BLRP_SCHEDULE_DELAY", "1000", false));
                values.Add(new("OTEL_BSP_SCHEDULE_DELAY", "1000", false));
                values.Add(new("OTEL_METRIC_EXPORT_INTERVAL", "1000", false));
            }
            values.Add(new("OTEL_SERVICE_NAME", project.Name, false));
            values.Add(new("OTEL_RESOURCE_ATTRIBUTES", context.IsPublishing
                ? "service.namespace=coinage"
                : $"service.instance.id={project.Name}-{replica},service.namespace=coinage", false));
            if (context.OtlpEndpoint is { } otlp)
            {
                values.Add(new("OTEL_EXPORTER_OTLP_ENDPOINT", otlp, false));
                values.Add(new("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", false));
                if (context is Orchestration.LocalValueContext { OtlpApiKey: { Length: > 0 } apiKey })
                {
                    values.Add(new("OTEL_EXPORTER_OTLP_HEADERS", $"x-otlp-api-key={apiKey}", true));
                }
            }
        }
        foreach (var annotation in resource.Annotations.OfType<EnvironmentAnnotation>())
        {
            var value = annotation.Value(context);
            values.RemoveAll(v => v.Name == annotation.Name);
            if (value.Length > 0)
            {
                values.Add(new(annotation.Name, value, annotation.IsSecret));
            }
        }
        return values;
    }

    /// <summary>True for names that look like they carry a secret (for masking on screens).</summary>
    public static bool LooksSecret(string name) =>
        name.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
        || name.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase)
        || name.Contains("SECRET", StringComparison.OrdinalIgnoreCase)
        || name.Contains("KEY", StringComparison.OrdinalIgnoreCase)
        || name.Contains("TOKEN", StringComparison.OrdinalIgnoreCase);
}

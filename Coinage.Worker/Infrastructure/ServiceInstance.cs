namespace Coinage.Worker.Infrastructure;

/// <summary>
/// Which replica this process is: "machine/instance" when the orchestrator names the instance
/// (<c>service.instance.id</c> in <c>OTEL_RESOURCE_ATTRIBUTES</c>, e.g. "worker-1"), else the
/// machine name (in Kubernetes, the pod name).
/// </summary>
public sealed class ServiceInstance(string name)
{
    public string Name { get; } = name;

    public static ServiceInstance FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var instanceId = ParseInstanceId(configuration["OTEL_RESOURCE_ATTRIBUTES"]);
        return new(instanceId is null ? Environment.MachineName : $"{Environment.MachineName}/{instanceId}");
    }

    internal static string? ParseInstanceId(string? resourceAttributes)
    {
        foreach (var attribute in (resourceAttributes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = attribute.IndexOf('=', StringComparison.Ordinal);
            if (separator > 0 && attribute[..separator].Trim() == "service.instance.id")
            {
                var value = attribute[(separator + 1)..].Trim();
                return value.Length == 0 ? null : value;
            }
        }
        return null;
    }

    public override string ToString() => Name;
}

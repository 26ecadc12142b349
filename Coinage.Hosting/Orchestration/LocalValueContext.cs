using Coinage.Hosting.ApplicationModel;

namespace Coinage.Hosting.Orchestration;

/// <summary>
/// Values for a local run: every endpoint on 127.0.0.1, every replica on its own port (pinned
/// ports from Coinage:Ports in `run`, free ones in tests), parameters with their real values.
/// </summary>
public sealed class LocalValueContext : IValueContext
{
    private readonly Dictionary<(EndpointAnnotation, int), int> _ports = [];

    public LocalValueContext(AppModel model)
    {
        var taken = new HashSet<int>();
        var usePinned = !model.Context.IsTesting;
        foreach (var resource in model.Resources)
        {
            var replicas = resource is ProjectResource project ? project.Replicas : 1;
            foreach (var endpoint in resource.Endpoints())
            {
                for (var replica = 0; replica < replicas; replica++)
                {
                    if (usePinned && endpoint.Port is { } pinned)
                    {
                        var port = pinned + replica;
                        if (!taken.Add(port))
                        {
                            throw new ResourceFailedException(resource.Name, $"port {port} is pinned twice in the app model.");
                        }
                        _ports[(endpoint, replica)] = port;
                    }
                }
            }
        }
        foreach (var resource in model.Resources)
        {
            var replicas = resource is ProjectResource project ? project.Replicas : 1;
            foreach (var endpoint in resource.Endpoints())
            {
                for (var replica = 0; replica < replicas; replica++)
                {
                    if (!_ports.ContainsKey((endpoint, replica)))
                    {
                        _ports[(endpoint, replica)] = PortAllocator.GetFreePort(taken);
                    }
                }
            }
        }
    }

    /// <summary>Where projects send OTLP; set when the dashboard's receiver is running.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>The key projects present to the OTLP receiver (x-otlp-api-key), when one is configured.</summary>
    public string? OtlpApiKey { get; set; }

    public bool IsPublishing => false;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _unavailable = new(StringComparer.Ordinal);

    /// <summary>Marks an optional resource that failed to start, so references to it give no connection string.</summary>
    public void MarkUnavailable(IResource resource) => _unavailable[resource.Name] = true;

    public bool IsUnavailable(IResource resource) => _unavailable.ContainsKey(resource.Name);

    public string Host(EndpointAnnotation endpoint) => "127.0.0.1";

    public int Port(EndpointAnnotation endpoint, int replica = 0) =>
        _ports.TryGetValue((endpoint, replica), out var port)
            ? port
            : throw new InvalidOperationException($"No port allocated for {endpoint.Resource.Name}/{endpoint.Name} replica {replica}.");

    public string Value(ParameterResource parameter) => parameter.Value;

    public int AddressCount(EndpointAnnotation endpoint) =>
        endpoint.Resource is ProjectResource project ? project.Replicas : 1;

    /// <summary>Pinned ports that something else already listens on.</summary>
    public IEnumerable<(EndpointAnnotation Endpoint, int Port)> PinnedPortsInUse() =>
        _ports.Where(p => p.Key.Item1.Port is not null && !PortAllocator.IsFree(p.Value)).Select(p => (p.Key.Item1, p.Value));
}

using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace Coinage.Web.Proxy;

/// <summary>
/// The browser talks to one origin: everything under <c>/api</c> and <c>/hubs</c> (SignalR, WebSockets
/// included) is forwarded to the ApiService, found through service discovery as <c>http://apiservice</c>.
/// One origin means no CORS, cookies scoped to the site, and a CSP of <c>connect-src 'self'</c>.
/// </summary>
internal static class ApiProxy
{
    public const string ClusterId = "apiservice";

    /// <summary>The logical address service discovery resolves (<c>services:apiservice:http:0..n</c>).</summary>
    public const string ServiceAddress = "http://apiservice";

    /// <summary>Path prefixes that belong to the API; the front end never answers them.</summary>
    public static IReadOnlyList<string> PathPrefixes { get; } = ["/api", "/hubs"];

    public static bool IsProxied(PathString path) => PathPrefixes.Any(prefix => path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase));

    public static TBuilder AddApiProxy<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var routes = PathPrefixes
            .Select(prefix => new RouteConfig
            {
                RouteId = prefix.TrimStart('/'),
                ClusterId = ClusterId,
                Match = new RouteMatch { Path = $"{prefix}/{{**catch-all}}" },
            }
            // Set, not Append: the API must be able to trust X-Forwarded-For (rate limits, audit) from us,
            // so whatever a client sent in these headers is replaced rather than passed along.
            .WithTransformXForwarded(xDefault: ForwardedTransformActions.Set))
            .ToArray();

        var clusters = new[]
        {
            new ClusterConfig
            {
                ClusterId = ClusterId,
                Destinations = new Dictionary<string, DestinationConfig>
                {
                    [ClusterId] = new() { Address = ServiceAddress },
                },
            },
        };

        // Microsoft.Extensions.ServiceDiscovery.Yarp expands http://apiservice into one destination per endpoint
        // that service discovery knows, and follows its changes (replicas that come and go, an API that moves).
        builder.Services.AddReverseProxy()
            .LoadFromMemory(routes, clusters)
            .AddServiceDiscoveryDestinationResolver();
        return builder;
    }

    public static WebApplication MapApiProxy(this WebApplication app)
    {
        app.MapReverseProxy();
        return app;
    }
}

using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace Coinage.Web.Proxy;

/// <summary>
/// The browser talks to one origin: everything under <c>/api</c>, <c>/hubs</c> (SignalR, WebSockets
/// included) and <c>/ws</c> (the plain JSON WebSocket feed) is forwarded to the ApiService, found through service discovery as <c>http://apiservice</c>.
/// One origin means no CORS, cookies scoped to the site, and a CSP of <c>connect-src 'self'</c>.
/// </summary>
internal static class ApiProxy
{
    public const string ClusterId = "apiservice";

    /// <summary>The logical address service discovery resolves (<c>services:apiservice:http:0..n</c>).</summary>
    public const string ServiceAddress = "http://apiservice";

    /// <summary>Path prefixes that belong to the API; the front end never answers them.</summary>
    public static IReadOnlyList<string> PathPrefixes { get; } = ["/api", "/hubs", "/ws"];

    private const string HubsRouteId = "hubs";

    /// <summary>The query parameter SignalR's browser client puts the access token in (a WebSocket request cannot carry a header).</summary>
    public const string AccessTokenQueryKey = "access_token";

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
            .AddServiceDiscoveryDestinationResolver()
            .AddTransforms(context =>
            {
                if (context.Route.RouteId == HubsRouteId)
                {
                    context.AddRequestTransform(MoveAccessTokenToHeader);
                }
            });
        builder.Services.Configure<ProblemDetailsOptions>(options => options.CustomizeProblemDetails += DescribeProxyFailure);
        return builder;
    }

    /// <summary>
    /// The browser must put its hub access token in the URL; past this proxy it travels as the usual
    /// <c>Authorization</c> header, so the forwarded URL (which YARP, the HTTP client and the API's server log and
    /// trace) no longer carries it. The API reads either.
    /// </summary>
    internal static ValueTask MoveAccessTokenToHeader(RequestTransformContext transform)
    {
        var query = transform.Query.Collection;
        if (query.TryGetValue(AccessTokenQueryKey, out var token))
        {
            query.Remove(AccessTokenQueryKey);
            if (token.Count == 1 && !string.IsNullOrEmpty(token[0]) && transform.ProxyRequest.Headers.Authorization is null)
            {
                transform.ProxyRequest.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token[0]);
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// YARP answers 502/503/504 without a body when the API is down or slow; status code pages turn that
    /// into a problem, whose title says it in the words the front end shows for these statuses.
    /// </summary>
    private static void DescribeProxyFailure(ProblemDetailsContext context)
    {
        if (!IsProxied(context.HttpContext.Request.Path))
        {
            return;
        }
        context.ProblemDetails.Title = context.ProblemDetails.Status switch
        {
            StatusCodes.Status502BadGateway => "The API is unreachable",
            StatusCodes.Status503ServiceUnavailable => "The service is unavailable",
            StatusCodes.Status504GatewayTimeout => "The API did not answer in time",
            _ => context.ProblemDetails.Title,
        };
    }

    public static WebApplication MapApiProxy(this WebApplication app)
    {
        app.MapReverseProxy();
        return app;
    }
}

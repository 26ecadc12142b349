using Coinage.Web.Proxy;
using Microsoft.AspNetCore.ResponseCompression;

namespace Coinage.Web.FrontEnd;

/// <summary>
/// Serves the Vite production build from wwwroot/ (written there by the build, see Coinage.Web.csproj):
/// hashed files under /assets/ are cached forever, index.html never, and every client-side route
/// (e.g. /markets/BTC-USD) gets index.html so a reload or a shared link works.
/// </summary>
internal static class FrontEndHosting
{
    public const string IndexFile = "index.html";
    public const string ImmutableCacheControl = "public, max-age=31536000, immutable";
    public const string NoStoreCacheControl = "no-cache, no-store, must-revalidate";

    /// <summary>
    /// Paths the SPA fallback never answers: the API (an unknown /api route must stay a problem-details 404,
    /// not a 200 HTML page), the probes and metrics, and /assets (a stale hashed name must 404, not be cached
    /// for a year as index.html).
    /// </summary>
    public static IReadOnlyList<string> ReservedPathPrefixes { get; } =
    [
        .. ApiProxy.PathPrefixes,
        ServiceDefaultsExtensions.HealthEndpointPath,
        ServiceDefaultsExtensions.AlivenessEndpointPath,
        ServiceDefaultsExtensions.MetricsEndpointPath,
        "/assets",
    ];

    private static readonly StaticFileOptions StaticFiles = new()
    {
        OnPrepareResponse = static context =>
        {
            var headers = context.Context.Response.Headers;
            if (context.Context.Request.Path.StartsWithSegments("/assets"))
            {
                // Vite names them after a hash of their content: a new build means a new URL.
                headers.CacheControl = ImmutableCacheControl;
            }
            else if (string.Equals(context.File.Name, IndexFile, StringComparison.OrdinalIgnoreCase))
            {
                // index.html names the current bundle; a cached copy would pin a browser to an old release.
                headers.CacheControl = NoStoreCacheControl;
            }
            else
            {
                // Unhashed files copied from ClientApp/public (favicon, robots.txt): revalidate by ETag.
                headers.CacheControl = "no-cache";
            }
        },
    };

    public static TBuilder AddFrontEnd<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddResponseCompression(options =>
        {
            // Compression over HTTPS is off by default because of BREACH: a response that mixes a secret with
            // attacker-influenced text leaks the secret through its compressed size. Only the static front end
            // (public, secret-free files) goes through this middleware, see UseFrontEnd, so it is safe here and
            // matters most there: the bundle is the bulk of the bytes a trader downloads.
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = [.. ResponseCompressionDefaults.MimeTypes, "image/svg+xml", "application/manifest+json"];
        });
        builder.Services.Configure<RouteOptions>(options => options.SetParameterPolicy<SpaRouteConstraint>(SpaRouteConstraint.Name));
        return builder;
    }

    public static WebApplication UseFrontEnd(this WebApplication app)
    {
        // Proxied API responses (tokens, account data) and SignalR streams bypass compression: the API decides
        // for its own responses, and compressing server-sent events would buffer them.
        app.UseWhen(static context => !ApiProxy.IsProxied(context.Request.Path), static branch => branch.UseResponseCompression());
        app.UseStaticFiles(StaticFiles);

        if (!app.Environment.WebRootFileProvider.GetFileInfo(IndexFile).Exists)
        {
            app.Logger.LogWarning(
                "{WebRoot} has no {IndexFile}: the front end has not been built (dotnet build without -p:SkipClientBuild=true builds it). Only the API proxy and the probes will answer.",
                app.Environment.WebRootPath ?? "wwwroot", IndexFile);
        }
        return app;
    }

    /// <summary>index.html for GET/HEAD of any extension-less path outside <see cref="ReservedPathPrefixes"/>.</summary>
    public static WebApplication MapFrontEndFallback(this WebApplication app)
    {
        app.MapFallbackToFile($"{{*path:nonfile:{SpaRouteConstraint.Name}}}", IndexFile, StaticFiles)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
        return app;
    }
}

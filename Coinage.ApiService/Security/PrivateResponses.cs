using Microsoft.AspNetCore.Authorization;
using Microsoft.Net.Http.Headers;

namespace Coinage.ApiService.Security;

/// <summary>
/// Balances, orders, the ledger, withdrawals, exports, tokens: an answer meant for one user must not be
/// kept by the browser's cache, a shared proxy or a CDN. Every answer to a request that carries
/// credentials (a bearer token, a cookie), that an endpoint gives only to a signed-in user, or that is
/// about signing in, the account or personal data, goes out with <c>Cache-Control: no-store</c> (and
/// <c>Pragma: no-cache</c> for HTTP/1.0 caches). Anonymous public market data keeps whatever caching it has.
/// </summary>
internal static class PrivateResponses
{
    private static readonly string[] PersonalPaths = ["/api/v1/auth", "/api/v1/account", "/api/v1/privacy"];

    public static IApplicationBuilder UseNoStoreForPrivateResponses(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // Decided when the answer starts: by then authentication has run and the endpoint is known, even for a 401.
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            if (IsPrivate(http))
            {
                http.Response.Headers.CacheControl = "no-store";
                http.Response.Headers.Pragma = "no-cache";
            }
            return Task.CompletedTask;
        }, context);
        return next(context);
    });

    private static bool IsPrivate(HttpContext context)
    {
        var request = context.Request;
        if (context.User.Identity?.IsAuthenticated == true
            || request.Headers.ContainsKey(HeaderNames.Authorization)
            || request.Headers.ContainsKey(HeaderNames.Cookie)
            || PersonalPaths.Any(p => request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }
        var metadata = context.GetEndpoint()?.Metadata;
        return metadata is not null && metadata.GetMetadata<IAuthorizeData>() is not null && metadata.GetMetadata<IAllowAnonymous>() is null;
    }
}

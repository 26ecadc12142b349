using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Net.Http.Headers;

namespace Coinage.Web.Security;

/// <summary>Browser hardening headers on every response: pages, static files, proxied API answers and probes alike.</summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// The page loads nothing but its own bundle. Exceptions, each needed by the stack:
    /// <list type="bullet">
    /// <item><c>style-src 'unsafe-inline'</c>: MUI styles through emotion, which injects &lt;style&gt; elements at run
    /// time, and MUI components set inline <c>style</c> attributes (transitions, popper placement). A nonce would
    /// need index.html rendered per request; it is served as a static, cacheable file instead.
    /// Scripts stay strict: no inline script, no eval.</item>
    /// <item><c>img-src data:</c>: MUI and the browser use small data-URI images (icons, the favicon fallback).</item>
    /// <item><c>connect-src 'self'</c> covers the SignalR WebSocket too: in CSP Level 3 (every evergreen browser)
    /// 'self' also matches ws:/wss: on the page's own host and port.</item>
    /// </list>
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    /// <summary>A trading page needs none of these powerful features; denying them shrinks what injected code could do.</summary>
    public const string PermissionsPolicy =
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()";

    public static TBuilder AddSecurityHeaders<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = true;
        });
        // The server name and version help nobody but a scanner.
        builder.Services.Configure<KestrelServerOptions>(options => options.AddServerHeader = false);
        return builder;
    }

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        // HSTS only where TLS is real; UseHsts also skips plain-HTTP requests and localhost by itself.
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }
        app.Use(static (context, next) =>
        {
            // Set when the response starts, overwriting: proxied API responses may carry their own copies, and a
            // doubled header (e.g. "DENY, DENY") is invalid for some browsers.
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpResponse)state).Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                headers["Permissions-Policy"] = PermissionsPolicy;
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                // Kestrel's is off (AddSecurityHeaders); this drops the one a proxied API response brings along.
                headers.Remove(HeaderNames.Server);
                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });
        return app;
    }
}

using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Coinage.Hosting.Dashboard;

/// <summary>
/// Sign-in with the browser token printed at start-up, then an HttpOnly SameSite=Strict cookie
/// (Aspire's model); an anti-CSRF header on every state-changing call; a Host check against DNS
/// rebinding; CSP and the usual security headers on every UI response.
/// </summary>
internal static class DashboardSecurity
{
    public const string Scheme = "CoinageDashboard";
    public const string CookieName = ".Coinage.Dashboard";

    /// <summary>A header a cross-site form or a simple cross-origin request cannot send.</summary>
    public const string AntiForgeryHeader = "X-Coinage-Dashboard";

    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IServiceCollection AddDashboardAuthentication(this IServiceCollection services, DashboardOptions options)
    {
        // Keys live in memory only: a cookie is worth nothing after the AppHost restarts, like the token.
        var protection = new EphemeralDataProtectionProvider();
        services.AddAuthentication(Scheme).AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = CookieName;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromDays(3);
            cookie.SlidingExpiration = true;
            cookie.LoginPath = "/login";
            cookie.DataProtectionProvider = protection;
            cookie.Events.OnRedirectToLogin = context => Challenge(context, StatusCodes.Status401Unauthorized);
            cookie.Events.OnRedirectToAccessDenied = context => Challenge(context, StatusCodes.Status403Forbidden);
        });
        services.AddSingleton<IDataProtectionProvider>(protection);
        // AddAuthentication brings Data Protection's hosted service, which would create a key ring
        // in the user's profile on start; the ephemeral provider above needs none.
        foreach (var hosted in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "DataProtectionHostedService").ToList())
        {
            services.Remove(hosted);
        }
        services.AddAuthorization(authorization =>
        {
            if (!options.Unsecured)
            {
                authorization.FallbackPolicy = new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build();
            }
        });
        return services;
    }

    private static Task Challenge(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
        }
        else
        {
            context.Response.Redirect("/login");
        }
        return Task.CompletedTask;
    }

    public static void MapDashboardLogin(this IEndpointRouteBuilder endpoints, DashboardOptions options, string browserToken)
    {
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(browserToken));
        endpoints.MapGet("/login", async (HttpContext context, string? t) =>
        {
            if (options.Unsecured)
            {
                return Results.Redirect("/");
            }
            if (string.IsNullOrEmpty(t))
            {
                return Results.Content(DashboardAssets.LoginPage(error: null), "text/html; charset=utf-8");
            }
            if (!CryptographicOperations.FixedTimeEquals(expected, SHA256.HashData(Encoding.UTF8.GetBytes(t))))
            {
                return Results.Content(DashboardAssets.LoginPage("That token is not this run's token. Use the link the AppHost printed at start-up."),
                    "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
            }
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "ops")], Scheme);
            await context.SignInAsync(Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = true }).ConfigureAwait(false);
            // Redirecting drops the token from the address bar and the history.
            return Results.Redirect("/");
        }).AllowAnonymous();

        endpoints.MapPost("/api/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(Scheme).ConfigureAwait(false);
            return Results.NoContent();
        }).RequireAntiForgeryHeader();
    }

    /// <summary>Rejects a state-changing call that lacks the custom header (a cross-site form cannot set one).</summary>
    public static TBuilder RequireAntiForgeryHeader<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            context.HttpContext.Request.Headers[AntiForgeryHeader] == "1"
                ? await next(context).ConfigureAwait(false)
                : TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing anti-forgery header",
                    detail: $"Send the header {AntiForgeryHeader}: 1 with every POST."));

    /// <summary>Runs for every request on the UI listener.</summary>
    public static async Task UiGuardAsync(HttpContext context, RequestDelegate next)
    {
        // DNS rebinding: a page on evil.example resolving to 127.0.0.1 would be "same origin"; its Host header gives it away.
        var host = context.Request.Host.Host;
        if (host is not ("127.0.0.1" or "localhost" or "[::1]" or "::1"))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("The dashboard answers only to 127.0.0.1 or localhost.").ConfigureAwait(false);
            return;
        }
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers.CacheControl = "no-store";
        await next(context).ConfigureAwait(false);
    }
}

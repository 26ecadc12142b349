using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;

namespace Coinage.Worker.Hangfire;

/// <summary>
/// Who may open the Hangfire dashboard: an Admin who came with a ticket from the ApiService
/// (<c>POST /api/v1/admin/ops/hangfire-ticket</c>). The ticket is a JWT (audience
/// <c>coinage-hangfire</c>, 60 s, signed with the API's <c>Coinage:Jwt</c> keys) whose <c>jti</c>
/// the API recorded in Redis; using it deletes that key, so it opens the dashboard once. The
/// Worker then keeps its own cookie (HttpOnly, SameSite=Strict, path <c>/hangfire</c>, 30 min).
/// <para>
/// A browser that comes without either (the dashboard's "Jobs" link, a bookmark, an expired cookie) is
/// sent to the web front end's <see cref="SignInPagePath"/>, which signs the Admin in as usual, asks the
/// API for a ticket and comes back with it. A ticket that is refused gets a short page with a link there,
/// never a redirect: a ticket the Worker cannot validate (keys out of step) must not bounce forever.
/// </para>
/// </summary>
public static class DashboardAccess
{
    public const string Scheme = "CoinageHangfire";
    public const string CookieName = "coinage-hangfire";
    public const string Audience = "coinage-hangfire";
    public const string TicketKeyPrefix = "coinage:hangfire-ticket:";
    public const string AdminRole = "Admin";
    public const string RoleClaim = "role";
    public const string AllowLocalAnonymousSetting = "Coinage:Hangfire:AllowLocalAnonymous";

    /// <summary>The web front end's page that obtains a ticket for a signed-in Admin (Coinage.Web, features/admin).</summary>
    public const string SignInPagePath = "/admin/hangfire";
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromMinutes(30);

    public static IHostApplicationBuilder AddDashboardAccess(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TicketValidator.FromConfiguration(builder.Configuration));
        builder.Services.AddAuthentication(Scheme).AddCookie(Scheme, options =>
        {
            options.Cookie.Name = CookieName;
            options.Cookie.Path = HangfireExtensions.DashboardPath;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            // Secure whenever the dashboard is served over HTTPS; the local run serves HTTP.
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.ExpireTimeSpan = SessionLifetime;
            options.SlidingExpiration = false;
            // No login page here: the way in is a ticket from the API.
            options.Events.OnRedirectToLogin = context =>
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            };
            options.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });
        return builder;
    }

    /// <summary>Authenticates <c>/hangfire</c> requests by the cookie, and exchanges a <c>?ticket=</c> for one.</summary>
    public static WebApplication UseDashboardAccess(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(HangfireExtensions.DashboardPath), branch =>
        {
            branch.UseAuthentication();
            branch.Use(ShowTheWayInAsync);
            branch.Use(ExchangeTicketAsync);
        });
        return app;
    }

    private static async Task ExchangeTicketAsync(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Query.TryGetValue("ticket", out var values) || values.ToString() is not { Length: > 0 } ticket)
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        var services = context.RequestServices;
        var outcome = await services.GetRequiredService<TicketValidator>()
            .ValidateAsync(ticket, services.GetRequiredService<IConnectionMultiplexer>()).ConfigureAwait(false);
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DashboardAccess).FullName!);
        switch (outcome.Result)
        {
            case TicketResult.Accepted:
                var identity = new ClaimsIdentity(outcome.Principal!.Claims.Where(c => c.Type is JwtRegisteredClaimNames.Sub or RoleClaim),
                    Scheme, JwtRegisteredClaimNames.Sub, RoleClaim);
                await context.SignInAsync(Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties
                {
                    IsPersistent = false,
                    ExpiresUtc = DateTimeOffset.UtcNow + SessionLifetime,
                }).ConfigureAwait(false);
                DashboardLog.TicketAccepted(log, identity.Name);
                // Drops the ticket from the address bar (and from the browser history).
                context.Response.Redirect(HangfireExtensions.DashboardPath);
                return;
            case TicketResult.NotAdmin:
                DashboardLog.TicketRefused(log, outcome.Result.ToString());
                await RefuseAsync(context, StatusCodes.Status403Forbidden, "The Hangfire dashboard is for Admins only.").ConfigureAwait(false);
                return;
            default:
                DashboardLog.TicketRefused(log, outcome.Result.ToString());
                await RefuseAsync(context, StatusCodes.Status401Unauthorized, "This link has expired or was already used.").ConfigureAwait(false);
                return;
        }
    }

    /// <summary>
    /// Hangfire answers a request it does not authorize with a bare 401 (or 403), which a browser shows as
    /// an empty error page. A page request gets sent where an Admin can get a ticket instead; the dashboard's
    /// own polling and API calls keep their status codes.
    /// </summary>
    private static async Task ShowTheWayInAsync(HttpContext context, RequestDelegate next)
    {
        await next(context).ConfigureAwait(false);
        var response = context.Response;
        if (response.StatusCode is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden && !response.HasStarted
            && !context.Request.Query.ContainsKey("ticket") && WantsPage(context.Request) && SignInPage(context) is { } signIn)
        {
            response.Redirect(signIn);
        }
    }

    /// <summary>A small page saying why, with the way to a new ticket; HTML-encoded, though every text is ours.</summary>
    private static async Task RefuseAsync(HttpContext context, int status, string reason)
    {
        context.Response.StatusCode = status;
        if (!WantsPage(context.Request))
        {
            return;
        }
        var signIn = SignInPage(context);
        var link = signIn is null ? "" : $"""<p><a href="{HtmlEncoder.Default.Encode(signIn)}">Open the dashboard again</a> (you will be asked to sign in as an Admin).</p>""";
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync($"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Coinage jobs</title></head>
            <body><h1>Coinage jobs</h1><p>{HtmlEncoder.Default.Encode(reason)}</p>{link}</body></html>
            """, context.RequestAborted).ConfigureAwait(false);
    }

    private static bool WantsPage(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    /// <summary><c>Coinage:WebBaseUrl</c> + <see cref="SignInPagePath"/>; null where no web front end is configured.</summary>
    private static string? SignInPage(HttpContext context) =>
        context.RequestServices.GetRequiredService<IConfiguration>()["Coinage:WebBaseUrl"] is { Length: > 0 } web
        && Uri.TryCreate(web.TrimEnd('/') + SignInPagePath, UriKind.Absolute, out var page) && page.Scheme is "http" or "https"
            ? page.AbsoluteUri
            : null;
}

public enum TicketResult
{
    Accepted,
    Invalid,
    NotAdmin,
    AlreadyUsed,
}

public sealed record TicketOutcome(TicketResult Result, ClaimsPrincipal? Principal = null);

/// <summary>Checks a ticket's signature, issuer, audience and lifetime, the Admin role, then uses it up in Redis.</summary>
public sealed class TicketValidator(TokenValidationParameters parameters)
{
    public static TicketValidator FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Coinage:Jwt");
        var keys = new List<SecurityKey>();
        if (section["SigningKey"] is { Length: > 0 } active)
        {
            keys.Add(Key(active, section["SigningKeyId"]));
        }
        foreach (var previous in section.GetSection("PreviousKeys").GetChildren())
        {
            if (previous.Value is { Length: > 0 } secret)
            {
                keys.Add(Key(secret, previous.Key));
            }
        }
        return new TicketValidator(new TokenValidationParameters
        {
            ValidIssuer = section["Issuer"] ?? "coinage",
            ValidAudience = DashboardAccess.Audience,
            // Without configured keys nothing validates: the dashboard stays closed.
            IssuerSigningKeys = keys,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = TimeSpan.FromSeconds(5),
            NameClaimType = JwtRegisteredClaimNames.Sub,
            RoleClaimType = DashboardAccess.RoleClaim,
        });
    }

    public async Task<TicketOutcome> ValidateAsync(string ticket, IConnectionMultiplexer redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        if (parameters.IssuerSigningKeys is not { } keys || !keys.Any() || ticket.Length > 8192)
        {
            return new TicketOutcome(TicketResult.Invalid);
        }
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(ticket, parameters).ConfigureAwait(false);
        if (!validation.IsValid || validation.ClaimsIdentity.FindFirst(JwtRegisteredClaimNames.Jti)?.Value is not { Length: > 0 } jti)
        {
            return new TicketOutcome(TicketResult.Invalid);
        }
        var principal = new ClaimsPrincipal(validation.ClaimsIdentity);
        if (!principal.IsInRole(DashboardAccess.AdminRole))
        {
            return new TicketOutcome(TicketResult.NotAdmin);
        }
        // Deleting is the atomic "use once": of two requests with one ticket, one deletes the key.
        if (!await redis.GetDatabase().KeyDeleteAsync(DashboardAccess.TicketKeyPrefix + jti).ConfigureAwait(false))
        {
            return new TicketOutcome(TicketResult.AlreadyUsed);
        }
        return new TicketOutcome(TicketResult.Accepted, principal);
    }

    /// <summary>The same derivation as the ApiService's <c>SigningKeys</c> (HKDF-SHA256 to 256 bits, key id from its hash): keep them in step.</summary>
    private static SymmetricSecurityKey Key(string secret, string? keyId)
    {
        var bytes = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, info: Encoding.UTF8.GetBytes("coinage-jwt-hs256"));
        return new SymmetricSecurityKey(bytes) { KeyId = keyId ?? Convert.ToHexStringLower(SHA256.HashData(bytes))[..12] };
    }
}

/// <summary>
/// The dashboard can trigger and delete jobs: it opens to the Admin principal of the dashboard
/// cookie. <c>Coinage:Hangfire:AllowLocalAnonymous=true</c> also opens it, in Development only, to
/// requests from this machine (a reverse proxy on the same machine would make every request look
/// local, hence off by default).
/// </summary>
public sealed class AdminDashboardAuthorizationFilter(IHostEnvironment environment, bool allowLocalAnonymous) : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.GetHttpContext();
        if (http.User.Identity is { IsAuthenticated: true, AuthenticationType: DashboardAccess.Scheme } && http.User.IsInRole(DashboardAccess.AdminRole))
        {
            return true;
        }
        if (!allowLocalAnonymous || !environment.IsDevelopment())
        {
            return false;
        }
        var remote = http.Connection.RemoteIpAddress;
        if (remote is { IsIPv4MappedToIPv6: true })
        {
            remote = remote.MapToIPv4();
        }
        return remote is not null && IPAddress.IsLoopback(remote);
    }
}

internal static partial class DashboardLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Hangfire dashboard opened by user {UserId} with a ticket")]
    public static partial void TicketAccepted(ILogger logger, string? userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hangfire dashboard ticket refused: {Reason}")]
    public static partial void TicketRefused(ILogger logger, string reason);
}

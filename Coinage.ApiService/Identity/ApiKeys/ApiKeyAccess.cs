using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coinage.ApiService.Identity.StepUp;
using Coinage.ApiService.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Coinage.ApiService.Identity.ApiKeys;

public static class ApiKeyScopes
{
    /// <summary>Reads balances, orders, fills, withdrawals.</summary>
    public const string Read = "read";

    /// <summary>Places and cancels orders.</summary>
    public const string Trade = "trade";

    /// <summary>Requests withdrawals to the address book (needs an IP allow-list).</summary>
    public const string Withdraw = "withdraw";

    public static readonly IReadOnlyList<string> All = [Read, Trade, Withdraw];
}

/// <summary>Stable codes of the API-key problems (docs/api-keys.md).</summary>
public static class ApiKeyErrorCodes
{
    /// <summary>401: no key has this id.</summary>
    public const string UnknownKey = "unknown_api_key";

    /// <summary>401: the signature is missing, malformed or not the request's.</summary>
    public const string InvalidSignature = "invalid_signature";

    /// <summary>401: the timestamp is missing, malformed or outside the receive window; <c>serverTime</c> says ours.</summary>
    public const string TimestampSkew = "timestamp_skew";

    /// <summary>401: this signature was seen within its window already.</summary>
    public const string Replayed = "replayed_request";
    public const string Revoked = "api_key_revoked";
    public const string Expired = "api_key_expired";

    /// <summary>403: the caller's address is not on the key's allow-list.</summary>
    public const string IpNotAllowed = "ip_not_allowed";

    /// <summary>403: the key lacks the scope the endpoint needs; <c>requiredScope</c> names it.</summary>
    public const string ScopeRequired = "scope_required";

    /// <summary>403: the endpoint answers to a signed-in person only (identity, account, step-up gated actions).</summary>
    public const string NotAccepted = "api_key_not_accepted";

    /// <summary>503: the replay check (Redis) cannot answer; refused rather than let a replay through.</summary>
    public const string Unavailable = "api_key_check_unavailable";

    /// <summary>422 on create: the user has the most active keys allowed.</summary>
    public const string LimitReached = "api_key_limit_reached";
}

/// <summary>
/// Endpoint metadata: the endpoint answers to API keys as well as to sessions. Without it an endpoint that needs
/// a signed-in user refuses keys (<see cref="ApiKeyGate"/>): an allow-list, so a new endpoint is closed to keys
/// until someone decides otherwise.
/// </summary>
/// <param name="Scope">The scope a key needs; null: by method, <c>read</c> for GET and HEAD, <c>trade</c> otherwise.</param>
public sealed record AcceptsApiKey(string? Scope = null)
{
    public string ScopeFor(string method) => Scope ?? (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? ApiKeyScopes.Read : ApiKeyScopes.Trade);
}

/// <summary>The claims of a principal authenticated with a key: the user's <c>sub</c>, <c>amr apikey</c>, the key id and its scopes.</summary>
public static class ApiKeyClaims
{
    public const string Method = "apikey";
    public const string KeyIdClaim = "api_key";
    public const string ScopeClaim = "scope";

    /// <summary>The key the request was signed with, or null for a session.</summary>
    public static string? ApiKeyId(this ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.FindFirst(KeyIdClaim)?.Value;
    }

    public static bool HasScope(this ClaimsPrincipal principal, string scope)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.HasClaim(ScopeClaim, scope);
    }

    public static ClaimsPrincipal Principal(Guid userId, bool emailVerified, string keyId, IEnumerable<string> scopes, string scheme)
    {
        var claims = new List<Claim>
        {
            new(JwtRegisteredClaimNames.Sub, userId.ToString()),
            new(JwtRegisteredClaimNames.Amr, Method),
            new(KeyIdClaim, keyId),
            new(Tokens.AccessTokenIssuer.EmailVerifiedClaim, emailVerified ? "true" : "false"),
        };
        claims.AddRange(scopes.Select(s => new Claim(ScopeClaim, s)));
        // No role claims: a key trades as its user and never acts for a privileged role.
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, JwtRegisteredClaimNames.Sub, Tokens.AccessTokenIssuer.RoleClaim));
    }

    /// <summary>An audit entry's details, with <c>apiKey</c> added when the action was taken with a key.</summary>
    public static object WithApiKey(object data, string? apiKeyId)
    {
        if (apiKeyId is null)
        {
            return data;
        }
        var node = JsonSerializer.SerializeToNode(data) as JsonObject ?? [];
        node["apiKey"] = apiKeyId;
        return node;
    }
}

public static class ApiKeyEndpointExtensions
{
    /// <summary>The endpoint (or group) answers to API keys; see <see cref="AcceptsApiKey"/>.</summary>
    public static TBuilder AcceptApiKeys<TBuilder>(this TBuilder builder, string? scope = null)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AcceptsApiKey(scope));
}

/// <summary>
/// After authentication, for requests signed with a key: refuses endpoints that need a person (no
/// <see cref="AcceptsApiKey"/>, or a step-up), checks the scope, and counts the request against the key's own
/// rate limit (<c>api-key</c>) instead of the per-user one. An endpoint open to anyone that does not take keys
/// (the market data, the SignalR hub) sees the request as anonymous: a key is a user only where it is accepted.
/// </summary>
public static class ApiKeyGate
{
    public static IApplicationBuilder UseApiKeyGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.ApiKeyId() is not { } keyId)
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        var metadata = context.GetEndpoint()?.Metadata;
        var needsUser = metadata?.GetMetadata<IAuthorizeData>() is not null && metadata.GetMetadata<IAllowAnonymous>() is null;
        var accepts = metadata?.GetMetadata<AcceptsApiKey>();
        if ((needsUser && accepts is null) || metadata?.GetMetadata<StepUpRequired>() is not null)
        {
            await ApiKeyProblems.WriteAsync(context, StatusCodes.Status403Forbidden, ApiKeyErrorCodes.NotAccepted, "API keys are not accepted here",
                "This endpoint answers to a signed-in person only: identity, account and API-key management, and actions that need a fresh second factor.").ConfigureAwait(false);
            return;
        }
        if (!needsUser && accepts is null)
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity());
            await next(context).ConfigureAwait(false);
            return;
        }
        // What anyone may read needs no scope.
        if (needsUser && accepts is not null && accepts.ScopeFor(context.Request.Method) is var scope && !context.User.HasScope(scope))
        {
            await ApiKeyProblems.WriteAsync(context, StatusCodes.Status403Forbidden, ApiKeyErrorCodes.ScopeRequired, "Scope required",
                $"This key lacks the '{scope}' scope this endpoint needs.", new Dictionary<string, object?> { ["requiredScope"] = scope }).ConfigureAwait(false);
            return;
        }
        var limiter = context.RequestServices.GetRequiredService<RedisRateLimiter>();
        if (await limiter.CheckAsync(context.Response, RateLimitPolicies.ApiKey, keyId).ConfigureAwait(false) is { } refused)
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>()
                .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = refused }).ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    });
}

internal static class ApiKeyProblems
{
    public static Task WriteAsync(HttpContext context, int status, string code, string title, string detail, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        context.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Type = Problems.TypeBase + code,
            Extensions = { ["code"] = code },
        };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }
        return context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).AsTask();
    }
}

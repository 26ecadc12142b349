using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using Coinage.Domain.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Coinage.ApiService.Security;
using StackExchange.Redis;

namespace Coinage.ApiService.Identity.ApiKeys;

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>Prefix of the replay keys in Redis (tests give each host its own).</summary>
    public string ReplayKeyPrefix { get; set; } = "coinage:apikey:seen";
}

/// <summary>
/// The <c>ApiKey</c> scheme: a request carrying <c>Coinage-Key</c> is authenticated by its signature
/// (<see cref="ApiKeySignature"/>). Each refusal answers with its own problem (docs/api-keys.md). No cache: one
/// primary-key read per request, so a revoked key is refused at once on every replica.
/// </summary>
public sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder,
    ApiKeySecrets secrets, IConnectionMultiplexer redis, TimeProvider clock)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary><c>last_used_at</c> is written when it is older than this: a write a minute per busy key, not one a request.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>Why this request was refused, answered by <see cref="HandleChallengeAsync"/>.</summary>
    private ProblemDetails? _refusal;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var headers = Request.Headers;
        if (headers[ApiKeySignature.KeyHeader] is not [var keyId])
        {
            return Refuse(StatusCodes.Status401Unauthorized, ApiKeyErrorCodes.UnknownKey, "Unknown API key", $"Send exactly one {ApiKeySignature.KeyHeader} header.");
        }
        if (!ApiKeySignature.IsWellFormedSignature(headers[ApiKeySignature.SignatureHeader]))
        {
            return Refuse(StatusCodes.Status401Unauthorized, ApiKeyErrorCodes.InvalidSignature, "Invalid signature",
                $"{ApiKeySignature.SignatureHeader} must be the lowercase hex HMAC-SHA256 of the request (64 characters).");
        }
        var signature = headers[ApiKeySignature.SignatureHeader].ToString();
        var now = clock.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var window = ApiKeySignature.DefaultWindowMilliseconds;
        if (headers.ContainsKey(ApiKeySignature.WindowHeader)
            && (!int.TryParse(headers[ApiKeySignature.WindowHeader], NumberStyles.None, CultureInfo.InvariantCulture, out window)
                || window is < 1 or > ApiKeySignature.MaxWindowMilliseconds))
        {
            return Refuse(StatusCodes.Status401Unauthorized, ApiKeyErrorCodes.TimestampSkew, "Invalid receive window",
                $"{ApiKeySignature.WindowHeader} must be a whole number of milliseconds from 1 to {ApiKeySignature.MaxWindowMilliseconds}.", ServerTime(nowMs));
        }
        if (!long.TryParse(headers[ApiKeySignature.TimestampHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
            || !ApiKeySignature.IsWithinWindow(timestamp, nowMs, window))
        {
            return Refuse(StatusCodes.Status401Unauthorized, ApiKeyErrorCodes.TimestampSkew, "Timestamp outside the receive window",
                $"{ApiKeySignature.TimestampHeader} must be the Unix time in milliseconds, within {window} ms of the server's time (serverTime); check the client's clock.",
                ServerTime(nowMs));
        }

        var db = Context.RequestServices.GetRequiredService<CoinageDbContext>();
        var row = ApiKeySignature.IsWellFormedKeyId(keyId)
            ? await db.ApiKeys.AsNoTracking().Where(k => k.Id == keyId)
                .Join(db.Users, k => k.UserId, u => u.Id, (k, u) => new { Key = k, u.EmailConfirmed, u.LockoutEnd })
                .FirstOrDefaultAsync(Context.RequestAborted).ConfigureAwait(false)
            : null;
        if (row is null)
        {
            return Refuse(StatusCodes.Status401Unauthorized, ApiKeyErrorCodes.UnknownKey, "Unknown API key", "No API key has this id.");
        }
        var key = row.Key;
        // The secret is erased on revocation: a revoked key is refused before any signature could be checked.
        if (key.RevokedAt is not null || key.ProtectedSecret is null)
        {
            return Refuse(StatusCodes.Status401Unauthorized, ApiKeyErrorCodes.Revoked, "API key revoked", "This API key has been revoked; create a new one under Account → Security.");
        }
        var body = await ReadBodyAsync().ConfigureAwait(false);
        if (!ApiKeySignature.Verify(secrets.Unprotect(key.ProtectedSecret), timestamp, Request.Method, PathAndQueryAsSent(), body.Span, signature))
        {
            return Refuse(StatusCodes.Status401Unauthorized, ApiKeyErrorCodes.InvalidSignature, "Invalid signature",
                "The signature is not the HMAC-SHA256 of \"{timestamp}\\n{METHOD}\\n{path and query as sent}\\n{body as sent}\" with this key's secret.");
        }
        if (key.ExpiresAt <= now)
        {
            return Refuse(StatusCodes.Status401Unauthorized, ApiKeyErrorCodes.Expired, "API key expired",
                $"This API key expired at {key.ExpiresAt.Value.ToString("u", CultureInfo.InvariantCulture)}; create a new one under Account → Security.");
        }
        if (key.IpAllowList.Length > 0 && !IsAllowed(Context.Connection.RemoteIpAddress, key.IpAllowList))
        {
            return Refuse(StatusCodes.Status403Forbidden, ApiKeyErrorCodes.IpNotAllowed, "Address not allowed",
                $"This API key answers only to the addresses on its allow-list, and {Context.ClientIp()} is not one of them.");
        }
        // An administrator's lock (LockoutEnd at the end of time) stops the user's keys as it ends their sessions; a
        // lockout after failed sign-ins (minutes) does not: guessing a password must not be a way to stop a program.
        if (row.LockoutEnd > now.AddYears(100))
        {
            return Refuse(StatusCodes.Status401Unauthorized, ErrorCodes.AccountLocked, "Account locked", "The account of this API key is locked.");
        }
        // Last, so only a request that is otherwise good spends its signature.
        try
        {
            var ttl = TimeSpan.FromMilliseconds(timestamp + window - nowMs + 1);
            if (!await redis.GetDatabase().StringSetAsync($"{Options.ReplayKeyPrefix}:{key.Id}:{signature}", 1, ttl, When.NotExists).ConfigureAwait(false))
            {
                return Refuse(StatusCodes.Status401Unauthorized, ApiKeyErrorCodes.Replayed, "Replayed request",
                    "This signature was used already: sign every request afresh (a new timestamp makes a new signature).");
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            LogReplayCheckUnavailable(Logger, exception);
            return Refuse(StatusCodes.Status503ServiceUnavailable, ApiKeyErrorCodes.Unavailable, "Signed requests unavailable",
                "Signed requests cannot be checked for replays right now; try again shortly.");
        }
        if (key.LastUsedAt is null || key.LastUsedAt < now - LastUsedResolution)
        {
            await db.ApiKeys.Where(k => k.Id == key.Id && (k.LastUsedAt == null || k.LastUsedAt < now - LastUsedResolution))
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted).ConfigureAwait(false);
        }
        return AuthenticateResult.Success(new AuthenticationTicket(
            ApiKeyClaims.Principal(key.UserId, row.EmailConfirmed, key.Id, key.Scopes, SchemeName), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var problem = _refusal ?? new ProblemDetails
        {
            Status = StatusCodes.Status401Unauthorized,
            Title = "Unauthorized",
            Type = Problems.TypeBase + ApiKeyErrorCodes.InvalidSignature,
            Extensions = { ["code"] = ApiKeyErrorCodes.InvalidSignature },
        };
        Response.StatusCode = problem.Status!.Value;
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem }).ConfigureAwait(false);
    }

    private AuthenticateResult Refuse(int status, string code, string title, string detail, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        _refusal = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = Problems.TypeBase + code, Extensions = { ["code"] = code } };
        foreach (var (name, value) in extensions ?? new Dictionary<string, object?>())
        {
            _refusal.Extensions[name] = value;
        }
        LogRefused(Logger, code);
        return AuthenticateResult.Fail(code);
    }

    private static Dictionary<string, object?> ServerTime(long nowMs) => new() { ["serverTime"] = nowMs };

    /// <summary>The request target as it came on the wire (percent-encoding and all), which is what the client signed.</summary>
    private string PathAndQueryAsSent()
    {
        var raw = Context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            // Absolute-form or no raw target (in-process hosts): rebuilt from the parsed parts.
            return Request.PathBase.Add(Request.Path).ToUriComponent() + Request.QueryString.ToUriComponent();
        }
        return raw;
    }

    private async Task<ReadOnlyMemory<byte>> ReadBodyAsync()
    {
        // HTTP/2 and HTTP/3 bodies need no Content-Length: the server knows whether a body follows.
        if (Request.ContentLength == 0 || Context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return ReadOnlyMemory<byte>.Empty;
        }
        // Buffered so the endpoint reads it again; Kestrel's request size limit bounds it.
        Request.EnableBuffering();
        using var copy = new MemoryStream();
        await Request.Body.CopyToAsync(copy, Context.RequestAborted).ConfigureAwait(false);
        Request.Body.Position = 0;
        return copy.GetBuffer().AsMemory(0, (int)copy.Length);
    }

    public static bool IsAllowed(IPAddress? address, IEnumerable<string> allowList)
    {
        ArgumentNullException.ThrowIfNull(allowList);
        if (address is null)
        {
            return false;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return allowList.Any(cidr => IPNetwork.TryParse(cidr, out var network) && network.Contains(address));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Signed request refused: {Code}")]
    private static partial void LogRefused(ILogger logger, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signed request refused: the replay check (Redis) is unavailable")]
    private static partial void LogReplayCheckUnavailable(ILogger logger, Exception exception);
}

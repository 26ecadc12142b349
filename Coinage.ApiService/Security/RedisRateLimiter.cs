using System.Diagnostics.Metrics;
using System.Globalization;
using Coinage.ServiceDefaults.Compliance;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Coinage.ApiService.Security;

/// <summary>Configuration section <c>Coinage:RateLimits</c>: one fixed window per policy.</summary>
public sealed class RateLimitSettings
{
    public const string Section = "Coinage:RateLimits";

    /// <summary>Prefix of the Redis keys (tests give each host its own).</summary>
    public string KeyPrefix { get; set; } = "coinage:rl";

    public Dictionary<string, RateLimitRule> Policies { get; set; } = new(StringComparer.Ordinal)
    {
        [RateLimitPolicies.SignInPerIp] = new(30, TimeSpan.FromMinutes(5)),
        [RateLimitPolicies.SignInPerAccount] = new(10, TimeSpan.FromMinutes(15)),
        [RateLimitPolicies.RegisterPerIp] = new(10, TimeSpan.FromHours(1)),
        [RateLimitPolicies.EmailPerIp] = new(10, TimeSpan.FromHours(1)),
        [RateLimitPolicies.PerUser] = new(600, TimeSpan.FromMinutes(1)),
        [RateLimitPolicies.RefreshPerSession] = new(60, TimeSpan.FromMinutes(5)),
        [RateLimitPolicies.ExportPerUser] = new(10, TimeSpan.FromMinutes(5)),
        // Coinbase Advanced allows 30 private requests a second per key: the same, over ten seconds.
        [RateLimitPolicies.ApiKey] = new(300, TimeSpan.FromSeconds(10)),
    };
}

public sealed record RateLimitRule(int Limit, TimeSpan Window)
{
    public RateLimitRule() : this(0, TimeSpan.Zero)
    {
    }
}

public static class RateLimitPolicies
{
    public const string SignInPerIp = "sign-in-ip";
    public const string SignInPerAccount = "sign-in-account";
    public const string RegisterPerIp = "register-ip";

    /// <summary>Verification resends and password reset requests: both send email.</summary>
    public const string EmailPerIp = "email-ip";
    public const string PerUser = "user";

    /// <summary>Token refreshes, per session (refresh token family): never the address's sign-in budget.</summary>
    public const string RefreshPerSession = "refresh-session";

    /// <summary>CSV exports (orders, fills, ledger), per user: each one reads the whole history.</summary>
    public const string ExportPerUser = "export-user";
    /// <summary>Requests signed with an API key, per key: instead of <see cref="PerUser"/>, so a program has its own budget.</summary>
    public const string ApiKey = "api-key";
}

/// <summary>
/// A fixed-window counter in Redis shared by every replica: one Lua script increments the window's
/// key, sets its expiry on the first hit and returns the count and the time left, atomically.
/// </summary>
public sealed partial class RedisRateLimiter(IConnectionMultiplexer redis, IOptions<RateLimitSettings> settings, ILogger<RedisRateLimiter> logger, IMeterFactory meters)
{
    public const string MeterName = "Coinage.Security";

    private readonly Counter<long> _rejections = meters.Create(MeterName)
        .CreateCounter<long>("coinage.rate_limit.rejections", "{request}", "Requests refused with 429 by a rate limit policy.");

    private const string Script = """
        local count = redis.call('INCRBY', KEYS[1], ARGV[2])
        if count == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
        return { count, ttl }
        """;

    /// <summary>Counts <paramref name="cost"/> requests (a batch of orders costs one per order) in the current window.</summary>
    public async Task<RateLimitDecision> AcquireAsync(string policy, string partition, int cost = 1)
    {
        if (!settings.Value.Policies.TryGetValue(policy, out var rule) || rule.Limit <= 0)
        {
            return RateLimitDecision.Unlimited;
        }
        var key = $"{settings.Value.KeyPrefix}:{policy}:{partition}";
        try
        {
            var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
                Script, [key], [(long)rule.Window.TotalMilliseconds, cost]).ConfigureAwait(false))!;
            var count = (long)result[0];
            var ttl = TimeSpan.FromMilliseconds((long)result[1]);
            return new RateLimitDecision(count <= rule.Limit, rule.Limit, (int)Math.Max(0, rule.Limit - count), ttl);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Failing open: an outage of Redis must not lock every trader out; lockout still applies.
            LogUnavailable(logger, exception, policy);
            return RateLimitDecision.Unlimited;
        }
    }

    /// <summary>
    /// Counts <paramref name="cost"/> requests, writes the <c>RateLimit-*</c> headers and, when the budget is spent,
    /// records the refusal and returns the 429 problem to answer with (null: go on).
    /// </summary>
    public async Task<ProblemDetails?> CheckAsync(HttpResponse response, string policy, string partition, int cost = 1)
    {
        ArgumentNullException.ThrowIfNull(response);
        var decision = await AcquireAsync(policy, partition, cost).ConfigureAwait(false);
        decision.WriteHeaders(response);
        if (decision.Allowed)
        {
            return null;
        }
        Rejected(policy, partition);
        return decision.Problem();
    }

    /// <summary>Counts a refusal (tag <c>policy</c>) and logs it; the partition is an IP, an email or a user id: personal data.</summary>
    public void Rejected(string policy, string partition)
    {
        _rejections.Add(1, new KeyValuePair<string, object?>("policy", policy));
        LogRejected(logger, policy, partition);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rate limit {Policy} refused a request from {Partition}")]
    private static partial void LogRejected(ILogger logger, string policy, [Pii] string partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limiting skipped for {Policy}: Redis unavailable")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string policy);
}

public sealed record RateLimitDecision(bool Allowed, int Limit, int Remaining, TimeSpan ResetAfter)
{
    public static readonly RateLimitDecision Unlimited = new(true, 0, 0, TimeSpan.Zero);

    /// <summary>Sets <c>RateLimit-Limit</c>/<c>RateLimit-Remaining</c> (and <c>Retry-After</c> when refused).</summary>
    public void WriteHeaders(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (Limit == 0)
        {
            return;
        }
        response.Headers["RateLimit-Limit"] = Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["RateLimit-Remaining"] = Remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["RateLimit-Reset"] = ((int)Math.Ceiling(ResetAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        if (!Allowed)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(ResetAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
    }

    public ProblemDetails Problem() => new()
    {
        Status = StatusCodes.Status429TooManyRequests,
        Title = "Too many requests",
        Detail = $"Try again in {Math.Max(1, (int)Math.Ceiling(ResetAfter.TotalSeconds))} seconds.",
        Type = Identity.Problems.TypeBase + Identity.ErrorCodes.RateLimited,
        Extensions = { ["code"] = Identity.ErrorCodes.RateLimited },
    };
}

/// <summary>Endpoint filters and middleware that apply <see cref="RedisRateLimiter"/>.</summary>
public static class RateLimitingExtensions
{
    /// <summary>Limits an endpoint per partition (e.g. client IP, or the account named in the body).</summary>
    public static TBuilder RequireRedisRateLimit<TBuilder>(this TBuilder builder, string policy, Func<EndpointFilterInvocationContext, string?> partition)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            var key = partition(context);
            if (key is null)
            {
                return await next(context).ConfigureAwait(false);
            }
            var limiter = context.HttpContext.RequestServices.GetRequiredService<RedisRateLimiter>();
            if (await limiter.CheckAsync(context.HttpContext.Response, policy, key).ConfigureAwait(false) is { } refused)
            {
                return TypedResults.Problem(refused);
            }
            return await next(context).ConfigureAwait(false);
        });
        builder.WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status429TooManyRequests, typeof(ProblemDetails), ["application/problem+json"]));
        return builder;
    }

    public static string ClientIp(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }

    /// <summary>
    /// The general budget of each signed-in user, across all endpoints and replicas. Requests signed with an API key
    /// are counted per key by the API-key gate instead (<see cref="RateLimitPolicies.ApiKey"/>).
    /// </summary>
    public static IApplicationBuilder UsePerUserRateLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var userId = context.User.FindFirst(Identity.ApiKeys.ApiKeyClaims.KeyIdClaim) is null ? context.User.FindFirst("sub")?.Value : null;
        if (userId is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        var limiter = context.RequestServices.GetRequiredService<RedisRateLimiter>();
        if (await limiter.CheckAsync(context.Response, RateLimitPolicies.PerUser, userId).ConfigureAwait(false) is { } refused)
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = refused,
            }).ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    });

    /// <summary>
    /// The budget a request was counted against: the API key's when signed with one, else the user's (as the token
    /// carries the id). A request that costs more than one (a batch of orders) charges the rest with
    /// <see cref="RedisRateLimiter.CheckAsync"/> on the same policy and partition.
    /// </summary>
    public static (string Policy, string Partition)? RateLimitBudget(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.User.FindFirst(Identity.ApiKeys.ApiKeyClaims.KeyIdClaim)?.Value is { } keyId)
        {
            return (RateLimitPolicies.ApiKey, keyId);
        }
        return context.User.FindFirst("sub")?.Value is { } userId ? (RateLimitPolicies.PerUser, userId) : null;
    }
}

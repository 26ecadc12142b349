using System.Globalization;
using System.Net;
using Coinage.ApiService.Identity.Sessions;
using Coinage.ApiService.Identity.StepUp;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Security;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Coinage.ApiService.Identity.ApiKeys;

/// <param name="Scopes"><c>read</c>, <c>trade</c>, <c>withdraw</c>; <c>withdraw</c> needs a saved withdrawal address and an IP allow-list.</param>
/// <param name="IpAllowList">Addresses or CIDR blocks the key answers from; empty or absent: any.</param>
/// <param name="ExpiresAt">When the key stops working; absent: never (at most <see cref="ApiKeysApi.MaxLifetime"/> ahead).</param>
public sealed record CreateApiKeyRequest(string? Name, IReadOnlyList<string>? Scopes, IReadOnlyList<string>? IpAllowList, DateTimeOffset? ExpiresAt);

public sealed record ApiKeyResponse(
    string Id, string Name, IReadOnlyList<string> Scopes, IReadOnlyList<string> IpAllowList, DateTimeOffset? ExpiresAt,
    DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <param name="Secret">Shown this once: the key signs with it (docs/api-keys.md); Coinage cannot show it again.</param>
public sealed record CreatedApiKeyResponse(
    string Id, string Name, IReadOnlyList<string> Scopes, IReadOnlyList<string> IpAllowList, DateTimeOffset? ExpiresAt,
    DateTimeOffset CreatedAt, string Secret);

/// <summary>The secrets of API keys, encrypted at rest with Data Protection as the TOTP secrets are.</summary>
public sealed class ApiKeySecrets(IDataProtectionProvider dataProtection)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Coinage.Identity.ApiKeySecret.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}

/// <summary>
/// <c>/api/v1/account/api-keys</c>: a signed-in person (never a key) creates, lists and revokes the keys their
/// programs sign with. Creating and revoking need a step-up and are audited; the secret is answered once.
/// </summary>
public static class ApiKeysApi
{
    public const int MaxActiveKeys = 20;
    public const int MaxIpAllowList = 16;
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(365);

    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder routes)
    {
        var keys = routes.MapGroup("/api/v1/account/api-keys").WithTags("Account")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        keys.MapGet("", ListAsync).WithSummary("The user's API keys that are not revoked, newest first (never their secrets)");
        keys.MapPost("", CreateAsync).RequireStepUp()
            .WithSummary("Create an API key; the response carries its secret, shown this once. Needs a step-up (403 step_up_required)")
            .WithDescription("Errors: 400 validation_failed (name, scopes, ipAllowList, expiresAt); 422 api_key_limit_reached.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        keys.MapDelete("/{id}", RevokeAsync).RequireStepUp()
            .WithSummary("Revoke an API key: refused at once on every replica. Needs a step-up (403 step_up_required)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    public static async Task<Ok<IReadOnlyList<ApiKeyResponse>>> ListAsync(HttpContext http, CoinageDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var userId = http.User.UserId();
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.UserId == userId && k.RevokedAt == null)
            .OrderByDescending(k => k.CreatedAt).ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<ApiKeyResponse>>(keys.Select(ToResponse).ToList());
    }

    public static async Task<Results<Created<CreatedApiKeyResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateApiKeyRequest request, HttpContext http, CoinageDbContext db, ApiKeySecrets secrets, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(secrets);
        var userId = http.User.UserId();
        var now = clock.GetUtcNow();
        var errors = new InputErrors();
        var name = errors.Text("name", request.Name?.Trim(), 64);
        var scopes = Scopes(request.Scopes, errors);
        var allowList = AllowList(request.IpAllowList, errors);
        if (request.ExpiresAt is { } expiresAt && (expiresAt <= now.AddMinutes(1) || expiresAt > now + MaxLifetime))
        {
            errors.Add("expiresAt", $"Between a minute and {MaxLifetime.TotalDays:0} days from now, or absent for a key that does not expire.");
        }
        if (scopes?.Contains(ApiKeyScopes.Withdraw) == true)
        {
            // As the exchanges do: a key that can move money out answers only from known addresses, and only to the
            // address book (which has its own hold).
            if (allowList is { Count: 0 })
            {
                errors.Add("ipAllowList", "A key with the withdraw scope needs an IP allow-list.");
            }
            var owner = await db.Traders.AsNoTracking().Where(t => t.UserId == userId).Select(t => (long?)t.OwnerId).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (owner is null || !await db.WithdrawalAddresses.AnyAsync(a => a.OwnerId == owner, cancellationToken).ConfigureAwait(false))
            {
                errors.Add("scopes", "The withdraw scope needs at least one saved withdrawal address: the key can send only to the address book.");
            }
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var secret = ApiKeySignature.NewSecret();
        var key = new ApiKey
        {
            Id = ApiKeySignature.NewKeyId(), UserId = userId, Name = name!, Scopes = [.. scopes!], IpAllowList = [.. allowList!],
            ExpiresAt = request.ExpiresAt, CreatedAt = now, ProtectedSecret = secrets.Protect(secret),
        };
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Serializes a user's creations, so two at once cannot both pass the count.
        var user = await db.Users.FromSql($"SELECT * FROM users WHERE id = {userId} FOR UPDATE").AsNoTracking().FirstAsync(cancellationToken).ConfigureAwait(false);
        if (await db.ApiKeys.CountAsync(k => k.UserId == userId && k.RevokedAt == null, cancellationToken).ConfigureAwait(false) >= MaxActiveKeys)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, ApiKeyErrorCodes.LimitReached, "Too many API keys",
                $"You have {MaxActiveKeys} API keys: revoke one you no longer use first.");
        }
        db.ApiKeys.Add(key);
        await AuditLog.AppendAsync(db, "api_key.created", now, userId, userId, http.ClientIp(),
            new { apiKey = key.Id, name = key.Name, scopes = key.Scopes, ipAllowList = key.IpAllowList, expiresAt = key.ExpiresAt }, cancellationToken).ConfigureAwait(false);
        // A key acts without the password or the second factor: whoever holds a stolen session could mint one, and the
        // owner hears of it here, as exchanges tell their users.
        IdentityEmails.Enqueue(db, IdentityEmails.ApiKeyCreated, user, now, Notice(key, http, now,
            ("ipAllowList", string.Join(", ", key.IpAllowList)),
            ("expiresAt", key.ExpiresAt?.ToString("u", CultureInfo.InvariantCulture))));
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/account/api-keys/{key.Id}",
            new CreatedApiKeyResponse(key.Id, key.Name, key.Scopes, key.IpAllowList, key.ExpiresAt, key.CreatedAt, secret));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string id, HttpContext http, CoinageDbContext db, IConnectionMultiplexer redis, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(redis);
        var userId = http.User.UserId();
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Locked: of two revocations at once, one revokes (and emails) and the other answers 404.
        var key = await db.ApiKeys.FromSql($"SELECT * FROM api_keys WHERE id = {id} AND user_id = {userId} AND revoked_at IS NULL FOR UPDATE")
            .AsNoTracking().FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "API key not found", "You have no active API key with this id.");
        }
        // The secret goes with the revocation: nothing can sign with this key again, whatever a cache might hold.
        await db.ApiKeys.Where(k => k.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now).SetProperty(k => k.ProtectedSecret, (string?)null), cancellationToken).ConfigureAwait(false);
        await AuditLog.AppendAsync(db, "api_key.revoked", now, userId, userId, http.ClientIp(), new { apiKey = id }, cancellationToken).ConfigureAwait(false);
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == userId, cancellationToken).ConfigureAwait(false);
        IdentityEmails.Enqueue(db, IdentityEmails.ApiKeyRevoked, user, now, Notice(key, http, now));
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        // Requests are checked against the database each time; open feed sockets are closed on every replica now.
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(SessionService.RevocationChannel), ApiKeyClaims.ConnectionId(id).ToString("N")).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    /// <summary>What the security notice of <paramref name="key"/> says: the key, when, and from which address and browser.</summary>
    private static Dictionary<string, string?> Notice(ApiKey key, HttpContext http, DateTimeOffset now, params (string Key, string? Value)[] more)
    {
        var data = new Dictionary<string, string?>
        {
            ["apiKey"] = key.Id,
            ["name"] = key.Name,
            ["scopes"] = string.Join(", ", key.Scopes),
            ["at"] = now.ToString("u", CultureInfo.InvariantCulture),
            ["ipAddress"] = http.ClientIp(),
            ["device"] = Devices.UserAgentFamily.Describe(http.Request.Headers.UserAgent.ToString()),
        };
        foreach (var (name, value) in more)
        {
            data[name] = value;
        }
        return data;
    }

    private static ApiKeyResponse ToResponse(ApiKey key) =>
        new(key.Id, key.Name, key.Scopes, key.IpAllowList, key.ExpiresAt, key.CreatedAt, key.LastUsedAt);

    private static List<string>? Scopes(IReadOnlyList<string>? requested, InputErrors errors)
    {
        if (requested is null || requested.Count == 0)
        {
            errors.Add("scopes", $"Choose at least one of {string.Join(", ", ApiKeyScopes.All)}.");
            return null;
        }
        var unknown = requested.Where(s => !ApiKeyScopes.All.Contains(s)).ToList();
        if (unknown.Count > 0)
        {
            errors.Add("scopes", $"Unknown scope '{unknown[0]}': choose from {string.Join(", ", ApiKeyScopes.All)}.");
            return null;
        }
        // In the canonical order, once each.
        return ApiKeyScopes.All.Where(requested.Contains).ToList();
    }

    /// <summary>Addresses become /32 or /128 blocks; blocks must be written with their host bits clear.</summary>
    private static List<string>? AllowList(IReadOnlyList<string>? requested, InputErrors errors)
    {
        if (requested is null)
        {
            return [];
        }
        if (requested.Count > MaxIpAllowList)
        {
            errors.Add("ipAllowList", $"At most {MaxIpAllowList} entries.");
            return null;
        }
        var networks = new List<string>();
        foreach (var entry in requested)
        {
            var text = entry?.Trim() ?? "";
            if (IPAddress.TryParse(text, out var address) && !text.Contains('/', StringComparison.Ordinal))
            {
                networks.Add(new IPNetwork(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address,
                    address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork || address.IsIPv4MappedToIPv6 ? 32 : 128).ToString());
            }
            else if (IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(text.AsSpan(0, text.IndexOf('/', StringComparison.Ordinal)), out var written)
                && written.Equals(network.BaseAddress))
            {
                networks.Add(network.ToString());
            }
            else
            {
                errors.Add("ipAllowList", $"'{text}' is not an IP address or CIDR block with its host bits clear (e.g. 203.0.113.7 or 203.0.113.0/24).");
                return null;
            }
        }
        return networks.Distinct(StringComparer.Ordinal).ToList();
    }
}

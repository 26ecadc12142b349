using System.Security.Cryptography;
using System.Text;
using Coinage.Domain.Data;
using Coinage.Domain.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Coinage.ApiService.Identity.Sessions;

/// <summary>
/// Signed-in sessions and their rotating refresh tokens. Revocation is written to the database
/// (so refresh stops) and to Redis (so the session's access tokens stop on every replica at once).
/// </summary>
public sealed class SessionService(CoinageDbContext db, IConnectionMultiplexer redis, TimeProvider clock, IOptions<IdentitySecurityOptions> options)
{
    public const string RevokedKeyPrefix = "coinage:sessions:revoked:";

    /// <summary>Per user: the counter behind <see cref="AccessVersionAsync"/>.</summary>
    public const string AccessVersionKeyPrefix = "coinage:users:access-version:";

    /// <summary>Redis channel announcing revoked session ids (comma-separated N-format GUIDs) to every replica's long-lived connections.</summary>
    public const string RevocationChannel = "coinage:sessions:revocations";

    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Adds a session and its first refresh token to the context (saved by the caller's transaction).</summary>
    public (RefreshSession Session, string RefreshToken) Create(Guid userId, string amr, string? device, string? ip)
    {
        var now = clock.GetUtcNow();
        var session = new RefreshSession
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = now + options.Value.SessionLifetime,
            Device = string.IsNullOrWhiteSpace(device) ? "unknown" : Truncate(device, 256)!,
            IpAddress = Truncate(ip, 64),
            Amr = amr,
        };
        db.RefreshSessions.Add(session);
        var token = NewToken();
        db.RefreshTokens.Add(new RefreshToken { TokenHash = HashToken(token), SessionId = session.Id, CreatedAt = now });
        return (session, token);
    }

    /// <summary>The stored refresh token (consumed or not), to know its session before rotating it; null when unknown.</summary>
    public Task<RefreshToken?> FindAsync(string token, CancellationToken cancellationToken)
    {
        var hash = HashToken(token);
        return db.RefreshTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
    }

    /// <summary>
    /// Consumes a refresh token (found with <see cref="FindAsync"/>) and issues its successor. The consume is one
    /// conditional UPDATE, so of two concurrent uses exactly one wins and the other counts as reuse.
    /// </summary>
    public async Task<RotationResult> RotateAsync(RefreshToken stored, string? ip, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var now = clock.GetUtcNow();
        var hash = stored.TokenHash;
        var session = await db.RefreshSessions.FirstOrDefaultAsync(s => s.Id == stored.SessionId, cancellationToken).ConfigureAwait(false);
        if (session is null || !session.IsActive(now))
        {
            return new RotationResult(RotationOutcome.Invalid, session, null);
        }
        var consumed = await db.RefreshTokens
            .Where(t => t.TokenHash == hash && t.ConsumedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.ConsumedAt, now), cancellationToken).ConfigureAwait(false);
        if (consumed == 0)
        {
            return new RotationResult(RotationOutcome.Reused, session, null);
        }
        var next = NewToken();
        db.RefreshTokens.Add(new RefreshToken { TokenHash = HashToken(next), SessionId = session.Id, CreatedAt = now });
        session.LastSeenAt = now;
        session.IpAddress = Truncate(ip, 64) ?? session.IpAddress;
        return new RotationResult(RotationOutcome.Rotated, session, next);
    }

    /// <summary>Marks sessions revoked in the context; call <see cref="PublishRevocationsAsync"/> after commit.</summary>
    public async Task<List<RefreshSession>> RevokeAsync(Guid userId, string reason, Guid? only = null, Guid? except = null, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var query = db.RefreshSessions.Where(s => s.UserId == userId && s.RevokedAt == null && s.ExpiresAt > now);
        if (only is { } id)
        {
            query = query.Where(s => s.Id == id);
        }
        if (except is { } keep)
        {
            query = query.Where(s => s.Id != keep);
        }
        var sessions = await query.ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var session in sessions)
        {
            session.RevokedAt = now;
            session.RevokedReason = reason;
        }
        return sessions;
    }

    /// <summary>
    /// Tells every replica, through Redis, that these sessions' access tokens are dead. Kept for
    /// the session's remaining lifetime: no access token of it can outlive that. Then announces them,
    /// so connections that checked the token once, when they opened (the market hub), close now.
    /// </summary>
    public async Task PublishRevocationsAsync(IEnumerable<RefreshSession> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var now = clock.GetUtcNow();
        var database = redis.GetDatabase();
        var writes = sessions.Select(s =>
        {
            var ttl = s.ExpiresAt - now;
            return database.StringSetAsync(RevokedKeyPrefix + s.Id.ToString("N"), "1", ttl > TimeSpan.FromSeconds(1) ? ttl : TimeSpan.FromSeconds(1));
        });
        await Task.WhenAll(writes).ConfigureAwait(false);
        var ids = string.Join(',', sessions.Select(s => s.Id.ToString("N")));
        if (ids.Length > 0)
        {
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(RevocationChannel), ids).ConfigureAwait(false);
        }
    }

    public static async Task<bool> IsRevokedAsync(IConnectionMultiplexer redis, Guid sessionId)
    {
        ArgumentNullException.ThrowIfNull(redis);
        return await redis.GetDatabase().KeyExistsAsync(RevokedKeyPrefix + sessionId.ToString("N")).ConfigureAwait(false);
    }

    /// <summary>
    /// The user's access version: a counter in Redis that every change to what the user may do
    /// (a role granted or revoked, a lock, 2FA turned off) increments. Access tokens carry the version
    /// they were issued under; one that no longer matches is refused, the client refreshes, and the new
    /// token says what is true now. Read before the roles when issuing, incremented after the commit
    /// when changing: either order of a concurrent refresh then ends with a token that is refused or right.
    /// </summary>
    public async Task<long> AccessVersionAsync(Guid userId) =>
        (long?)await redis.GetDatabase().StringGetAsync(AccessVersionKey(userId)).ConfigureAwait(false) ?? 0;

    /// <summary>After the commit of a change to the user's roles or standing: their access tokens stop on every replica at once.</summary>
    public async Task BumpAccessVersionAsync(Guid userId)
    {
        var database = redis.GetDatabase();
        var key = AccessVersionKey(userId);
        await database.StringIncrementAsync(key).ConfigureAwait(false);
        // No token outlives its session: an idle user's counter may go, and a missing one reads 0 (a mismatch, never a pass).
        await database.KeyExpireAsync(key, options.Value.SessionLifetime).ConfigureAwait(false);
    }

    /// <summary>
    /// Every authenticated request, in one round trip: is the token's session revoked, and was it issued
    /// under the user's current access version?
    /// </summary>
    public static async Task<bool> IsCurrentAsync(IConnectionMultiplexer redis, Guid sessionId, Guid userId, long accessVersion)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var values = await redis.GetDatabase().StringGetAsync([RevokedKeyPrefix + sessionId.ToString("N"), AccessVersionKey(userId)]).ConfigureAwait(false);
        return values[0].IsNull && ((long?)values[1] ?? 0) == accessVersion;
    }

    private static RedisKey AccessVersionKey(Guid userId) => AccessVersionKeyPrefix + userId.ToString("N");

    private static string? Truncate(string? value, int length) =>
        value is null ? null : new string(value.Where(c => !char.IsControl(c)).Take(length).ToArray());
}

public enum RotationOutcome
{
    Rotated,
    Invalid,
    Reused,
}

public sealed record RotationResult(RotationOutcome Outcome, RefreshSession? Session, string? RefreshToken);

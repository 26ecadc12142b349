using Coinage.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Coinage.ApiService.Identity.Sessions;

/// <summary>
/// Which user each session belongs to, read from the database once per session and replica (an
/// owner never changes). An access token is honoured only when its <c>sub</c> owns its <c>sid</c>:
/// a validly signed token naming another user, no user, or a session that does not exist is
/// refused at authentication (401) instead of reaching the endpoints.
/// </summary>
public sealed class SessionOwners : IDisposable
{
    /// <summary>Bounds the memory: far more sessions than one replica sees active at once.</summary>
    public const int Capacity = 100_000;

    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    private readonly MemoryCache _owners = new(new MemoryCacheOptions { SizeLimit = Capacity });

    public async Task<bool> OwnsAsync(CoinageDbContext db, Guid sessionId, Guid userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!_owners.TryGetValue(sessionId, out Guid owner))
        {
            var found = await db.RefreshSessions.AsNoTracking()
                .Where(s => s.Id == sessionId)
                .Select(s => (Guid?)s.UserId)
                .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (found is not { } stored)
            {
                return false;
            }
            owner = stored;
            _owners.Set(sessionId, owner, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = Retention });
        }
        return owner == userId;
    }

    public void Dispose() => _owners.Dispose();
}

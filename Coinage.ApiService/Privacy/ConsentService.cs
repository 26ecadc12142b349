using Coinage.ApiService.Identity;
using Coinage.Domain.Data;
using Coinage.Domain.Identity;
using Coinage.Domain.Privacy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coinage.ApiService.Privacy;

/// <param name="Purpose"><c>terms</c> or <c>privacy</c>.</param>
/// <param name="Version">The current version the user has not accepted yet.</param>
public sealed record ConsentDocument(string Purpose, string Version);

/// <summary>
/// Consents are an append-only history (<c>consent_records</c>); the newest row per purpose is the
/// user's current choice. Versions come from configuration, so publishing new terms is a setting.
/// </summary>
public sealed class ConsentService(CoinageDbContext db, IOptions<IdentitySecurityOptions> identity, IOptions<PrivacyOptions> privacy, TimeProvider clock)
{
    public string CurrentVersion(string purpose) => purpose switch
    {
        ConsentPurposes.Terms => identity.Value.TermsVersion,
        ConsentPurposes.Privacy => identity.Value.PrivacyVersion,
        ConsentPurposes.Marketing => privacy.Value.MarketingVersion,
        ConsentPurposes.Analytics => privacy.Value.AnalyticsVersion,
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "Unknown consent purpose."),
    };

    /// <summary>The newest record per purpose (a user has a handful of rows: read them all).</summary>
    public async Task<Dictionary<string, ConsentRecord>> LatestAsync(Guid userId, CancellationToken cancellationToken)
    {
        var records = await db.ConsentRecords.AsNoTracking().Where(c => c.UserId == userId)
            .OrderBy(c => c.RecordedAt).ThenBy(c => c.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var latest = new Dictionary<string, ConsentRecord>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            latest[record.Kind] = record;
        }
        return latest;
    }

    /// <summary>The required documents whose current version the user has not accepted: asked at sign-in.</summary>
    public async Task<List<ConsentDocument>> PendingAsync(Guid userId, CancellationToken cancellationToken)
    {
        var latest = await LatestAsync(userId, cancellationToken).ConfigureAwait(false);
        return [.. ConsentPurposes.All.Where(ConsentPurposes.IsRequired)
            .Where(p => !latest.TryGetValue(p, out var r) || !r.Granted || r.Version != CurrentVersion(p))
            .Select(p => new ConsentDocument(p, CurrentVersion(p)))];
    }

    /// <summary>Adds a record to the context (saved by the caller's transaction).</summary>
    public ConsentRecord Record(Guid userId, string purpose, bool granted, string source, string? ip)
    {
        var record = new ConsentRecord
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            Kind = purpose,
            Version = CurrentVersion(purpose),
            Granted = granted,
            RecordedAt = clock.GetUtcNow(),
            IpAddress = ip,
            Source = source,
        };
        db.ConsentRecords.Add(record);
        return record;
    }
}

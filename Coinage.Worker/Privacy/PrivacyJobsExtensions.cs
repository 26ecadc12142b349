using Coinage.Domain.Data;
using Coinage.Domain.Privacy;
using Coinage.Worker.Hangfire;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Worker.Privacy;

public static class PrivacyJobsExtensions
{
    /// <summary>Exports, erasures and retention (docs/privacy.md).</summary>
    internal static IHostApplicationBuilder AddPrivacyJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PrivacyOptions>().Bind(builder.Configuration.GetSection(PrivacyOptions.Section));
        // The ApiService's key ring (same application name, same table): it reads the links and archives written here.
        builder.Services.AddDataProtection()
            .SetApplicationName("coinage")
            .PersistKeysToDbContext<CoinageDbContext>();
        builder.Services.AddScoped<ExportJob>();
        builder.Services.AddScoped<ErasureJob>();
        builder.Services.AddScoped<RetentionJob>();
        builder.Services.AddSingleton<IJobSchedule, ExportJob.Schedule>();
        builder.Services.AddSingleton<IJobSchedule, ErasureJob.Schedule>();
        builder.Services.AddSingleton<IJobSchedule, RetentionJob.Schedule>();
        return builder;
    }

    /// <summary>
    /// Marketing emails go only to users whose current marketing consent is given; checked when
    /// sending, so a consent withdrawn after the email was queued still stops it.
    /// </summary>
    public static async Task<bool> MaySendAsync(CoinageDbContext db, string type, string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!type.StartsWith(MarketingEmailPrefix, StringComparison.Ordinal))
        {
            return true;
        }
        return Guid.TryParse(userId, out var id)
            && await db.Users.AnyAsync(u => u.Id == id && u.MarketingConsent && u.EmailConfirmed, cancellationToken).ConfigureAwait(false);
    }

    public const string MarketingEmailPrefix = "email.marketing";
}

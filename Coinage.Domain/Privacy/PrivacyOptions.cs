namespace Coinage.Domain.Privacy;

/// <summary><c>Coinage:Privacy</c>: consent versions and the periods of the GDPR rights and of retention (docs/privacy.md).</summary>
public sealed class PrivacyOptions
{
    public const string Section = "Coinage:Privacy";

    /// <summary>Version of the marketing-email consent text; a new version asks again on the privacy page (not at sign-in: it is optional).</summary>
    public string MarketingVersion { get; set; } = "1";

    public string AnalyticsVersion { get; set; } = "1";

    /// <summary>Between the erasure request and the erasure, during which the user can cancel.</summary>
    public TimeSpan ErasureGracePeriod { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long an export's download link works (and the archive is kept).</summary>
    public TimeSpan ExportLinkLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Expired or revoked sessions (device, IP) and their refresh tokens are purged after this.</summary>
    public TimeSpan SessionRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Delivered outbox messages (emails: recipient, data) are purged after this.</summary>
    public TimeSpan OutboxRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Heartbeats and retention records (operational telemetry) are purged after this.</summary>
    public TimeSpan TelemetryRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Export rows (no archive any more) are purged after this.</summary>
    public TimeSpan ExportRecordRetention { get; set; } = TimeSpan.FromDays(365);
}

/// <summary>Purposes of the Data Protection keys the API and the Worker share for exports.</summary>
public static class PrivacyProtection
{
    public const string ArchivePurpose = "Coinage.Privacy.ExportArchive.v1";
    public const string LinkPurpose = "Coinage.Privacy.ExportLink.v1";
}

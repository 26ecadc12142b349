namespace Coinage.ApiService.Privacy;

/// <param name="Purpose"><c>terms</c>, <c>privacy</c>, <c>marketing</c> or <c>analytics</c>.</param>
/// <param name="CurrentVersion">The version in force.</param>
/// <param name="Required">Terms and privacy policy: a condition of the account, not withdrawable.</param>
/// <param name="Granted">The user's current choice for <see cref="CurrentVersion"/>; false when never asked or given for an older version.</param>
/// <param name="AcceptedVersion">The version of the user's newest record, if any.</param>
public sealed record ConsentResponse(string Purpose, string CurrentVersion, bool Required, bool Granted, string? AcceptedVersion, DateTimeOffset? RecordedAt);

/// <param name="AcceptanceRequired">The current terms or privacy policy still need the user's acceptance.</param>
public sealed record ConsentsResponse(IReadOnlyList<ConsentResponse> Items, bool AcceptanceRequired);

/// <param name="Version">The version shown to the user; must be the current one.</param>
public sealed record ChangeConsentRequest(bool? Granted, string? Version);

/// <summary>The sign-in re-acceptance step: the versions the user was shown.</summary>
public sealed record AcceptDocumentsRequest(string? TermsVersion, string? PrivacyVersion);

public sealed record ConsentHistoryItem(string Id, string Purpose, string Version, bool Granted, DateTimeOffset RecordedAt, string? IpAddress, string Source);

public sealed record ConsentHistoryPage(IReadOnlyList<ConsentHistoryItem> Items, string? NextCursor);

/// <param name="Status"><c>requested</c>, <c>ready</c>, <c>downloaded</c> or <c>expired</c>.</param>
public sealed record ExportResponse(string Id, string Status, DateTimeOffset RequestedAt, DateTimeOffset? CompletedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? DownloadedAt, long? SizeBytes);

/// <param name="Token">The token of the emailed link.</param>
public sealed record DownloadExportRequest(string? Token);

/// <param name="Code">The current TOTP code, required when two-factor authentication is on.</param>
public sealed record ErasureRequestBody(string? Password, string? Code);

/// <param name="Status"><c>scheduled</c>, <c>cancelled</c>, <c>completed</c> or <c>refused</c>.</param>
public sealed record ErasureResponse(string Id, string Status, DateTimeOffset RequestedAt, DateTimeOffset EffectiveAt, DateTimeOffset? CancelledAt, string? RefusedReason);

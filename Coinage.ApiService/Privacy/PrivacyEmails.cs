namespace Coinage.ApiService.Privacy;

/// <summary>Outbox email types of the privacy feature (templates in Coinage.Worker/Email).</summary>
public static class PrivacyEmails
{
    public const string ErasureScheduled = "email.erasure_scheduled";
    public const string ErasureCancelled = "email.erasure_cancelled";
}

/// <summary>Stable problem codes of <c>/api/v1/privacy</c>.</summary>
public static class PrivacyErrorCodes
{
    public const string UnknownPurpose = "unknown_purpose";
    public const string ConsentRequired = "consent_required";
    public const string ExportInProgress = "export_in_progress";
    public const string ExportUnavailable = "export_unavailable";
    public const string ErasureAlreadyScheduled = "erasure_already_scheduled";
}
